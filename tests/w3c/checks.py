"""Checks shared by the W3C runners: is a response what the manifest expects, in a well-labelled format?"""

from __future__ import annotations

import pyoxigraph as ox
from server.live_server import Reply

from w3c.manifests import Expected

RESULT_TYPES = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
BOOLEAN_TYPES = ("application/sparql-results+json", "application/sparql-results+xml")
# The manifest says "RDF/XML, Turtle, N-Triples, RDFa"; the server's other RDF syntaxes are RDF as well.
RDF_TYPES = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/trig": ox.RdfFormat.TRIG,
    "application/n-quads": ox.RdfFormat.N_QUADS,
}


def status_matches(status: int, expected: set[str]) -> bool:
    return str(status) in expected or f"{status // 100}xx" in expected


def check_response(reply: Reply, expected: Expected, what: str) -> None:
    assert status_matches(reply.status, expected.statuses), (
        f"{what}: HTTP {reply.status}, expected {sorted(expected.statuses)}; body: {reply.body[:500]!r}"
    )
    content_type = reply.headers.get("content-type", "")
    if reply.body:
        assert "charset=utf-8" in content_type.lower(), f"{what}: Content-Type without charset: {content_type!r}"
    if reply.status >= 400:
        # The protocol only asks for a 4xx; the project also asks that every error names the problem.
        assert reply.media_type == "text/plain" and len(reply.text.strip()) > 10, f"{what}: no readable message"
    if expected.format == "boolean":
        assert reply.media_type in BOOLEAN_TYPES, f"{what}: boolean answer labelled {content_type!r}"
        result = ox.parse_query_results(reply.body, format=RESULT_TYPES[reply.media_type])
        assert isinstance(result, ox.QueryBoolean), f"{what}: not a boolean result: {reply.body[:200]!r}"
        if expected.boolean is not None:
            assert bool(result) is expected.boolean, f"{what}: ASK answered {bool(result)}, expected {expected.boolean}"
    elif expected.format == "tabular":
        assert reply.media_type in RESULT_TYPES, f"{what}: tabular answer labelled {content_type!r}"
        result = ox.parse_query_results(reply.body, format=RESULT_TYPES[reply.media_type])
        assert isinstance(result, ox.QuerySolutions), f"{what}: not a solution sequence"
        list(result)
    elif expected.format == "RDF":
        assert reply.media_type in RDF_TYPES, f"{what}: RDF answer labelled {content_type!r}"
        list(ox.parse(reply.body, format=RDF_TYPES[reply.media_type]))
