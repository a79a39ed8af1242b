"""The store contract (``sparql_api.store.base.Store``), run on both backends: embedded Oxigraph and Virtuoso 7
through ``RemoteStore``. A behaviour that differs between the two is a bug in one of them."""

from __future__ import annotations

import csv
import io
import json
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Literal, URIRef
from rdflib.term import Node

from sparql_api.store.base import (
    DEFAULT_GRAPH,
    DataSyntaxError,
    QuerySyntaxError,
    QueryTimeout,
    ResultTooLarge,
    Store,
    StoreError,
)

from .rdf_data import (
    CASE1_TRIPLES,
    CASE_TRIPLES,
    CASE_TTL,
    EX,
    G1,
    G2,
    NQ,
    NT,
    OTHER_TTL,
    TRIG,
    TTL,
    canonical,
    canonical_file,
    canonical_graph,
    ntriples,
    triples_of,
)

JSON = "application/sparql-results+json"
XSD_STRING = URIRef("http://www.w3.org/2001/XMLSchema#string")


def plain(rows: list[dict[str, Node]]) -> list[dict[str, Node]]:
    """Rows with ``"x"^^xsd:string`` written as the simple literal ``"x"`` (the same RDF 1.1 term, which
    rdflib compares as different)."""

    def simple(node: Node) -> Node:
        if isinstance(node, Literal) and node.datatype == XSD_STRING:
            return Literal(str(node))
        return node

    return [{k: simple(v) for k, v in row.items()} for row in rows]


def count(store: Store, where: str = "?s ?p ?o") -> int:
    return int(store.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ {where} }}")[0]["n"])


# --- graphs ----------------------------------------------------------------------------------------------
def test_add_replace_drop_graph(store: Store) -> None:
    assert store.add_graph(G1, ntriples(3, "a"), NT) == 3
    assert store.add_graph(G1, ntriples(5, "b"), NT) == 5
    assert store.stats() == {G1: 8}
    assert store.replace_graph(G1, ntriples(2, "c"), NT) == 2
    assert canonical_graph(store.get_graph(G1, NT) or b"", NT) == canonical_graph(ntriples(2, "c"), NT)
    assert store.has_graph(G1)
    assert store.drop_graph(G1) is True
    assert store.drop_graph(G1) is False
    assert store.get_graph(G1, NT) is None
    assert not store.has_graph(G1)
    assert store.stats() == {}


def test_graph_serialisations_and_blank_nodes(store: Store) -> None:
    assert store.add_graph(G1, CASE_TTL.encode(), TTL) == CASE_TRIPLES
    expected = canonical_graph(CASE_TTL.encode(), TTL)
    for media_type in (NT, TTL, "application/rdf+xml", "application/ld+json", TRIG, NQ):
        body = store.get_graph(G1, media_type)
        assert body is not None
        assert canonical_graph(body, media_type) == expected, media_type


def test_literals_round_trip(store: Store) -> None:
    """Language tags, typed literals (incl. geo:wktLiteral and a custom datatype) and Unicode come back
    as they went in, through the graph store and through SELECT."""
    store.add_graph(G1, CASE_TTL.encode(), TTL)

    def literals(triples: list[ox.Triple]) -> set[tuple[ox.NamedNode, ox.Literal]]:
        return {(t.predicate, t.object) for t in triples if isinstance(t.object, ox.Literal)}

    assert literals(triples_of(store.get_graph(G1, NT) or b"", NT)) == literals(triples_of(CASE_TTL.encode(), TTL))
    titles = {row["t"] for row in store.select(f"SELECT ?t WHERE {{ <{EX}case1> <{EX}title> ?t }}")}
    assert Literal("Фиторемедиация", lang="ru") in titles
    assert Literal("المعالجة النباتية", lang="ar") in titles
    assert Literal("Sanierung", lang="de-at") in titles
    row = store.select(f"SELECT ?g WHERE {{ ?site <{EX}geometry> ?g }}")[0]
    assert row["g"] == Literal("POINT(105.2 10.9)", datatype=URIRef("http://www.opengis.net/ont/geosparql#wktLiteral"))


