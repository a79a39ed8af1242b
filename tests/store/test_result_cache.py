"""The result cache (issue #6): answers come from the cache until a write, and are never stale after one.

Proof that an answer came from the cache uses the real store: data written to the wrapped store *behind* the
cache's back is invisible to a cached answer, and visible once any write goes through the cache.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from rdflib import Literal, URIRef
from server.live_server import LiveServer, make_resources, start_server

from sparql_api.config import Settings
from sparql_api.store.base import QuerySyntaxError, SerializedResult, Store, StoreError
from sparql_api.store.factory import open_store
from sparql_api.store.oxigraph_store import OxigraphStore
from sparql_api.store.result_cache import CachedResult, CachingStore, cache_settings, normalise
from sparql_api.summaries.store import SummarisingStore

from . import test_backend_contract as contract
from .conftest import open_remote, wipe
from .rdf_data import CASE_TTL, G1, G2, NQ, NT, OTHER_TTL, TTL
from .virtuoso_server import VirtuosoServer

JSON = "application/sparql-results+json"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s a <http://test.example/CaseStudy> }"
MB = 1024 * 1024
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


def status(result: SerializedResult) -> str:
    assert isinstance(result, CachedResult)
    return result.cache_status


def count(store: Store) -> int:
    return int(store.select(COUNT)[0]["n"])


def case_nt(name: str) -> bytes:
    return f"<http://test.example/{name}> <{RDF_TYPE}> <http://test.example/CaseStudy> .\n".encode()


@pytest.fixture
def inner(tmp_path: Path) -> Iterator[OxigraphStore]:
    opened = OxigraphStore(tmp_path / "store", query_workers=1)
    opened.add_graph(G1, CASE_TTL.encode(), TTL)
    yield opened
    opened.close()


@pytest.fixture
def cached(inner: OxigraphStore) -> CachingStore:
    return CachingStore(inner, max_bytes=4 * MB)


# --- hits and misses ------------------------------------------------------------------------------------------
def test_an_identical_query_is_answered_from_the_cache(inner: OxigraphStore, cached: CachingStore) -> None:
    first = cached.query(COUNT, JSON)
    inner.add_graph(G2, OTHER_TTL.encode(), TTL)  # behind the cache's back: a cached answer cannot see it
    second = cached.query("  SELECT (COUNT(*) AS ?n)\n WHERE {  ?s a <http://test.example/CaseStudy> } # again\n", JSON)
    assert status(first) == "miss" and status(second) == "hit"
    assert second.body == first.body and b'"1"' in second.body
    assert cached.cache_stats() == {"hits": 1, "misses": 1, "entries": 1, "bytes": cached.cache_stats()["bytes"],
                                    "evictions": 0}
    assert cached.cache_stats()["bytes"] > len(first.body)
    # Another media type, dataset or row cap is another answer.
    assert cached.query(COUNT, "text/csv").body == b"n\r\n3\r\n"
    assert b'"3"' in cached.query(COUNT, JSON, default_graph_uris=[G1, G2]).body
    assert b'"3"' in cached.query(COUNT, JSON, max_results=10).body
    assert cached.cache_stats()["misses"] == 4


def test_select_answers_are_keyed_by_their_bindings_and_callers_get_their_own_copy(
    inner: OxigraphStore, cached: CachingStore
) -> None:
    text = "SELECT ?t WHERE { ?c <http://test.example/title> ?t FILTER(lang(?t) = ?lang) }"
    english = cached.select(text, {"lang": Literal("en")})
    assert [row["t"] for row in english] == [Literal("Phytoremediation of Cd at site one", lang="en")]
    english.clear()
    inner.add_graph(G2, OTHER_TTL.encode(), TTL)
    assert len(cached.select(text, {"lang": Literal("en")})) == 1  # the cached copy, unharmed by clear()
    assert len(cached.select(text, {"lang": Literal("fr")})) == 1
    assert cached.select(text, {"lang": URIRef("http://test.example/en")}) == []  # IRI, not the literal "en"
    assert cached.cache_stats()["hits"] == 1 and cached.cache_stats()["misses"] == 3
    year = "SELECT ?c WHERE { ?c <http://test.example/year> ?y }"
    assert len(cached.select(year, {"y": Literal(2019)})) == 1
    assert cached.select(year, {"y": Literal("2019")}) == []  # a plain string, not the integer


def test_errors_are_not_cached(cached: CachingStore) -> None:
    for _ in range(2):
        with pytest.raises(QuerySyntaxError):
            cached.query("SELECT ?s WHERE { ?s ?p }", JSON)
    assert cached.cache_stats()["entries"] == 0 and cached.cache_stats()["misses"] == 2


def test_answers_that_change_without_a_write_are_not_cached(cached: CachingStore) -> None:
    text = "SELECT (NOW() AS ?t) (STRUUID() AS ?u) WHERE {}"
    first, second = cached.query(text, JSON), cached.query(text, JSON)
    assert first.body != second.body and status(second) == "miss"
    assert cached.cache_stats()["entries"] == 0


# --- invalidation ---------------------------------------------------------------------------------------------
def _write_through(store: CachingStore, method: str, tmp_path: Path) -> None:
    if method == "update":
        store.update("INSERT DATA { GRAPH <http://test.example/graph/two> { "
                     "<http://test.example/new> a <http://test.example/CaseStudy> } }")
    elif method == "add_graph":
        store.add_graph(G2, case_nt("new"), NT)
    elif method == "replace_graph":
        store.replace_graph(G1, case_nt("new") + case_nt("newer"), NT)
    elif method == "drop_graph":
        assert store.drop_graph(G1)
    elif method == "bulk_load":
        (tmp_path / "more.nq").write_bytes(case_nt("new")[:-2] + f" <{G2}> .\n".encode())
        store.bulk_load(tmp_path / "more.nq", NQ)
    elif method == "restore":
        (tmp_path / "dump.nq").write_bytes(case_nt("a")[:-2] + f" <{G2}> .\n".encode()
                                           + case_nt("b")[:-2] + f" <{G2}> .\n".encode())
        store.restore(tmp_path / "dump.nq", NQ)
    else:  # pragma: no cover - a typo in the parameter list
        raise AssertionError(method)


@pytest.mark.parametrize(
    ("method", "expected"),
    [("update", 2), ("add_graph", 2), ("replace_graph", 2), ("drop_graph", 0), ("bulk_load", 2), ("restore", 2)],
)
def test_every_write_method_makes_the_next_answer_fresh(
    cached: CachingStore, tmp_path: Path, method: str, expected: int
) -> None:
    assert count(cached) == 1 and b'"1"' in cached.query(COUNT, JSON).body
    assert count(cached) == 1 and cached.cache_stats()["hits"] == 1
    _write_through(cached, method, tmp_path)
    assert cached.cache_stats()["entries"] == 0
    assert count(cached) == expected
    assert b'"%d"' % expected in cached.query(COUNT, JSON).body
    assert status(cached.query(COUNT, JSON)) == "hit"  # and cached again


class PausingStore(OxigraphStore):
    """The real store, where a query (after reading) or a write (before writing) waits until the test lets it go."""

    def __init__(self, path: Path) -> None:
        super().__init__(path, query_workers=1)
        self.pause_queries = self.pause_writes = False
        self.paused = threading.Event()
        self.go_on = threading.Event()

    def _pause(self) -> None:
        self.paused.set()
        assert self.go_on.wait(10)

    def query(self, sparql: str, media_type: str, **options: object) -> SerializedResult:
        result = super().query(sparql, media_type, **options)  # type: ignore[arg-type]
        if self.pause_queries:
            self._pause()
        return result

    def add_graph(self, graph_iri: str, data: bytes, media_type: str) -> int:
        if self.pause_writes:
            self._pause()
        return super().add_graph(graph_iri, data, media_type)


@pytest.fixture
def pausing(tmp_path: Path) -> Iterator[PausingStore]:
    opened = PausingStore(tmp_path / "paused")
    opened.add_graph(G1, CASE_TTL.encode(), TTL)
    yield opened
    opened.go_on.set()
    opened.close()


def test_an_answer_computed_across_a_write_is_never_kept(pausing: PausingStore) -> None:
    cached = CachingStore(pausing, max_bytes=MB)
    pausing.pause_queries = True
    old: list[SerializedResult] = []
    reader = threading.Thread(target=lambda: old.append(cached.query(COUNT, JSON)))
    reader.start()
    assert pausing.paused.wait(10)  # the reader has its (old) answer but has not returned yet
    pausing.pause_queries = False
    cached.add_graph(G2, OTHER_TTL.encode(), TTL)
    pausing.go_on.set()
    reader.join(10)
    assert b'"1"' in old[0].body  # it started before the write: the old answer is fine for it…
    assert b'"3"' in cached.query(COUNT, JSON).body  # …but it was not stored as the current one


def test_an_answer_computed_while_a_write_runs_is_forgotten_when_the_write_returns(pausing: PausingStore) -> None:
    cached = CachingStore(pausing, max_bytes=MB)
    cached.query(COUNT, JSON)
    pausing.pause_writes = True
    writer = threading.Thread(target=cached.add_graph, args=(G2, OTHER_TTL.encode(), TTL))
    writer.start()
    assert pausing.paused.wait(10)  # the write has begun but changed nothing yet
    during = cached.query(COUNT, JSON)
    assert status(during) == "miss"  # answers from before the write are no longer served
    assert b'"1"' in during.body and cached.cache_stats()["entries"] == 1  # kept, for the moment
    pausing.go_on.set()
    writer.join(10)
    assert cached.cache_stats()["entries"] == 0
    assert b'"3"' in cached.query(COUNT, JSON).body


def test_readers_never_see_a_stale_answer_after_a_write_returned(cached: CachingStore) -> None:
    done_writes = 0  # bumped only after the write returned
    stale: list[tuple[int, int]] = []
    stop = threading.Event()

    def read() -> None:
        while not stop.is_set():
            floor = done_writes
            seen = count(cached)
            if seen < floor + 1:  # the store starts with one case; each write adds one
                stale.append((floor, seen))

    readers = [threading.Thread(target=read) for _ in range(4)]
    for thread in readers:
        thread.start()
    try:
        for i in range(40):
            cached.add_graph(G2, case_nt(f"w{i}"), NT)
            done_writes = i + 1
            count(cached)
    finally:
        stop.set()
        for thread in readers:
            thread.join(10)
    assert stale == []
    assert count(cached) == 41
    assert cached.cache_stats()["hits"] > 0  # the readers did read from the cache in between


# --- bounded memory and time -----------------------------------------------------------------------------------
def test_lru_eviction_keeps_the_bytes_under_the_cap(cached: CachingStore, inner: OxigraphStore) -> None:
    small = CachingStore(inner, max_bytes=4000, max_entry_bytes=2000)
    texts = [f"SELECT ?s ({i} AS ?i) WHERE {{ ?s a <http://test.example/CaseStudy> }}" for i in range(30)]
    for text in texts:
        small.query(text, JSON)
        assert small.cache_stats()["bytes"] <= 4000
    stats = small.cache_stats()
    assert stats["evictions"] > 0 and 0 < stats["entries"] < 30
    assert status(small.query(texts[-1], JSON)) == "hit"  # the most recent stays
    assert status(small.query(texts[0], JSON)) == "miss"  # the oldest went first


def test_an_answer_over_the_entry_cap_is_not_cached(inner: OxigraphStore) -> None:
    small = CachingStore(inner, max_bytes=MB, max_entry_bytes=600)
    assert small.query("SELECT * WHERE { ?s ?p ?o }", JSON).body  # some 5 kB
    assert small.cache_stats()["entries"] == 0
    small.query(COUNT, JSON)
    assert small.cache_stats()["entries"] == 1


def test_entries_expire_after_the_ttl(inner: OxigraphStore) -> None:
    now = [0.0]
    timed = CachingStore(inner, max_bytes=MB, ttl_s=60, clock=lambda: now[0])
    timed.query(COUNT, JSON)
    inner.add_graph(G2, OTHER_TTL.encode(), TTL)  # e.g. someone writing to Virtuoso directly
    now[0] = 59.0
    assert b'"1"' in timed.query(COUNT, JSON).body
    now[0] = 60.0
    assert b'"3"' in timed.query(COUNT, JSON).body
    assert timed.cache_stats()["hits"] == 1 and timed.cache_stats()["misses"] == 2


# --- normalisation ----------------------------------------------------------------------------------------------
def test_queries_differing_only_inside_a_string_literal_never_share_an_entry(cached: CachingStore) -> None:
    cached.add_graph(G2, b'<http://test.example/x> <http://test.example/v> "a  b # c" .\n', NT)
    template = 'ASK {{ ?x <http://test.example/v> {} }}'
    assert b"true" in cached.query(template.format('"a  b # c"'), JSON).body
    assert b"false" in cached.query(template.format('"a b # c"'), JSON).body
    assert b"false" in cached.query(template.format('"a  b"'), JSON).body
    assert b"false" in cached.query(template.format('"""a  b # c\n"""'), JSON).body
    assert b"true" in cached.query(template.format("'a  b # c'"), JSON).body
    assert cached.cache_stats()["hits"] == 0 and cached.cache_stats()["entries"] == 5


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("  SELECT *\n\tWHERE { ?s ?p ?o }  # all\n", "SELECT * WHERE { ?s ?p ?o }"),
        ('SELECT * { ?s ?p "x  # not a comment" }', 'SELECT * { ?s ?p "x  # not a comment" }'),
        ("SELECT * { <http://x.org/ns#a>  ?p ?o }", "SELECT * { <http://x.org/ns#a> ?p ?o }"),
        ("ASK { FILTER(1 <2) # x > y\n}", "ASK { FILTER(1 <2) }"),
        ("SELECT * { ex:a\\#b ?p ?o }", "SELECT * { ex:a\\#b ?p ?o }"),
        ('ASK { ?s ?p """two\n  lines # kept""" }', 'ASK { ?s ?p """two\n  lines # kept""" }'),
        ("ASK { ?s ?p 'it\\'s  # kept' }", "ASK { ?s ?p 'it\\'s  # kept' }"),
        ('ASK  { ?s ?p "open  # rest  verbatim', 'ASK { ?s ?p "open  # rest  verbatim'),
    ],
)
def test_normalisation_changes_only_whitespace_and_comments_outside_literals_and_iris(
    text: str, expected: str
) -> None:
    assert normalise(text) == (expected, True)


