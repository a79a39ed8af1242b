"""Security headers on every answer, so no route can forget them.

Every answer gets ``X-Content-Type-Options: nosniff``. An HTML answer also gets ``frame-ancestors 'none'`` and
``X-Frame-Options: DENY`` (no clickjacking through frames); an HTML answer without a Content-Security-Policy of its
own (e.g. Swagger UI at /docs, whose start-up script is inline) gets the site's policy, with its inline scripts
allowed by hash rather than by ``'unsafe-inline'``, so nothing injected into such a page could run.
"""

from __future__ import annotations

import base64
import hashlib
import re

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sparql_api.web.render import CSP

_INLINE_SCRIPT = re.compile(rb"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", re.DOTALL | re.IGNORECASE)
MAX_BUFFERED = 1024 * 1024  # an HTML answer without a policy larger than this gets one with no inline script


def script_hashes(html: bytes) -> list[str]:
    """CSP source expressions (``'sha256-…'``) for each inline script in ``html``."""
    return [
        "'sha256-" + base64.b64encode(hashlib.sha256(body).digest()).decode("ascii") + "'"
        for body in _INLINE_SCRIPT.findall(html)
    ]


def policy_allowing(hashes: list[str]) -> str:
    """The site's policy with ``hashes`` added to ``script-src``."""
    if not hashes:
        return CSP
    return CSP.replace("script-src 'self'", "script-src 'self' " + " ".join(hashes), 1)


def with_frame_ancestors(policy: str) -> str:
    return policy if "frame-ancestors" in policy else policy.rstrip("; ") + "; frame-ancestors 'none'"


class SecurityHeaders:
    """ASGI middleware; sits inside GZip so it sees (and hashes) the uncompressed page."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        held: Message | None = None  # a start message waiting for the page it needs to hash
        chunks: list[bytes] = []

        async def send_with_headers(message: Message) -> None:
            nonlocal held
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                if not headers.get("content-type", "").lower().startswith("text/html"):
                    await send(message)
                    return
                headers.setdefault("X-Frame-Options", "DENY")
                policy = headers.get("content-security-policy")
                if policy is not None:
                    headers["Content-Security-Policy"] = with_frame_ancestors(policy)
                    await send(message)
                    return
                held = message
                return
            if held is None or message["type"] != "http.response.body":
                await send(message)
                return
            chunks.append(message.get("body", b""))
            size = sum(len(c) for c in chunks)
            if message.get("more_body", False) and size <= MAX_BUFFERED:
                return
            page = b"".join(chunks)
            hashes = script_hashes(page) if size <= MAX_BUFFERED else []
            MutableHeaders(scope=held)["Content-Security-Policy"] = policy_allowing(hashes)
            start, held = held, None
            await send(start)
            await send({"type": "http.response.body", "body": page, "more_body": message.get("more_body", False)})

        await self.app(scope, receive, send_with_headers)
