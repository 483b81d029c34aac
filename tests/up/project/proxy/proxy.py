"""A small reverse proxy on :8080: every request goes to UPSTREAM, and the answer comes back
with `X-Proxied-By: uptest-proxy`. GET /proxy-healthz is answered by the proxy itself;
`proxy.py --check` is the healthcheck."""

from __future__ import annotations

import http.client
import os
import signal
import sys
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

UPSTREAM = urllib.parse.urlsplit(os.environ.get("UPSTREAM", "http://localhost:8000"))
PORT = int(os.environ.get("PORT", "8080"))
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade",
              "proxy-authorization", "proxy-authenticate"}


class Proxy(BaseHTTPRequestHandler):
    def _forward(self) -> None:
        if self.path == "/proxy-healthz":
            self._answer(200, b"ok", {"Content-Type": "text/plain"})
            return
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP | {"host"}}
        connection = http.client.HTTPConnection(UPSTREAM.hostname, UPSTREAM.port or 80, timeout=10)
        try:
            connection.request(self.command, self.path, body=body or None, headers=headers)
            response = connection.getresponse()
            data = response.read()
            kept = {k: v for k, v in response.getheaders() if k.lower() not in HOP_BY_HOP | {"content-length"}}
            self._answer(response.status, data, kept)
        except OSError as error:
            self._answer(502, f"upstream unavailable: {error}".encode(), {"Content-Type": "text/plain"})
        finally:
            connection.close()

    def _answer(self, status: int, data: bytes, headers: dict[str, str]) -> None:
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("X-Proxied-By", "uptest-proxy")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_DELETE = _forward  # noqa: N815

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        print(f"{self.command} {self.path} -> {args[1] if len(args) > 1 else ''}", flush=True)


if __name__ == "__main__":
    if sys.argv[1:] == ["--check"]:
        urllib.request.urlopen(f"http://localhost:{PORT}/proxy-healthz", timeout=2)
        sys.exit(0)
    print(f"proxy listening on :{PORT} -> {UPSTREAM.geturl()}", flush=True)
    server = ThreadingHTTPServer(("0.0.0.0", PORT), Proxy)
    # PID 1 in its container: SIGTERM does nothing unless handled, and the Pod would wait out
    # its grace period on every stop.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    server.serve_forever()
