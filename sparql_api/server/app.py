"""The FastAPI application factory: wires the routers, CORS, static files, docs and error answers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool

from sparql_api.accounts.sessions import SessionStore
from sparql_api.accounts.users import AccountStore, account_store_path
from sparql_api.analysis import evidence_index
from sparql_api.backup import endpoint as backup_endpoint
from sparql_api.config import Settings
from sparql_api.server import (
    access_log,
    docs,
    errors,
    graph_store,
    health,
    metrics,
    query_page,
    service_proxy,
    sparql_protocol,
)
from sparql_api.server.context import ServerContext
from sparql_api.server.limits import ServerLimits
from sparql_api.server.observability import Observability
from sparql_api.server.query_page import STATIC_DIR
from sparql_api.server.rate_limit import RateLimiter
from sparql_api.server.security_headers import SecurityHeaders
from sparql_api.server.service_description import ServiceDescription
from sparql_api.server.tokens import TokenStore, token_store_path
from sparql_api.store.base import Store
from sparql_api.summaries.store import summarised, warm_running_totals
from sparql_api.web import routes as web_routes
from sparql_api.web import search_index, submission_views

DESCRIPTION = """Linked open data on sustainable soil-pollution remediation.

* **/sparql** — SPARQL 1.1 Protocol (query by GET or POST; update by POST with a curator token).
  Without a query, GET returns the SPARQL Service Description.
* **/rdf-graph-store** — SPARQL 1.1 Graph Store HTTP Protocol (`?graph=IRI` or `?default`).
* **/query** — the query page for browsers.

Reads are public. Writes need `Authorization: Bearer <token>` (tokens: `srkg token create --name NAME`).
Each client may send a burst of requests and then a steady number a minute; beyond that the answer is
429 with `Retry-After` (signed-in reviewers and admins are not limited). `/healthz` and `/metrics`
(Prometheus text format) are for operators.
"""


def create_app(settings: Settings, store: Store, tokens: TokenStore | None = None) -> FastAPI:
    """The app for ``store``; the caller owns the store (opens, bootstraps and closes it). A store whose
    summaries are not maintained yet (tests build apps on bare stores) is wrapped so that they are."""
    store = summarised(store)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        # uvicorn configures logging before start-up, so this is where ours takes over from its access log.
        access_log.configure()
        if settings.access_log:
            access_log.silence_uvicorn_access()
        start = getattr(store, "start_workers", None)
        if callable(start):
            start()
        submissions = submission_views.ensure_service(app.state.srkg)  # resumes unfinished ingests
        warm_running_totals(store)
        evidence_index.warm(store)
        search_index.warm(app.state.srkg)
        yield
        await run_in_threadpool(submissions.close)  # waits for the current ingest step; keep the loop free
        await run_in_threadpool(search_index.keep_on_disk, app.state.srkg)  # read back at the next start
        await run_in_threadpool(evidence_index.keep_on_disk, store)

    app = FastAPI(
        title="SRKG — Soil Remediation Knowledge Graph",
        description=DESCRIPTION,
        version="0.1.0",
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.srkg = ServerContext(
        settings=settings,
        store=store,
        limits=ServerLimits.from_settings(settings),
        tokens=tokens or TokenStore(token_store_path(settings.data_dir)),
        description=ServiceDescription(store),
        accounts=AccountStore(account_store_path(settings.data_dir)),
        sessions=SessionStore(account_store_path(settings.data_dir)),
    )
    server_metrics = metrics.Metrics()
    triple_count = metrics.TripleCount(store)
    app.state.srkg.extras.update({metrics.METRICS_KEY: server_metrics, metrics.TRIPLES_KEY: triple_count})
    app.state.srkg.on_data_changed.append(triple_count.forget)
    # Innermost first: security headers see the uncompressed page; observability (outermost) sees every answer.
    app.add_middleware(SecurityHeaders)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=["*"],
        allow_methods=["GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS"],
        allow_headers=["*"],
        expose_headers=["Location", "Retry-After", "WWW-Authenticate", "Content-Length", "X-Request-ID"],
        max_age=86400,
    )
    # Pages carry an inline SVG map (~200 kB of path data that compresses ~4×); results compress well too.
    app.add_middleware(GZipMiddleware, minimum_size=4096, compresslevel=5)
    app.add_middleware(
        Observability,
        settings=settings,
        metrics=server_metrics,
        limiter=RateLimiter(settings.rate_limit_per_min, settings.rate_burst),
    )
    errors.install(app)
    docs.install(app)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    for module in (sparql_protocol, graph_store, query_page, health, metrics, service_proxy, backup_endpoint):
        app.include_router(module.router)
    for router in web_routes.routers():
        app.include_router(router)
    return app
