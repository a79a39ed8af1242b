"""Content negotiation: odd Accept headers real clients send, the format parameter, 406, and correct labels."""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest

from server.live_server import LiveServer
from sparql_api.server.negotiation import NotAcceptable, UnknownFormat, negotiate

SELECT = (
    "SELECT ?l WHERE { <https://w3id.org/srkg/vocab/pollutant/cadmium> "
    "<http://www.w3.org/2004/02/skos/core#prefLabel> ?l }"
)
ASK = "ASK { ?s ?p ?o }"
CONSTRUCT = "CONSTRUCT WHERE { <https://w3id.org/srkg/vocab/pollutant/cadmium> ?p ?o }"
CHROME = (
    "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,"
    "application/signed-exchange;v=b3;q=0.7"
)
SPARQLWRAPPER_JSON = "application/sparql-results+json,application/json,text/javascript,application/javascript"
COMUNICA = "application/sparql-results+json;q=1.0,application/sparql-results+xml;q=0.7"


@pytest.mark.parametrize(
    ("kind", "accept", "fmt", "expected"),
    [
        ("select", None, None, "application/sparql-results+json"),
        ("select", "", None, "application/sparql-results+json"),
        ("select", "*/*", None, "application/sparql-results+json"),
        ("select", "*", None, "application/sparql-results+json"),
        ("select", CHROME, None, "application/sparql-results+json"),
        ("graph", CHROME, None, "text/turtle"),
        ("select", SPARQLWRAPPER_JSON, None, "application/sparql-results+json"),
        ("select", COMUNICA, None, "application/sparql-results+json"),
        ("select", "application/sparql-results+xml;q=0.5, */*;q=0.9", None, "application/sparql-results+json"),
        ("select", "text/csv;q=0.9, text/tab-separated-values", None, "text/tab-separated-values"),
        ("select", "text/*", None, "text/csv"),
        ("select", "application/json", None, "application/sparql-results+json"),
        ("select", "application/xml", None, "application/sparql-results+xml"),
        ("select", "application/sparql-results+json;q=0, */*", None, "application/sparql-results+xml"),
        ("select", "*/*;q=0.1", "csv", "text/csv"),  # a wildcard leaves the choice to format=
        ("select", "text/csv", "json", "text/csv"),  # a concrete Accept wins over format=
        ("select", None, "tsv", "text/tab-separated-values"),
        ("select", None, "application/sparql-results+xml", "application/sparql-results+xml"),
        ("ask", "application/sparql-results+xml", None, "application/sparql-results+xml"),
        ("graph", None, None, "text/turtle"),
        ("graph", "application/sparql-results+xml", None, "text/turtle"),  # roqet asks for results-XML
        ("select", "text/turtle", None, "application/sparql-results+json"),  # the reverse mix-up
        ("graph", "application/sparql-results+json,text/turtle", None, "text/turtle"),  # combined (vscode #56)
        ("select", "application/sparql-results+json,text/turtle", None, "application/sparql-results+json"),
        ("graph", "application/n-triples", None, "application/n-triples"),
        ("graph", "text/plain", None, "application/n-triples"),
        ("graph", "application/json", None, "application/ld+json"),
        ("graph", "application/*", None, "application/n-triples"),
        ("graph", "application/rdf+xml;q=0.3, application/ld+json;q=0.6", None, "application/ld+json"),
        ("graph", None, "jsonld", "application/ld+json"),
        ("graph", None, "json", "application/ld+json"),  # SPARQLWrapper's JSON for a CONSTRUCT
        ("graph", None, "nt", "application/n-triples"),
        ("graph", None, "rdf", "application/rdf+xml"),
        ("graph", None, "trig", "application/trig"),
        ("graph", None, "nq", "application/n-quads"),
        ("graph", None, "turtle", "text/turtle"),
    ],
)
def test_negotiate(kind: str, accept: str | None, fmt: str | None, expected: str) -> None:
    assert negotiate(kind, accept, fmt) == expected


def test_unsatisfiable_accept_lists_the_offers() -> None:
    with pytest.raises(NotAcceptable) as error:
        negotiate("select", "image/png", None)
    for offer in ("application/sparql-results+json", "text/csv", "text/tab-separated-values"):
        assert offer in str(error.value)


def test_unknown_format_names_the_choices() -> None:
    with pytest.raises(UnknownFormat, match="csv, tsv"):
        negotiate("select", None, "pdf")
    with pytest.raises(UnknownFormat, match="ttl, nt"):
        negotiate("graph", None, "csv")


