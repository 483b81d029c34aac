"""Wall time of `kubemap convert --stdout` (a subprocess, so start-up is included).

Cases: a generated 10-service project, a generated 1,000-service project, and the largest files
of the shared corpus. Goals (issue 3): under 0.5 s for 10 services, and linear growth: 1,000
services within 100x the time of 10. Run with `make bench-convert`; it prints a table and exits 1
if a goal is missed. Not a test: timings depend on the machine.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO.parent / "shared" / "corpus"
GOAL_SMALL_SECONDS = 0.5
GOAL_RATIO = 100.0


def kubemap_command() -> list[str]:
    script = Path(sys.executable).parent / "kubemap"
    return [str(script)] if script.exists() else [sys.executable, "-m", "converter"]


def generated_compose(services: int) -> str:
    """A project that exercises the common rules: ports, env, healthchecks, depends_on, volumes."""
    lines = ["services:"]
    for i in range(services):
        lines += [
            f"  svc{i:04d}:",
            f"    image: example/svc{i % 7}:1.{i % 5}",
            "    ports:",
            f'      - "{20000 + i}:8080"',
            "    environment:",
            f"      MODE: m{i % 3}",
            f"      DB_PASSWORD: pw{i}",
            "    healthcheck:",
            '      test: ["CMD-SHELL", "wget -q --spider http://localhost:8080/healthz"]',
            "      interval: 10s",
        ]
        if i:
            lines += ["    depends_on:", f"      svc{i - 1:04d}:", "        condition: service_started"]
        if i % 10 == 0:
            lines += ["    volumes:", f"      - data{i:04d}:/var/lib/data"]
    volumes = [f"  data{i:04d}: {{}}" for i in range(0, services, 10)]
    return "\n".join(lines + ["volumes:", *volumes]) + "\n"


def time_convert(compose_file: Path, runs: int) -> tuple[float | None, str]:
    """Median wall time over `runs`, or None and the error's last line."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        result = subprocess.run(
            [*kubemap_command(), "convert", "-f", str(compose_file), "--stdout"],
            capture_output=True, cwd=compose_file.parent, timeout=600,
        )
        elapsed = time.perf_counter() - start
        if result.returncode != 0:
            return None, (result.stderr.decode().strip().splitlines() or ["?"])[-1][:80]
        times.append(elapsed)
    objects = result.stdout.count(b"\n---\n") + result.stdout.startswith(b"---\n")
    return statistics.median(times), f"{objects} objects"


def largest_corpus_files(count: int = 3) -> list[tuple[str, int]]:
    index = CORPUS / "INDEX.json"
    if not index.is_file():
        return []
    entries = [e for e in json.loads(index.read_text()) if e.get("schema") == "valid"]
    entries.sort(key=lambda e: (-e.get("services", 0), -(CORPUS / e["file"]).stat().st_size, e["file"]))
    return [(e["file"], e.get("services", 0)) for e in entries[:count]]


def main() -> int:
    rows: list[tuple[str, str, str]] = []
    with tempfile.TemporaryDirectory(prefix="kubemap-bench-") as tmp:
        results: dict[int, float | None] = {}
        for services, runs in ((10, 7), (1000, 3)):
            project = Path(tmp) / f"p{services}"
            project.mkdir()
            (project / "compose.yaml").write_text(generated_compose(services))
            seconds, note = time_convert(project / "compose.yaml", runs)
            results[services] = seconds
            rows.append((f"generated, {services} services", f"{seconds:.3f}" if seconds else "error", note))
    for name, services in largest_corpus_files():
        seconds, note = time_convert(CORPUS / name, 5)
        rows.append((f"corpus {name} ({services} svc)", f"{seconds:.3f}" if seconds else "error", note))

    width = max(len(r[0]) for r in rows)
    print(f"{'case':<{width}}  {'seconds':>8}  note")
    for case, seconds, note in rows:
        print(f"{case:<{width}}  {seconds:>8}  {note}")
    small, large = results.get(10), results.get(1000)
    if small is None or large is None:
        print("FAIL: a generated project did not convert")
        return 1
    ratio = large / small
    print(f"\n10 services: {small:.3f} s (goal < {GOAL_SMALL_SECONDS} s); "
          f"1,000/10 ratio: {ratio:.1f}x (goal within {GOAL_RATIO:.0f}x)")
    ok = small < GOAL_SMALL_SECONDS and ratio <= GOAL_RATIO
    print("goals met" if ok else "GOAL MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