def test_bad_data_is_refused_with_its_line_and_nothing_is_written(store: Store) -> None:
    store.add_graph(G1, ntriples(2), NT)
    bad = f'<{EX}a> <{EX}p> "ok" .\n<{EX}a> <{EX}p> "no end .\n'.encode()
    with pytest.raises(DataSyntaxError, match="line 2"):
        store.replace_graph(G1, bad, NT)
    with pytest.raises(DataSyntaxError, match="line 2"):
        store.add_graph(G2, bad, NT)
    assert store.stats() == {G1: 2}


# --- dataset semantics -------------------------------------------------------------------------------------
def test_default_graph_is_the_union_and_system_graphs_stay_hidden(store: Store) -> None:
    assert store.stats() == {}
    assert count(store) == 0  # nothing of the server's own (Virtuoso's virtrdf#, DAV, …) shows
    store.add_graph(G1, ntriples(3, "a"), NT)
    store.add_graph(G2, ntriples(4, "b"), NT)
    store.add_graph(DEFAULT_GRAPH, ntriples(2, "d"), NT)
    assert count(store) == 9
    assert store.graphs() == [G1, G2]
    assert store.stats() == {G1: 3, G2: 4}
    named = {row["g"] for row in store.select("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")}
    assert named == {URIRef(G1), URIRef(G2)}
    assert canonical_graph(store.get_graph(DEFAULT_GRAPH, NT) or b"", NT) == canonical_graph(ntriples(2, "d"), NT)


def test_graphs_lists_only_graphs_that_hold_triples(store: Store) -> None:
    """``graphs()`` = the keys of ``stats()``: a graph emptied by CLEAR (Oxigraph keeps its name) is not listed."""
    store.add_graph(G1, ntriples(3, "a"), NT)
    store.add_graph(G2, ntriples(1, "b"), NT)
    store.update(f"CLEAR GRAPH <{G2}>")
    assert store.graphs() == sorted(store.stats()) == [G1]


def test_named_graph_queries_and_protocol_datasets(store: Store) -> None:
    store.add_graph(G1, ntriples(3, "a"), NT)
    store.add_graph(G2, ntriples(4, "b"), NT)
    assert count(store, f"GRAPH <{G1}> {{ ?s ?p ?o }}") == 3
    q = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    only_g2 = store.query(q, JSON, default_graph_uris=[G2])
    assert json.loads(only_g2.body)["results"]["bindings"][0]["n"]["value"] == "4"
    from_g1 = store.query(f"SELECT (COUNT(*) AS ?n) FROM <{G1}> WHERE {{ ?s ?p ?o }}", JSON)
    assert json.loads(from_g1.body)["results"]["bindings"][0]["n"]["value"] == "3"
    named = store.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", JSON, named_graph_uris=[G1])
    assert [b["g"]["value"] for b in json.loads(named.body)["results"]["bindings"]] == [G1]


# --- bound parameters --------------------------------------------------------------------------------------
HOSTILE = [
    'a"b',
    "x'y",
    "line1\nline2\r\n",
    "brace } { ",
    '"} ; DROP ALL ; SELECT * {',
    "\\u0022 } ;",
    "back\\slash",
    "tab\there",
    '"""',
    "'''",
    "# not a comment",
    "> <http://evil.example/>",
    "end\\",
    "ünï 漢字 😀 عربي",
]


def test_select_binds_parameters_without_pasting_text(store: Store) -> None:
    triples = [
        ox.Triple(ox.NamedNode(f"{EX}h{i}"), ox.NamedNode(f"{EX}v"), ox.Literal(value))
        for i, value in enumerate(HOSTILE)
    ]
    store.add_graph(G1, ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b"", NT)
    query = f"SELECT ?s WHERE {{ ?s <{EX}v> ?v }}"
    for i, value in enumerate(HOSTILE):
        rows = store.select(query, {"v": Literal(value)})
        assert rows == [{"s": URIRef(f"{EX}h{i}")}], repr(value)
    # A bound variable the SELECT does not project is still bound (and FILTERs see it).
    filtered = f"SELECT ?s WHERE {{ ?s <{EX}v> ?o FILTER(?o = ?v) }}"
    assert store.select(filtered, {"v": Literal(HOSTILE[4])}) == [{"s": URIRef(f"{EX}h4")}]
    # IRIs and typed literals bind too; nothing was dropped by the hostile strings.
    rows = store.select(f"SELECT ?v WHERE {{ ?s <{EX}v> ?v }}", {"s": URIRef(f"{EX}h0")})
    assert plain(rows) == [{"v": Literal('a"b')}]
    assert store.stats() == {G1: len(HOSTILE)}


