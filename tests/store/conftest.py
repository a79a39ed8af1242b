"""Fixtures for the backend suite: the embedded store on a temp dir, and a real Virtuoso 7 on loopback.

Virtuoso is started once per session (about 8 s) and stopped by its process id. When it is not installed the
remote tests are skipped locally with the reason, and fail in CI (``CI=true``).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from sparql_api.store.base import DEFAULT_GRAPH, Store
from sparql_api.store.oxigraph_store import OxigraphStore
from sparql_api.store.remote_store import RemoteStore

from .virtuoso_server import ADMIN_PASSWORD, ADMIN_USER, VirtuosoServer, virtuoso_binary

# Small on purpose: the tests check the client notices the cap (Virtuoso's default is 10,000).
ROW_CAP = 1000
MISSING = "Virtuoso 7 (virtuoso-t) is not installed; scripts/install-virtuoso.sh installs it"


@pytest.fixture(scope="session")
def virtuoso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VirtuosoServer]:
    if virtuoso_binary() is None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{MISSING} — CI must run the remote-store tests")
        pytest.skip(MISSING)
    server = VirtuosoServer(tmp_path_factory.mktemp("virtuoso"), result_set_max_rows=ROW_CAP)
    server.start()
    yield server
    server.stop()
    for name in ("virtuoso.db", "virtuoso-temp.db", "virtuoso.trx", "virtuoso-temp.trx"):
        (server.db_dir / name).unlink(missing_ok=True)  # ~100 MB; the logs stay for a post-mortem


def open_remote(server: VirtuosoServer, **options: object) -> RemoteStore:
    return RemoteStore(
        server.query_url,
        server.update_url,
        server.gsp_url,
        user=ADMIN_USER,
        password=ADMIN_PASSWORD,
        **options,  # type: ignore[arg-type]
    )


def wipe(store: Store) -> None:
    """Drop every graph the store reports, and its default graph: each test starts from an empty store."""
    for graph in store.graphs():
        store.drop_graph(graph)
    store.drop_graph(DEFAULT_GRAPH)


@pytest.fixture
def remote(virtuoso: VirtuosoServer) -> Iterator[RemoteStore]:
    store = open_remote(virtuoso)
    wipe(store)
    yield store
    store.close()


BACKENDS = ["oxigraph", pytest.param("virtuoso", marks=pytest.mark.virtuoso)]


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """The same tests on both backends (design.md §2: one interface, one suite)."""
    if request.param == "oxigraph":
        opened: Store = OxigraphStore(tmp_path / "store", query_workers=1)
    else:
        opened = open_remote(request.getfixturevalue("virtuoso"))
        wipe(opened)
    yield opened
    opened.close()
