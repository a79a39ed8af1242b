"""What only the remote backend has to get right: Virtuoso's silent caps and partial answers, its own graphs,
credentials, form-encoded requests, chunked loading, and the text rewrites its quirks need."""

from __future__ import annotations

import json
import time
from pathlib import Path
from urllib.parse import parse_qs

import httpx
import pytest
from rdflib import URIRef

from sparql_api.config import Settings
from sparql_api.store.base import QueryTimeout, ResultTooLarge, StoreError
from sparql_api.store.factory import open_store
from sparql_api.store.oxigraph_store import OxigraphStore
from sparql_api.store.remote_dialects import (
    WKT_ALIAS,
    insert_data_with_bnodes_as_template,
    names_a_graph,
    replace_iri,
)
from sparql_api.store.remote_store import RemoteStore
from sparql_api.summaries.store import SummarisingStore

from .conftest import ROW_CAP, open_remote
from .rdf_data import EX, G1, NQ, NT, canonical_file, ntriples
from .virtuoso_server import ADMIN_USER, VirtuosoServer

JSON = "application/sparql-results+json"
OVER_CAP = ROW_CAP + 500


# --- against a real Virtuoso ---------------------------------------------------------------------------
@pytest.mark.virtuoso
def test_select_past_the_server_cap_is_an_error(remote: RemoteStore) -> None:
    remote.add_graph(G1, ntriples(OVER_CAP), NT)
    with pytest.raises(ResultTooLarge, match=f"{ROW_CAP} rows.*ResultSetMaxRows"):
        remote.query("SELECT * WHERE { ?s ?p ?o }", JSON)
    with pytest.raises(ResultTooLarge):
        remote.select("SELECT ?s WHERE { ?s ?p ?o }")
    below = remote.query("SELECT * WHERE { ?s ?p ?o } LIMIT 999", JSON)
    assert len(json.loads(below.body)["results"]["bindings"]) == 999
    total = remote.select("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert int(total[0]["n"]) == OVER_CAP  # aggregates are not cut


@pytest.mark.virtuoso
def test_graph_answers_past_the_cap_are_errors_although_virtuoso_sends_no_header(remote: RemoteStore) -> None:
    remote.add_graph(G1, ntriples(OVER_CAP), NT)
    with pytest.raises(ResultTooLarge, match=f"{ROW_CAP} triples"):
        remote.query("CONSTRUCT WHERE { ?s ?p ?o }", NT)


@pytest.mark.virtuoso
def test_whole_graphs_and_dumps_are_read_in_pages_past_the_cap(remote: RemoteStore, tmp_path: Path) -> None:
    remote.add_graph(G1, ntriples(OVER_CAP), NT)
    body = remote.get_graph(G1, NT) or b""
    assert len(body.splitlines()) == OVER_CAP
    out = tmp_path / "dump.nq"
    assert remote.dump(out, NQ) == OVER_CAP
    assert len(out.read_bytes().splitlines()) == OVER_CAP
    assert remote.stats() == {G1: OVER_CAP}


@pytest.mark.virtuoso
def test_the_server_time_limit_is_a_timeout_too(remote: RemoteStore) -> None:
    """Without a client time limit Virtuoso stops at MaxQueryExecutionTime (3 s in the test ini) with a 500."""
    remote.add_graph(G1, ntriples(400), NT)
    runaway = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{G1}> {{ ?a ?p ?x . ?b ?p ?y . ?c ?p ?z . ?d ?p ?w }} }}"
    started = time.monotonic()
    with pytest.raises(QueryTimeout, match="time limit"):
        remote.query(runaway, JSON)
    assert time.monotonic() - started < 30


@pytest.mark.virtuoso
def test_a_too_large_insert_data_points_to_the_graph_store(remote: RemoteStore) -> None:
    data = ntriples(6000).decode()
    with pytest.raises(StoreError, match=r"too large for Virtuoso in one request.*Graph Store"):
        remote.update(f"INSERT DATA {{ GRAPH <{G1}> {{ {data} }} }}")
    assert remote.add_graph(G1, data.encode(), NT) == 6000  # the Graph Store path takes it


