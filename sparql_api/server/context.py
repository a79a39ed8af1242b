"""What every route needs (store, limits, tokens, service description), held on ``app.state.srkg``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from fastapi import Request

from sparql_api.accounts.sessions import SessionStore
from sparql_api.accounts.users import AccountStore
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
    accounts: AccountStore
    sessions: SessionStore
    # Caches built from the data (search index, coverage numbers…) register how to forget themselves here.
    on_data_changed: list[Callable[[], None]] = field(default_factory=list)
    # Per-feature state that pages build lazily (e.g. the search index), keyed by feature name.
    extras: dict[str, object] = field(default_factory=dict)
    # Caches of vocabulary and ontology terms only (labels): told whether the write was of case records only.
    on_terms_may_change: list[Callable[[bool], None]] = field(default_factory=list)

    def data_changed(self, records_only: bool = False) -> None:
        """Call after each successful write: everything cached from the data is dropped. ``records_only``: the
        write replaced or removed submission graphs, which describe their own records and never vocabulary or
        ontology terms (ingest refuses such statements), so caches of terms may refresh in the background."""
        self.description.invalidate()
        for forget in self.on_data_changed:
            forget()
        for notify in self.on_terms_may_change:
            notify(records_only)


def context(request: Request) -> ServerContext:
    return request.app.state.srkg


def endpoint_url(request: Request, path: str | None = None) -> str:
    """Absolute URL of ``path`` (default: the request's own path) as the client addressed this server."""
    base = str(request.base_url).rstrip("/")
    return base + (path if path is not None else request.url.path)
