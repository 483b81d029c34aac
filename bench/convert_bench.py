"""Wall time of `kubemap convert --stdout` (a subprocess, so start-up is included).

Cases: a generated 10-service project, a generated 1,000-service project, and the largest files
of the shared corpus. Goals: at most 0.15 s for 10 services (issue 13; it was 0.5 s in issue 3),
and linear growth: 1,000 services within 100x the time of 10. Run with `make bench-convert`; it prints a table and the
verdict, and exits 1 only if a conversion fails. Not a test: timings depend on the machine, so the
child's CPU time is printed next to its wall time.
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO.parent / "shared" / "corpus"
GOAL_SMALL_SECONDS = 0.15
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


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def time_convert(compose_file: Path, runs: int) -> tuple[float | None, float | None, str]:
    """Median wall time and median CPU time (user+sys of the child) over `runs`, or None and
    the error's last line. CPU time is printed too because on a busy shared machine wall time
    mostly measures the other processes."""
    walls, cpus = [], []
    # A user's installation has its bytecode cache: let the children write and use it.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run([*kubemap_command(), "convert", "-f", str(compose_file), "--stdout"],
                   capture_output=True, cwd=compose_file.parent, timeout=600, env=env)
    for _ in range(runs):
        cpu_before = _children_cpu()
        start = time.perf_counter()
        result = subprocess.run(
            [*kubemap_command(), "convert", "-f", str(compose_file), "--stdout"],
            capture_output=True, cwd=compose_file.parent, timeout=600, env=env,
        )
        walls.append(time.perf_counter() - start)
        cpus.append(_children_cpu() - cpu_before)
        if result.returncode != 0:
            return None, None, (result.stderr.decode().strip().splitlines() or ["?"])[-1][:80]
    objects = result.stdout.count(b"\n---\n") + result.stdout.startswith(b"---\n")
    return statistics.median(walls), statistics.median(cpus), f"{objects} objects"


def largest_corpus_files(count: int = 3) -> list[tuple[str, int]]:
    index = CORPUS / "INDEX.json"
    if not index.is_file():
        return []
    entries = [e for e in json.loads(index.read_text()) if e.get("schema") == "valid"]
    entries.sort(key=lambda e: (-e.get("services", 0), -(CORPUS / e["file"]).stat().st_size, e["file"]))
    return [(e["file"], e.get("services", 0)) for e in entries[:count]]


def main() -> int:
    rows: list[tuple[str, str, str, str]] = []
    wall: dict[int, float | None] = {}
    cpu: dict[int, float | None] = {}

    def fmt(value: float | None) -> str:
        return f"{value:.3f}" if value is not None else "error"

    with tempfile.TemporaryDirectory(prefix="kubemap-bench-") as tmp:
        for services, runs in ((10, 7), (1000, 3)):
            project = Path(tmp) / f"p{services}"
            project.mkdir()
            (project / "compose.yaml").write_text(generated_compose(services))
            wall[services], cpu[services], note = time_convert(project / "compose.yaml", runs)
            rows.append((f"generated, {services} services", fmt(wall[services]), fmt(cpu[services]), note))
    for name, services in largest_corpus_files():
        seconds, cpu_seconds, note = time_convert(CORPUS / name, 5)
        rows.append((f"corpus {name} ({services} svc)", fmt(seconds), fmt(cpu_seconds), note))

    width = max(len(r[0]) for r in rows)
    print(f"{'case':<{width}}  {'wall s':>8}  {'cpu s':>8}  note")
    for case, seconds, cpu_seconds, note in rows:
        print(f"{case:<{width}}  {seconds:>8}  {cpu_seconds:>8}  {note}")
    small, large = wall.get(10), wall.get(1000)
    if small is None or large is None:
        print("FAIL: a generated project did not convert")
        return 1
    ratio = large / small
    cpu_ratio = (cpu[1000] or 0) / (cpu[10] or 1)
    print(f"\n10 services: {small:.3f} s wall, {cpu[10]:.3f} s cpu (goal <= {GOAL_SMALL_SECONDS} s); "
          f"1,000/10 ratio: {ratio:.1f}x wall, {cpu_ratio:.1f}x cpu (goal within {GOAL_RATIO:.0f}x)")
    try:
        load = " ".join(f"{x:.1f}" for x in os.getloadavg())
        print(f"load average while measuring: {load} (wall times are only meaningful on an idle machine)")
    except OSError:
        pass
    ok = small <= GOAL_SMALL_SECONDS and ratio <= GOAL_RATIO
    # A missed goal is reported, not an error: `make bench` runs every benchmark regardless.
    print("goals met" if ok else "GOAL MISSED")
    return 0


if __name__ == "__main__":
    sys.exit(main())
