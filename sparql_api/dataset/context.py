"""The JSON-LD ``@context`` for SRKG data, published at ``{base}context.jsonld`` (file ``context.jsonld`` here).

Built from the ontology: every class is a term; object properties coerce to IRIs (``"@type": "@id"``); datatype
properties with an XSD range coerce to it; SKOS labels and titles are language maps. Values that do not fit a
term's coercion (another datatype, an untagged label) stay exact: JSON-LD writers fall back to the full IRI, so
a graph written with this context and read back is isomorphic to the original. Regenerate the file after the
ontology changes with ``python -m sparql_api.dataset.context``.
"""

from __future__ import annotations

import json
import sys
from functools import cache
from pathlib import Path
from typing import Any

from rdflib import OWL, RDF, RDFS, XSD, Graph, URIRef

CONTEXT_FILE = Path(__file__).with_name("context.jsonld")
SRKG = "https://w3id.org/srkg/ontology#"
PREFIXES = {
    "srkg": SRKG,
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "owl": str(OWL),
    "xsd": str(XSD),
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "prov": "http://www.w3.org/ns/prov#",
    "qudt": "http://qudt.org/schema/qudt/",
    "qudtunit": "http://qudt.org/vocab/unit/",
    "geo": "http://www.opengis.net/ont/geosparql#",
    "sosa": "http://www.w3.org/ns/sosa/",
    "schema": "https://schema.org/",
    "agrovoc": "http://aims.fao.org/aos/agrovoc/",
    "void": "http://rdfs.org/ns/void#",
    "dcat": "http://www.w3.org/ns/dcat#",
}
# Common terms from other vocabularies: (term, IRI, coercion) — "@id", "@language" (a language map) or None.
SHARED_TERMS: tuple[tuple[str, str, str | None], ...] = (
    ("prefLabel", "skos:prefLabel", "@language"),
    ("altLabel", "skos:altLabel", "@language"),
    ("definition", "skos:definition", "@language"),
    ("scopeNote", "skos:scopeNote", "@language"),
    ("notation", "skos:notation", None),
    ("inScheme", "skos:inScheme", "@id"),
    ("broader", "skos:broader", "@id"),
    ("narrower", "skos:narrower", "@id"),
    ("exactMatch", "skos:exactMatch", "@id"),
    ("closeMatch", "skos:closeMatch", "@id"),
    ("label", "rdfs:label", "@language"),
    ("comment", "rdfs:comment", "@language"),
    ("title", "dcterms:title", "@language"),
    ("description", "dcterms:description", "@language"),
    ("source", "dcterms:source", "@id"),
    ("license", "dcterms:license", "@id"),
    ("asWKT", "geo:asWKT", "geo:wktLiteral"),
    ("hasGeometry", "geo:hasGeometry", "@id"),
    ("wasDerivedFrom", "prov:wasDerivedFrom", "@id"),
    ("wasGeneratedBy", "prov:wasGeneratedBy", "@id"),
)


def _coercion(value: str | None) -> dict[str, str]:
    if value is None:
        return {}
    if value == "@language":
        return {"@container": "@language"}
    return {"@type": value}


def build_context(ontology: Graph) -> dict[str, Any]:
    """The ``@context`` document for the terms of ``ontology`` (plus the shared SKOS/DCTERMS/GeoSPARQL terms)."""
    terms: dict[str, Any] = dict(PREFIXES)
    for name, iri, coercion in SHARED_TERMS:
        terms[name] = {"@id": iri, **_coercion(coercion)}

    def local(iri: URIRef) -> str | None:
        text = str(iri)
        return text[len(SRKG):] if text.startswith(SRKG) and len(text) > len(SRKG) else None

    shared = set(terms)

    def add(name: str, definition: str | dict[str, str]) -> None:
        if name in shared:
            raise ValueError(f"the ontology term {name!r} collides with a shared term or prefix of the context")
        terms[name] = definition

    for cls in sorted(ontology.subjects(RDF.type, OWL.Class)):
        if isinstance(cls, URIRef) and (name := local(cls)):
            add(name, f"srkg:{name}")
    for prop in sorted(ontology.subjects(RDF.type, OWL.ObjectProperty)):
        if isinstance(prop, URIRef) and (name := local(prop)):
            add(name, {"@id": f"srkg:{name}", "@type": "@id"})
    for prop in sorted(ontology.subjects(RDF.type, OWL.DatatypeProperty)):
        if isinstance(prop, URIRef) and (name := local(prop)):
            rng = ontology.value(prop, RDFS.range)
            xsd = str(rng).removeprefix(str(XSD)) if rng is not None and str(rng).startswith(str(XSD)) else None
            add(name, {"@id": f"srkg:{name}", **({"@type": f"xsd:{xsd}"} if xsd else {})})
    return {"@context": terms}


@cache
def context_document() -> dict[str, Any]:
    """The published context (the file shipped with the package)."""
    return json.loads(CONTEXT_FILE.read_text(encoding="utf-8"))


def context_bytes() -> bytes:
    return CONTEXT_FILE.read_bytes()


def main() -> None:
    """Print the context built from the ontology (``ontology/srkg.ttl`` or the path given)."""
    from ingest import paths

    source = Path(sys.argv[1]) if len(sys.argv) > 1 else paths.resource_root() / "ontology" / "srkg.ttl"
    print(json.dumps(build_context(Graph().parse(source)), indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
