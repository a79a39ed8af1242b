"""The embedded store's own guarantees: atomic graph replacement, killable time-limited queries on
snapshots that see every committed write, bound parameters, and dump/restore/bulk load that never half-write."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Literal, URIRef

from sparql_api.store.base import (
    DEFAULT_GRAPH,
    DataSyntaxError,
    QuerySyntaxError,
    QueryTimeout,
    ResultTooLarge,
    StoreError,
    UnsupportedMediaType,
)
from sparql_api.store.oxigraph_store import OxigraphStore

G = "http://test.example/g"
JSON = "application/sparql-results+json"


def ntriples(n: int, tag: str) -> bytes:
    return "".join(f'<http://test.example/s{i}> <http://test.example/p> "{tag}" .\n' for i in range(n)).encode()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[OxigraphStore]:
    opened = OxigraphStore(tmp_path / "store", query_workers=2)
    yield opened
    opened.close()


def count(store: OxigraphStore, timeout: float | None = None) -> int:
    rows = store.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{G}> {{ ?s ?p ?o }} }}", timeout=timeout)
    return int(rows[0]["n"])


def test_replace_graph_is_atomic_for_readers(store: OxigraphStore) -> None:
    small, large = ntriples(1000, "small"), ntriples(3000, "large")
    store.replace_graph(G, small, "application/n-triples")
    seen: set[int] = set()
    stop = threading.Event()

    def read() -> None:
        while not stop.is_set():
            seen.add(count(store))  # in-process
            seen.add(count(store, timeout=10))  # through a worker snapshot

    readers = [threading.Thread(target=read) for _ in range(2)]
    for t in readers:
        t.start()
    for i in range(15):
        store.replace_graph(G, large if i % 2 == 0 else small, "application/n-triples")
    stop.set()
    for t in readers:
        t.join()
    assert seen <= {1000, 3000}, seen
    assert count(store) == 3000  # the last write (i = 14) was the large one


def test_bad_data_writes_nothing(store: OxigraphStore) -> None:
    store.replace_graph(G, ntriples(3, "x"), "application/n-triples")
    with pytest.raises(DataSyntaxError, match="line 2"):
        store.replace_graph(G, b"<http://a> <http://b> 1 .\n<http://a> <http://b> .\n", "text/turtle")
    with pytest.raises(DataSyntaxError):
        store.add_graph(G, b"<http://a> <http://b> <c d> .", "text/turtle")
    with pytest.raises(UnsupportedMediaType):
        store.add_graph(G, b"", "application/pdf")
    assert count(store) == 3


def test_graph_operations(store: OxigraphStore) -> None:
    assert not store.has_graph(G) and store.get_graph(G, "text/turtle") is None
    assert store.add_graph(G, ntriples(2, "a"), "application/n-triples") == 2
    assert store.add_graph(G, b'<http://test.example/x> <http://test.example/p> "b" .', "text/turtle") == 1
    assert store.has_graph(G) and store.stats() == {G: 3} and store.graphs() == [G]
    turtle = store.get_graph(G, "text/turtle")
    assert turtle is not None and len(list(ox.parse(turtle, format=ox.RdfFormat.TURTLE))) == 3
    assert store.drop_graph(G) and not store.drop_graph(G)
    # An empty PUT still creates the graph (it exists, with no triples).
    store.replace_graph(G, b"", "text/turtle")
    assert store.has_graph(G) and store.get_graph(G, "application/n-triples") == b""
    # The store's own default graph is reachable as DEFAULT_GRAPH.
    assert not store.has_graph(DEFAULT_GRAPH)
    store.replace_graph(DEFAULT_GRAPH, ntriples(1, "d"), "application/n-triples")
    assert store.has_graph(DEFAULT_GRAPH)
    assert b'"d"' in (store.get_graph(DEFAULT_GRAPH, "application/n-triples") or b"")


def test_select_with_bound_parameters(store: OxigraphStore) -> None:
    store.add_graph(
        G, b'<http://test.example/a> <http://test.example/label> "Cadmium"@en , "Cadmio"@es .', "text/turtle"
    )
    projected = store.select(
        "SELECT ?s ?label WHERE { ?s <http://test.example/label> ?label }", {"label": Literal("Cadmio", lang="es")}
    )
    assert projected == [{"s": URIRef("http://test.example/a"), "label": Literal("Cadmio", lang="es")}]
    # ?lang is not projected: bound through VALUES at the start of WHERE, so the FILTER sees it.
    filtered = store.select(
        "SELECT ?label WHERE { ?s <http://test.example/label> ?label FILTER(lang(?label) = ?lang) }",
        {"lang": Literal("en")},
        timeout=10,
    )
    assert filtered == [{"label": Literal("Cadmium", lang="en")}]
    # A parameter is a term, never text: an injection attempt is just a literal that matches nothing.
    evil = Literal('en") } ; DROP ALL ; SELECT * { ?s ?p ?o FILTER("')
    assert (
        store.select("SELECT ?s WHERE { ?s <http://test.example/label> ?l FILTER(lang(?l) = ?x) }", {"x": evil}) == []
    )
    assert count(store) == 2


def test_timed_queries_see_committed_writes_and_old_snapshots_go(store: OxigraphStore, tmp_path: Path) -> None:
    for i in range(5):
        store.update(f"INSERT DATA {{ GRAPH <{G}> {{ <http://test.example/n{i}> <http://test.example/p> {i} }} }}")
        assert count(store, timeout=10) == i + 1  # read-after-write through the worker pool
    snapshots = list((tmp_path / "store-snapshots").iterdir())
    assert len(snapshots) <= 3, snapshots  # current + what the two workers may still hold


def test_timeout_kills_the_query_and_the_pool_recovers(store: OxigraphStore) -> None:
    store.replace_graph(G, ntriples(2000, "x"), "application/n-triples")
    started = time.monotonic()
    with pytest.raises(QueryTimeout, match="1 s limit"):
        store.query("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }", JSON, timeout=1)
    assert time.monotonic() - started < 2
    assert b"2000" in store.query(f"SELECT (COUNT(*) AS ?n) {{ GRAPH <{G}> {{ ?s ?p ?o }} }}", JSON, timeout=5).body


def test_a_crashed_worker_is_replaced(store: OxigraphStore) -> None:
    store.start_workers()
    assert store.query("ASK {}", JSON, timeout=5).kind == "ask"
    pool = store._pool
    assert pool is not None
    for worker in list(pool._all):
        os.kill(worker.proc.pid, 9)
    errors = 0
    for _ in range(4):
        try:
            store.query("ASK {}", JSON, timeout=5)
        except StoreError as e:
            errors += 1
            assert "could not be completed" in str(e)
    assert errors <= 2  # each dead worker fails one query, then is replaced
    assert store.query("ASK {}", JSON, timeout=5).kind == "ask"


def test_errors_cross_the_process_boundary(store: OxigraphStore) -> None:
    with pytest.raises(QuerySyntaxError, match="line 1"):
        store.query("SELECT * WHERE {", JSON, timeout=5)
    store.add_graph(G, ntriples(20, "x"), "application/n-triples")
    with pytest.raises(ResultTooLarge, match="more than 10 rows"):
        store.query("SELECT * WHERE { ?s ?p ?o }", JSON, timeout=5, max_results=10)


@pytest.mark.parametrize("media_type", ["application/n-quads", "application/trig"])
def test_dump_and_restore(store: OxigraphStore, tmp_path: Path, media_type: str) -> None:
    store.add_graph(G, ntriples(5, "x"), "application/n-triples")
    store.add_graph(G + "2", ntriples(2, "y"), "application/n-triples")
    dump = tmp_path / "dump"
    assert store.dump(dump, media_type) == 7
    store.drop_graph(G)
    assert store.restore(dump, media_type) == 7
    assert store.stats() == {G: 5, G + "2": 2}
    with pytest.raises(UnsupportedMediaType):
        store.dump(dump, "text/turtle")


def test_bulk_load_checks_the_whole_file_first(store: OxigraphStore, tmp_path: Path) -> None:
    good = tmp_path / "good.nt"
    good.write_bytes(ntriples(100, "bulk"))
    assert store.bulk_load(good, "application/n-triples", G) == 100
    bad = tmp_path / "bad.nt"
    bad.write_bytes(ntriples(100, "more") + b"<http://a> <http://b> .\n")
    with pytest.raises(DataSyntaxError, match="line 101"):
        store.bulk_load(bad, "application/n-triples", G + "-bad")
    assert store.stats() == {G: 100}


def test_memory_limit_ends_a_runaway_sort(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Oxigraph #1871: a huge ORDER BY grows without bound. The worker's address-space limit stops it."""
    monkeypatch.setenv("SRKG_QUERY_MEMORY_MB", "1200")
    limited = OxigraphStore(tmp_path / "limited", query_workers=1)
    try:
        limited.replace_graph(G, ntriples(3000, "x"), "application/n-triples")
        with pytest.raises(StoreError, match="1200 MB memory limit"):
            limited.query(
                "SELECT ?a ?b ?c WHERE { ?a ?p ?x . ?b ?q ?y . ?c ?r ?z } ORDER BY ?a ?b ?c LIMIT 5", JSON, timeout=60
            )
        assert limited.query("ASK { ?s ?p ?o }", JSON, timeout=10).body == b'{"head":{},"boolean":true}'
    finally:
        limited.close()


