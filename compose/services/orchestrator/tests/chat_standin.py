"""A STAND-IN for the chat service (compose/services/chat), which is not started in these tests.

It speaks the chat service's HTTP shape (POST /chat -> {"conversation_id", "message", "provider"})
on loopback and answers with whatever content a test gives it, so the llm planner can be tested
against valid plans, garbage and errors.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class ChatStandIn:
    url: str
    reply: str = ""          # message.content to answer with
    status: int = 200
    raw_body: bytes | None = None  # when set, sent instead of the JSON envelope
    requests: list[dict[str, Any]] = field(default_factory=list)


@contextmanager
def chat_standin() -> Iterator[ChatStandIn]:
    state = ChatStandIn(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # http.server's naming
            length = int(self.headers.get("Content-Length", "0"))
            state.requests.append({"path": self.path, "body": json.loads(self.rfile.read(length))})
            body = state.raw_body if state.raw_body is not None else json.dumps({
                "conversation_id": "standin", "provider": "standin",
                "message": {"role": "assistant", "content": state.reply}}).encode()
            self.send_response(state.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass  # keep test output quiet

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
