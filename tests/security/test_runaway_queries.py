"""Runaway queries are stopped at the time limit (+1 s) while other clients keep being served, and a query that
would eat all memory fails cleanly at the worker's memory limit instead of making the machine swap.

Shapes: a cross join of everything, a property-path explosion, ORDER BY over a cross join, and CONSTRUCTs that
never finish (duplicates) or are too large (distinct). Each runs while another client sends simple queries on
its own connections; those must all succeed quickly (the second query worker serves them).
"""

from __future__ import annotations

import json
import statistics
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from server.live_server import LiveServer, Reply

from .conftest import TIMEOUT_S, start_secured

SKOS = "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> "
CROSS_JOIN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
PATH_EXPLOSION = SKOS + "SELECT (COUNT(*) AS ?n) WHERE { ?s (skos:broader|^skos:broader|rdf:type|^rdf:type)* ?o . " \
    "?o (skos:inScheme|^skos:inScheme)* ?x }"
# Sorting needs every solution first; the FILTER keeps few of them, so this one is bound by time, not memory.
ORDER_BY_FILTERED = "SELECT ?a ?d WHERE { ?a ?b ?c . ?d ?e ?f . FILTER(STRLEN(STR(?c)) + STRLEN(STR(?f)) = 7) } " \
    "ORDER BY DESC(?c) ?f"
# Every solution kept for the sort: stopped by the time limit or, on a fast machine, by the memory limit.
ORDER_BY_ALL = "SELECT ?a ?d WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f LIMIT 5"
CONSTRUCT_DUPLICATES = "CONSTRUCT { ?a ?b ?c } WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
CONSTRUCT_DISTINCT = "CONSTRUCT { ?a ?b ?f } WHERE { ?a ?b ?c . ?d ?e ?f }"
SIMPLE = SKOS + "SELECT ?label WHERE { ?c skos:prefLabel ?label } LIMIT 3"
MEMORY_MB = 1024


def run_alongside(server: LiveServer, query: str, accept: str | None = None) -> tuple[Reply, float, list[float]]:
    """Send ``query``; meanwhile another client sends SIMPLE again and again. Returns the reply, its time and
    the simple queries' times (each checked to succeed)."""
    outcome: dict[str, object] = {}

    def runaway() -> None:
        started = time.monotonic()
        outcome["reply"] = server.query(query, accept)
        outcome["seconds"] = time.monotonic() - started

    thread = threading.Thread(target=runaway)
    thread.start()
    time.sleep(0.1)  # the runaway query holds a worker now
    simple_times: list[float] = []
    while True:  # at least one, even when the runaway query was stopped within the first moment
        started = time.monotonic()
        reply = server.query(SIMPLE)
        simple_times.append(time.monotonic() - started)
        assert reply.status == 200, reply.text
        assert len(json.loads(reply.body)["results"]["bindings"]) == 3
        if not thread.is_alive():
            break
        time.sleep(0.1)
    thread.join()
    reply = outcome["reply"]
    assert isinstance(reply, Reply)
    return reply, float(outcome["seconds"]), simple_times  # type: ignore[arg-type]


def assert_served_meanwhile(times: list[float]) -> None:
    assert len(times) >= 5, times
    assert statistics.median(times) < 0.5 and max(times) < 1.5, [round(t, 2) for t in times]


def assert_timeout(reply: Reply, seconds: float) -> None:
    assert reply.status == 503, (reply.status, reply.text[:300])
    assert f"longer than the {TIMEOUT_S:g} s limit" in reply.text and "stopped" in reply.text
    assert seconds <= TIMEOUT_S + 1, f"answered only after {seconds:.2f} s"


@pytest.mark.parametrize("query", [CROSS_JOIN, PATH_EXPLOSION, ORDER_BY_FILTERED, CONSTRUCT_DUPLICATES],
                         ids=["cross-join", "path-explosion", "order-by", "huge-construct"])
def test_runaway_is_stopped_at_the_time_limit_while_others_are_served(secured: LiveServer, query: str) -> None:
    accept = "text/turtle" if query.startswith("CONSTRUCT") else None
    reply, seconds, simple = run_alongside(secured, query, accept)
    assert_timeout(reply, seconds)
    assert_served_meanwhile(simple)


def test_order_by_over_everything_is_stopped_by_time_or_memory(secured: LiveServer) -> None:
    reply, seconds, simple = run_alongside(secured, ORDER_BY_ALL)
    if reply.status == 413:
        assert "memory limit" in reply.text
    else:
        assert_timeout(reply, seconds)
    assert seconds <= TIMEOUT_S + 1
    assert_served_meanwhile(simple)


def test_a_construct_larger_than_the_cap_is_refused_not_truncated(secured: LiveServer) -> None:
    reply, seconds, _ = run_alongside(secured, CONSTRUCT_DISTINCT, "text/turtle")
    assert reply.status in (413, 503), (reply.status, reply.text[:300])
    assert seconds <= TIMEOUT_S + 1
    if reply.status == 413:
        assert "triples" in reply.text and "LIMIT" in reply.text


def test_the_workers_were_replaced(secured: LiveServer) -> None:
    for _ in range(6):  # more than the two workers: every one of them answers
        assert secured.query("ASK { ?s ?p ?o }").status == 200


# --- memory ----------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def small_memory(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """Workers limited to 1 GiB and a generous time limit, so that memory is what stops the sort."""
    live = start_secured(tmp_path_factory.mktemp("srkg-memory"),
                         {"SRKG_QUERY_MEMORY_MB": str(MEMORY_MB), "SRKG_QUERY_TIMEOUT": "30"})
    yield live
    live.stop()


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


def test_a_query_that_would_eat_all_memory_fails_cleanly(small_memory: LiveServer) -> None:
    server_rss = _rss_mb(small_memory.proc.pid)
    started = time.monotonic()
    reply, seconds, simple = run_alongside(small_memory, ORDER_BY_ALL)
    assert reply.status == 413, (reply.status, reply.text[:300])
    assert f"more than the {MEMORY_MB} MB memory limit" in reply.text, reply.text
    assert seconds < 10, f"the memory limit took {seconds:.1f} s to stop the query"
    assert time.monotonic() - started < 15
    assert simple and all(t < 1.5 for t in simple)
    # The server process itself did not grow: the query's memory was in the (replaced) worker.
    assert _rss_mb(small_memory.proc.pid) < server_rss + 200
    for _ in range(4):
        assert small_memory.query("ASK { ?s ?p ?o }").status == 200
