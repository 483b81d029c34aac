"""Refuse a request body too large to hold a valid task before it is read into memory."""

from __future__ import annotations

import json

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from .logging import request_id_var
from .models import MAX_GOAL_CHARS


def max_body_bytes(max_input_bytes: int) -> int:
    """The largest body a valid request can be: JSON may spell one input byte in up to 6 bytes
    (\\u001f) and a goal character in up to 12 (a surrogate pair), plus the object around them."""
    return 6 * max_input_bytes + 12 * MAX_GOAL_CHARS + 1024


class BodySizeLimitMiddleware:
    """Answers 413 from the Content-Length header alone.

    A chunked body has no length up front; it is read, and the input-size check in the
    endpoint still applies to it.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            length = Headers(scope=scope).get("content-length", "")
            if length.isdigit() and int(length) > self.max_bytes:
                await _send_too_large(send, int(length), self.max_bytes)
                return
        await self.app(scope, receive, send)


async def _send_too_large(send: Send, length: int, limit: int) -> None:
    body = json.dumps({"error": {
        "code": "payload_too_large",
        "message": f"request body is {length} bytes; the limit is {limit}",
        "request_id": request_id_var.get()}}).encode()
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
