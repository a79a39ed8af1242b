"""The outermost request middleware: request id, 414 for long URLs, per-client rate limit (429), metrics, the
access log line, and a 500 that still carries the request id when a route fails unexpectedly.

It is plain ASGI (not ``BaseHTTPMiddleware``) so streamed answers pass through untouched and the request id
(a context variable) is visible in the route's own task and threads.
"""

from __future__ import annotations

import logging
import time

from starlette.datastructures import Headers, MutableHeaders
from starlette.requests import Request
from starlette.routing import Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sparql_api.accounts.sessions import COOKIE as SESSION_COOKIE
from sparql_api.accounts.users import REVIEWERS, User
from sparql_api.config import Settings
from sparql_api.server import access_log, request_ids
from sparql_api.server.auth import current_user
from sparql_api.server.errors import HTTPProblem, problem
from sparql_api.server.metrics import Metrics
from sparql_api.server.rate_limit import RateLimiter, client_address, retry_after

log = logging.getLogger("srkg.server")

# Never rate limited: probes, metrics scrapes, CORS preflights and the static files pages load.
UNLIMITED_PATHS = ("/healthz", "/metrics")
UNLIMITED_PREFIXES = ("/static/", "/docs-static/")
# Answers made here skip the inner middleware, so they carry what CORS and SecurityHeaders would have added:
# a script on another site (the endpoint allows any origin) must be able to read a 429 and its Retry-After.
OUTER_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Expose-Headers": "Retry-After, X-Request-ID",
    "X-Content-Type-Options": "nosniff",
}
UNMATCHED = "(unmatched)"
REFUSED = "(refused)"  # answered 414/429 before routing


def route_template(scope: Scope) -> str:
    """The matched route's template (bounded label set for metrics), or ``(unmatched)``."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    if not isinstance(path, str):
        return UNMATCHED
    return path.rstrip("/") + "/{path:path}" if isinstance(route, Mount) else path


def _has_credentials(headers: Headers) -> bool:
    return "authorization" in headers or SESSION_COOKIE in headers.get("cookie", "")


def signed_in(scope: Scope, headers: Headers) -> User | None:
    """Who sent the request (resolved once per request, shared with the routes); None for a bad credential."""
    if not _has_credentials(headers):
        return None
    try:
        return current_user(Request(scope))
    except HTTPProblem:  # the route answers 401/403 itself
        return None


class Observability:
    def __init__(self, app: ASGIApp, *, settings: Settings, metrics: Metrics, limiter: RateLimiter) -> None:
        self.app = app
        self.settings = settings
        self.metrics = metrics
        self.limiter = limiter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started_at = time.perf_counter()
        headers = Headers(scope=scope)
        request_id = request_ids.accept_or_make(headers.get(request_ids.HEADER))
        binding = request_ids.bind(request_id)
        client = client_address(scope["client"][0] if scope.get("client") else None,
                                headers.get("x-forwarded-for"), self.settings.trust_proxy)
        answer = {"status": 500, "bytes": 0, "started": False, "refused": False}

        async def send_tagged(message: Message) -> None:
            if message["type"] == "http.response.start":
                answer["status"], answer["started"] = message["status"], True
                MutableHeaders(scope=message)[request_ids.HEADER] = request_id
            elif message["type"] == "http.response.body":
                answer["bytes"] += len(message.get("body", b""))
            await send(message)

        self.metrics.request_started()
        try:
            refusal = self._refusal(scope, headers, client)
            if refusal is not None:
                answer["refused"] = True
                await refusal(scope, receive, send_tagged)
            else:
                await self.app(scope, receive, send_tagged)
        except Exception as exc:
            log.exception("unexpected error on %s %s", scope["method"], scope["path"])
            if answer["started"]:
                raise  # too late for an error answer; the server drops the connection
            message = f"Internal error while answering {scope['method']} {scope['path']}: {type(exc).__name__}"
            await problem(500, message, dict(OUTER_HEADERS))(scope, receive, send_tagged)
        finally:
            duration = time.perf_counter() - started_at
            route = REFUSED if answer["refused"] else route_template(scope)
            self.metrics.request_finished(scope["method"], route, int(answer["status"]), duration)
            if self.settings.access_log:
                access_log.log_request(
                    method=scope["method"],
                    path=scope["path"],
                    route=route,
                    status=int(answer["status"]),
                    duration_s=duration,
                    bytes_sent=int(answer["bytes"]),
                    client=client,
                    user=None if scope["path"].startswith(UNLIMITED_PREFIXES) else
                    getattr(signed_in(scope, headers), "username", None),
                    user_agent=headers.get("user-agent"),
                )
            request_ids.unbind(binding)

    def _refusal(self, scope: Scope, headers: Headers, client: str) -> ASGIApp | None:
        """An answer that stops the request before any route runs (414, 429), or None."""
        url_bytes = len(scope.get("raw_path") or scope["path"].encode()) + len(scope.get("query_string", b""))
        if url_bytes > self.settings.max_url_bytes:
            return problem(414, f"the URL is {url_bytes} bytes, more than this server's {self.settings.max_url_bytes} "
                           "byte limit: send a long SPARQL query with POST (Content-Type: application/sparql-query, "
                           "or a form with query=) instead of GET", dict(OUTER_HEADERS))
        if not self.limiter.enabled or self._unlimited(scope, headers):
            return None
        wait_s = self.limiter.take(client)
        if wait_s <= 0:
            return None
        self.metrics.limited()
        seconds = retry_after(wait_s)
        return problem(
            429,
            f"too many requests from {client}: this server answers {self.limiter.burst} requests at once and "
            f"{self.limiter.per_minute} a minute per client; retry after {seconds} s",
            {**OUTER_HEADERS, "Retry-After": seconds},
        )

    def _unlimited(self, scope: Scope, headers: Headers) -> bool:
        """Probes, static files, preflights, and requests from a signed-in reviewer or admin."""
        path = scope["path"]
        if scope["method"] == "OPTIONS" or path in UNLIMITED_PATHS or path.startswith(UNLIMITED_PREFIXES):
            return True
        user = signed_in(scope, headers)
        return user is not None and user.role in REVIEWERS and not user.disabled
