"""``srkg serve``: load the project's RDF files (idempotently) and serve the SPARQL endpoint and pages.

On SIGTERM or SIGINT the server shuts down gracefully: it stops accepting connections, lets the requests in
progress finish (a write in progress completes and is committed) for up to ``--graceful-timeout`` seconds,
stops the background ingests (see ``submissions.runner``), closes the store (flushing it) and exits 0.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sparql_api.config import Settings, SettingsError, load_settings
from sparql_api.store.base import Store, StoreError

DEFAULT_GRACEFUL_S = 30.0
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
# Python hands the GIL to a waiting thread every 5 ms by default. While the server makes an index in a background
# thread (minutes at 1M cases), a request that waits on I/O some 30 times waited up to 5 ms to get it back each
# time: 130-230 ms for trivial JSON at 1M. At 1 ms it is ~4x less (bench/bench_gil.py).
REQUEST_SWITCH_INTERVAL_S = 0.001


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
    parser.add_argument("--graceful-timeout", type=float, metavar="SECONDS",
                        help="on SIGTERM/SIGINT, how long requests in progress may take to finish before they are "
                        f"cancelled (default SRKG_GRACEFUL_TIMEOUT or {DEFAULT_GRACEFUL_S:g})")
    parser.set_defaults(func=run)


def open_store(settings: Settings) -> Store:
    """The configured backend, behind the result cache (``SRKG_RESULT_CACHE_MB``; 0 turns it off)."""
    from sparql_api.store import factory

    return factory.open_store(settings, cached=True)


def graceful_timeout(args: argparse.Namespace) -> float:
    """``--graceful-timeout``, else ``SRKG_GRACEFUL_TIMEOUT``, else the default; a clear error when invalid."""
    value: object = getattr(args, "graceful_timeout", None)
    if value is None:
        value = os.environ.get("SRKG_GRACEFUL_TIMEOUT", DEFAULT_GRACEFUL_S)
    try:
        seconds = float(value)  # type: ignore[arg-type]
    except ValueError:
        raise StoreError(f"SRKG_GRACEFUL_TIMEOUT={value!r} is not a number of seconds") from None
    if seconds < 0:
        raise StoreError(f"the graceful shutdown timeout must not be negative (got {seconds:g})")
    return seconds


@contextmanager
def signals_end_serving() -> Iterator[list[int]]:
    """While uvicorn runs: a stop signal only asks it to shut down, and is not re-raised afterwards.

    uvicorn re-raises the signal it caught once it has shut down; with the default handlers that kills the
    process before the store is closed (and it exits -15, not 0). With these handlers in place the re-raised
    signal is only recorded, so ``run`` closes the store and returns 0."""
    received: list[int] = []
    previous = {sig: signal.signal(sig, lambda number, _frame: received.append(number)) for sig in STOP_SIGNALS}
    try:
        yield received
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def favour_requests() -> None:
    """Shorter GIL turns, so that request threads are not starved by the background index builds."""
    sys.setswitchinterval(REQUEST_SWITCH_INTERVAL_S)


def run(args: argparse.Namespace) -> int:
    import uvicorn

    from sparql_api.server import create_app
    from sparql_api.server.bootstrap import BootstrapError, bootstrap, state_path
    from sparql_api.server.long_url import LongUrlHttpToolsProtocol

    def say(message: str) -> None:
        print(f"srkg serve: {message}", file=sys.stderr, flush=True)

    try:
        settings = load_settings()
    except SettingsError as e:
        say(f"cannot start: {e}")
        return 1
    overrides = {"host": args.host, "port": args.port, "data_dir": args.data_dir}
    settings = dataclasses.replace(settings, **{k: v for k, v in overrides.items() if v is not None})

    try:
        grace = graceful_timeout(args)  # checked before minutes of bootstrap, not after
        store = open_store(settings)
    except StoreError as e:
        say(f"cannot start: {e}")
        return 1
    try:
        if not args.no_bootstrap:
            bootstrap(store, state_path(settings.data_dir), progress=say)
        app = create_app(settings, store)
        favour_requests()
        say(f"serving http://{settings.host}:{settings.port}/ (query page /query, endpoint /sparql, docs /docs)")
        with signals_end_serving() as received:
            # LongUrlHttpToolsProtocol: a URL too long for the parser gets 414 ("use POST"), not a bare 400.
            uvicorn.run(app, host=settings.host, port=settings.port, log_level="info",
                        timeout_graceful_shutdown=grace, http=LongUrlHttpToolsProtocol,
                        access_log=not settings.access_log)
        if received:
            say(f"stopped by signal {signal.Signals(received[0]).name}; closing the store")
    except (BootstrapError, StoreError) as e:
        say(f"cannot start: {e}")
        return 1
    finally:
        store.close()
    say("store closed")
    return 0