RESULT_PARSERS = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}


@pytest.mark.parametrize(
    ("fmt", "media"),
    [
        ("json", "application/sparql-results+json"),
        ("xml", "application/sparql-results+xml"),
        ("csv", "text/csv"),
        ("tsv", "text/tab-separated-values"),
    ],
)
def test_select_every_format_over_http(server: LiveServer, fmt: str, media: str) -> None:
    for reply in (server.query(SELECT, format=fmt), server.query(SELECT, accept=media)):
        assert reply.status == 200
        assert reply.headers["content-type"] == f"{media}; charset=utf-8"
        if media == "text/csv":  # lossy by design: plain values, CRLF line ends (SPARQL 1.1 CSV/TSV §3)
            lines = reply.body.decode("utf-8").split("\r\n")
            assert lines[0] == "l" and lines[-1] == "" and set(lines[1:-1]) == {"cadmium", "كادميوم"}
            continue
        solutions = ox.parse_query_results(reply.body, format=RESULT_PARSERS[media])
        values = {s["l"].value for s in solutions}
        assert values == {"cadmium", "كادميوم"}


@pytest.mark.parametrize(
    ("fmt", "media", "rdf_format"),
    [
        ("ttl", "text/turtle", ox.RdfFormat.TURTLE),
        ("nt", "application/n-triples", ox.RdfFormat.N_TRIPLES),
        ("rdf", "application/rdf+xml", ox.RdfFormat.RDF_XML),
        ("jsonld", "application/ld+json", ox.RdfFormat.JSON_LD),
        ("trig", "application/trig", ox.RdfFormat.TRIG),
        ("nq", "application/n-quads", ox.RdfFormat.N_QUADS),
    ],
)
def test_construct_every_format_over_http(server: LiveServer, fmt: str, media: str, rdf_format: ox.RdfFormat) -> None:
    for reply in (server.query(CONSTRUCT, format=fmt), server.query(CONSTRUCT, accept=media)):
        assert reply.status == 200
        assert reply.headers["content-type"] == f"{media}; charset=utf-8"
        triples = list(ox.parse(reply.body, format=rdf_format))
        labels = {q.object.value for q in triples if q.predicate.value.endswith("#prefLabel")}
        assert labels == {"cadmium", "كادميوم"}


@pytest.mark.parametrize("accept", [None, "*/*", CHROME, SPARQLWRAPPER_JSON, COMUNICA, "application/json"])
def test_ask_defaults_to_json(server: LiveServer, accept: str | None) -> None:
    reply = server.query(ASK, accept)
    assert reply.status == 200 and reply.media_type == "application/sparql-results+json"
    assert json.loads(reply.body)["boolean"] is True


def test_roqet_style_accept_for_construct_gets_turtle(server: LiveServer) -> None:
    reply = server.query(CONSTRUCT, "application/sparql-results+xml")
    assert reply.status == 200 and reply.media_type == "text/turtle"


def test_406_over_http_lists_offers(server: LiveServer) -> None:
    reply = server.query(SELECT, "image/png")
    assert reply.status == 406
    assert reply.media_type == "text/plain" and "text/csv" in reply.text


def test_bad_format_is_400(server: LiveServer) -> None:
    reply = server.query(SELECT, format="pdf")
    assert reply.status == 400 and "format='pdf'" in reply.text


def test_sparqlwrapper_extra_parameters_are_understood(server: LiveServer) -> None:
    reply = server.query(SELECT, "application/sparql-results+xml", output="xml", results="xml")
    assert reply.status == 200 and reply.media_type == "application/sparql-results+xml"


def test_service_description_is_negotiated(server: LiveServer) -> None:
    for accept, media in [
        (None, "text/turtle"),
        ("application/ld+json", "application/ld+json"),
        ("application/rdf+xml", "application/rdf+xml"),
        ("text/plain", "application/n-triples"),
    ]:
        reply = server.request("GET", "/sparql", headers={"Accept": accept} if accept else {})
        assert reply.status == 200 and reply.media_type == media
    browser = server.request("GET", "/sparql", headers={"Accept": CHROME})
    assert browser.status == 303 and browser.headers["location"] == "/query"


def test_vary_accept_is_sent(server: LiveServer) -> None:
    assert "Accept" in server.query(SELECT).headers.get("vary", "")
