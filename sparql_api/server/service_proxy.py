"""SERVICE calls to endpoints that only understand form-encoded queries (Virtuoso 7), forwarded by this server.

pyoxigraph's SERVICE client sends the query as a direct POST body (``application/sparql-query``), which Virtuoso
7.2 never answers. For the endpoints listed in ``SRKG_SERVICE_FORM_POST`` (each must also be on the allow-list),
the query's ``SERVICE <endpoint>`` is rewritten to ``SERVICE <http://127.0.0.1:PORT/service-proxy/N>``: this
route takes the direct POST from the query worker on loopback and forwards it to the endpoint as a form POST,
within the per-call time budget. Only loopback clients may use it, and only for the configured endpoints, so it
cannot become an open proxy. Oxigraph also sends an empty ``VALUES ( ) { ( ) }`` (one empty solution, a no-op)
in front of the pattern, which Virtuoso rejects (SQ200); the forwarder drops it.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs

import httpx
from fastapi import APIRouter, Request
from starlette.responses import Response

from sparql_api.config import Settings
from sparql_api.server.context import context
from sparql_api.server.errors import HTTPProblem
from sparql_api.server.limits import ServerLimits, read_body
from sparql_api.sparql_text import rewrite_service_targets

router = APIRouter(include_in_schema=False)
LOOPBACK = frozenset({"127.0.0.1", "::1"})
EMPTY_VALUES = re.compile(r"VALUES\s*\(\s*\)\s*\{\s*\(\s*\)\s*\}", re.IGNORECASE)


def proxy_url(settings: Settings, index: int) -> str:
    host = settings.host if settings.host in LOOPBACK or settings.host == "localhost" else "127.0.0.1"
    host = f"[{host}]" if ":" in host else host
    return f"http://{host}:{settings.port}/service-proxy/{index}"


def through_proxy(query: str, limits: ServerLimits, settings: Settings) -> str:
    """``query`` with its SERVICE calls to form-POST endpoints routed through this server."""
    replacements = {target: proxy_url(settings, i) for i, target in enumerate(limits.service_form_post)}
    return rewrite_service_targets(query, replacements)


@router.post("/service-proxy/{index}")
async def forward(request: Request, index: int) -> Response:
    if request.client is None or request.client.host not in LOOPBACK:
        raise HTTPProblem(403, "the SERVICE forwarder is only for this server's own query workers")
    limits = context(request).limits
    if not 0 <= index < len(limits.service_form_post):
        raise HTTPProblem(404, f"no SERVICE endpoint number {index} is forwarded")
    target = limits.service_form_post[index]
    body = await read_body(request, limits)
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media == "application/sparql-query":
        query = body.decode("utf-8")
    elif media == "application/x-www-form-urlencoded":
        query = (parse_qs(body.decode("utf-8")).get("query") or [""])[0]
    else:
        raise HTTPProblem(415, "send the query as application/sparql-query or a form")
    query = EMPTY_VALUES.sub("", query)
    accept = request.headers.get("accept", "application/sparql-results+json")
    try:
        async with httpx.AsyncClient(timeout=limits.service_call_timeout_s) as client:
            answer = await client.post(target, data={"query": query}, headers={"Accept": accept})
    except httpx.HTTPError as error:
        raise HTTPProblem(502, f"SERVICE <{target}> failed or is unreachable: {error}") from None
    return Response(answer.content, status_code=answer.status_code,
                    media_type=answer.headers.get("content-type", "application/octet-stream"))
