"""Open the configured store backend (``SRKG_STORE``): embedded Oxigraph, or a remote SPARQL 1.1 store."""

from __future__ import annotations

import os
from pathlib import Path

from sparql_api.config import Settings
from sparql_api.store.base import Store, StoreError

BACKENDS = ("oxigraph", "sparql")


def open_store(settings: Settings, *, cached: bool = False) -> Store:
    """The configured backend with its summaries maintained (``sparql_api.summaries``: every write keeps the
    summary graphs in step; missing ones are made when the server starts). ``cached=True`` (``srkg serve``)
    puts the result cache in front (``SRKG_RESULT_CACHE_MB``, ``SRKG_RESULT_CACHE_TTL``: see ``result_cache``).
    One-shot CLI commands run each query once and need no cache."""
    from sparql_api.summaries.revisions import RevisionLog
    from sparql_api.summaries.store import SummarisingStore

    journal = settings.data_dir / "summaries-pending.json"
    # Only SRKG writes the embedded store, so its revision log sees every write; a remote store may be written by
    # others, so no index of it is kept on disk.
    revisions = RevisionLog(revision_log_path(settings)) if settings.store == "oxigraph" else None
    if not cached:
        return SummarisingStore(_open_backend(settings), journal, revisions)
    from sparql_api.store.result_cache import cache_settings, with_result_cache

    cache = cache_settings(os.environ, remote=settings.store == "sparql")  # a bad value fails before opening
    return with_result_cache(SummarisingStore(_open_backend(settings), journal, revisions), cache)


def revision_log_path(settings: Settings) -> Path:
    from sparql_api.summaries.revisions import FILE_NAME

    return settings.data_dir / FILE_NAME


def _open_backend(settings: Settings) -> Store:
    """``oxigraph``: the store under ``settings.store_dir``. ``sparql``: the remote store at
    ``SRKG_REMOTE_QUERY_URL`` (updates at ``SRKG_REMOTE_UPDATE_URL``, graphs at ``SRKG_REMOTE_GSP_URL``,
    credentials ``SRKG_REMOTE_USER``/``SRKG_REMOTE_PASSWORD`` sent as Digest or Basic, whichever it asks)."""
    if settings.store == "oxigraph":
        from sparql_api.store.oxigraph_store import OxigraphStore

        return OxigraphStore(settings.store_dir)
    if settings.store == "sparql":
        if not settings.remote_query_url:
            raise StoreError(
                "SRKG_STORE=sparql needs SRKG_REMOTE_QUERY_URL (e.g. http://127.0.0.1:8890/sparql); "
                "for Virtuoso also SRKG_REMOTE_UPDATE_URL=…/sparql-auth, SRKG_REMOTE_GSP_URL=…/sparql-graph-crud-auth "
                "and SRKG_REMOTE_USER/SRKG_REMOTE_PASSWORD"
            )
        from sparql_api.store.remote_store import RemoteStore

        return RemoteStore(
            settings.remote_query_url,
            settings.remote_update_url,
            settings.remote_gsp_url,
            user=settings.remote_user,
            password=settings.remote_password,
        )
    raise StoreError(f"unknown store backend SRKG_STORE={settings.store!r}: use one of {', '.join(BACKENDS)}")
