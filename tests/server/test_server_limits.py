"""Query time limit and result cap, over real HTTP (server: 2 s limit, 500-row cap, 2 query workers)."""

from __future__ import annotations

import json
import threading
import time
from urllib.parse import urlencode

from server.conftest import MAX_RESULTS, TIMEOUT_S
from server.live_server import LiveServer, Reply

# Three-way cross join over the AGROVOC subset (~7,500 triples): ~4e11 solutions, never finishes by itself.
RUNAWAY = """SELECT (COUNT(*) AS ?n) WHERE {
  GRAPH <https://w3id.org/srkg/graph/agrovoc> { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }
}"""
SIMPLE = "SELECT ?label WHERE { <https://w3id.org/srkg/vocab/pollutant/cadmium> ?p ?label FILTER(isLiteral(?label)) }"


def test_runaway_query_is_stopped_while_others_are_served(server: LiveServer) -> None:
    slow: dict[str, object] = {}

    def run_slow() -> None:
        started = time.monotonic()
        slow["reply"] = server.query(RUNAWAY)
        slow["seconds"] = time.monotonic() - started

    thread = threading.Thread(target=run_slow)
    thread.start()
    time.sleep(0.3)  # the runaway query is now running in a worker

    fast_times = []
    while thread.is_alive() and len(fast_times) < 20:
        started = time.monotonic()
        reply = server.query(SIMPLE)  # a new connection each time
        fast_times.append(time.monotonic() - started)
        assert reply.status == 200
        assert "cadmium" in reply.text
        time.sleep(0.05)
    thread.join(timeout=TIMEOUT_S + 10)

    reply = slow["reply"]
    assert isinstance(reply, Reply)
    assert reply.status == 503, reply.text
    assert reply.media_type == "text/plain"
    assert f"longer than the {TIMEOUT_S:g} s limit" in reply.text and "stopped" in reply.text
    assert slow["seconds"] <= TIMEOUT_S + 1, f"stopped only after {slow['seconds']:.2f} s"
    # Other clients were answered while the runaway query ran, and quickly.
    assert len(fast_times) >= 3
    assert max(fast_times) < 1.0, fast_times


def test_server_keeps_answering_after_several_timeouts(server: LiveServer) -> None:
    replies: list[Reply] = []
    threads = [threading.Thread(target=lambda: replies.append(server.query(RUNAWAY))) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=3 * TIMEOUT_S + 10)
    assert [r.status for r in replies] == [503, 503]
    # The killed workers were replaced: queries run normally right away.
    for _ in range(5):
        assert server.query("ASK { ?s ?p ?o }").status == 200


def _rows(reply: Reply) -> int:
    return len(json.loads(reply.body)["results"]["bindings"])


def test_result_cap_is_an_error_never_a_truncated_200(server: LiveServer) -> None:
    over = f"SELECT ?s ?p ?o WHERE {{ ?s ?p ?o }} LIMIT {MAX_RESULTS + 1}"
    for accept in ("application/sparql-results+json", "text/csv", "text/tab-separated-values"):
        reply = server.query(over, accept)
        assert reply.status == 413, (accept, reply.status)
        assert reply.media_type == "text/plain"
        assert f"more than {MAX_RESULTS} rows" in reply.text and "LIMIT" in reply.text
    at_cap = server.query(f"SELECT ?s ?p ?o WHERE {{ ?s ?p ?o }} LIMIT {MAX_RESULTS}")
    assert at_cap.status == 200 and _rows(at_cap) == MAX_RESULTS


def test_result_cap_applies_to_graph_results(server: LiveServer) -> None:
    reply = server.query("CONSTRUCT WHERE { ?s ?p ?o }", "text/turtle")
    assert reply.status == 413
    assert f"more than {MAX_RESULTS} triples" in reply.text


def test_request_body_limit_is_enforced(server: LiveServer) -> None:
    # The server's default limit is 50 MiB; a Content-Length above it is refused before the body is read.
    reply = server.request(
        "POST",
        "/sparql",
        b"ASK {}",
        {"Content-Type": "application/sparql-query", "Content-Length": str(51 * 1024 * 1024)},
        timeout=10,
    )
    assert reply.status == 413
    assert "byte limit" in reply.text


def test_healthz(server: LiveServer) -> None:
    reply = server.request("GET", "/healthz")
    assert reply.status == 200 and reply.text == "ok\n"


def test_limits_are_reported_in_plain_words_for_get_urls(server: LiveServer) -> None:
    url = "/sparql?" + urlencode({"query": RUNAWAY, "format": "csv"})
    reply = server.request("GET", url)
    assert reply.status == 503
    assert reply.headers.get("retry-after") == "5"
