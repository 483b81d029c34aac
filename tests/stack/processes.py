"""Start the stack's four services as local processes (no containers) for end-to-end tests.

Each service is built the way its own make target builds it; ports are picked free on loopback;
Redis and PostgreSQL are the real servers from scripts/test-servers.sh.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ROOT / "compose" / "services"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_http(url: str, timeout: float = 120.0, process: subprocess.Popen[bytes] | None = None) -> None:
    deadline = time.monotonic() + timeout
    last = ""
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"{url}: the process exited with {process.returncode} before answering")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status < 500:
                    return
        except (urllib.error.URLError, OSError) as error:
            last = str(error)
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {timeout}s ({last})")


def test_server_env() -> dict[str, str]:
    out = subprocess.run(
        [str(ROOT / "scripts" / "test-servers.sh"), "up"], check=True, capture_output=True, text=True
    ).stdout
    return dict(line.split("=", 1) for line in out.split() if "=" in line)


@dataclass
class Stack:
    """Running processes and where to reach them."""

    gateway_url: str
    orchestrator_url: str
    chat_url: str
    pg_dsn: str
    env: dict[str, str]
    log_dir: Path
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    worker_count: int = 0

    def start(self, name: str, argv: list[str], cwd: Path, extra_env: dict[str, str]) -> subprocess.Popen[bytes]:
        log = open(self.log_dir / f"{name}.log", "ab")
        process = subprocess.Popen(
            argv, cwd=cwd, env={**self.env, **extra_env}, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.processes[name] = process
        return process

    def start_worker(self) -> str:
        self.worker_count += 1
        name = f"worker-{self.worker_count}"
        self.start(name, [str(build_dir() / "worker")], SERVICES / "worker",
                   {"WORKER_NAME": name, "JOB_CLAIM_IDLE_SECONDS": "3", "WORKER_CONCURRENCY": "2"})
        return name

    def start_orchestrator(self) -> None:
        port = self.orchestrator_url.rsplit(":", 1)[1]
        process = self.start(
            "orchestrator", [str(orchestrator_python()), "-m", "orchestrator", "serve"],
            SERVICES / "orchestrator", {"PORT": port},
        )
        wait_http(f"{self.orchestrator_url}/healthz", process=process)

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        process = self.processes.pop(name)
        os.killpg(process.pid, sig)
        process.wait(timeout=60)

    # WorkerControl (tests/stack/scenarios.py): each worker reads as the consumer of its own name.
    def workers(self) -> list[str]:
        return sorted(name for name in self.processes if name.startswith("worker-"))

    def consumer(self, worker: str) -> str:
        return worker

    def signal_worker(self, worker: str, sig: signal.Signals) -> None:
        if sig == signal.SIGKILL:
            self.kill(worker)
        else:
            os.killpg(self.processes[worker].pid, sig)

    def pending_by_consumer(self) -> dict[str, int]:
        output = subprocess.run(["redis-cli", "-u", self.env["REDIS_URL"], "XPENDING", self.env["JOBS_STREAM"],
                                 self.env.get("JOBS_GROUP", "workers")],
                                check=True, capture_output=True, text=True).stdout
        return parse_xpending_summary(output)

    def stop_all(self) -> None:
        for name in list(self.processes):
            process = self.processes[name]
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for name, process in list(self.processes.items()):
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        self.processes.clear()

    def logs(self) -> str:
        return "\n".join(
            f"--- {p.name} ---\n{p.read_text(errors='replace')[-3000:]}" for p in sorted(self.log_dir.glob("*.log"))
        )


def parse_xpending_summary(output: str) -> dict[str, int]:
    """`redis-cli XPENDING stream group` (not a TTY): count, lowest id, highest id, then one
    consumer name and count per pair of lines."""
    pairs = output.splitlines()[3:]
    return {pairs[i]: int(pairs[i + 1]) for i in range(0, len(pairs) - 1, 2) if pairs[i]}


def build_dir() -> Path:
    return ROOT / ".cache" / "stack-bin"


def orchestrator_python() -> Path:
    return SERVICES / "orchestrator" / ".venv" / "bin" / "python"


def build_services() -> None:
    """Build the Go binaries and the chat service; the orchestrator's venv comes from its make target."""
    build_dir().mkdir(parents=True, exist_ok=True)
    for name in ("worker", "gateway"):
        subprocess.run(["go", "build", "-o", str(build_dir() / name), f"./cmd/{name}"],
                       cwd=SERVICES / name, check=True, env={**os.environ, "CGO_ENABLED": "0"})
    chat = SERVICES / "chat"
    if not (chat / "node_modules").exists():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=chat, check=True)
    subprocess.run(["npm", "run", "build"], cwd=chat, check=True)
    if not orchestrator_python().exists():
        subprocess.run(["make", "-C", str(ROOT), "compose/services/orchestrator/.venv/.installed"], check=True)


