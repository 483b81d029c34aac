"""A real Kubernetes control plane on loopback for the cluster tests: etcd, kube-apiserver,
kube-controller-manager, kube-scheduler and kwok (fake nodes that make Pods Running and Ready),
from the binaries scripts/build-control-plane.sh builds. Certificates, keys and a token are made
with the openssl CLI in a temporary folder; everything listens on free 127.0.0.1 ports."""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import ssl
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
BUILD_SCRIPT = REPO / "scripts" / "build-control-plane.sh"
FAKE_NODE_ANNOTATION = "kwok.x-k8s.io/node"


class ControlPlaneError(RuntimeError):
    """The control plane could not be built or started; the message says which part and why."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def build_binaries() -> Path:
    """Build (or find cached) binaries; returns their folder. KUBEMAP_CONTROL_PLANE_BIN names a
    folder of ready binaries instead (for trying other builds)."""
    if os.environ.get("KUBEMAP_CONTROL_PLANE_BIN"):
        return Path(os.environ["KUBEMAP_CONTROL_PLANE_BIN"])
    run = subprocess.run([str(BUILD_SCRIPT)], capture_output=True, text=True)
    if run.returncode != 0:
        raise ControlPlaneError(
            f"{BUILD_SCRIPT.name} failed (exit {run.returncode}); its output ends with:\n"
            + "\n".join((run.stdout + run.stderr).splitlines()[-25:])
        )
    bin_dir = subprocess.run([str(BUILD_SCRIPT), "--print-bin-dir"], capture_output=True, text=True,
                             check=True).stdout.strip()
    return Path(bin_dir)


def _openssl(*args: str, cwd: Path) -> None:
    run = subprocess.run(["openssl", *args], cwd=cwd, capture_output=True, text=True)
    if run.returncode != 0:
        raise ControlPlaneError(f"openssl {' '.join(args[:2])} failed: {run.stderr.strip()}")


def make_pki(folder: Path) -> None:
    """CA, API server serving cert (127.0.0.1/localhost), service-account key pair."""
    folder.mkdir(parents=True, exist_ok=True)
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    _openssl("req", "-x509", *ec, "-keyout", "ca.key", "-out", "ca.crt", "-days", "3",
             "-subj", "/CN=kubemap-test-ca", cwd=folder)
    _openssl("req", *ec, "-keyout", "apiserver.key", "-out", "apiserver.csr",
             "-subj", "/CN=kube-apiserver", cwd=folder)
    (folder / "san.ext").write_text(
        "subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,"
        "DNS:kubernetes.default.svc,IP:10.96.0.1\n"
    )
    _openssl("x509", "-req", "-in", "apiserver.csr", "-CA", "ca.crt", "-CAkey", "ca.key",
             "-CAcreateserial", "-out", "apiserver.crt", "-days", "3", "-extfile", "san.ext", cwd=folder)
    _openssl("genrsa", "-out", "sa.key", "2048", cwd=folder)
    _openssl("rsa", "-in", "sa.key", "-pubout", "-out", "sa.pub", cwd=folder)


@dataclass
class ControlPlane:
    bin_dir: Path
    workdir: Path
    with_kwok: bool = True
    token: str = field(default_factory=lambda: secrets.token_hex(16))
    # An authenticated user without any RBAC grant, for the "forbidden" tests.
    nobody_token: str = field(default_factory=lambda: secrets.token_hex(16))
    etcd_port: int = field(default_factory=free_port)
    etcd_peer_port: int = field(default_factory=free_port)
    api_port: int = field(default_factory=free_port)
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    @property
    def server(self) -> str:
        return f"https://127.0.0.1:{self.api_port}"

    @property
    def kubeconfig(self) -> Path:
        return self.workdir / "kubeconfig"

    @property
    def pki(self) -> Path:
        return self.workdir / "pki"

    # -- lifecycle -------------------------------------------------------------------------
    def start(self) -> None:
        for binary in ("etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler"):
            if not (self.bin_dir / binary).is_file():
                raise ControlPlaneError(f"{self.bin_dir / binary} is missing; run {BUILD_SCRIPT}")
        make_pki(self.pki)
        (self.workdir / "tokens.csv").write_text(
            f'{self.token},kubemap-admin,kubemap-admin,"system:masters"\n'
            f"{self.nobody_token},nobody,nobody\n"
        )
        self._write_kubeconfig()
        self._start_etcd()
        self.start_apiserver()
        self._start("kube-controller-manager", [
            f"--kubeconfig={self.kubeconfig}", "--leader-elect=false",
            f"--service-account-private-key-file={self.pki / 'sa.key'}",
            f"--root-ca-file={self.pki / 'ca.crt'}",
            "--bind-address=127.0.0.1", f"--secure-port={free_port()}",
            f"--cert-dir={self.workdir / 'kcm-certs'}",
            # nothing here can run a cloud or sign kubelet certs; keep start-up quick
            "--controllers=*,-nodeipam,-cloud-node-lifecycle,-service-lb-controller,-node-route-controller",
            "--concurrent-deployment-syncs=10", "--concurrent-replicaset-syncs=10",
        ])
        self._start("kube-scheduler", [
            f"--kubeconfig={self.kubeconfig}", "--leader-elect=false",
            "--bind-address=127.0.0.1", f"--secure-port={free_port()}",
            f"--cert-dir={self.workdir / 'scheduler-certs'}",
        ])
        if self.with_kwok:
            self._start("kwok", [
                f"--kubeconfig={self.kubeconfig}", "--manage-all-nodes=false",
                f"--manage-nodes-with-annotation-selector={FAKE_NODE_ANNOTATION}=fake",
                "--cidr=10.244.0.0/16", "--node-ip=10.0.0.1", "--node-lease-duration-seconds=40",
                f"--server-address=127.0.0.1:{free_port()}",
            ])
            self.add_node("kwok-node-0")

    def stop(self) -> None:
        for name in reversed(list(self.processes)):
            self._stop(name)

    def kill_apiserver(self) -> None:
        """SIGKILL, as a crash would: no graceful shutdown."""
        process = self.processes.pop("kube-apiserver")
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)

    def start_apiserver(self) -> None:
        self._start("kube-apiserver", [
            f"--etcd-servers=http://127.0.0.1:{self.etcd_port}",
            "--bind-address=127.0.0.1", "--advertise-address=127.0.0.1",
            f"--secure-port={self.api_port}",
            f"--cert-dir={self.workdir / 'apiserver-certs'}",
            f"--tls-cert-file={self.pki / 'apiserver.crt'}",
            f"--tls-private-key-file={self.pki / 'apiserver.key'}",
            f"--client-ca-file={self.pki / 'ca.crt'}",
            f"--token-auth-file={self.workdir / 'tokens.csv'}",
            "--authorization-mode=RBAC",
            # as kind and kubeadm clusters do: Compose's `privileged: true` must be accepted
            "--allow-privileged=true",
            "--service-account-issuer=https://kubernetes.default.svc",
            f"--service-account-key-file={self.pki / 'sa.pub'}",
            f"--service-account-signing-key-file={self.pki / 'sa.key'}",
            "--service-cluster-ip-range=10.96.0.0/16",
            # a loopback address cannot be the `kubernetes` Service's endpoint
            "--endpoint-reconciler-type=none",
        ])
        self._wait_ready("kube-apiserver", f"{self.server}/readyz", timeout=120)

    # -- helpers ---------------------------------------------------------------------------
    def _start_etcd(self) -> None:
        client = f"http://127.0.0.1:{self.etcd_port}"
        peer = f"http://127.0.0.1:{self.etcd_peer_port}"
        self._start("etcd", [
            f"--data-dir={self.workdir / 'etcd'}", "--name=kubemap-test",
            f"--listen-client-urls={client}", f"--advertise-client-urls={client}",
            f"--listen-peer-urls={peer}", f"--initial-advertise-peer-urls={peer}",
            f"--initial-cluster=kubemap-test={peer}",
            # test data only: durability on power loss does not matter, speed does
            "--unsafe-no-fsync", "--log-level=warn",
        ])
        self._wait_ready("etcd", f"{client}/health", timeout=60)

    def _start(self, name: str, args: list[str]) -> None:
        log = open(self.workdir / f"{name}.log", "ab")  # noqa: SIM115 - closed with the process
        self.processes[name] = subprocess.Popen(
            [str(self.bin_dir / name), *args], stdout=log, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True,
        )
        log.close()
        time.sleep(0.2)
        if self.processes[name].poll() is not None:
            raise ControlPlaneError(f"{name} exited at once:\n{self.log_tail(name)}")

    def _stop(self, name: str) -> None:
        process = self.processes.pop(name, None)
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)

    def log_tail(self, name: str, lines: int = 20) -> str:
        path = self.workdir / f"{name}.log"
        text = path.read_text(errors="replace") if path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def _wait_ready(self, name: str, url: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        last = ""
        while time.monotonic() < deadline:
            if self.processes[name].poll() is not None:
                raise ControlPlaneError(f"{name} exited while starting:\n{self.log_tail(name)}")
            try:
                with self.urlopen(url, timeout=5) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, OSError) as error:
                last = str(error)
            time.sleep(0.5)
        raise ControlPlaneError(f"{name} not ready after {timeout}s ({last}):\n{self.log_tail(name)}")

    def urlopen(self, url: str, *, method: str = "GET", body: dict | None = None, timeout: float = 10):
        context = ssl.create_default_context(cafile=str(self.pki / "ca.crt"))
        request = urllib.request.Request(url, method=method, data=json.dumps(body).encode() if body else None)
        request.add_header("Authorization", f"Bearer {self.token}")
        request.add_header("Content-Type", "application/json")
        return urllib.request.urlopen(request, timeout=timeout, context=context if url.startswith("https") else None)

    def add_node(self, name: str, fake: bool = True) -> None:
        """A Node object; kwok runs it (fake=True) or nothing does and a test plays its kubelet."""
        node = {
            "apiVersion": "v1", "kind": "Node",
            "metadata": {"name": name, "annotations": {FAKE_NODE_ANNOTATION: "fake"} if fake else {},
                         "labels": {"kubernetes.io/hostname": name, "kubernetes.io/os": "linux",
                                    "type": "kwok"}},
            "status": {"allocatable": {"cpu": "64", "memory": "256Gi", "pods": "500"},
                       "capacity": {"cpu": "64", "memory": "256Gi", "pods": "500"}},
        }
        if not fake:  # keep the scheduler away: only Pods bound to it by name land there
            node["spec"] = {"taints": [{"key": "kubemap.io/no-kubelet", "effect": "NoSchedule"}]}
        with self.urlopen(f"{self.server}/api/v1/nodes", method="POST", body=node):
            pass

    def _write_kubeconfig(self) -> None:
        import base64

        ca = base64.b64encode((self.pki / "ca.crt").read_bytes()).decode()
        config = {
            "apiVersion": "v1", "kind": "Config", "current-context": "kubemap-test",
            "clusters": [{"name": "kubemap-test", "cluster": {"server": self.server, "certificate-authority-data": ca}}],
            "users": [{"name": "admin", "user": {"token": self.token}}],
            "contexts": [{"name": "kubemap-test", "context": {"cluster": "kubemap-test", "user": "admin"}}],
        }
        self.kubeconfig.write_text(json.dumps(config, indent=2))
        os.chmod(self.kubeconfig, 0o600)