def test_a_bound_language_tag_is_seen_by_langmatches(store: Store) -> None:
    """The app's queries pick labels with LANGMATCHES(LANG(?label), ?lang), ?lang bound: on Virtuoso 7 a ?lang
    bound with VALUES matched nothing, so every page fell back to English (the dialect writes it in)."""
    data = "".join(f'<{EX}c> <{EX}label> "{text}"@{tag} .\n'
                   for text, tag in (("cadmium", "en"), ("cadmium (fr)", "fr"), ("кадмий", "ru"))).encode()
    store.add_graph(G1, data, NT)
    query = f"SELECT ?label WHERE {{ <{EX}c> <{EX}label> ?label FILTER (LANGMATCHES(LANG(?label), ?lang)) }}"
    optional = f"""SELECT ?label WHERE {{ <{EX}c> <{EX}label> ?any
      OPTIONAL {{ <{EX}c> <{EX}label> ?label FILTER (LANGMATCHES(LANG(?label), ?lang)) }} }}"""
    for lang, label in (("fr", "cadmium (fr)"), ("ru", "кадмий"), ("en", "cadmium")):
        assert [str(r["label"]) for r in store.select(query, {"lang": Literal(lang)})] == [label], lang
        assert {str(r["label"]) for r in store.select(optional, {"lang": Literal(lang)})} == {label}, lang


def test_a_bound_parameter_is_bound_for_bound(store: Store) -> None:
    """Optional parameters are tested with ``!BOUND(?p) || …`` (the comparison's filters): the Virtuoso dialect
    writes bound terms into the query, and ``BOUND(<iri>)`` is not SPARQL (every filtered comparison failed)."""
    store.add_graph(G1, f"<{EX}a> <{EX}p> <{EX}x> .\n<{EX}b> <{EX}p> <{EX}y> .\n".encode(), NT)
    query = f"SELECT ?s WHERE {{ ?s <{EX}p> ?o FILTER (!BOUND(?want) || ?o = ?want) }} ORDER BY ?s"
    assert [str(r["s"]) for r in store.select(query, {"want": URIRef(f"{EX}y")})] == [f"{EX}b"]
    assert [str(r["s"]) for r in store.select(query)] == [f"{EX}a", f"{EX}b"]
    assert [str(r["s"]) for r in store.select(query, {"want": Literal("z")})] == []


def test_select_text_gives_the_values_as_text(store: Store) -> None:
    """The fast path for readers of many rows (the search index): the same rows as ``select``, as strings."""
    integer = "<http://www.w3.org/2001/XMLSchema#integer>"
    data = (f'<{EX}c> <{EX}label> "cadmium (fr)"@fr .\n<{EX}c> <{EX}n> "7"^^{integer} .\n'
            f'<{EX}c> <{EX}see> <{EX}d> .\n').encode()
    store.add_graph(G1, data, NT)
    query = "SELECT ?p ?o WHERE { ?s ?p ?o } ORDER BY ?p"
    rows = store.select_text(query, {"s": URIRef(f"{EX}c")})
    assert rows == [{"p": f"{EX}label", "o": "cadmium (fr)", "o@lang": "fr"}, {"p": f"{EX}n", "o": "7"},
                    {"p": f"{EX}see", "o": f"{EX}d"}]
    assert all(type(v) is str for row in rows for v in row.values())
    with pytest.raises((StoreError, ValueError)):
        store.select_text(query, {"s": URIRef("http://x> } ; DROP ALL ; <http://y")})


def test_an_invalid_iri_parameter_is_refused(store: Store) -> None:
    store.add_graph(G1, ntriples(1), NT)
    with pytest.raises((StoreError, ValueError)):
        store.select("SELECT ?o WHERE { ?s ?p ?o }", {"s": URIRef("http://x> } ; DROP ALL ; <http://y")})
    assert store.stats() == {G1: 1}


# --- query answers -----------------------------------------------------------------------------------------
SELECT_LABELS = f"SELECT ?s ?t WHERE {{ ?s <{EX}title> ?t FILTER(lang(?t) = 'en') }} ORDER BY ?s"


