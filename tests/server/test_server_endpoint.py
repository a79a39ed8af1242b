"""The /sparql endpoint beyond the W3C suite: datasets and the union default graph, errors that name the
problem, CORS, the SERVICE allow-list, and the Graph Store Protocol's error answers."""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest

from server.live_server import LiveServer

AGROVOC_GRAPH = "https://w3id.org/srkg/graph/agrovoc"
VOCAB_GRAPH = "https://w3id.org/srkg/graph/vocab"
CADMIUM_AGROVOC = "<http://aims.fao.org/aos/agrovoc/c_1178>"  # in the AGROVOC subset
CADMIUM_SRKG = "<https://w3id.org/srkg/vocab/pollutant/cadmium>"  # in the test vocabulary


def ask(server: LiveServer, query: str, **params: str) -> bool:
    reply = server.query(query, **params)
    assert reply.status == 200, reply.text
    return json.loads(reply.body)["boolean"]


def test_default_graph_is_the_union_of_all_graphs(server: LiveServer) -> None:
    assert ask(server, f"ASK {{ {CADMIUM_AGROVOC} ?p ?o . {CADMIUM_SRKG} ?q ?r }}")


def test_protocol_dataset_replaces_the_union(server: LiveServer) -> None:
    only_agrovoc = {"default-graph-uri": AGROVOC_GRAPH}
    assert ask(server, f"ASK {{ {CADMIUM_AGROVOC} ?p ?o }}", **only_agrovoc)
    assert not ask(server, f"ASK {{ {CADMIUM_SRKG} ?p ?o }}", **only_agrovoc)
    # named-graph-uri alone: the named graphs are just those, the default graph is empty
    reply = server.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", **{"named-graph-uri": VOCAB_GRAPH})
    assert [b["g"]["value"] for b in json.loads(reply.body)["results"]["bindings"]] == [VOCAB_GRAPH]
    assert not ask(server, "ASK { ?s ?p ?o }", **{"named-graph-uri": VOCAB_GRAPH})


def test_from_in_the_query_is_respected(server: LiveServer) -> None:
    assert ask(server, f"ASK FROM <{AGROVOC_GRAPH}> {{ {CADMIUM_AGROVOC} ?p ?o }}")
    assert not ask(server, f"ASK FROM <{AGROVOC_GRAPH}> {{ {CADMIUM_SRKG} ?p ?o }}")


def test_rdflib_default_graph_name_means_the_union(server: LiveServer) -> None:
    assert ask(server, f"ASK {{ {CADMIUM_SRKG} ?p ?o }}", **{"default-graph-uri": "urn:x-rdflib:default"})


def test_relative_iris_resolve_against_the_endpoint(server: LiveServer) -> None:
    reply = server.query("SELECT ?x WHERE { BIND(<thing> AS ?x) }")
    assert json.loads(reply.body)["results"]["bindings"][0]["x"]["value"] == server.url + "/thing"


def test_syntax_error_names_line_and_column(server: LiveServer) -> None:
    """Positions are the parser's own (pyoxigraph counts the column after the last good token), unshifted by
    the BASE the server puts in front of the query."""
    reply = server.query("SELECT ?s\nWHERE { ?s ?p }")
    assert reply.status == 400 and reply.media_type == "text/plain"
    assert reply.text.startswith("SPARQL syntax error: line 2, column 16: expected one of"), reply.text
    first_line = server.query("SELECT ?s WHERE { ?s ?p }")
    assert first_line.text.startswith("SPARQL syntax error: line 1, column 26:"), first_line.text


def test_an_undeclared_prefix_is_named_next_to_the_parsers_words(server: LiveServer) -> None:
    reply = server.query("PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
                         "SELECT ?s WHERE { ?s skos:prefLabel ?l ; srkg:site ?x FILTER(?l = 'a:b') }")
    assert reply.status == 400 and reply.text.startswith("SPARQL syntax error: line 2"), reply.text
    assert "srkg: used but not declared (add PREFIX srkg: <…> at the top)" in reply.text
    assert "skos:" not in reply.text.split("—")[-1] and "'a:'" not in reply.text


def test_update_sent_as_query_is_explained(server: LiveServer) -> None:
    reply = server.query("INSERT DATA { <http://a> <http://b> 1 }")
    assert reply.status == 400 and "update, not a query" in reply.text


def test_missing_query_in_post_is_400(server: LiveServer) -> None:
    reply = server.request("POST", "/sparql", "format=json", {"Content-Type": "application/x-www-form-urlencoded"})
    assert reply.status == 400 and "neither a query nor an update" in reply.text


def test_invalid_dataset_iri_is_400(server: LiveServer) -> None:
    reply = server.query("ASK {}", **{"default-graph-uri": "not an iri"})
    assert reply.status == 400 and "not an absolute IRI" in reply.text


