"""GET /healthz: 200 when the store answers a query through the same path as /sparql."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import PlainTextResponse

from sparql_api.server.context import context

router = APIRouter(tags=["Operations"])


@router.get("/healthz", summary="Liveness and store check", response_class=PlainTextResponse)
async def healthz(request: Request) -> PlainTextResponse:
    ctx = context(request)
    await run_in_threadpool(
        ctx.store.query, "ASK {}", "application/sparql-results+json", timeout=ctx.limits.query_timeout_s
    )
    return PlainTextResponse("ok\n")
