"""The small SPARQL lexer: keywords count only outside strings, IRIs and comments."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from sparql_api.sparql_text import (
    DatasetConflict,
    add_using_clauses,
    has_dataset_clause,
    inline_iris,
    insert_in_where,
    is_update,
    prologue_prefixes,
    query_form,
    service_targets,
    undeclared_prefixes,
)


@pytest.mark.parametrize(
    ("text", "form"),
    [
        ("SELECT * WHERE { ?s ?p ?o }", "select"),
        ("prefix ex: <http://ex/> ask { ex:a ?p ?o }", "ask"),
        ("# SELECT in a comment\nCONSTRUCT WHERE { ?s ?p ?o }", "graph"),
        ("BASE <http://x/> DESCRIBE <a>", "graph"),
        ("PREFIX select: <http://ex/select#> ASK { select:a ?p 'SELECT' }", "ask"),
        ("INSERT DATA { <http://a> <http://b> 1 }", None),
    ],
)
def test_query_form(text: str, form: str | None) -> None:
    assert query_form(text) == form


def test_is_update() -> None:
    assert is_update("PREFIX ex: <http://ex/> DELETE WHERE { ?s ex:p ?o }")
    assert not is_update("SELECT * { ?s ?p ?o }")


def test_dataset_clause_only_counts_outside_strings_and_comments() -> None:
    assert has_dataset_clause("SELECT * FROM <http://g> WHERE { ?s ?p ?o }")
    assert has_dataset_clause("SELECT * FROM NAMED <http://g> { GRAPH ?g { ?s ?p ?o } }")
    assert not has_dataset_clause("SELECT * WHERE { ?s ?p 'FROM <x>' } # FROM <http://g>")
    assert not has_dataset_clause("SELECT * WHERE { ?s <http://ex/from#FROM> ?o }")
    assert not has_dataset_clause("PREFIX ex: <http://ex/> SELECT * WHERE { ?s ex:FROM ?o }")


def test_prefixes_and_service_targets() -> None:
    text = """PREFIX ag: <https://agrovoc.fao.org/>
    SELECT * WHERE { SERVICE SILENT ag:sparql { ?s ?p ?o } SERVICE <http://x/sparql> {} SERVICE ?e {} }"""
    assert prologue_prefixes(text) == {"ag": "https://agrovoc.fao.org/"}
    assert service_targets(text) == ["https://agrovoc.fao.org/sparql", "http://x/sparql", None]
    assert service_targets("SELECT * { ?s <http://ex/SERVICE> 'SERVICE <http://evil/>' }") == []


def test_using_clauses_go_before_each_where() -> None:
    update = """PREFIX ex: <http://ex/>
    INSERT { GRAPH <http://out> { ?s a ex:T } } WHERE { ?s a ex:U } ;
    INSERT DATA { <http://a> <http://b> "WHERE { }" } ;
    DELETE { ?s ?p ?o } WHERE { ?s ?p ?o FILTER EXISTS { SELECT ?s WHERE { ?s ?p ?o } } }"""
    out = add_using_clauses(update, ["http://g1"], ["http://g2"])
    assert out.count("USING <http://g1> USING NAMED <http://g2> WHERE") == 2
    store = ox.Store()
    store.update(out)  # still valid SPARQL


def test_using_conflicts_and_delete_where() -> None:
    with pytest.raises(DatasetConflict, match="WITH"):
        add_using_clauses("WITH <http://g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", ["http://x"], [])
    with pytest.raises(DatasetConflict, match="USING"):
        add_using_clauses("DELETE { ?s ?p ?o } USING <http://g> WHERE { ?s ?p ?o }", [], ["http://x"])
    with pytest.raises(DatasetConflict, match="DELETE WHERE"):
        add_using_clauses("DELETE WHERE { ?s ?p ?o }", ["http://x"], [])
    assert add_using_clauses("CLEAR ALL", [], []) == "CLEAR ALL"


def test_insert_in_where() -> None:
    query = "SELECT ?x FROM <http://g> WHERE { ?x ?p ?o }"
    assert insert_in_where(query, "VALUES ?p { <http://p> }") == (
        "SELECT ?x FROM <http://g> WHERE { VALUES ?p { <http://p> }  ?x ?p ?o }"
    )


def test_service_targets_are_rewritten_only_in_service_clauses() -> None:
    from sparql_api.sparql_text import rewrite_service_targets

    query = ("PREFIX v: <http://v.example/> SELECT * WHERE { VALUES ?e { <http://v.example/sparql> } "
             "SERVICE SILENT <http://v.example/sparql> { ?s ?p ?o } SERVICE v:sparql { ?a ?b ?c } "
             "SERVICE <http://other.example/sparql> { ?x ?y ?z } }")
    rewritten = rewrite_service_targets(query, {"http://v.example/sparql": "http://127.0.0.1:9/service-proxy/0"})
    assert rewritten.count("<http://127.0.0.1:9/service-proxy/0>") == 2
    assert "VALUES ?e { <http://v.example/sparql> }" in rewritten
    assert "SERVICE <http://other.example/sparql>" in rewritten


@pytest.mark.parametrize(("text", "missing"), [
    ("SELECT * { ?s skos:x ?o }", ["skos"]),
    ("PREFIX skos: <http://s#> SELECT * { ?s skos:x ?o }", []),
    ("SELECT * { ?s :x ?o }", [""]),
    ("SELECT * { ?s <http://a/b:c> 'd:e' . _:b ?p ?o }", []),  # IRIs, strings and blank nodes are not prefixed
    ("SELECT * { ?s ex:a ?o . ?o ex:b xsd:int }", ["ex", "xsd"]),
])
def test_undeclared_prefixes_are_found_outside_iris_and_strings(text: str, missing: list[str]) -> None:
    assert undeclared_prefixes(text) == missing


def test_bound_iris_are_written_into_the_where_group_only() -> None:
    query = 'SELECT ?root ?s WHERE { ?root <http://p>* ?s . FILTER(?s != "?root") } ORDER BY ?root'
    assert inline_iris(query, {"root": "http://a"}) == (
        'SELECT ?root ?s WHERE { <http://a> <http://p>* ?s . FILTER(?s != "?root") } ORDER BY ?root')
    nested = "SELECT ?x WHERE { { SELECT ?root WHERE { ?root ?p ?x } } }"
    assert inline_iris(nested, {"root": "http://a"}) == nested  # a nested scope may reuse the name: untouched
    assert inline_iris(query, {}) == query
