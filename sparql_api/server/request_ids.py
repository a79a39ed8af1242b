"""Request ids: one per request, taken from a sane ``X-Request-ID`` or made here, visible to every log line.

A proxy or client that already tags its requests keeps its id, so one id follows a request across systems; an
id that is too long or carries odd characters is replaced (it ends up in logs and headers, so it must be inert).
"""

from __future__ import annotations

import logging
import re
import secrets
from contextvars import ContextVar

HEADER = "X-Request-ID"
MAX_LENGTH = 128
_SAFE = re.compile(rf"^[A-Za-z0-9._:@+=/-]{{1,{MAX_LENGTH}}}$")

_current: ContextVar[str | None] = ContextVar("srkg_request_id", default=None)


def accept_or_make(incoming: str | None) -> str:
    """``incoming`` when it is short and made of safe characters, else a new random id."""
    if incoming is not None and _SAFE.match(incoming):
        return incoming
    return secrets.token_hex(8)


def current() -> str | None:
    """The id of the request being answered in this task (None outside a request)."""
    return _current.get()


def bind(request_id: str) -> object:
    """Make ``request_id`` current; pass the returned token to :func:`unbind` when the request ends."""
    return _current.set(request_id)


def unbind(token: object) -> None:
    _current.reset(token)  # type: ignore[arg-type]


class RequestIdFilter(logging.Filter):
    """Stamp each record with the current request id (``record.request_id``; None outside requests)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = current()
        return True
