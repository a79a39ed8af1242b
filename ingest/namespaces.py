"""Namespaces and IRI builders (design.md §3). The base IRI comes from ``SRKG_BASE_IRI``."""

from __future__ import annotations

import os

from rdflib import Namespace, URIRef

DEFAULT_BASE_IRI = "https://w3id.org/srkg/"


def base_iri() -> str:
    base = os.environ.get("SRKG_BASE_IRI", DEFAULT_BASE_IRI)
    return base if base.endswith("/") else base + "/"


# Terms of the ontology and the project's vocabularies always use the canonical base: they are
# published identifiers, not deployment details. Data IRIs follow the configured base.
SRKG = Namespace(DEFAULT_BASE_IRI + "ontology#")
VOCAB = Namespace(DEFAULT_BASE_IRI + "vocab/")
AGROVOC = Namespace("http://aims.fao.org/aos/agrovoc/")
OBO = Namespace("http://purl.obolibrary.org/obo/")
QUDT_UNIT = Namespace("http://qudt.org/vocab/unit/")
QUDT = Namespace("http://qudt.org/schema/qudt/")
WIKIDATA = Namespace("http://www.wikidata.org/entity/")
GEO = Namespace("http://www.opengis.net/ont/geosparql#")
SOSA = Namespace("http://www.w3.org/ns/sosa/")
SCHEMA = Namespace("https://schema.org/")


def scheme_iri(scheme: str) -> URIRef:
    """The IRI of one of the project's concept schemes, e.g. ``technology``."""
    return URIRef(f"{DEFAULT_BASE_IRI}vocab/{scheme}")


def concept_iri(scheme: str, notation: str) -> URIRef:
    return URIRef(f"{DEFAULT_BASE_IRI}vocab/{scheme}/{notation}")


def data_iri(kind: str, key: str) -> URIRef:
    """IRI of a data resource, e.g. ``data_iri('case', 'da-nang-airport-dioxin')``."""
    return URIRef(f"{base_iri()}id/{kind}/{key}")


def graph_iri(name: str) -> URIRef:
    """Named graph IRI: ``ontology``, ``vocab``, ``agrovoc``, ``countries`` or ``submission/{id}``."""
    return URIRef(f"{base_iri()}graph/{name}")
