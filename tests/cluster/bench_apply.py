"""Benchmark: `kubemap apply` vs `kubectl apply --server-side` on the same objects, against the
test control plane. Two workloads: N generated services (ConfigMap + Service + Deployment each)
and the stack in compose/. Each tool applies into its own fresh namespace (cold), then again
(no-op). Prints times and the ratio kubemap/kubectl (< 1 means kubemap is faster).

Run: python -m tests.cluster.bench_apply [--services 200]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
from pathlib import Path

from tests.cluster.controlplane import ControlPlane, build_binaries
from tests.cluster.objects import web_service, write_kustomization

REPO = Path(__file__).resolve().parents[2]


def timed(command: list[str]) -> float:
    start = time.perf_counter()
    run = subprocess.run(command, capture_output=True, text=True, cwd=REPO)
    elapsed = time.perf_counter() - start
    if run.returncode != 0:
        raise SystemExit(f"{' '.join(command[:4])} failed:\n{run.stderr[-2000:]}")
    return elapsed


def create_namespace(plane: ControlPlane, name: str) -> None:
    body = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}
    with plane.urlopen(f"{plane.server}/api/v1/namespaces", method="POST", body=body):
        pass


def delete_namespace(plane: ControlPlane, name: str) -> None:
    """Delete and wait until it is gone, so fixed NodePorts are free for the next tool."""
    url = f"{plane.server}/api/v1/namespaces/{name}"
    with plane.urlopen(url, method="DELETE"):
        pass
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        try:
            with plane.urlopen(url):
                pass
        except urllib.error.HTTPError as error:
            if error.code == 404:
                return
        time.sleep(0.5)
    raise SystemExit(f"namespace {name} was not deleted within 180s")


def compare(plane: ControlPlane, label: str, folder: Path, rounds: int) -> float:
    """Each tool in turn: a fresh namespace, a cold apply, a no-op apply, then the namespace goes."""
    tools = {
        "kubemap": [sys.executable, "-m", "converter", "apply", "-k", str(folder)],
        "kubectl": [str(plane.bin_dir / "kubectl"), "apply", "--server-side", "--field-manager=kubectl-bench",
                    "-k", str(folder)],
    }
    slug = label.split()[0].lower()
    samples: dict[str, list[float]] = {}
    # The machine is shared: repeat (alternating tools) and take medians.
    for round_ in range(rounds):
        for tool, command in tools.items():
            namespace = f"bench-{slug}-{tool}-{round_}"
            create_namespace(plane, namespace)
            full = [*command, "-n", namespace, "--kubeconfig", str(plane.kubeconfig)]
            samples.setdefault(f"{tool} cold", []).append(timed(full))
            samples.setdefault(f"{tool} no-op", []).append(timed(full))
            delete_namespace(plane, namespace)
    times = {key: statistics.median(values) for key, values in samples.items()}
    ratio = (times["kubemap cold"] + times["kubemap no-op"]) / (times["kubectl cold"] + times["kubectl no-op"])
    print(f"{label}, median of {rounds}: " + ", ".join(f"{k} {v:.2f}s" for k, v in times.items())
          + f"; ratio kubemap/kubectl {ratio:.2f}", flush=True)
    return ratio


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--services", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kubemap-bench-") as tmp:
        plane = ControlPlane(bin_dir=build_binaries(), workdir=Path(tmp), with_kwok=False)
        try:
            plane.start()
            objects = [o for i in range(args.services) for o in web_service("bench", f"svc-{i:03d}")]
            folder = write_kustomization(Path(tmp) / "generated", objects)
            ratios = [compare(plane, f"{args.services} services ({len(objects)} objects)", folder, args.rounds)]
            stack = Path(tmp) / "stack"
            converted = subprocess.run([sys.executable, "-m", "converter", "convert", "-f", "compose/compose.yaml",
                                        "-o", str(stack)], capture_output=True, text=True, cwd=REPO)
            if converted.returncode == 0:
                ratios.append(compare(plane, "stack (compose/)", stack, args.rounds))
            else:
                print(f"stack (compose/): not measured, convert failed: {converted.stderr.strip()[-300:]}")
        finally:
            plane.stop()
    print(f"bench-apply: worst ratio kubemap/kubectl {max(ratios):.2f} (goal: <= 1.00)")


if __name__ == "__main__":
    main()
