"""Small helpers shared by the tests."""

from __future__ import annotations

import socket

from fastapi import FastAPI
from fastapi.testclient import TestClient

from orchestrator.api import create_app
from orchestrator.settings import Settings


def make_client(settings: Settings) -> TestClient:
    return TestClient(create_app(settings), raise_server_exceptions=False)


def app_of(client: TestClient) -> FastAPI:
    """The FastAPI app behind a client, e.g. for its dependency_overrides."""
    assert isinstance(client.app, FastAPI)
    return client.app


def closed_port() -> int:
    """A loopback port nothing listens on (bound once, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port
