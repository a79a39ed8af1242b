"""What the server allows: query time, result size, request size, and federation targets.

Time and size limits are enforced by the store (it stops the work); this module holds the numbers, reads
request bodies without ever holding more than the limit, and checks ``SERVICE`` targets against an allow-list
(an open SERVICE would let anyone make this server fetch any URL).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from fastapi import Request

from sparql_api.config import Settings
from sparql_api.server.errors import HTTPProblem
from sparql_api.sparql_text import service_targets

DEFAULT_SERVICE_ALLOW = ("https://agrovoc.fao.org/sparql", "https://query.wikidata.org/sparql")


def _service_call_timeout() -> float:
    """``SRKG_SERVICE_TIMEOUT``: seconds allowed per SERVICE call (default 10)."""
    return float(os.environ.get("SRKG_SERVICE_TIMEOUT", "10"))


def _service_form_post() -> tuple[str, ...]:
    """``SRKG_SERVICE_FORM_POST``: space-separated endpoints that need form-encoded SERVICE calls (Virtuoso 7)."""
    return tuple(os.environ.get("SRKG_SERVICE_FORM_POST", "").split())


def _service_allow_list() -> tuple[str, ...]:
    """``SRKG_SERVICE_ALLOW``: space-separated endpoints SERVICE may call (default AGROVOC and Wikidata)."""
    value = os.environ.get("SRKG_SERVICE_ALLOW")
    return tuple(value.split()) if value is not None else DEFAULT_SERVICE_ALLOW


@dataclass(frozen=True)
class ServerLimits:
    query_timeout_s: float = 30.0
    max_results: int = 100_000
    max_request_bytes: int = 50 * 1024 * 1024
    service_allow: tuple[str, ...] = field(default_factory=_service_allow_list)
    service_call_timeout_s: float = field(default_factory=_service_call_timeout)
    service_form_post: tuple[str, ...] = field(default_factory=_service_form_post)

    @classmethod
    def from_settings(cls, settings: Settings) -> ServerLimits:
        return cls(
            query_timeout_s=settings.query_timeout_s,
            max_results=settings.max_results,
            max_request_bytes=settings.max_request_bytes,
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


async def read_body(request: Request, limits: ServerLimits) -> bytes:
    """The request body, refusing (413) anything larger than the limit before reading it all."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limits.max_request_bytes:
        raise HTTPProblem(413, f"the request body is larger than the {limits.max_request_bytes} byte limit")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limits.max_request_bytes:
            raise HTTPProblem(413, f"the request body is larger than the {limits.max_request_bytes} byte limit")
        chunks.append(chunk)
    return b"".join(chunks)
