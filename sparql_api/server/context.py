"""What every route needs (store, limits, tokens, service description), held on ``app.state.srkg``."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request

from sparql_api.config import Settings
from sparql_api.server.limits import ServerLimits
from sparql_api.server.service_description import ServiceDescription
from sparql_api.server.tokens import TokenStore
from sparql_api.store.base import Store


@dataclass
class ServerContext:
    settings: Settings
    store: Store
    limits: ServerLimits
    tokens: TokenStore
    description: ServiceDescription

    def data_changed(self) -> None:
        """Hook for everything cached from the data; call after each successful write."""
        self.description.invalidate()


def context(request: Request) -> ServerContext:
    return request.app.state.srkg


def endpoint_url(request: Request, path: str | None = None) -> str:
    """Absolute URL of ``path`` (default: the request's own path) as the client addressed this server."""
    base = str(request.base_url).rstrip("/")
    return base + (path if path is not None else request.url.path)
