"""Statements a submission may not make: about vocabulary or ontology terms, or axioms that change the model.

The query default graph is the union of all graphs, so a published submission that said "excavation is
nature-based" or "Outcome owl:equivalentClass Cost" would change every user's answers. A submission describes
its own records only; such statements are reported as violations and never reach the store.
"""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import OWL, RDFS, Graph, URIRef
from rdflib.term import Node

from ingest.namespaces import AGROVOC, OBO, QUDT, QUDT_UNIT, SRKG, VOCAB, WIKIDATA
from ingest.vocabulary import Vocabulary

# IRIs under these namespaces are defined elsewhere (by SRKG's vocabularies or by external authorities).
PROTECTED_NAMESPACES = tuple(
    str(ns)
    for ns in (
        SRKG, VOCAB, AGROVOC, OBO, QUDT, QUDT_UNIT, WIKIDATA,
        "http://sws.geonames.org/", "https://sws.geonames.org/",
        "http://www.w3.org/", "http://purl.org/dc/", "http://xmlns.com/foaf/", "https://schema.org/",
        "http://schema.org/", "http://www.opengis.net/", "http://qudt.org/",
    )
)
# Predicates that state axioms about the model rather than facts about records.
AXIOM_PREDICATES = frozenset({RDFS.subClassOf, RDFS.subPropertyOf, RDFS.domain, RDFS.range})


@dataclass(frozen=True)
class ForeignStatement:
    subject: Node
    predicate: Node
    object: Node
    reason: str  # "protected-term" | "axiom"


def is_protected(term: Node, vocabulary: Vocabulary) -> bool:
    return isinstance(term, URIRef) and (str(term).startswith(PROTECTED_NAMESPACES) or vocabulary.knows(str(term)))


def find_foreign_statements(data: Graph, vocabulary: Vocabulary) -> list[ForeignStatement]:
    found = []
    for s, p, o in data:
        if is_protected(s, vocabulary):
            found.append(ForeignStatement(s, p, o, "protected-term"))
        elif p in AXIOM_PREDICATES or (isinstance(p, URIRef) and str(p).startswith(str(OWL))):
            found.append(ForeignStatement(s, p, o, "axiom"))
    return found


def without(data: Graph, statements: list[ForeignStatement]) -> Graph:
    clean = Graph()
    unwanted = {(f.subject, f.predicate, f.object) for f in statements}
    for triple in data:
        if triple not in unwanted:
            clean.add(triple)
    return clean
