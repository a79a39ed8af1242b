"""The dataset description, the JSON-LD context and the downloads on a live server with the real data (#5)."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from rdflib import RDF, Graph, Namespace, URIRef
from rdflib.compare import isomorphic
from server.live_server import LiveServer

from sparql_api.dataset.context import SRKG, build_context
from sparql_api.dataset.export import exports_dir, point_latest, write_export
from sparql_api.store.oxigraph_store import OxigraphStore

BASE = "https://w3id.org/srkg/"
DATASET = URIRef(BASE + "dataset")
SPDX = Namespace("http://spdx.org/rdf/terms#")
# Plain namespaces (rdflib's DefinedNamespace objects warn when pytest inspects the module's globals).
DCAT = Namespace("http://www.w3.org/ns/dcat#")
DCTERMS = Namespace("http://purl.org/dc/terms/")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
VOID = Namespace("http://rdfs.org/ns/void#")
REPO = Path(__file__).resolve().parents[2]


def void_graph(site: LiveServer, accept: str = "text/turtle", fmt: str = "turtle") -> Graph:
    reply = site.request("GET", "/.well-known/void", headers={"Accept": accept})
    assert reply.status == 200, reply.text
    assert reply.media_type == accept
    return Graph().parse(data=reply.body, format=fmt)


def select(site: LiveServer, query: str) -> list[dict[str, str]]:
    reply = site.query(query, accept="application/sparql-results+json")
    assert reply.status == 200, reply.text
    return [{k: v["value"] for k, v in b.items()} for b in json.loads(reply.body)["results"]["bindings"]]


def local(site: LiveServer, url: str) -> str:
    parts = urlsplit(url)
    assert parts.netloc == site.authority, url
    return parts.path


def test_void_parses_and_describes_the_dataset(site: LiveServer) -> None:
    g = void_graph(site)
    assert (DATASET, RDF.type, VOID.Dataset) in g and (DATASET, RDF.type, DCAT.Dataset) in g
    assert g.value(DATASET, DCTERMS.license) == URIRef("https://creativecommons.org/licenses/by/4.0/")
    assert g.value(DATASET, VOID.sparqlEndpoint) == URIRef(site.url + "/sparql")
    vocabularies = {str(v) for v in g.objects(DATASET, VOID.vocabulary)}
    assert {SRKG, str(SKOS), str(DCTERMS)} <= vocabularies
    agrovoc = g.value(URIRef(BASE + "graph/agrovoc"), DCTERMS.rights)
    assert agrovoc is not None and "© FAO" in agrovoc
    # the same description in the other syntaxes
    for accept, fmt in (("application/ld+json", "json-ld"), ("application/rdf+xml", "xml")):
        assert isomorphic(void_graph(site, accept, fmt), g), accept
    assert site.request("GET", "/.well-known/void").media_type == "text/turtle"


def test_triples_per_graph_equal_sparql_counts(site: LiveServer) -> None:
    g = void_graph(site)
    declared = {str(s): int(g.value(s, VOID.triples)) for s in g.objects(DATASET, VOID.subset)
                if (s, RDF.type, VOID.Linkset) not in g}
    counted = {row["g"]: int(row["n"]) for row in
               select(site, "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")}
    assert declared == counted
    assert int(g.value(DATASET, VOID.triples)) == sum(counted.values())


def test_agrovoc_linkset_counts_the_links(site: LiveServer) -> None:
    g = void_graph(site)
    linksets = {g.value(s, VOID.linkPredicate): int(g.value(s, VOID.triples))
                for s in g.subjects(RDF.type, VOID.Linkset)}
    rows = select(site, """PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        SELECT (COUNT(*) AS ?n) WHERE { ?s skos:exactMatch ?o
        FILTER(STRSTARTS(STR(?o), "http://aims.fao.org/aos/agrovoc/")) }""")
    assert linksets[SKOS.exactMatch] == int(rows[0]["n"]) > 0
    assert all(g.value(s, VOID.objectsTarget) == URIRef("http://aims.fao.org/aos/agrovoc")
               for s in g.subjects(RDF.type, VOID.Linkset))


def test_distributions_resolve_and_the_endpoint_is_a_data_service(site: LiveServer) -> None:
    g = void_graph(site)
    services = list(g.subjects(RDF.type, DCAT.DataService))
    assert len(services) == 1 and g.value(services[0], DCAT.endpointURL) == URIRef(site.url + "/sparql")
    urls = [g.value(d, DCAT.accessURL) for d in g.objects(DATASET, DCAT.distribution)]
    assert URIRef(site.url + "/context.jsonld") in urls
    for url in urls:
        assert site.request("GET", local(site, str(url))).status == 200, url


def test_downloads_before_any_export(site: LiveServer) -> None:
    reply = site.request("GET", "/downloads/everything.nq.gz")
    assert reply.status == 404 and "srkg export" in reply.text


@pytest.fixture
def published(site: LiveServer, tmp_path: Path) -> Iterator[dict]:
    """An export (of a small store) published as the site's latest; unpublished afterwards."""
    store = OxigraphStore(tmp_path / "store")
    store.add_graph(BASE + "graph/examples", (REPO / "examples/cases/fra-metaleurop-phytener.ttl").read_bytes(),
                    "text/turtle")
    manifest = write_export(store, tmp_path / "export", base=BASE)
    store.close()
    point_latest(site.data_dir, tmp_path / "export")
    yield manifest
    (exports_dir(site.data_dir) / "latest").unlink()