def test_select_answers_in_every_result_format(store: Store) -> None:
    store.add_graph(G1, CASE_TTL.encode(), TTL)
    store.add_graph(G2, OTHER_TTL.encode(), TTL)
    expected = [
        (f"{EX}case1", "Phytoremediation of Cd at site one"),
        (f"{EX}case2", "Soil washing"),
        (f"{EX}case3", "Biochar"),
    ]
    for media_type, fmt in [
        (JSON, ox.QueryResultsFormat.JSON),
        ("application/sparql-results+xml", ox.QueryResultsFormat.XML),
        ("text/tab-separated-values", ox.QueryResultsFormat.TSV),
    ]:
        result = store.query(SELECT_LABELS, media_type)
        assert (result.kind, result.media_type) == ("select", media_type)
        rows = [(sol["s"].value, sol["t"].value) for sol in ox.parse_query_results(result.body, fmt)]
        assert rows == expected, media_type
        languages = {sol["t"].language for sol in ox.parse_query_results(result.body, fmt)}
        assert languages == {"en"}
    csv_rows = list(csv.reader(io.StringIO(store.query(SELECT_LABELS, "text/csv").body.decode())))
    assert csv_rows == [["s", "t"], *[list(r) for r in expected]]


def test_ask_and_graph_answers(store: Store) -> None:
    store.add_graph(G1, CASE_TTL.encode(), TTL)
    yes = store.query(f"ASK {{ <{EX}case1> ?p ?o }}", JSON)
    assert (yes.kind, json.loads(yes.body)["boolean"]) == ("ask", True)
    no = store.query(f"ASK {{ <{EX}nothing> ?p ?o }}", "application/sparql-results+xml")
    assert bool(ox.parse_query_results(no.body, ox.QueryResultsFormat.XML)) is False
    construct = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
    expected = canonical_graph(CASE_TTL.encode(), TTL)
    for media_type in (TTL, NT, "application/rdf+xml", "application/ld+json", NQ, TRIG):
        result = store.query(construct, media_type)
        assert (result.kind, result.media_type) == ("graph", media_type)
        assert canonical_graph(result.body, media_type) == expected, media_type
    described = store.query(f"DESCRIBE <{EX}case1>", NT)
    assert len({t for t in triples_of(described.body, NT) if t.subject == ox.NamedNode(f"{EX}case1")}) == CASE1_TRIPLES
    # A result format asked for a graph answer (and the reverse) falls back to the form's default.
    assert store.query(construct, JSON).media_type == TTL
    assert store.query(SELECT_LABELS, TTL).media_type == JSON


def test_a_query_that_does_not_parse(store: Store) -> None:
    with pytest.raises(QuerySyntaxError):
        store.query("SELECT * WHERE { ?s ?p }", JSON)
    with pytest.raises(QuerySyntaxError):
        store.update("INSERT DATA { <http://test.example/a> }")


def test_result_cap_is_an_error_not_a_truncated_answer(store: Store) -> None:
    store.add_graph(G1, ntriples(10), NT)
    with pytest.raises(ResultTooLarge, match="more than 5"):
        store.query("SELECT * WHERE { ?s ?p ?o }", JSON, max_results=5)
    with pytest.raises(ResultTooLarge, match="more than 9"):
        store.query("CONSTRUCT WHERE { ?s ?p ?o }", NT, max_results=9)
    ok = store.query("SELECT * WHERE { ?s ?p ?o }", JSON, max_results=10)
    assert len(json.loads(ok.body)["results"]["bindings"]) == 10


def test_timeout_stops_the_query_and_says_so(store: Store) -> None:
    store.add_graph(G1, ntriples(400), NT)
    runaway = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{G1}> {{ ?a ?p ?x . ?b ?p ?y . ?c ?p ?z . ?d ?p ?w }} }}"
    started = time.monotonic()
    with pytest.raises(QueryTimeout):
        store.query(runaway, JSON, timeout=1.0)
    assert time.monotonic() - started < 20
    assert count(store) == 400  # the store still answers


