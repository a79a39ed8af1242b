"""A live server with an empty store for the W3C conformance runs (the tests clear and load it themselves)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from server.live_server import LiveServer, start_server


@pytest.fixture(scope="session")
def w3c_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    workdir = tmp_path_factory.mktemp("srkg-w3c")
    resources = workdir / "resources"
    resources.mkdir()  # no ontology, vocabularies or cases: the tests own the whole store
    live = start_server(workdir, resources=resources)
    yield live
    live.stop()