def create_database(admin_dsn: str) -> str:
    name = f"e2e_{uuid.uuid4().hex[:10]}"
    subprocess.run(["psql", admin_dsn, "-qc", f"CREATE DATABASE {name}"], check=True)
    return admin_dsn.rsplit("/", 1)[0] + "/" + name


def drop_database(admin_dsn: str, dsn: str) -> None:
    name = dsn.rsplit("/", 1)[1]
    subprocess.run(["psql", admin_dsn, "-qc", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"], check=False)


@contextmanager
def running_stack(tmp: Path, workers: int = 2, extra_env: dict[str, str] | None = None) -> Iterator[Stack]:
    servers = test_server_env()
    admin_dsn = servers["KUBEMAP_TEST_PG_DSN"]
    dsn = create_database(admin_dsn)
    pg_host_port, db_name = dsn.split("@", 1)[1].split("/", 1)
    pg_host, pg_port = pg_host_port.split(":")
    redis_db = str(1 + int(uuid.uuid4().int % 14))
    redis_url = servers["KUBEMAP_TEST_REDIS_URL"].rsplit("/", 1)[0] + "/" + redis_db
    subprocess.run(["redis-cli", "-u", redis_url, "flushdb"], check=True, capture_output=True)
    ports = {name: free_port() for name in ("gateway", "orchestrator", "chat")}
    routes = tmp / "routes.yaml"
    shutil.copyfile(SERVICES / "gateway" / "routes.yaml", routes)
    env = {
        "PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/root"), "LOG_LEVEL": "info",
        "REDIS_URL": redis_url, "POSTGRES_HOST": pg_host, "POSTGRES_PORT": pg_port,
        "POSTGRES_DB": db_name, "POSTGRES_USER": "kubemap",
        "JOBS_STREAM": f"e2e:{uuid.uuid4().hex[:8]}:jobs",
        "JOBS_DEAD_STREAM": f"e2e:{uuid.uuid4().hex[:8]}:dead",
        "ORCHESTRATOR_URL": f"http://127.0.0.1:{ports['orchestrator']}",
        "CHAT_URL": f"http://127.0.0.1:{ports['chat']}",
        "GATEWAY_ROUTES_FILE": str(routes), "CORS_ALLOWED_ORIGINS": "http://localhost:3000",
        "LLM_PROVIDER": "local",
        **(extra_env or {}),
    }
    log_dir = tmp / "logs"
    log_dir.mkdir()
    stack = Stack(f"http://127.0.0.1:{ports['gateway']}", env["ORCHESTRATOR_URL"], env["CHAT_URL"],
                  dsn, env, log_dir)
    try:
        migrate = subprocess.run([str(orchestrator_python()), "-m", "orchestrator", "migrate"],
                                 cwd=SERVICES / "orchestrator", env=env, capture_output=True, text=True,
                                 timeout=120)
        assert migrate.returncode == 0, migrate.stdout + migrate.stderr
        stack.start_orchestrator()
        chat = stack.start("chat", ["node", "dist/index.js"], SERVICES / "chat", {"PORT": str(ports["chat"])})
        wait_http(f"{stack.chat_url}/healthz", process=chat)
        gateway = stack.start("gateway", [str(build_dir() / "gateway")], SERVICES / "gateway",
                              {"PORT": str(ports["gateway"])})
        wait_http(f"{stack.gateway_url}/healthz", process=gateway)
        for _ in range(workers):
            stack.start_worker()
        yield stack
    finally:
        stack.stop_all()
        drop_database(admin_dsn, dsn)


def request(method: str, url: str, body: object | None = None, headers: dict[str, str] | None = None,
            timeout: float = 30) -> tuple[int, dict[str, str], bytes]:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method,
                                 headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()
