"""Start-up and load time, each against a peer measured in the same run:

- `kubemap version` vs `python -c pass` (the interpreter alone): goal 0.08 s wall;
- `kubemap config --format json` vs `docker compose config --format json` (v5, the build of
  scripts/build-compose.sh) on the three largest corpus files both load on their own: goal at
  most 1.5x Compose on the largest.

Median of 7 runs each (after one warm-up run), wall and CPU (user+sys of the child). Both tools
run in the same clean environment (PATH and HOME only), from the file's directory. Python writes
its bytecode cache as usual (PYTHONDONTWRITEBYTECODE is removed from the children's environment:
a user's installation has its .pyc files). Run with `make bench-startup`; it prints a table and
the verdicts, and exits 1 only if a command fails. Not a test: timings depend on the machine.
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO.parent / "shared" / "corpus"
RUNS = 7
GOAL_VERSION_SECONDS = 0.08
GOAL_CONFIG_RATIO = 1.5


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def environment() -> dict[str, str]:
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": os.environ.get("HOME", "/")}


def measure(command: list[str], cwd: Path) -> tuple[float, float]:
    """(median wall, median cpu) seconds over RUNS runs, after a warm-up run."""
    env = environment()
    subprocess.run(command, cwd=cwd, env=env, capture_output=True, check=True, timeout=300)
    walls, cpus = [], []
    for _ in range(RUNS):
        before = _children_cpu()
        start = time.perf_counter()
        subprocess.run(command, cwd=cwd, env=env, capture_output=True, check=True, timeout=300)
        walls.append(time.perf_counter() - start)
        cpus.append(_children_cpu() - before)
    return statistics.median(walls), statistics.median(cpus)


def compose_binary() -> str:
    path = subprocess.run([str(REPO / "scripts" / "build-compose.sh"), "--print-path"],
                          capture_output=True, text=True, check=True).stdout.strip()
    if not os.access(path, os.X_OK):
        sys.exit(f"Docker Compose v5 is not built ({path}): run make compose")
    return path


def kubemap() -> str:
    return str(Path(sys.executable).parent / "kubemap")


def largest_files(compose: str, count: int = 3) -> list[Path]:
    """The largest compose files of the corpus (shared INDEX and realworld setups) that both
    Compose and kubemap load on their own."""
    names = {e["file"] for e in json.loads((CORPUS / "INDEX.json").read_text())}
    for setup in json.loads((CORPUS / "realworld" / "INDEX.json").read_text()):
        names.update(f"realworld/{f}" for f in setup["files"])
    chosen: list[Path] = []
    for path in sorted((CORPUS / n for n in names), key=lambda p: -p.stat().st_size):
        ok = all(subprocess.run(cmd, cwd=path.parent, env=environment(), capture_output=True,
                                timeout=120).returncode == 0
                 for cmd in ([compose, "-f", str(path), "config", "--format", "json"],
                             [kubemap(), "config", "-f", str(path), "--format", "json"]))
        if ok:
            chosen.append(path)
        if len(chosen) == count:
            break
    return chosen


def main() -> int:
    if not (CORPUS / "INDEX.json").is_file():
        sys.exit(f"the shared corpus is missing at {CORPUS}")
    compose = compose_binary()
    rows: list[tuple[str, float, float, float, float]] = []
    version = measure([kubemap(), "version"], REPO)
    bare = measure([sys.executable, "-c", "pass"], REPO)
    rows.append(("kubemap version  vs  python -c pass", *version, *bare))
    ratios = []
    for path in largest_files(compose):
        mine = measure([kubemap(), "config", "-f", str(path), "--format", "json"], path.parent)
        theirs = measure([compose, "-f", str(path), "config", "--format", "json"], path.parent)
        label = f"config {path.relative_to(CORPUS)} ({path.stat().st_size // 1024} KiB)"
        rows.append((label, *mine, *theirs))
        ratios.append(mine[0] / theirs[0])
    width = max(len(r[0]) for r in rows)
    print(f"{'case (kubemap vs peer)':<{width}}  {'wall s':>7} {'cpu s':>7}   {'peer wall':>9} "
          f"{'peer cpu':>8}   {'ratio':>5}")
    for label, wall, cpu, peer_wall, peer_cpu in rows:
        print(f"{label:<{width}}  {wall:>7.3f} {cpu:>7.3f}   {peer_wall:>9.3f} {peer_cpu:>8.3f}   "
              f"{wall / peer_wall:>5.2f}")
    print(f"\nkubemap version: {version[0]:.3f} s wall (goal <= {GOAL_VERSION_SECONDS} s), the "
          f"interpreter alone {bare[0]:.3f} s")
    if ratios:
        print(f"kubemap config on the largest file: {ratios[0]:.2f}x Compose's wall time "
              f"(goal <= {GOAL_CONFIG_RATIO}x); on the three: "
              + ", ".join(f"{r:.2f}x" for r in ratios))
    try:
        print("load average while measuring: " + " ".join(f"{x:.1f}" for x in os.getloadavg()))
    except OSError:
        pass
    met = version[0] <= GOAL_VERSION_SECONDS and bool(ratios) and ratios[0] <= GOAL_CONFIG_RATIO
    print("goals met" if met else "GOAL MISSED")
    return 0


if __name__ == "__main__":
    sys.exit(main())