def test_a_query_that_waited_for_a_worker_still_gets_its_time(tmp_path: Path) -> None:
    single = OxigraphStore(tmp_path / "single", query_workers=1)
    try:
        single.replace_graph(G, ntriples(2000, "x"), "application/n-triples")
        single.start_workers()
        outcome: dict[str, object] = {}

        def runaway() -> None:
            try:
                single.query("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }", JSON, timeout=1)
            except QueryTimeout as e:
                outcome["runaway"] = e

        thread = threading.Thread(target=runaway)
        thread.start()
        time.sleep(0.3)
        started = time.monotonic()
        # Waits ~0.7 s for the only worker, then runs normally on its replacement.
        reply = single.query(f"SELECT (COUNT(*) AS ?n) {{ GRAPH <{G}> {{ ?s ?p ?o }} }}", JSON, timeout=1)
        waited = time.monotonic() - started
        thread.join()
        assert isinstance(outcome.get("runaway"), QueryTimeout)
        assert b"2000" in reply.body and 0.4 < waited < 2.5
    finally:
        single.close()


def test_invalid_graph_iri_is_a_store_error(store: OxigraphStore) -> None:
    for operation in (
        lambda: store.add_graph("not an iri", b"", "text/turtle"),
        lambda: store.replace_graph("http://a b", b"", "text/turtle"),
        lambda: store.get_graph("bad iri", "text/turtle"),
    ):
        with pytest.raises(StoreError, match="not a valid graph IRI"):
            operation()