def test_service_allow_list(server: LiveServer) -> None:
    blocked = server.query("SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }")
    assert blocked.status == 403 and "allow-list" in blocked.text and "agrovoc.fao.org" in blocked.text
    variable = server.query("SELECT * WHERE { SERVICE ?endpoint { ?s ?p ?o } }")
    assert variable.status == 400 and "variable" in variable.text


def test_service_allow_list_applies_to_updates(server: LiveServer) -> None:
    update = (
        "INSERT { GRAPH <http://test.example/ssrf> { ?s ?p ?o } } "
        "WHERE { SERVICE <http://169.254.169.254/sparql> { ?s ?p ?o } }"
    )
    reply = server.update(update)
    assert reply.status == 403 and "allow-list" in reply.text
    assert not ask(server, "ASK { GRAPH <http://test.example/ssrf> { ?s ?p ?o } }")


def test_cors_simple_and_preflight(server: LiveServer) -> None:
    reply = server.request("GET", "/sparql?query=ASK%7B%7D", headers={"Origin": "https://app.example"})
    assert reply.headers.get("access-control-allow-origin") == "*"
    preflight = server.request(
        "OPTIONS",
        "/sparql",
        headers={
            "Origin": "https://app.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type",
        },
    )
    assert preflight.status == 200
    assert preflight.headers["access-control-allow-origin"] == "*"
    assert "POST" in preflight.headers["access-control-allow-methods"]
    assert "authorization" in preflight.headers["access-control-allow-headers"].lower()


def test_errors_are_plain_text_with_charset(server: LiveServer) -> None:
    for reply in (
        server.request("GET", "/no/such/page"),
        server.request("PATCH", "/sparql"),
        server.query("ASK {"),
    ):
        assert reply.status >= 400
        assert reply.headers["content-type"] == "text/plain; charset=utf-8"
        assert len(reply.text) > 10


# --- Graph Store Protocol error answers ------------------------------------------------------------
def gsp(graph: str) -> str:
    return "/rdf-graph-store?graph=" + quote(graph, safe="")


def test_gsp_missing_graph_is_404(server: LiveServer) -> None:
    reply = server.request("GET", gsp("http://test.example/none"))
    assert reply.status == 404 and "http://test.example/none" in reply.text


def test_gsp_unparseable_body_is_400_with_line(server: LiveServer) -> None:
    body = "@prefix ex: <http://test.example/> .\nex:a ex:b ex:c .\nex:a ex:b .\n"
    reply = server.request(
        "PUT", gsp("http://test.example/bad"), body, {"Content-Type": "text/turtle", **server.auth()}
    )
    assert reply.status == 400
    assert "line 3" in reply.text
    assert server.request("GET", gsp("http://test.example/bad")).status == 404  # nothing written


def test_gsp_unknown_content_type_is_415(server: LiveServer) -> None:
    for content_type in ("application/pdf", "application/n-quads", ""):
        headers = {**server.auth(), **({"Content-Type": content_type} if content_type else {})}
        reply = server.request("PUT", gsp("http://test.example/x"), "<http://a> <http://b> 1 .", headers)
        assert reply.status == 415, content_type
        assert "text/turtle" in reply.text


@pytest.mark.parametrize("content_type", ["application/ld+json", "application/rdf+xml", "application/n-triples"])
def test_gsp_round_trip_in_other_syntaxes(server: LiveServer, content_type: str) -> None:
    import pyoxigraph as ox

    triples = [
        ox.Triple(ox.NamedNode("http://test.example/s"), ox.NamedNode("http://test.example/p"), ox.Literal("é ü"))
    ]
    fmt = ox.RdfFormat.from_media_type(content_type)
    graph = f"http://test.example/rt-{fmt.file_extension}"
    put = server.request(
        "PUT", gsp(graph), ox.serialize(triples, format=fmt), {"Content-Type": content_type, **server.auth()}
    )
    assert put.status == 201
    got = server.request("GET", gsp(graph), headers={"Accept": content_type})
    assert got.status == 200 and got.media_type == content_type
    assert [t.triple for t in ox.parse(got.body, format=fmt)] == triples
    assert server.request("DELETE", gsp(graph), headers=server.auth()).status == 200


def test_gsp_graph_and_default_together_is_400(server: LiveServer) -> None:
    reply = server.request("GET", "/rdf-graph-store?default&graph=http://test.example/x")
    assert reply.status == 400 and "not both" in reply.text


def test_gsp_store_itself_needs_a_graph_for_get(server: LiveServer) -> None:
    reply = server.request("GET", "/rdf-graph-store")
    assert reply.status == 400 and "?graph=IRI" in reply.text
