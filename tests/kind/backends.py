"""The two ways the parity test reaches the stack: Docker Compose and the kind cluster.

Each backend answers the same questions (run SQL in PostgreSQL, run a Redis command, kill one
worker, restart PostgreSQL, wait until everything is healthy again, show logs), so the scenarios
in test_parity.py are written once. Everything goes through the published ports on localhost
(3000, 8080) or the engine's own exec (docker exec / kubectl exec), never through a port-forward.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass

from tests.stack.processes import ROOT, parse_xpending_summary

GATEWAY = os.environ.get("PARITY_GATEWAY_URL", "http://localhost:8080")
FRONTEND = os.environ.get("PARITY_FRONTEND_URL", "http://localhost:3000")


def run(argv: list[str], timeout: float = 180, stdin: str | None = None) -> str:
    result = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, input=stdin)
    if result.returncode != 0:
        raise AssertionError(f"{' '.join(argv)} exited {result.returncode}:\n{result.stdout}{result.stderr}")
    return result.stdout


@functools.cache
def node_engine(node: str) -> str:
    """docker or podman: whichever runs the kind node container (kubemap up chose it). Looked up
    once: the worker-kill scenario freezes a worker within moments of queueing its jobs."""
    for engine in ("docker", "podman"):
        if shutil.which(engine) and subprocess.run([engine, "container", "inspect", node],
                                                   capture_output=True).returncode == 0:
            return engine
    raise AssertionError(f"no docker or podman container named {node}: is the kind cluster up?")


class Backend:
    """Also a WorkerControl (tests/stack/scenarios.py) for the killed-worker scenario."""

    name = ""
    jobs_stream = "agent:jobs"
    jobs_group = "workers"

    def pending_by_consumer(self) -> dict[str, int]:
        return parse_xpending_summary(self.redis("XPENDING", self.jobs_stream, self.jobs_group))

    def sql(self, query: str) -> str:
        raise NotImplementedError

    def redis(self, *args: str) -> str:
        raise NotImplementedError

    def restart_postgres(self) -> None:
        raise NotImplementedError

    def wait_healthy(self, timeout: float = 240) -> None:
        raise NotImplementedError

    def logs(self) -> str:
        raise NotImplementedError


class ComposeBackend(Backend):
    name = "compose"
    compose = [str(ROOT / "scripts" / "compose.sh")]

    def _compose(self, *args: str, timeout: float = 180) -> str:
        return run([*self.compose, *args], timeout=timeout)

    def sql(self, query: str) -> str:
        return self._compose("exec", "-T", "postgres", "psql", "-U", "agents", "-d", "agents", "-tAc", query).strip()

    def redis(self, *args: str) -> str:
        return self._compose("exec", "-T", "redis", "redis-cli", *args).strip()

    def workers(self) -> list[str]:
        return self._compose("ps", "-q", "worker").split()

    def consumer(self, worker: str) -> str:
        return run(["docker", "inspect", "-f", "{{.Config.Hostname}}", worker]).strip()  # the worker's default name

    def signal_worker(self, worker: str, sig: signal.Signals) -> None:
        # The cgroup freezer stops every process of the container; `docker kill` works on a paused
        # container (Docker resumes it after queueing the signal).
        verb = {signal.SIGSTOP: "pause", signal.SIGCONT: "unpause", signal.SIGKILL: "kill"}[sig]
        run(["docker", verb, worker])

    def replace_killed_workers(self) -> None:
        # Compose does not replace a killed replica by itself (a Deployment does): ask it to.
        self._compose("up", "-d", "--no-build", "--no-deps", "worker")

    def restart_postgres(self) -> None:
        self._compose("restart", "postgres")

    def wait_healthy(self, timeout: float = 240) -> None:
        run([str(ROOT / "scripts" / "stack-wait.sh"), str(int(timeout))], timeout=timeout + 30)

    def logs(self) -> str:
        return self._compose("logs", "--tail", "30")


@dataclass
class KindBackend(Backend):
    context: str = "kind-" + os.environ.get("KIND_CLUSTER_NAME", "kubemap")
    # kubemap apply puts the stack into the namespace named after the Compose project.
    namespace: str = os.environ.get("KIND_NAMESPACE", "agents")
    name = "kind"

    def kubectl(self, *args: str, timeout: float = 180, stdin: str | None = None) -> str:
        return run(["kubectl", "--context", self.context, "--namespace", self.namespace, *args],
                   timeout=timeout, stdin=stdin)

    def pods(self, service: str) -> list[dict]:
        listing = json.loads(self.kubectl("get", "pods", "-l", f"kubemap.io/service={service}", "-o", "json"))
        return [p for p in listing["items"] if not p["metadata"].get("deletionTimestamp")]

    def _exec(self, service: str, *argv: str) -> str:
        pod = self.pods(service)[0]["metadata"]["name"]
        return self.kubectl("exec", pod, "-c", service, "--", *argv)

    def sql(self, query: str) -> str:
        return self._exec("postgres", "psql", "-U", "agents", "-d", "agents", "-tAc", query).strip()

    def redis(self, *args: str) -> str:
        return self._exec("redis", "redis-cli", *args).strip()

    def workers(self) -> list[str]:
        return [p["metadata"]["name"] for p in self.pods("worker") if p["status"].get("phase") == "Running"]

    def consumer(self, worker: str) -> str:
        return worker  # the Pod's name is its hostname, the worker's default name

    def _node_ctr(self, *args: str) -> subprocess.CompletedProcess[str]:
        """ctr in the (single) kind node, where containerd runs the Pods' containers."""
        node = os.environ.get("KIND_CLUSTER_NAME", "kubemap") + "-control-plane"
        return subprocess.run([node_engine(node), "exec", node, "ctr", "--namespace", "k8s.io", *args],
                              capture_output=True, text=True, timeout=180)

    def signal_worker(self, worker: str, sig: signal.Signals) -> None:
        pod = json.loads(self.kubectl("get", "pod", worker, "-o", "json"))
        container = next(c for c in pod["status"]["containerStatuses"] if c["name"] == "worker")
        container_id = container["containerID"].split("://", 1)[1]
        verb = {signal.SIGSTOP: ["pause"], signal.SIGCONT: ["resume"], signal.SIGKILL: ["kill", "--signal", "SIGKILL"]}[sig]
        done = self._node_ctr("task", *verb, container_id)
        assert done.returncode == 0, f"ctr task {' '.join(verb)} {container_id}: {done.stdout}{done.stderr}"
        if sig == signal.SIGKILL:
            # A frozen task dies of SIGKILL at once, or as it resumes; either way it never runs again.
            self._node_ctr("task", "resume", container_id)  # "not found" once it is gone
            # Then the Pod goes too, as `docker kill` + a replacement does under Compose.
            self.kubectl("delete", "pod", worker, "--grace-period=0", "--force", "--wait=false")

    def replace_killed_workers(self) -> None:
        pass  # the Deployment's ReplicaSet does it

    def restart_postgres(self) -> None:
        self.kubectl("delete", "pod", "-l", "kubemap.io/service=postgres", "--wait=true")

    def wait_healthy(self, timeout: float = 240) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            pods = json.loads(self.kubectl("get", "pods", "-o", "json"))["items"]
            serving = [p for p in pods if "job-name" not in p["metadata"].get("labels", {})
                       and not p["metadata"].get("deletionTimestamp")]
            ready = [p for p in serving if any(c["type"] == "Ready" and c["status"] == "True"
                                               for c in p["status"].get("conditions", []))]
            if serving and len(ready) == len(serving):
                return
            time.sleep(2)
        raise AssertionError(f"pods not Ready after {timeout}s:\n{self.kubectl('get', 'pods', '-o', 'wide')}")

    def logs(self) -> str:
        out = [self.kubectl("get", "pods", "-o", "wide")]
        for service in ("gateway", "orchestrator", "worker"):
            try:
                out.append(self.kubectl("logs", "-l", f"kubemap.io/service={service}", "--tail", "20",
                                        "--all-containers", "--prefix"))
            except AssertionError as error:
                out.append(str(error))
        return "\n".join(out)
