"""W3C SPARQL 1.1 Service Description tests (tests/w3c/service-description/manifest.ttl), all 3.

The manifest names the tests only; what each checks is taken from its name and the SD Recommendation:
returns-rdf — GET on the endpoint (no query) answers RDF, in every RDF syntax the server offers;
has-endpoint-triple — the description has ``?service sd:endpoint <the URL we fetched>``;
conforms-to-schema — every sd: term used is defined, and every sd: property's subject and object have the
domain and range the vocabulary gives (sd-schema.ttl, with rdfs:subClassOf closure).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import RDF, RDFS, BNode, Graph, Literal, Namespace, URIRef
from server.live_server import LiveServer

from w3c.checks import RDF_TYPES
from w3c.manifests import service_description_tests

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
SCHEMA = Path(__file__).parent / "service-description" / "sd-schema.ttl"
RDFLIB_FORMATS = {
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "application/rdf+xml": "xml",
    "application/ld+json": "json-ld",
    "application/trig": "trig",
    "application/n-quads": "nquads",
}


def fetch_description(server: LiveServer, accept: str | None = "text/turtle") -> Graph:
    reply = server.request("GET", "/sparql", headers={"Accept": accept} if accept else {})
    assert reply.status == 200, reply.text
    assert reply.media_type in RDF_TYPES, reply.headers
    graph = Graph()
    graph.parse(data=reply.body, format=RDFLIB_FORMATS[reply.media_type])
    return graph


def test_manifest_lists_three_tests() -> None:
    assert [name for name, _ in service_description_tests()] == [
        "has-endpoint-triple",
        "returns-rdf",
        "conforms-to-schema",
    ]


def check_returns_rdf(server: LiveServer) -> None:
    for accept in [None, "*/*", *RDFLIB_FORMATS]:
        graph = fetch_description(server, accept)
        assert (None, RDF.type, SD.Service) in graph, f"Accept {accept}: no sd:Service"


def check_has_endpoint_triple(server: LiveServer) -> None:
    graph = fetch_description(server)
    endpoint = URIRef(server.url + "/sparql")
    services = list(graph.subjects(SD.endpoint, endpoint))
    assert services, f"no sd:endpoint <{endpoint}> in {sorted(graph.objects(None, SD.endpoint))}"
    assert all((s, RDF.type, SD.Service) in graph for s in services)


def _types(node: object, graph: Graph, schema: Graph) -> set[URIRef]:
    direct = set(graph.objects(node, RDF.type)) | set(schema.objects(node, RDF.type))
    closed = set(direct)
    frontier = list(direct)
    while frontier:
        for parent in schema.objects(frontier.pop(), RDFS.subClassOf):
            if parent not in closed:
                closed.add(parent)
                frontier.append(parent)
    return closed


def schema_problems(graph: Graph) -> list[str]:
    schema = Graph().parse(SCHEMA, format="turtle")
    problems = []
    for s, p, o in graph:
        if p == RDF.type and str(o).startswith(str(SD)) and (o, RDF.type, RDFS.Class) not in schema:
            problems.append(f"{o} is not an sd: class")
        if not str(p).startswith(str(SD)):
            continue
        if (p, RDF.type, RDF.Property) not in schema:
            problems.append(f"{p} is not an sd: property")
            continue
        for domain in schema.objects(p, RDFS.domain):
            if domain not in _types(s, graph, schema):
                problems.append(f"subject of {p} is not a {domain}")
        for range_ in schema.objects(p, RDFS.range):
            if range_ == RDFS.Resource:
                if not isinstance(o, URIRef | BNode):
                    problems.append(f"object of {p} must be a resource, got {o!r}")
            elif isinstance(o, Literal) or range_ not in _types(o, graph, schema):
                problems.append(f"object {o} of {p} is not a {range_}")
    return problems


def check_conforms_to_schema(server: LiveServer) -> None:
    problems = schema_problems(fetch_description(server))
    assert not problems, "\n".join(problems)


def test_schema_check_reports_a_broken_description() -> None:
    """The checker itself can fail: wrong domain, wrong range, unknown term."""
    broken = Graph().parse(
        data="""@prefix sd: <http://www.w3.org/ns/sparql-service-description#> .
        <http://x/s> a sd:Service ; sd:supportedLanguage sd:SPARQL12Query ; sd:endpont <http://x/s> .
        <http://x/d> sd:defaultGraph "not a graph" .""",
        format="turtle",
    )
    problems = schema_problems(broken)
    assert any("sd:endpont" in p or "endpont" in p for p in problems)
    assert any("SPARQL12Query" in p for p in problems)
    assert any("subject of" in p and "defaultGraph" in p for p in problems)


CHECKS = {
    "returns-rdf": check_returns_rdf,
    "has-endpoint-triple": check_has_endpoint_triple,
    "conforms-to-schema": check_conforms_to_schema,
}


@pytest.mark.parametrize("name", [name for name, _ in service_description_tests()])
def test_service_description(w3c_server: LiveServer, name: str) -> None:
    CHECKS[name](w3c_server)