@pytest.mark.virtuoso
def test_virtuoso_own_graphs_exist_but_stay_hidden(virtuoso: VirtuosoServer, remote: RemoteStore) -> None:
    plain = RemoteStore(virtuoso.query_url, dialect="sparql")
    try:
        raw = plain.select("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        assert {str(r["g"]) for r in raw} >= {"http://www.openlinksw.com/schemas/virtrdf#"}
        assert int(plain.select("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")[0]["n"]) > 1000
    finally:
        plain.close()
    assert remote.stats() == {}
    assert remote.select("SELECT ?s WHERE { ?s a ?type } LIMIT 1") == []


@pytest.mark.virtuoso
def test_wrong_credentials_are_refused(virtuoso: VirtuosoServer) -> None:
    wrong = RemoteStore(virtuoso.query_url, virtuoso.update_url, virtuoso.gsp_url, user=ADMIN_USER, password="nope")
    try:
        with pytest.raises(StoreError, match="refused the credentials"):
            wrong.update(f'INSERT DATA {{ GRAPH <{G1}> {{ <{EX}a> <{EX}p> "x" }} }}')
        with pytest.raises(StoreError, match="refused the credentials"):
            wrong.add_graph(G1, ntriples(1), NT)
    finally:
        wrong.close()
    anonymous = RemoteStore(virtuoso.query_url, virtuoso.update_url, virtuoso.gsp_url)
    try:
        with pytest.raises(StoreError, match="refused the credentials"):
            anonymous.add_graph(G1, ntriples(1), NT)
    finally:
        anonymous.close()


@pytest.mark.virtuoso
def test_chunked_bulk_load_keeps_blank_nodes_whole(virtuoso: VirtuosoServer, tmp_path: Path) -> None:
    """Loaded in chunks of 100 triples; blank-node chains that span the file stay connected."""
    lines = [line.decode() for line in ntriples(350, "plain").splitlines()]
    for i in range(60):
        lines.insert(i * 5, f"_:n{i} <{EX}next> _:n{i + 1} .")
        lines.append(f'_:n{i} <{EX}label> "node {i}" .')
    source = tmp_path / "chain.nt"
    source.write_text("\n".join(lines) + "\n", "utf-8")
    store = open_remote(virtuoso, chunk_triples=100)
    try:
        for graph in store.graphs():
            store.drop_graph(graph)
        assert store.bulk_load(source, NT, G1) == 350 + 120
        assert store.stats() == {G1: 470}
        out = tmp_path / "back.nq"
        store.dump(out, NQ)
    finally:
        store.close()
    as_quads = tmp_path / "expected.nq"
    as_quads.write_text("".join(line[:-1] + f"<{G1}> .\n" for line in lines), "utf-8")
    assert canonical_file(out, NQ) == canonical_file(as_quads, NQ)


@pytest.mark.virtuoso
def test_a_failed_load_drops_the_graphs_it_created(virtuoso: VirtuosoServer, tmp_path: Path) -> None:
    source = tmp_path / "data.nt"
    source.write_bytes(ntriples(300))
    store = open_remote(virtuoso, chunk_triples=100)
    try:
        for graph in store.graphs():
            store.drop_graph(graph)
        sent = 0
        real_send = store._send_triples

        def fail_on_third(graph: str, triples: list, *, replace: bool = False) -> None:
            nonlocal sent
            sent += 1
            if sent == 3:
                raise StoreError("connection lost")
            real_send(graph, triples, replace=replace)

        store._send_triples = fail_on_third  # type: ignore[method-assign]
        with pytest.raises(StoreError, match="connection lost"):
            store.bulk_load(source, NT, G1)
        assert store.stats() == {}
    finally:
        store.close()


# --- the protocol, without a server ----------------------------------------------------------------------
def test_requests_are_form_posts_and_credentials_follow_the_challenge() -> None:
    seen: list[tuple[str, str, dict[str, str], bytes]] = []  # a snapshot: auth flows re-send the same request

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append((request.method, request.url.path, dict(request.headers), request.content))
        if request.url.path == "/update" and "authorization" not in request.headers:
            return httpx.Response(401, headers={"WWW-Authenticate": 'Basic realm="srkg"'})
        if request.url.path == "/update":
            return httpx.Response(204)
        return httpx.Response(200, json={"head": {"vars": ["n"]}, "results": {"bindings": []}})

    store = RemoteStore(
        "http://remote.test/query",
        "http://remote.test/update",
        user="curator",
        password="secret",
        transport=httpx.MockTransport(handler),
    )
    store.update('INSERT DATA { <http://test.example/a> <http://test.example/p> "x" }')
    store.update('INSERT DATA { <http://test.example/b> <http://test.example/p> "y" }')
    store.select("SELECT ?n WHERE { ?s ?p ?n }", {"s": URIRef("http://test.example/a")})
    store.close()
    assert all(method == "POST" for method, *_ in seen)
    assert all(headers["content-type"] == "application/x-www-form-urlencoded" for _, _, headers, _ in seen)
    updates = [(headers, body) for _, path, headers, body in seen if path == "/update"]
    assert [h.get("authorization", "")[:6] for h, _ in updates] == ["", "Basic ", "Basic "]  # learnt once
    assert "update" in parse_qs(updates[-1][1].decode())
    queries = [(headers, body) for _, path, headers, body in seen if path == "/query"]
    assert all("authorization" not in h for h, _ in queries)  # reads go without credentials
    sent_query = parse_qs(queries[-1][1].decode())["query"][0]
    assert "VALUES (?s) { (<http://test.example/a>) }" in sent_query


def test_insert_data_with_blank_nodes_becomes_a_template() -> None:
    update = (
        'PREFIX ex: <http://test.example/> INSERT DATA { GRAPH ex:g { _:a ex:p "INSERT DATA { _:x }" . '
        '[] ex:q 1 } } ; INSERT DATA { ex:a ex:p "no blank" } ; DELETE DATA { ex:a ex:p 2 }'
    )
    assert insert_data_with_bnodes_as_template(update) == (
        'PREFIX ex: <http://test.example/> INSERT  { GRAPH ex:g { _:a ex:p "INSERT DATA { _:x }" . '
        '[] ex:q 1 } } WHERE {} ; INSERT DATA { ex:a ex:p "no blank" } ; DELETE DATA { ex:a ex:p 2 }'
    )


def test_wkt_datatype_is_aliased_in_texts_but_not_in_strings() -> None:
    wkt = "http://www.opengis.net/ont/geosparql#wktLiteral"
    text = (
        'PREFIX geo: <http://www.opengis.net/ont/geosparql#> SELECT * WHERE { ?s ?p "POINT(1 2)"^^geo:wktLiteral ; '
        f'?q "x"^^<{wkt}> ; ?r "geo:wktLiteral" }}'
    )
    assert replace_iri(text, wkt, WKT_ALIAS) == (
        f'PREFIX geo: <http://www.opengis.net/ont/geosparql#> SELECT * WHERE {{ ?s ?p "POINT(1 2)"^^<{WKT_ALIAS}> ; '
        f'?q "x"^^<{WKT_ALIAS}> ; ?r "geo:wktLiteral" }}'
    )


def test_names_a_graph() -> None:
    assert names_a_graph("SELECT * WHERE { GRAPH <http://g> { ?s ?p ?o } }")
    assert names_a_graph("PREFIX g: <http://g/> SELECT * WHERE { graph g:one { ?s ?p ?o } }")
    assert not names_a_graph("SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert not names_a_graph('SELECT * WHERE { ?s ?p "GRAPH <http://g>" }')


# --- the factory -------------------------------------------------------------------------------------------
def test_factory_opens_the_configured_backend(tmp_path: Path) -> None:
    embedded = open_store(Settings(data_dir=tmp_path, store="oxigraph"))
    assert isinstance(embedded, SummarisingStore) and isinstance(embedded.inner, OxigraphStore)
    embedded.close()
    remote = open_store(
        Settings(
            data_dir=tmp_path,
            store="sparql",
            remote_query_url="http://127.0.0.1:9/sparql",
            remote_update_url="http://127.0.0.1:9/sparql-auth",
            remote_gsp_url="http://127.0.0.1:9/sparql-graph-crud-auth",
        )
    )
    assert isinstance(remote, SummarisingStore) and isinstance(remote.inner, RemoteStore)
    with pytest.raises(StoreError, match="cannot reach the remote store"):
        remote.stats()  # nothing listens on port 9: a clear error, not a traceback
    remote.close()
    with pytest.raises(StoreError, match="SRKG_REMOTE_QUERY_URL"):
        open_store(Settings(data_dir=tmp_path, store="sparql"))
    with pytest.raises(StoreError, match="unknown store backend"):
        open_store(Settings(data_dir=tmp_path, store="virtuoso"))
