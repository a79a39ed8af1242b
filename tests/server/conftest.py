"""One live server for the HTTP tests: fixed test data (plus the AGROVOC subset), a 2 s query time limit and
a 500-row result cap, so the limit tests are fast and deterministic."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from server.live_server import LiveServer, make_resources, start_server

TIMEOUT_S = 2.0
MAX_RESULTS = 500


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    workdir = tmp_path_factory.mktemp("srkg-server")
    resources = make_resources(workdir / "resources")
    live = start_server(
        workdir,
        resources=resources,
        env={
            "SRKG_QUERY_TIMEOUT": str(TIMEOUT_S),
            "SRKG_MAX_RESULTS": str(MAX_RESULTS),
            "SRKG_QUERY_WORKERS": "2",
        },
    )
    yield live
    live.stop()


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    return Path(__file__).parent / "fixtures"
