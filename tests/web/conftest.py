"""One live server on the project's real data (ontology, vocabularies, AGROVOC, countries, 27 hand-modelled
cases, the literature table's cases and the field trials), shared by the web-page tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from server.live_server import LiveServer, start_server


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    live = start_server(tmp_path_factory.mktemp("srkg-site"), resources=None, wait_s=240)
    yield live
    live.stop()