def test_service_and_clock_functions_make_a_query_uncacheable() -> None:
    assert not normalise("SELECT * { SERVICE <http://x/sparql> { ?s ?p ?o } }")[1]
    assert not normalise("SELECT (now() AS ?t) {}")[1]
    assert normalise('SELECT * { ?s ?p "SERVICE now" }')[1]


# --- wiring -----------------------------------------------------------------------------------------------------
def test_unknown_attributes_are_the_wrapped_store_s(cached: CachingStore, inner: OxigraphStore) -> None:
    assert cached.start_workers == inner.start_workers  # type: ignore[attr-defined]  # app.py calls it
    with pytest.raises(AttributeError):
        cached.no_such_thing  # type: ignore[attr-defined]  # noqa: B018


def test_settings_come_from_the_environment_and_bad_values_name_the_variable() -> None:
    assert cache_settings({}, remote=False) == cache_settings({"SRKG_RESULT_CACHE_TTL": "none"}, remote=True)
    assert cache_settings({}, remote=False).max_bytes == 64 * MB
    assert cache_settings({}, remote=True).ttl_s == 60
    assert cache_settings({"SRKG_RESULT_CACHE_MB": "0.5", "SRKG_RESULT_CACHE_TTL": "5"}, remote=False).ttl_s == 5
    with pytest.raises(StoreError, match="SRKG_RESULT_CACHE_MB='lots'"):
        cache_settings({"SRKG_RESULT_CACHE_MB": "lots"}, remote=False)
    with pytest.raises(StoreError, match="SRKG_RESULT_CACHE_TTL='0'"):
        cache_settings({"SRKG_RESULT_CACHE_TTL": "0"}, remote=False)


