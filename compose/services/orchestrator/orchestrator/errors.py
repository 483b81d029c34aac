"""The stack's JSON errors (CONTRACT.md): {"error": {"code", "message", "request_id"}}."""

from __future__ import annotations

import logging
from typing import Any

import psycopg
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from .logging import request_id_var

log = logging.getLogger(__name__)


class ApiError(Exception):
    """An error a route answers on purpose (a 404, a 413, a queue that is down)."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def error_response(status: int, code: str, message: str, **extra: Any) -> JSONResponse:
    body = {"code": code, "message": message, "request_id": request_id_var.get(), **extra}
    return JSONResponse({"error": body}, status_code=status)


async def _api_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return error_response(exc.status, exc.code, exc.message)


async def _database_down(request: Request, exc: Exception) -> JSONResponse:
    log.error("database unavailable", extra={"reason": str(exc)})
    return error_response(503, "database_unavailable", "the database is not reachable")


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
    return error_response(exc.status_code, code, str(exc.detail))


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    details = [{"loc": list(e["loc"]), "message": e["msg"], "type": e["type"]}
               for e in exc.errors()]
    summary = "; ".join(f"{'.'.join(map(str, d['loc']))}: {d['message']}" for d in details)
    return error_response(422, "validation_error", summary, details=details)


def add_error_handlers(app: FastAPI) -> None:
    """Every error the API answers is the contract's JSON (a bug's 500: RequestLogMiddleware)."""
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(psycopg.OperationalError, _database_down)  # and PoolTimeout
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
