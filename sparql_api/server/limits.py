"""What the server allows: query time, result size, request size, and federation targets.

Time and size limits are enforced by the store (it stops the work); this module holds the numbers, reads
request bodies without ever holding more than the limit, and checks ``SERVICE`` targets against an allow-list
(an open SERVICE would let anyone make this server fetch any URL).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from urllib.parse import parse_qsl

from fastapi import Request

from sparql_api.config import Settings
from sparql_api.server.errors import HTTPProblem
from sparql_api.sparql_text import load_targets, service_targets

QUERY = "application/sparql-query"
FORM = "application/x-www-form-urlencoded"
DEFAULT_SERVICE_ALLOW = ("https://agrovoc.fao.org/sparql", "https://query.wikidata.org/sparql")


def _service_call_timeout() -> float:
    """``SRKG_SERVICE_TIMEOUT``: seconds allowed per SERVICE call (default 10)."""
    return float(os.environ.get("SRKG_SERVICE_TIMEOUT", "10"))


def _service_form_post() -> tuple[str, ...]:
    """``SRKG_SERVICE_FORM_POST``: space-separated endpoints that need form-encoded SERVICE calls (Virtuoso 7)."""
    return tuple(os.environ.get("SRKG_SERVICE_FORM_POST", "").split())


def _load_allow_list() -> tuple[str, ...]:
    """``SRKG_LOAD_ALLOW``: space-separated URL prefixes SPARQL ``LOAD`` may fetch from (default: none)."""
    return tuple(os.environ.get("SRKG_LOAD_ALLOW", "").split())


def _service_allow_list() -> tuple[str, ...]:
    """``SRKG_SERVICE_ALLOW``: space-separated endpoints SERVICE may call (default AGROVOC and Wikidata)."""
    value = os.environ.get("SRKG_SERVICE_ALLOW")
    return tuple(value.split()) if value is not None else DEFAULT_SERVICE_ALLOW


@dataclass(frozen=True)
class ServerLimits:
    query_timeout_s: float = 30.0
    max_results: int = 100_000
    max_request_bytes: int = 50 * 1024 * 1024
    max_query_bytes: int = 1024 * 1024
    service_allow: tuple[str, ...] = field(default_factory=_service_allow_list)
    service_call_timeout_s: float = field(default_factory=_service_call_timeout)
    service_form_post: tuple[str, ...] = field(default_factory=_service_form_post)
    load_allow: tuple[str, ...] = field(default_factory=_load_allow_list)

    @classmethod
    def from_settings(cls, settings: Settings) -> ServerLimits:
        return cls(
            query_timeout_s=settings.query_timeout_s,
            max_results=settings.max_results,
            max_request_bytes=settings.max_request_bytes,
            max_query_bytes=settings.max_query_bytes,
        )

    def time_limit(self, query: str) -> float:
        """The query's time limit: ``SRKG_SERVICE_TIMEOUT`` per SERVICE call it makes, within the query limit.

        pyoxigraph makes SERVICE calls itself and has no per-call timeout, so the per-call budget bounds the
        whole query: a remote that hangs is cut off after its budget (503 naming it) instead of holding the
        client for the full query limit."""
        calls = len(service_targets(query))
        if not calls:
            return self.query_timeout_s
        return min(self.query_timeout_s, self.service_call_timeout_s * calls)

    def check_loads(self, update: str) -> None:
        """``LOAD <url>`` makes this server fetch a URL: only from the prefixes in ``SRKG_LOAD_ALLOW``."""
        for target in load_targets(update):
            if target is None or not any(target.startswith(prefix) for prefix in self.load_allow):
                shown = f"<{target}>" if target else "a source that is not an absolute IRI"
                raise HTTPProblem(
                    403, f"LOAD {shown} is not allowed: this server fetches only from the prefixes in SRKG_LOAD_ALLOW "
                    f"({' '.join(self.load_allow) or 'none'}); send the data with the Graph Store Protocol instead"
                )

    def check_services(self, query: str) -> None:
        for target in service_targets(query):
            if target is None:
                raise HTTPProblem(
                    400, "SERVICE with a variable or an undeclared prefix is not allowed; name the endpoint IRI"
                )
            if target not in self.service_allow:
                allowed = ", ".join(self.service_allow) or "none"
                raise HTTPProblem(
                    403, f"SERVICE <{target}> is not on this server's federation allow-list (allowed: {allowed})"
                )


def _too_long_query(limits: ServerLimits) -> HTTPProblem:
    return HTTPProblem(413, f"the SPARQL query is longer than this server's {limits.max_query_bytes} byte limit "
                       "(SRKG_MAX_QUERY_BYTES); split it or ask the operator")


def check_form_query(body: bytes, limits: ServerLimits) -> None:
    """413 when a form body's ``query`` field is over the query limit (only parsed when the body itself is)."""
    if len(body) <= limits.max_query_bytes:
        return
    for name, value in parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True):
        if name == "query" and len(value.encode("utf-8")) > limits.max_query_bytes:
            raise _too_long_query(limits)


async def read_body(request: Request, limits: ServerLimits) -> bytes:
    """The request body, refusing (413) anything larger than the limit before reading it all.

    A body that is a SPARQL query (``application/sparql-query``, or a form's ``query`` field) has the smaller
    query limit; updates and data uploads only the request limit."""
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    cap = limits.max_request_bytes
    too_large = HTTPProblem(413, f"the request body is larger than the {limits.max_request_bytes} byte limit")
    if media == QUERY and limits.max_query_bytes < cap:
        cap, too_large = limits.max_query_bytes, _too_long_query(limits)
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > cap:
        raise too_large
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > cap:
            raise too_large
        chunks.append(chunk)
    body = b"".join(chunks)
    if media == FORM:
        check_form_query(body, limits)
    return body
