"""Notes kept in Redis, over HTTP on :8000.

POST /notes (body: text) appends a note and answers {"count": n}; GET /notes lists them;
GET /healthz answers 200 when Redis answers PING. `app.py --check` is the healthcheck.
Redis is spoken directly (RESP over a socket), so the image needs nothing beyond Python.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import sys
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

REDIS = (os.environ.get("REDIS_HOST", "localhost"), int(os.environ.get("REDIS_PORT", "6379")))
PORT = int(os.environ.get("PORT", "8000"))


def redis(*args: str) -> object:
    """One command, one reply (simple strings, integers, bulk strings, arrays of bulk strings)."""
    request = f"*{len(args)}\r\n" + "".join(f"${len(a.encode())}\r\n{a}\r\n" for a in args)
    with socket.create_connection(REDIS, timeout=3) as sock:
        sock.sendall(request.encode())
        reader = sock.makefile("rb")
        return _reply(reader)


def _reply(reader) -> object:  # type: ignore[no-untyped-def]
    line = reader.readline().rstrip(b"\r\n")
    kind, rest = line[:1], line[1:]
    if kind == b"+":
        return rest.decode()
    if kind == b":":
        return int(rest)
    if kind == b"-":
        raise RuntimeError(rest.decode())
    if kind == b"$":
        size = int(rest)
        return None if size < 0 else reader.read(size + 2)[:-2].decode()
    if kind == b"*":
        return [_reply(reader) for _ in range(int(rest))]
    raise RuntimeError(f"unexpected reply {line!r}")


class Handler(BaseHTTPRequestHandler):
    def _send(self, status: int, body: object) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:  # noqa: N802 - the http.server API
        try:
            if self.path == "/healthz":
                self._send(200, {"redis": redis("PING")})
            elif self.path == "/notes":
                self._send(200, {"notes": redis("LRANGE", "notes", "0", "-1")})
            else:
                self._send(404, {"error": "not_found"})
        except (OSError, RuntimeError) as error:
            self._send(503, {"error": "database_unavailable", "detail": str(error)})

    def do_POST(self) -> None:  # noqa: N802
        if self.path != "/notes":
            self._send(404, {"error": "not_found"})
            return
        text = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
        if not text.strip():
            self._send(400, {"error": "empty_note"})
            return
        try:
            self._send(201, {"count": redis("RPUSH", "notes", text)})
        except (OSError, RuntimeError) as error:
            self._send(503, {"error": "database_unavailable", "detail": str(error)})

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        print(f"{self.command} {self.path} -> {args[1] if len(args) > 1 else ''}", flush=True)


if __name__ == "__main__":
    if sys.argv[1:] == ["--check"]:
        urllib.request.urlopen(f"http://localhost:{PORT}/healthz", timeout=2)
        sys.exit(0)
    print(f"app listening on :{PORT}, redis at {REDIS[0]}:{REDIS[1]}", flush=True)
    server = ThreadingHTTPServer(("0.0.0.0", PORT), Handler)
    # PID 1 in its container: SIGTERM does nothing unless handled, and the Pod would wait out
    # its grace period on every stop.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    server.serve_forever()