def test_the_factory_caches_only_when_asked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def opened(name: str, **options: bool) -> Store:  # each in its own directory: RocksDB locks until GC
        store = open_store(Settings(data_dir=tmp_path / name, store="oxigraph"), **options)
        store.close()
        return store

    assert not isinstance(opened("plain"), CachingStore)
    monkeypatch.setenv("SRKG_RESULT_CACHE_MB", "8")
    served = opened("served", cached=True)
    assert isinstance(served, CachingStore) and isinstance(served.inner, SummarisingStore)
    assert isinstance(served.inner.inner, OxigraphStore)
    assert served.cache_stats()["bytes"] == 0
    monkeypatch.setenv("SRKG_RESULT_CACHE_MB", "0")
    assert not isinstance(opened("off", cached=True), CachingStore)
    monkeypatch.setenv("SRKG_RESULT_CACHE_MB", "-1")
    with pytest.raises(StoreError, match="SRKG_RESULT_CACHE_MB"):
        opened("bad", cached=True)


# --- the backend contract, through the cache ----------------------------------------------------------------------
@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    """For the contract tests below: a store behind the cache must behave exactly like the store itself."""
    wrapped = CachingStore(OxigraphStore(tmp_path / "store", query_workers=1), max_bytes=4 * MB)
    yield wrapped
    wrapped.close()


