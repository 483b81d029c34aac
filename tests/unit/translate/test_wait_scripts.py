"""R-DEP-01/02: run the generated wait scripts for real under /bin/sh with only chosen tools on
PATH (as in a minimal image). The TCP target is a real listening socket on loopback; the
Kubernetes API, which cannot run here, is a fake `curl` on PATH that prints Job JSON."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from converter.translate.dependencies import DNS_WAIT, JOB_WAIT, TCP_WAIT


def _bin(tmp_path: Path, tools: dict[str, str]) -> dict[str, str]:
    """A PATH holding only `tools` (name → real executable) plus sleep and cat."""
    bindir = tmp_path / "bin"
    bindir.mkdir(exist_ok=True)
    for name, real in {"sleep": shutil.which("sleep"), "cat": shutil.which("cat"), **tools}.items():
        assert real, f"{name} is needed on this machine for the test"
        (bindir / name).symlink_to(real)
    return {"PATH": str(bindir)}


def _run(script: str, env: dict[str, str], timeout: float) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["/bin/sh", "-c", script], env=env, capture_output=True, text=True, timeout=timeout)


@pytest.fixture
def listening_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(8)
        yield sock.getsockname()[1]


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


TOOLS = [
    pytest.param({"bash": "/usr/bin/bash"}, id="R-DEP-01-bash-dev-tcp"),
    pytest.param({"python3": sys.executable}, id="R-DEP-01-python3"),
]


@pytest.mark.parametrize("tools", TOOLS)
def test_tcp_wait_returns_once_the_port_answers(tmp_path, listening_port, tools):
    script = TCP_WAIT.format(host="127.0.0.1", port=listening_port, poll=1)
    result = _run(script, _bin(tmp_path, tools), timeout=20)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("tools", TOOLS)
def test_tcp_wait_keeps_waiting_while_nothing_listens(tmp_path, tools):
    script = TCP_WAIT.format(host="127.0.0.1", port=_closed_port(), poll=1)
    with pytest.raises(subprocess.TimeoutExpired):
        _run(script, _bin(tmp_path, tools), timeout=3)


@pytest.mark.parametrize(
    ("body", "message"),
    [pytest.param('{"kind":"Status","code":403}', "not allowed to read Job", id="R-DEP-02-forbidden-says-why"),
     pytest.param('{"kind": "Status", "code": 404}', "does not exist (yet)", id="R-DEP-02-not-found-says-why")],
)
def test_job_wait_explains_api_errors_and_keeps_waiting(tmp_path, body, message):
    fake = tmp_path / "curl"
    fake.write_text(f"#!/bin/sh\necho '{body}'\n")
    fake.chmod(0o755)
    script = JOB_WAIT.format(job="j", sa=tmp_path, api="https://x", poll=1)
    waiting = subprocess.Popen(["/bin/sh", "-c", script], env=_bin(tmp_path, {"curl": str(fake)}),
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        # Read what it says until the explanation comes (however loaded the machine), then check
        # that it goes on waiting rather than giving up.
        said = ""
        for _ in range(2):
            said += waiting.stderr.readline()
        assert message in said
        assert waiting.poll() is None, f"the wait script gave up: {said}"
    finally:
        waiting.kill()
        waiting.communicate()


def test_r_dep_02_job_wait_fails_loudly_without_tools(tmp_path):
    result = _run(JOB_WAIT.format(job="j", sa=tmp_path, api="https://x", poll=1), _bin(tmp_path, {}), timeout=10)
    assert result.returncode == 1 and "no curl, wget or python3" in result.stderr


def test_r_dep_01_wait_fails_loudly_without_tools(tmp_path):
    result = _run(TCP_WAIT.format(host="127.0.0.1", port=1, poll=1), _bin(tmp_path, {}), timeout=10)
    assert result.returncode == 1 and "no nc, bash or python3" in result.stderr


def test_r_dep_01_dns_wait_resolves(tmp_path):
    result = _run(DNS_WAIT.format(host="localhost", poll=1), _bin(tmp_path, {"getent": shutil.which("getent")}),
                  timeout=10)
    assert result.returncode == 0, result.stderr


FAKE_CURL = """#!/bin/sh
# Stands in for the Kubernetes API (cannot run here): answers from a counter file.
n=`cat {state}`; echo $((n + 1)) > {state}; echo "$@" > {state}.args
if [ "$n" -lt 2 ]; then echo '{{"kind":"Job","status":{{"active":1}}}}'; else echo '{body}'; fi
"""


@pytest.mark.parametrize("client", ["curl", "wget"])
@pytest.mark.parametrize(
    ("body", "rc"),
    [
        pytest.param('{"kind":"Job","status":{"succeeded":1}}', 0, id="R-DEP-02-succeeded-compact"),
        pytest.param('{"kind": "Job", "status": {"succeeded": 1}}', 0, id="R-DEP-02-succeeded-pretty"),
        pytest.param('{"status":{"conditions":[{"type":"Failed","status":"True"}],"failed":1}}', 1,
                     id="R-DEP-02-failed-job-fails-loudly"),
    ],
)
def test_job_wait(tmp_path, body, rc, client):
    sa = tmp_path / "sa"
    sa.mkdir()
    for name, text in (("namespace", "shop"), ("token", "tok"), ("ca.crt", "x")):
        (sa / name).write_text(text)
    state = tmp_path / "state"
    state.write_text("0")
    fake = tmp_path / client
    fake.write_text(FAKE_CURL.format(state=state, body=body))
    fake.chmod(0o755)
    env = _bin(tmp_path, {client: str(fake), "sh": "/bin/sh"})
    script = JOB_WAIT.format(job="migrate", sa=sa, api="https://kubernetes.default.svc", poll=0)
    result = _run(script, env, timeout=20)
    assert result.returncode == rc, result.stderr
    assert int(state.read_text()) == 3  # polled until the third answer
    args = (tmp_path / "state.args").read_text()
    assert (f"--cacert {sa}/ca.crt" if client == "curl" else f"--ca-certificate={sa}/ca.crt") in args
    assert "Authorization: Bearer tok" in args
    assert "https://kubernetes.default.svc/apis/batch/v1/namespaces/shop/jobs/migrate?pretty=false" in args
    if rc:
        assert "Job migrate failed" in result.stderr
