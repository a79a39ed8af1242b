"""``srkg serve``: load the project's RDF files (idempotently) and serve the SPARQL endpoint and pages."""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path

from sparql_api.config import Settings, load_settings
from sparql_api.store.base import Store, StoreError


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "serve",
        help="serve the SPARQL 1.1 endpoint, Graph Store Protocol and query page",
        description="Load ontology, vocabularies, AGROVOC subset, countries and example cases into their named "
        "graphs (skipping unchanged files), then serve HTTP. Settings come from SRKG_* variables; "
        "the options override them.",
    )
    parser.add_argument("--host", help="interface to listen on (default SRKG_HOST or 127.0.0.1)")
    parser.add_argument("--port", type=int, help="port (default SRKG_PORT or 8000)")
    parser.add_argument("--data-dir", type=Path, help="data directory (store, tokens; default SRKG_DATA_DIR)")
    parser.add_argument("--no-bootstrap", action="store_true", help="serve the store as it is, load nothing")
    parser.set_defaults(func=run)


def open_store(settings: Settings) -> Store:
    """The configured backend: the shared factory when present, else the embedded Oxigraph store."""
    try:
        from sparql_api.store import factory  # written alongside; optional until it lands
    except ImportError:
        factory = None
    opener = getattr(factory, "open_store", None) if factory else None
    if callable(opener):
        return opener(settings)
    if settings.store != "oxigraph":
        raise StoreError(f"store backend {settings.store!r} is not available in this installation")
    from sparql_api.store.oxigraph_store import OxigraphStore

    return OxigraphStore(settings.store_dir)


def run(args: argparse.Namespace) -> int:
    import uvicorn

    from sparql_api.server import create_app
    from sparql_api.server.bootstrap import BootstrapError, bootstrap, state_path

    settings = load_settings()
    overrides = {"host": args.host, "port": args.port, "data_dir": args.data_dir}
    settings = dataclasses.replace(settings, **{k: v for k, v in overrides.items() if v is not None})

    def say(message: str) -> None:
        print(f"srkg serve: {message}", file=sys.stderr, flush=True)

    try:
        store = open_store(settings)
    except StoreError as e:
        say(f"cannot start: {e}")
        return 1
    try:
        if not args.no_bootstrap:
            bootstrap(store, state_path(settings.data_dir), progress=say)
        app = create_app(settings, store)
        say(f"serving http://{settings.host}:{settings.port}/ (query page /query, endpoint /sparql, docs /docs)")
        uvicorn.run(app, host=settings.host, port=settings.port, log_level="info")
    except (BootstrapError, StoreError) as e:
        say(f"cannot start: {e}")
        return 1
    finally:
        store.close()
    return 0
