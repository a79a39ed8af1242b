"""Structured logs: every ``srkg.*`` record as one JSON line on stderr, and one access line per request.

What a line may hold is decided here, not by callers: the access line is built from the method, the path
(never the query string, which may carry a query with personal data or a credential a client put there), the
route template, the status, sizes and timing, the client address and the user name. Headers (Authorization,
Cookie), form bodies and query strings are never read into a log line.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any

from sparql_api.server.request_ids import RequestIdFilter

ACCESS = logging.getLogger("srkg.access")
_ROOT = logging.getLogger("srkg")
_MARK = "_srkg_json_handler"
MAX_FIELD = 1000


class JsonLines(logging.Formatter):
    """One JSON object per record: time, level, logger, request id, message, the record's ``fields``."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "request_id": getattr(record, "request_id", None),
            "message": record.getMessage(),
        }
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            line.update(fields)
        if record.exc_info:
            line["error"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def configure(stream: Any = None) -> None:
    """Send ``srkg.*`` records at INFO and above to stderr as JSON lines (once per process)."""
    if any(getattr(h, _MARK, False) for h in _ROOT.handlers):
        return
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonLines())
    handler.addFilter(RequestIdFilter())
    setattr(handler, _MARK, True)
    _ROOT.addHandler(handler)
    if _ROOT.level == logging.NOTSET or _ROOT.level > logging.INFO:
        _ROOT.setLevel(logging.INFO)


def silence_uvicorn_access() -> None:
    """Turn uvicorn's own access lines off: ours carry more and leak nothing. uvicorn decides per connection
    from ``hasHandlers()``, so this works when called before the first connection (at start-up)."""
    uvicorn_access = logging.getLogger("uvicorn.access")
    uvicorn_access.handlers.clear()
    uvicorn_access.propagate = False


def _clip(value: str | None) -> str | None:
    return value if value is None or len(value) <= MAX_FIELD else value[:MAX_FIELD] + "…"


def log_request(
    *,
    method: str,
    path: str,
    route: str,
    status: int,
    duration_s: float,
    bytes_sent: int,
    client: str | None,
    user: str | None,
    user_agent: str | None,
) -> None:
    """The access line for one finished request (the request id comes from the context)."""
    if not ACCESS.isEnabledFor(logging.INFO):
        return
    fields = {
        "method": method,
        "path": _clip(path),
        "route": route,
        "status": status,
        "duration_ms": round(duration_s * 1000, 2),
        "bytes": bytes_sent,
        "client": client,
        "user": user,
        "user_agent": _clip(user_agent),
    }
    ACCESS.info("%s %s %d", method, _clip(path), status, extra={"fields": fields})