def test_downloads_serve_the_latest_export(site: LiveServer, published: dict) -> None:
    g = void_graph(site)
    downloads = {str(u) for u in g.objects(None, DCAT.downloadURL)}
    assert g.value(DATASET, VOID.dataDump) == URIRef(site.url + "/downloads/everything.nq.gz")
    for item in published["files"]:
        url = f"{site.url}/downloads/{item['name']}"
        assert url in downloads
        reply = site.request("GET", local(site, url), headers={"Accept-Encoding": "identity"})
        assert reply.status == 200, item["name"]
        assert hashlib.sha256(reply.body).hexdigest() == item["sha256"], item["name"]
        node = next(g.subjects(DCAT.downloadURL, URIRef(url)))
        checksum = g.value(node, SPDX.checksum)
        assert str(g.value(checksum, SPDX.checksumValue)) == item["sha256"]
    sums = site.request("GET", "/downloads/SHA256SUMS")
    assert sums.status == 200 and len(sums.text.splitlines()) == len(published["files"])
    assert site.request("GET", "/downloads/..%2Fmanifest.json").status == 404
    assert site.request("GET", "/downloads/nothing.csv").status == 404
    page = site.request("GET", "/dataset?lang=en", headers={"Accept": "text/html"}).text
    assert 'href="/downloads/everything.nq.gz"' in page and published["files"][0]["sha256"] in page


def test_dataset_page_shows_licence_and_graph_sizes(site: LiveServer) -> None:
    reply = site.request("GET", "/dataset?lang=fr", headers={"Accept": "text/html"})
    assert reply.status == 200 and reply.media_type == "text/html"
    page = reply.text
    assert "creativecommons.org/licenses/by/4.0/" in page and "© FAO" in page and "Graphes nommés" in page
    sizes = dict(re.findall(r'<tr data-graph="([^"]+)">.*?data-triples="(\d+)"', page))
    counted = {row["g"]: row["n"] for row in
               select(site, "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")}
    assert sizes == counted
    machine = site.request("GET", "/dataset", headers={"Accept": "text/turtle"})
    assert machine.media_type == "text/turtle" and isomorphic(Graph().parse(data=machine.body), void_graph(site))


def test_context_is_served_and_covers_the_ontology(site: LiveServer) -> None:
    reply = site.request("GET", "/context.jsonld")
    assert reply.status == 200 and reply.media_type == "application/ld+json"
    served = json.loads(reply.body)["@context"]
    built = build_context(Graph().parse(REPO / "ontology" / "srkg.ttl"))["@context"]
    missing = sorted(set(built) - set(served))
    assert not missing, f"context.jsonld lacks {missing}; regenerate: python -m sparql_api.dataset.context"
    assert served["technology"] == {"@id": "srkg:technology", "@type": "@id"}
    assert served["prefLabel"]["@container"] == "@language"


CASES_QUERY = """PREFIX srkg: <https://w3id.org/srkg/ontology#>
SELECT ?case ?g WHERE { GRAPH ?g { ?case a srkg:CaseStudy } } ORDER BY ?case"""


def test_cases_round_trip_through_jsonld_with_the_context(site: LiveServer) -> None:
    rows = select(site, CASES_QUERY)
    by_graph: dict[str, str] = {}
    for row in rows:
        by_graph.setdefault(row["g"], row["case"])
    assert len(by_graph) >= 2, by_graph  # hand-modelled examples and an ingested submission graph
    context = json.loads(site.request("GET", "/context.jsonld").body)["@context"]
    for case in by_graph.values():
        reply = site.request("GET", local(site, site.url + "/" + case.removeprefix(BASE)) + ".ttl")
        assert reply.status == 200 and reply.media_type == "text/turtle", case
        original = Graph().parse(data=reply.body, format="turtle")
        assert len(original) > 5
        inline = original.serialize(format="json-ld", context=context)
        assert isomorphic(Graph().parse(data=inline, format="json-ld"), original), case
        # by reference to the published context (fetched from this server, as a client fetches {base}context.jsonld)
        document = json.loads(inline)
        document["@context"] = site.url + "/context.jsonld"
        assert '"pollutant"' in inline  # compacted with the context's terms, not full IRIs
        reparsed = Graph().parse(data=json.dumps(document), format="json-ld")
        assert isomorphic(reparsed, original), case
