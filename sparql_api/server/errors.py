"""Error answers: always ``text/plain; charset=utf-8`` with a sentence that names the problem.

Store exceptions map onto HTTP statuses here, in one place, so every route answers the same way.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from sparql_api.server import request_ids
from sparql_api.store.base import (
    DataSyntaxError,
    QuerySyntaxError,
    QueryTimeout,
    RemoteServiceError,
    ResultTooLarge,
    StoreBusy,
    StoreError,
    UnsupportedMediaType,
)
from sparql_api.summaries.store import SummaryGraphWrite

log = logging.getLogger("srkg.server")

TEXT = "text/plain; charset=utf-8"


class HTTPProblem(Exception):
    """Raise from any route to answer ``status`` with ``message`` as plain text."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


def problem(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    """The plain-text answer; its last line names the request id, which the server's log lines carry too."""
    text = message if message.endswith("\n") else message + "\n"
    request_id = request_ids.current()
    if request_id:
        text += f"Request id: {request_id}\n"
    return Response(text.encode("utf-8"), status_code=status, media_type=TEXT, headers=headers)


# (status, prefix for the message, extra headers)
_STORE_ERRORS: list[tuple[type[StoreError], int, str, dict[str, str]]] = [
    (QuerySyntaxError, 400, "SPARQL syntax error: ", {}),
    (DataSyntaxError, 400, "", {}),
    (UnsupportedMediaType, 415, "", {}),
    (QueryTimeout, 503, "Query timeout: ", {"Retry-After": "5"}),
    (StoreBusy, 503, "Server busy: ", {"Retry-After": "5"}),
    (ResultTooLarge, 413, "Result too large: ", {}),
    (RemoteServiceError, 502, "Remote endpoint failed: ", {}),
    (SummaryGraphWrite, 403, "", {}),
]


def store_error_response(error: StoreError) -> Response:
    for cls, status, prefix, headers in _STORE_ERRORS:
        if isinstance(error, cls):
            return problem(status, prefix + str(error), headers)
    log.warning("store error: %s", error)
    return problem(500, f"Store error: {error}")


def install(app: FastAPI) -> None:
    @app.exception_handler(HTTPProblem)
    async def _problem(_: Request, exc: HTTPProblem) -> Response:
        return problem(exc.status, exc.message, exc.headers)

    @app.exception_handler(StoreError)
    async def _store(_: Request, exc: StoreError) -> Response:
        return store_error_response(exc)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        messages = {
            404: f"Not found: {request.url.path}",
            405: f"Method {request.method} is not allowed on {request.url.path}",
        }
        return problem(exc.status_code, messages.get(exc.status_code, str(exc.detail)), exc.headers)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return problem(500, f"Internal error while answering {request.method} {request.url.path}: {type(exc).__name__}")

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> Response:
        details = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
        return problem(400, f"Bad request: {details}")
