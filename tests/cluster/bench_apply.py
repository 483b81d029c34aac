"""Benchmark: `kubemap apply` vs `kubectl apply --server-side` on the same objects, against the
test control plane. Two workloads: N generated services (ConfigMap + Service + Deployment each)
and the stack in compose/. Each tool applies into its own fresh namespace (cold), then again
(no-op). Prints times and the ratio kubemap/kubectl (< 1 means kubemap is faster).

Run: python -m tests.cluster.bench_apply [--services 200]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
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


def compare(plane: ControlPlane, label: str, kubemap_args: list[str], kubectl_args: list[str]) -> float:
    kubemap = [sys.executable, "-m", "converter", "apply", *kubemap_args, "--kubeconfig", str(plane.kubeconfig)]
    kubectl = [str(plane.bin_dir / "kubectl"), "apply", "--server-side", "--field-manager=kubectl-bench",
               *kubectl_args, "--kubeconfig", str(plane.kubeconfig)]
    slug = label.split()[0].lower()
    for tool in ("kubemap", "kubectl"):
        create_namespace(plane, f"bench-{slug}-{tool}")
    times = {
        "kubemap cold": timed([*kubemap, "-n", f"bench-{slug}-kubemap"]),
        "kubectl cold": timed([*kubectl, "-n", f"bench-{slug}-kubectl"]),
        "kubemap no-op": timed([*kubemap, "-n", f"bench-{slug}-kubemap"]),
        "kubectl no-op": timed([*kubectl, "-n", f"bench-{slug}-kubectl"]),
    }
    ratio = (times["kubemap cold"] + times["kubemap no-op"]) / (times["kubectl cold"] + times["kubectl no-op"])
    print(f"{label}: " + ", ".join(f"{k} {v:.2f}s" for k, v in times.items())
          + f"; ratio kubemap/kubectl {ratio:.2f}")
    return ratio


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--services", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kubemap-bench-") as tmp:
        plane = ControlPlane(bin_dir=build_binaries(), workdir=Path(tmp), with_kwok=False)
        try:
            plane.start()
            objects = [o for i in range(args.services) for o in web_service("bench", f"svc-{i:03d}")]
            folder = write_kustomization(Path(tmp) / "generated", objects)
            ratios = [compare(plane, f"{args.services} services ({len(objects)} objects)",
                              ["-k", str(folder)], ["-k", str(folder)])]
            stack = Path(tmp) / "stack"
            converted = subprocess.run([sys.executable, "-m", "converter", "convert", "-f", "compose/compose.yaml",
                                        "-o", str(stack)], capture_output=True, text=True, cwd=REPO)
            if converted.returncode == 0:
                ratios.append(compare(plane, "stack (compose/)", ["-k", str(stack)], ["-k", str(stack)]))
            else:
                print(f"stack (compose/): not measured, convert failed: {converted.stderr.strip()[-300:]}")
        finally:
            plane.stop()
    print(f"bench-apply: worst ratio kubemap/kubectl {max(ratios):.2f} (goal: <= 1.00)")


if __name__ == "__main__":
    main()
