"""The dataset's description in VoID and DCAT (DCAT-AP style), built from the store and the latest export.

``{base}dataset`` is a ``void:Dataset`` and ``dcat:Dataset`` with one ``void:subset`` per named graph (its size
and licence), the vocabularies its predicates and classes come from, a ``void:Linkset`` to AGROVOC counting the
``skos:exactMatch``/``skos:closeMatch`` links, and DCAT distributions: the SPARQL endpoint (a
``dcat:DataService``), the dumps of the latest export (with checksums) and the JSON-LD context. Addresses of
things this server serves (endpoint, downloads) are built from ``server`` (the URL the client used).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from rdflib import RDF, XSD, BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, SKOS, VOID

from sparql_api.dataset import licences
from sparql_api.store.base import Store

SPDX = Namespace("http://spdx.org/rdf/terms#")
IANA = "https://www.iana.org/assignments/media-types/"
TITLE = "SRKG, the Soil Remediation Knowledge Graph"
DESCRIPTION = ("Linked open data on sustainable soil-pollution remediation: case studies (sites, pollutants, "
               "technologies applied, outcomes, costs), the technologies themselves, sustainability criteria, "
               "barriers and a remediation action-plan checklist, linked to AGROVOC.")
KEYWORDS = ("soil pollution", "remediation", "nature-based solutions", "phytoremediation", "AGROVOC")
# Namespaces too generic to list as vocabularies "used" (RDF itself).
SKIP_VOCABULARIES = {str(RDF)}

LINK_COUNT_QUERY = """PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?p (COUNT(*) AS ?n) WHERE {
  VALUES ?p { skos:exactMatch skos:closeMatch }
  ?s ?p ?o . FILTER(STRSTARTS(STR(?o), STR(?target)))
} GROUP BY ?p"""
PREDICATES_QUERY = "SELECT DISTINCT ?p WHERE { ?s ?p ?o }"
CLASSES_QUERY = "SELECT DISTINCT ?c WHERE { ?s a ?c }"
EXAMPLE_QUERY = """PREFIX srkg: <https://w3id.org/srkg/ontology#>
SELECT ?case WHERE { ?case a srkg:CaseStudy . FILTER(STRSTARTS(STR(?case), STR(?space))) } ORDER BY ?case LIMIT 1"""


@dataclass(frozen=True)
class Facts:
    """What the description says about the data (computed once per data change)."""

    graphs: dict[str, int]
    vocabularies: tuple[str, ...]
    links: dict[str, int]  # predicate IRI → links into AGROVOC
    example: str | None


def namespace_of(iri: str) -> str:
    cut = max(iri.rfind("#"), iri.rfind("/"))
    return iri[: cut + 1] if cut > 0 else iri


def collect_facts(store: Store, base: str) -> Facts:
    rows = store.select(PREDICATES_QUERY) + store.select(CLASSES_QUERY)
    used = {namespace_of(str(node)) for row in rows for node in row.values() if isinstance(node, URIRef)}
    vocabularies = tuple(sorted(used - SKIP_VOCABULARIES - {base + "id/"}))
    links = {
        str(row["p"]): int(row["n"].toPython())
        for row in store.select(LINK_COUNT_QUERY, {"target": Literal(licences.AGROVOC_NS)})
    }
    example = store.select(EXAMPLE_QUERY, {"space": Literal(base + "id/")})
    return Facts(store.stats(), vocabularies, links, str(example[0]["case"]) if example else None)


def _int(value: int) -> Literal:
    return Literal(value, datatype=XSD.integer)


def describe(facts: Facts, *, base: str, server: str, export: Mapping[str, Any] | None) -> Graph:
    """The VoID + DCAT graph; ``export`` is the latest export's manifest (None when there is none)."""
    g = Graph()
    for prefix, ns in (("void", VOID), ("dcat", DCAT), ("dcterms", DCTERMS), ("foaf", FOAF), ("spdx", SPDX),
                       ("skos", SKOS)):
        g.bind(prefix, ns)
    dataset = URIRef(base + "dataset")
    catalog, service = URIRef(base + "dataset#catalog"), URIRef(base + "dataset#sparql-service")
    endpoint, data_licence = URIRef(server + "/sparql"), URIRef(licences.DATA.licence)
    g.add((catalog, RDF.type, DCAT.Catalog))
    g.add((catalog, DCTERMS.title, Literal(f"{TITLE}: catalogue", lang="en")))
    g.add((catalog, DCTERMS.description, Literal("The SRKG dataset and its SPARQL service.", lang="en")))
    g.add((catalog, DCAT.dataset, dataset))
    g.add((catalog, DCAT.service, service))
    g.add((catalog, FOAF.homepage, URIRef(server + "/dataset")))
    for t in (VOID.Dataset, DCAT.Dataset):
        g.add((dataset, RDF.type, t))
    g.add((dataset, DCTERMS.title, Literal(TITLE, lang="en")))
    g.add((dataset, DCTERMS.description, Literal(DESCRIPTION, lang="en")))
    g.add((dataset, DCTERMS.license, data_licence))
    g.add((dataset, DCTERMS.rights, Literal(licences.DATA.rights, lang="en")))
    for keyword in KEYWORDS:
        g.add((dataset, DCAT.keyword, Literal(keyword, lang="en")))
    g.add((dataset, FOAF.homepage, URIRef(server + "/dataset")))
    g.add((dataset, DCAT.landingPage, URIRef(server + "/dataset")))
    g.add((dataset, VOID.sparqlEndpoint, endpoint))
    g.add((dataset, VOID.uriSpace, Literal(base + "id/")))
    g.add((dataset, VOID.triples, _int(sum(facts.graphs.values()))))
    if facts.example:
        g.add((dataset, VOID.exampleResource, URIRef(facts.example)))
    for vocabulary in facts.vocabularies:
        g.add((dataset, VOID.vocabulary, URIRef(vocabulary)))
    for source, note in licences.ECONOMIC_SOURCES:
        node = BNode()
        g.add((dataset, DCTERMS.source, node))
        g.add((node, FOAF.page, URIRef(source)))
        g.add((node, DCTERMS.bibliographicCitation, Literal(note, lang="en")))
    _subsets(g, dataset, facts.graphs, base)
    _linkset(g, dataset, facts.links, base)
    _service(g, dataset, service, endpoint)
    _distributions(g, dataset, service, endpoint, server, base, export)
    return g