# --- updates -----------------------------------------------------------------------------------------------
def test_updates(store: Store) -> None:
    store.update(
        f'INSERT DATA {{ GRAPH <{G1}> {{ <{EX}a> <{EX}p> "one"@en , 2 . <{EX}a> <{EX}q> _:n . _:n <{EX}r> "blank" }} }}'
    )
    assert store.stats() == {G1: 4}
    rows = store.select(f"SELECT ?v WHERE {{ <{EX}a> <{EX}q> ?n . ?n <{EX}r> ?v }}")
    assert plain(rows) == [{"v": Literal("blank")}]
    store.update(f'DELETE DATA {{ GRAPH <{G1}> {{ <{EX}a> <{EX}p> "one"@en }} }}')
    store.update(
        f"DELETE {{ GRAPH <{G1}> {{ ?s <{EX}p> ?o }} }} INSERT {{ GRAPH <{G2}> {{ ?s <{EX}p2> ?o }} }} "
        f"WHERE {{ GRAPH <{G1}> {{ ?s <{EX}p> ?o }} }}"
    )
    assert store.stats() == {G1: 2, G2: 1}
    # A literal that looks like an update keyword is data, not an operation.
    store.update(f'INSERT DATA {{ GRAPH <{G2}> {{ <{EX}b> <{EX}p> "INSERT DATA {{ _:x <{EX}p> 1 }}" }} }}')
    assert store.stats() == {G1: 2, G2: 2}


# --- bulk: load, dump, restore -----------------------------------------------------------------------------
def test_bulk_load_triples_and_quads(store: Store, tmp_path: Path) -> None:
    nt = tmp_path / "data.nt"
    nt.write_bytes(ntriples(250, "bulk"))
    assert store.bulk_load(nt, NT, G1) == 250
    nq = tmp_path / "data.nq"
    nq.write_text(
        f'<{EX}x> <{EX}p> "in two" <{G2}> .\n<{EX}y> <{EX}p> "default" .\n_:b <{EX}p> _:c <{G2}> .\n', "utf-8"
    )
    assert store.bulk_load(nq, NQ) == 3
    assert store.stats() == {G1: 250, G2: 2}
    assert count(store) == 253


def test_bulk_load_checks_the_whole_file_first(store: Store, tmp_path: Path) -> None:
    bad = tmp_path / "bad.nt"
    bad.write_bytes(ntriples(100) + b"<http://test.example/broken> <http://test.example/p> .\n")
    with pytest.raises(DataSyntaxError, match=r"bad\.nt.*line 101"):
        store.bulk_load(bad, NT, G1)
    assert store.stats() == {}


@pytest.mark.parametrize("media_type", [NQ, TRIG])
def test_dump_and_restore_round_trip(store: Store, tmp_path: Path, media_type: str) -> None:
    store.add_graph(G1, CASE_TTL.encode(), TTL)
    store.add_graph(G2, OTHER_TTL.encode(), TTL)
    store.add_graph(DEFAULT_GRAPH, ntriples(3, "d"), NT)
    before = store.stats()
    out = tmp_path / ("dump.nq" if media_type == NQ else "dump.trig")
    assert store.dump(out, media_type) == CASE_TRIPLES + 4 + 3
    original = canonical_file(out, media_type)
    store.replace_graph(G1, ntriples(1, "changed"), NT)
    store.add_graph(EX + "graph/extra", ntriples(2, "e"), NT)
    assert store.restore(out, media_type) == CASE_TRIPLES + 7
    assert store.stats() == before
    again = tmp_path / ("again.nq" if media_type == NQ else "again.trig")
    store.dump(again, media_type)
    assert canonical_file(again, media_type) == original
    fmt = ox.RdfFormat.from_media_type(media_type)
    in_g1 = [q for q in ox.parse(path=str(again), format=fmt) if q.graph_name == ox.NamedNode(G1)]
    g1 = ox.NamedNode(G1)
    expected = [ox.Quad(t.subject, t.predicate, t.object, g1) for t in triples_of(CASE_TTL.encode(), TTL)]
    assert canonical(in_g1) == canonical(expected)


def test_restore_refuses_a_bad_dump_and_keeps_the_store(store: Store, tmp_path: Path) -> None:
    store.add_graph(G1, ntriples(5), NT)
    bad = tmp_path / "bad.nq"
    bad.write_text(f'<{EX}a> <{EX}p> "ok" <{G2}> .\n<{EX}a> <{EX}p> "ok" <not an iri> .\n', "utf-8")
    with pytest.raises(DataSyntaxError, match="line 2"):
        store.restore(bad, NQ)
    assert store.stats() == {G1: 5}