globals().update({name: test for name, test in vars(contract).items() if name.startswith("test_")})


# --- a live `srkg serve` ------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    workdir = tmp_path_factory.mktemp("srkg-cache")
    live = start_server(workdir, resources=make_resources(workdir / "resources", with_agrovoc=False))
    yield live
    live.stop()


CASES = "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c a <https://w3id.org/srkg/ontology#CaseStudy> }"


def _cases(site: LiveServer) -> tuple[int, str]:
    reply = site.query(CASES, accept=JSON)
    assert reply.status == 200, reply.text
    return int(reply.text.split('"value":')[-1].split('"')[1]), reply.headers.get("x-cache", "")


def test_the_server_answers_repeated_queries_from_the_cache_and_never_stale_after_a_publish(
    site: LiveServer,
) -> None:
    before, first = _cases(site)
    assert first == "miss", "srkg serve runs without the result cache: serve_cmd.open_store must call " \
        "factory.open_store(settings, cached=True)"
    assert _cases(site) == (before, "hit")
    case = b"<https://w3id.org/srkg/id/case/cache-test> a <https://w3id.org/srkg/ontology#CaseStudy> .\n"
    graph = "/rdf-graph-store?graph=" + quote("https://w3id.org/srkg/graph/cache-test", safe="")
    put = site.request("PUT", graph, case, {**site.auth(), "Content-Type": TTL})
    assert put.status == 201, put.text
    assert _cases(site) == (before + 1, "miss")  # immediately, not after a TTL
    assert _cases(site) == (before + 1, "hit")
    removed = site.update("DELETE WHERE { GRAPH ?g { <https://w3id.org/srkg/id/case/cache-test> ?p ?o } }")
    assert removed.status == 204, removed.text
    assert _cases(site) == (before, "miss")


# --- the remote backend (Virtuoso) ------------------------------------------------------------------------------
@pytest.mark.virtuoso
def test_the_cache_works_over_the_remote_backend(virtuoso: VirtuosoServer) -> None:
    remote = open_remote(virtuoso)
    wipe(remote)
    cached = CachingStore(remote, max_bytes=MB, ttl_s=60)
    try:
        cached.add_graph(G1, CASE_TTL.encode(), TTL)
        assert count(cached) == 1 and count(cached) == 1
        assert b"1" in cached.query(COUNT, JSON).body
        remote.add_graph(G2, OTHER_TTL.encode(), TTL)  # behind SRKG's back: served from the cache until the TTL
        assert count(cached) == 1 and cached.cache_stats()["hits"] == 2
        cached.update(f"INSERT DATA {{ GRAPH <{G2}> {{ <http://test.example/x> a <http://test.example/CaseStudy> }} }}")
        assert count(cached) == 4
        assert cached.drop_graph(G2) and count(cached) == 1
    finally:
        wipe(remote)
        remote.close()
