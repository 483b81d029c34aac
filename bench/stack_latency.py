"""Benchmark: latency of GET /tasks/{id} through the gateway vs directly from the orchestrator,
with the four services running as local processes on loopback (real Redis and PostgreSQL).

Requests alternate between the two paths so both see the same machine load; the figure that
matters is the ratio of the medians (goal: the gateway adds under 20% at p50). Bounded: a fixed
number of requests, each with a timeout. Run: make bench-stack
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.stack.processes import build_services, request, running_stack  # noqa: E402

REQUESTS = 400
WARMUP = 50


def timed_get(url: str) -> float:
    start = time.perf_counter()
    with urllib.request.urlopen(url, timeout=10) as response:
        response.read()
    return time.perf_counter() - start


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    build_services()
    with tempfile.TemporaryDirectory() as tmp, running_stack(Path(tmp), workers=1) as stack:
        status, _, body = request("POST", f"{stack.gateway_url}/tasks", {"goal": "bench", "input": "a b c d"})
        assert status == 201, body
        task_id = json.loads(body)["id"]
        direct_url = f"{stack.orchestrator_url}/tasks/{task_id}"
        gateway_url = f"{stack.gateway_url}/tasks/{task_id}"
        for _ in range(WARMUP):
            timed_get(direct_url)
            timed_get(gateway_url)
        direct: list[float] = []
        via: list[float] = []
        for _ in range(REQUESTS):
            direct.append(timed_get(direct_url))
            via.append(timed_get(gateway_url))
    rows = [("direct", direct), ("via gateway", via)]
    print(f"GET /tasks/{{id}}, {REQUESTS} requests each, alternating (ms)")
    print(f"{'path':<12} {'p50':>8} {'p99':>8} {'mean':>8}")
    for name, values in rows:
        print(f"{name:<12} {percentile(values, 0.5) * 1e3:8.2f} {percentile(values, 0.99) * 1e3:8.2f} "
              f"{statistics.mean(values) * 1e3:8.2f}")
    ratio = percentile(via, 0.5) / percentile(direct, 0.5)
    print(f"gateway/direct p50 ratio: {ratio:.2f} (goal < 1.20)")


if __name__ == "__main__":
    main()
