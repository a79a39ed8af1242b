"""A resource's description as an RDF document: Turtle, JSON-LD, RDF/XML or N-Triples, with readable prefixes.

Besides the usual vocabularies (srkg, skos, dcterms, prov, geo, qudt ``unit:``, AGROVOC…), the kinds of data
(``case:``, ``site:``, ``step:``…) and the project's concept schemes (``technology:``, ``pollutant:``…) found
in the description get a prefix of their own, so ``case:x srkg:site site:x`` reads as it means.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from rdflib import Graph, Literal, URIRef

from sparql_api.web.resource_data import Triple
from sparql_api.web.resource_negotiation import DocumentFormat

PREFIXES: dict[str, str] = {
    "srkg": "https://w3id.org/srkg/ontology#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "prov": "http://www.w3.org/ns/prov#",
    "geo": "http://www.opengis.net/ont/geosparql#",
    "qudt": "http://qudt.org/schema/qudt/",
    "unit": "http://qudt.org/vocab/unit/",
    "sosa": "http://www.w3.org/ns/sosa/",
    "schema": "https://schema.org/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "vann": "http://purl.org/vocab/vann/",
    "void": "http://rdfs.org/ns/void#",
    "dcat": "http://www.w3.org/ns/dcat#",
    "sh": "http://www.w3.org/ns/shacl#",
    "agrovoc": "http://aims.fao.org/aos/agrovoc/",
    "obo": "http://purl.obolibrary.org/obo/",
    "wd": "http://www.wikidata.org/entity/",
    "geonames": "http://sws.geonames.org/",
}

_RDFLIB_FORMATS = {"ttl": "turtle", "jsonld": "json-ld", "rdf": "xml", "nt": "nt"}
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9-]*$")


def data_prefixes(iris: Iterable[str], bases: Iterable[str]) -> dict[str, str]:
    """``case`` → ``{base}id/case/``, ``technology`` → ``{base}vocab/technology/`` for the IRIs given."""
    found: dict[str, str] = {}
    bases = tuple(bases)
    for iri in iris:
        for base in bases:
            if not iri.startswith(base):
                continue
            parts = iri[len(base):].split("/")
            if len(parts) == 3 and parts[0] in ("id", "vocab") and _NAME.match(parts[1]):
                name = parts[1]
                if name not in PREFIXES and name not in found:
                    found[name] = f"{base}{parts[0]}/{name}/"
    return found


def to_graph(triples: Iterable[Triple], bases: Iterable[str]) -> Graph:
    graph = Graph(bind_namespaces="none")
    for triple in triples:
        graph.add(triple)
    iris = {str(node) for triple in graph for node in triple if isinstance(node, URIRef)}
    for prefix, namespace in {**PREFIXES, **data_prefixes(sorted(iris), bases)}.items():
        graph.bind(prefix, namespace, override=True, replace=True)
    return graph


def serialize(triples: Iterable[Triple], fmt: DocumentFormat, bases: Iterable[str]) -> bytes:
    """The triples in ``fmt`` (one of the RDF formats) as UTF-8 bytes."""
    graph = to_graph(triples, bases)
    name = _RDFLIB_FORMATS[fmt.suffix]
    if name == "json-ld":
        used = {str(node) for triple in graph for node in triple if isinstance(node, URIRef)}
        used |= {str(o.datatype) for _, _, o in graph if isinstance(o, Literal) and o.datatype is not None}
        context = {prefix: str(ns) for prefix, ns in graph.namespaces()
                   if any(iri.startswith(str(ns)) for iri in used)}
        text = graph.serialize(format=name, context=context, auto_compact=True)
    else:
        text = graph.serialize(format=name)
    return text.encode("utf-8")
