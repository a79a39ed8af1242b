"""The FastAPI application factory: wires the routers, CORS, static files, docs and error answers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.staticfiles import StaticFiles

from sparql_api.accounts.sessions import SessionStore
from sparql_api.accounts.users import AccountStore, account_store_path
from sparql_api.config import Settings
from sparql_api.server import docs, errors, graph_store, health, query_page, service_proxy, sparql_protocol
from sparql_api.server.context import ServerContext
from sparql_api.server.limits import ServerLimits
from sparql_api.server.query_page import STATIC_DIR
from sparql_api.server.service_description import ServiceDescription
from sparql_api.server.tokens import TokenStore, token_store_path
from sparql_api.store.base import Store
from sparql_api.web import routes as web_routes
from sparql_api.web import submission_views

DESCRIPTION = """Linked open data on sustainable soil-pollution remediation.

* **/sparql** — SPARQL 1.1 Protocol (query by GET or POST; update by POST with a curator token).
  Without a query, GET returns the SPARQL Service Description.
* **/rdf-graph-store** — SPARQL 1.1 Graph Store HTTP Protocol (`?graph=IRI` or `?default`).
* **/query** — the query page for browsers.

Reads are public. Writes need `Authorization: Bearer <token>` (tokens: `srkg token create --name NAME`).
"""


def create_app(settings: Settings, store: Store, tokens: TokenStore | None = None) -> FastAPI:
    """The app for ``store``; the caller owns the store (opens, bootstraps and closes it)."""

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        start = getattr(store, "start_workers", None)
        if callable(start):
            start()
        submissions = submission_views.ensure_service(app.state.srkg)  # resumes unfinished ingests
        yield
        submissions.close()

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
    app.add_middleware(
        CORSMiddleware,
        allow_origins=["*"],
        allow_methods=["GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS"],
        allow_headers=["*"],
        expose_headers=["Location", "Retry-After", "WWW-Authenticate", "Content-Length"],
        max_age=86400,
    )
    # Pages carry an inline SVG map (~200 kB of path data that compresses ~4×); results compress well too.
    app.add_middleware(GZipMiddleware, minimum_size=4096, compresslevel=5)
    errors.install(app)
    docs.install(app)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    for module in (sparql_protocol, graph_store, query_page, health, service_proxy):
        app.include_router(module.router)
    for router in web_routes.routers():
        app.include_router(router)
    return app
