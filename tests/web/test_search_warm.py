"""The search index is made in the background at server start, and a search never waits longer than
``SEARCH_WAIT_S`` for it: while it is being made (at 1M cases ~20 minutes), a search gets a 503 with Retry-After
instead of holding a connection and a server thread for the whole build (issue #6)."""

from __future__ import annotations

import http.client
import json
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from waiting import wait_for

from sparql_api.config import Settings
from sparql_api.server import create_app
from sparql_api.store.oxigraph_store import OxigraphStore
from sparql_api.web import search_index, search_views
from sparql_api.web.search_index import IndexNotReady, SearchIndex

CASE_TTL = b"""@prefix srkg: <https://w3id.org/srkg/ontology#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
<https://w3id.org/srkg/id/case/warm-one> a srkg:CaseStudy ; dcterms:title "Zeolite trial on cadmium soil"@en .
"""


# --- the cache on its own ----------------------------------------------------------------------------------------
class SlowBuild:
    """A build that blocks until released, counting its calls."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.calls = 0
        self.fail: Exception | None = None

    def __call__(self) -> SearchIndex:
        self.calls += 1
        assert self.release.wait(20), "the test never released the build"
        if self.fail is not None:
            raise self.fail
        return SearchIndex([], {}, {})


def test_a_reader_waits_a_bounded_time_then_gets_the_index_once_made() -> None:
    build = SlowBuild()
    cache = search_index._Cache(build)
    cache.start()
    assert wait_for(lambda: cache.building_for_s is not None)
    started = time.monotonic()
    with pytest.raises(IndexNotReady) as raised:
        cache.wait(0.3)
    assert 0.25 <= time.monotonic() - started < 5 and raised.value.building_for_s >= 0.25
    assert raised.value.last_build_s is None  # nothing made yet: no estimate
    build.release.set()
    index = cache.wait(10)
    assert index is cache.index and build.calls == 1  # the reader did not start a second build
    assert cache.last_build_s is not None and cache.building_for_s is None
    assert cache.wait(0) is index


def test_a_reader_starts_the_build_when_none_runs_and_gets_its_failure() -> None:
    build = SlowBuild()
    build.fail = RuntimeError("store unreachable")
    build.release.set()
    cache = search_index._Cache(build)
    with pytest.raises(RuntimeError, match="store unreachable"):
        cache.wait(10)
    build.fail = None
    assert cache.wait(10) is cache.index and build.calls == 2  # the next search tries again


def test_a_write_during_the_build_is_never_missed() -> None:
    """The build under way read the data before the write: its index is not kept, another is made."""
    build = SlowBuild()
    cache = search_index._Cache(build)
    cache.start()
    assert wait_for(lambda: build.calls == 1)
    cache.forget()  # a write while the first build runs
    build.release.set()
    index = cache.wait(10)
    assert build.calls == 2 and index is cache.index


# --- through HTTP, on a real server -----------------------------------------------------------------------------
class Server:
    def __init__(self, tmp_path: Path) -> None:
        self.store = OxigraphStore(None)
        self.store.replace_graph("urn:x-test:warm", CASE_TTL, "text/turtle")
        app = create_app(Settings(data_dir=Path(tempfile.mkdtemp(dir=tmp_path))), self.store)
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_config=None, lifespan="on"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        assert wait_for(lambda: self.server.started, 30)
        self.port = self.server.servers[0].sockets[0].getsockname()[1]

    def get(self, path: str) -> tuple[int, dict[str, str], str]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            conn.request("GET", path, headers={"Accept": "application/json"})
            reply = conn.getresponse()
            return reply.status, {k.lower(): v for k, v in reply.getheaders()}, reply.read().decode()
        finally:
            conn.close()

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)
        self.store.close()


@pytest.fixture()
def slow_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Server, threading.Event]]:
    release = threading.Event()
    whole = search_index.build_index

    def slow_build(*args, **kwargs):
        assert release.wait(30), "the test never released the build"
        return whole(*args, **kwargs)

    monkeypatch.setattr(search_index, "build_index", slow_build)
    monkeypatch.setattr(search_views, "SEARCH_WAIT_S", 0.3)
    server = Server(tmp_path)
    yield server, release
    release.set()
    server.stop()


def test_while_the_index_is_made_a_search_gets_503_with_retry_after(
        slow_server: tuple[Server, threading.Event]) -> None:
    server, release = slow_server
    status, headers, metrics = server.get("/metrics")
    assert status == 200 and "\nsrkg_search_index_ready 0" in "\n" + metrics
    started = time.monotonic()
    status, headers, text = server.get("/search.json?q=zeolite")
    assert status == 503 and time.monotonic() - started < 5, text
    assert int(headers["retry-after"]) >= 5 and "search index is being made" in text
    release.set()  # the build started at server start finishes; no search asked for it
    assert wait_for(lambda: "\nsrkg_search_index_ready 1" in server.get("/metrics")[2])
    metrics = server.get("/metrics")[2]
    assert "\nsrkg_search_index_cases 1\n" in metrics and "srkg_search_index_build_seconds " in metrics
    status, _, text = server.get("/search.json?q=zeolite")
    assert status == 200, text
    assert [hit["iri"] for hit in json.loads(text)["results"]] == ["https://w3id.org/srkg/id/case/warm-one"]