def _subsets(g: Graph, dataset: URIRef, graphs: Mapping[str, int], base: str) -> None:
    for iri, size in sorted(graphs.items()):
        subset = URIRef(iri)
        who = licences.attribution_for(iri, base)
        g.add((dataset, VOID.subset, subset))
        g.add((subset, RDF.type, VOID.Dataset))
        g.add((subset, VOID.triples, _int(size)))
        g.add((subset, DCTERMS.license, URIRef(who.licence)))
        g.add((subset, DCTERMS.rights, Literal(who.rights, lang="en")))
        if who.holder:
            g.add((subset, DCTERMS.rightsHolder, URIRef(who.holder)))


def _linkset(g: Graph, dataset: URIRef, links: Mapping[str, int], base: str) -> None:
    agrovoc = URIRef(licences.AGROVOC_HOME)
    g.add((agrovoc, RDF.type, VOID.Dataset))
    g.add((agrovoc, DCTERMS.title, Literal("AGROVOC Multilingual Thesaurus", lang="en")))
    g.add((agrovoc, VOID.sparqlEndpoint, URIRef(licences.AGROVOC_ENDPOINT)))
    g.add((agrovoc, VOID.uriSpace, Literal(licences.AGROVOC_NS)))
    g.add((agrovoc, DCTERMS.license, URIRef(licences.AGROVOC.licence)))
    for predicate, count in sorted(links.items()):
        name = predicate.rsplit("#", 1)[-1]
        linkset = URIRef(f"{base}dataset#agrovoc-{name}")
        g.add((dataset, VOID.subset, linkset))
        g.add((linkset, RDF.type, VOID.Linkset))
        g.add((linkset, VOID.linkPredicate, URIRef(predicate)))
        g.add((linkset, VOID.subjectsTarget, dataset))
        g.add((linkset, VOID.objectsTarget, agrovoc))
        g.add((linkset, VOID.triples, _int(count)))


def _service(g: Graph, dataset: URIRef, service: URIRef, endpoint: URIRef) -> None:
    g.add((service, RDF.type, DCAT.DataService))
    g.add((service, DCTERMS.title, Literal("SRKG SPARQL 1.1 endpoint", lang="en")))
    g.add((service, DCAT.endpointURL, endpoint))
    g.add((service, DCAT.endpointDescription, endpoint))
    g.add((service, DCAT.servesDataset, dataset))
    g.add((service, DCTERMS.conformsTo, URIRef("https://www.w3.org/TR/sparql11-protocol/")))
    g.add((service, DCTERMS.license, URIRef(licences.DATA.licence)))


def _distribution(g: Graph, dataset: URIRef, node: URIRef, title: str, media: str, url: URIRef,
                  *, download: bool) -> None:
    g.add((dataset, DCAT.distribution, node))
    g.add((node, RDF.type, DCAT.Distribution))
    g.add((node, DCTERMS.title, Literal(title, lang="en")))
    g.add((node, DCAT.mediaType, URIRef(IANA + media)))
    g.add((node, DCAT.accessURL, url))
    if download:
        g.add((node, DCAT.downloadURL, url))
    g.add((node, DCTERMS.license, URIRef(licences.DATA.licence)))


def _distributions(g: Graph, dataset: URIRef, service: URIRef, endpoint: URIRef, server: str, base: str,
                   export: Mapping[str, Any] | None) -> None:
    sparql = URIRef(base + "dataset#distribution-sparql")
    _distribution(g, dataset, sparql, "SPARQL endpoint", "application/sparql-results+json", endpoint,
                  download=False)
    g.add((sparql, DCAT.accessService, service))
    context = URIRef(base + "dataset#distribution-context")
    _distribution(g, dataset, context, "JSON-LD context for SRKG data", "application/ld+json",
                  URIRef(server + "/context.jsonld"), download=True)
    g.add((context, DCTERMS.conformsTo, URIRef("https://www.w3.org/TR/json-ld11/")))
    if not export:
        return
    issued = Literal(export["created"], datatype=XSD.dateTime)
    g.add((dataset, DCTERMS.modified, issued))
    for item in export["files"]:
        node = URIRef(f"{base}dataset#download-{item['name']}")
        url = URIRef(f"{server}/downloads/{item['name']}")
        _distribution(g, dataset, node, item["description"], item["media_type"], url, download=True)
        g.add((node, DCTERMS.issued, issued))
        g.add((node, DCAT.byteSize, Literal(item["bytes"], datatype=XSD.nonNegativeInteger)))
        checksum = BNode()
        g.add((node, SPDX.checksum, checksum))
        g.add((checksum, RDF.type, SPDX.Checksum))
        g.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
        g.add((checksum, SPDX.checksumValue, Literal(item["sha256"], datatype=XSD.hexBinary)))
        if item["name"].endswith(".nq.gz"):
            g.add((dataset, VOID.dataDump, url))
            g.add((node, DCAT.compressFormat, URIRef(IANA + "application/gzip")))
