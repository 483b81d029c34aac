"""Running the local tools `up` needs (docker, docker compose, kind, podman, the repo's build
scripts): output streamed line by line to a callback, a failure turned into a ToolError that
quotes the tool's last lines, and Ctrl-C passed on so no child outlives kubemap."""

from __future__ import annotations

import os
import subprocess
import threading
from collections import deque
from collections.abc import Callable, Sequence

from converter.errors import KubemapError

OnLine = Callable[[str], None]
TAIL_LINES = 25


class ToolError(KubemapError):
    """A local tool (docker, kind, podman, a build script) failed or is missing."""


def run(
    argv: Sequence[str],
    *,
    what: str,
    on_line: OnLine | None = None,
    env: dict[str, str] | None = None,
    hint: str | None = None,
    stdin_from: Sequence[str] | None = None,
) -> list[str]:
    """Run argv, streaming its combined output; return the lines. `stdin_from` is a second
    command whose stdout is piped into this one (`docker save ... | podman load`).
    Raises ToolError (what failed, the last lines) on a non-zero exit."""
    tail: deque[str] = deque(maxlen=TAIL_LINES)
    lines: list[str] = []
    full_env = {**os.environ, **(env or {})}
    feeder = None
    if stdin_from is not None:
        feeder = _start(stdin_from, what, hint, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=full_env)
    try:
        child = _start(argv, what, hint, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                       errors="replace", env=full_env, stdin=feeder.stdout if feeder else subprocess.DEVNULL)
    except BaseException:
        if feeder is not None:
            _stop(feeder)
        raise
    if feeder is not None and feeder.stdout is not None:
        feeder.stdout.close()  # the child holds the pipe now; the feeder sees EPIPE if it dies
    feeder_errors: list[bytes] = []
    drain = None
    if feeder is not None and feeder.stderr is not None:
        drain = threading.Thread(target=lambda: feeder_errors.append(feeder.stderr.read()), daemon=True)  # type: ignore[union-attr]
        drain.start()
    try:
        assert child.stdout is not None
        for raw in child.stdout:
            line = raw.rstrip("\n")
            lines.append(line)
            tail.append(line)
            if on_line and line.strip():
                on_line(line)
        code = child.wait()
        feeder_code = feeder.wait() if feeder else 0
    except BaseException:
        # Ctrl-C (or an error in a callback): stop the children before anything else happens.
        _stop(child)
        if feeder is not None:
            _stop(feeder)
        raise
    if drain is not None:
        drain.join(timeout=5)
    if feeder is not None and feeder_code != 0:
        said = b"".join(feeder_errors).decode(errors="replace").strip()
        raise ToolError(f"{what} failed: {' '.join(stdin_from or [])} exited {feeder_code}"
                        + (f": {said.splitlines()[-1]}" if said else ""), hint=hint)
    if code != 0:
        shown = "\n".join(f"    | {line}" for line in tail if line.strip())
        raise ToolError(f"{what} failed ({argv[0]} exited {code})" + (f"; its last lines:\n{shown}" if shown else ""),
                        hint=hint)
    return lines


def capture(argv: Sequence[str], *, timeout: float = 60, env: dict[str, str] | None = None) -> tuple[int, str]:
    """Run a short query (no streaming): exit code and stdout. A missing program is code 127."""
    try:
        done = subprocess.run(list(argv), capture_output=True, text=True, timeout=timeout,
                              env={**os.environ, **(env or {})}, stdin=subprocess.DEVNULL)
    except FileNotFoundError:
        return 127, ""
    except subprocess.TimeoutExpired:
        return 124, ""
    return done.returncode, done.stdout + ("" if done.returncode == 0 else done.stderr)


def _start(argv: Sequence[str], what: str, hint: str | None, **options: object) -> subprocess.Popen:  # type: ignore[type-arg]
    try:
        return subprocess.Popen(list(argv), **options)  # type: ignore[call-overload]
    except FileNotFoundError:
        raise ToolError(f"{what}: {argv[0]} is not installed", hint=hint) from None


def _stop(process: subprocess.Popen[str] | subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=15)
