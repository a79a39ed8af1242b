"""The project's controlled vocabularies, in memory, for validation and labelling.

Validation must not cost more as the database grows (design §5), so a submission is validated together with
only the vocabulary terms it references: ``Vocabulary.describe`` returns those terms' triples.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.term import Node

from ingest import paths
from ingest.rdf_files import format_for, parse_quads, to_rdflib

SKOS_PREF_LABEL = ox.NamedNode("http://www.w3.org/2004/02/skos/core#prefLabel")
RDFS_LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
REQUIRED_UNIT = ox.NamedNode("https://w3id.org/srkg/ontology#requiredUnit")
# What validation needs to know about a referenced term: its kind, scheme, names and fixed unit.
DESCRIBING_PREDICATES = tuple(
    ox.NamedNode(iri)
    for iri in (
        "http://www.w3.org/1999/02/22-rdf-syntax-ns#type",
        "http://www.w3.org/2004/02/skos/core#inScheme",
        "http://www.w3.org/2004/02/skos/core#notation",
        "http://www.w3.org/2004/02/skos/core#prefLabel",
        "http://www.w3.org/2000/01/rdf-schema#label",
        "https://w3id.org/srkg/ontology#requiredUnit",
        "https://w3id.org/srkg/ontology#quantityKind",
        "https://w3id.org/srkg/ontology#expectedQuantityKind",
        "https://w3id.org/srkg/ontology#inFramework",
    )
)


def vocabulary_files() -> list[Path]:
    """Ontology, the project's SKOS schemes and the country list (the AGROVOC extract is not needed)."""
    files = [paths.ontology_file(), *sorted(paths.vocab_dir().glob("*.ttl"))]
    countries = paths.external_dir() / "countries.ttl"
    if countries.is_file():
        files.append(countries)
    return files


class Vocabulary:
    """An in-memory index of vocabulary triples keyed by subject."""

    def __init__(self, files: Iterable[Path]) -> None:
        self._store = ox.Store()
        for path in files:
            quads = parse_quads(path.read_bytes(), format_for(path), str(path))
            self._store.extend(ox.Quad(q.subject, q.predicate, q.object) for q in quads)

    def __len__(self) -> int:
        return len(self._store)

    def knows(self, iri: str) -> bool:
        return any(True for _ in self._store.quads_for_pattern(ox.NamedNode(iri), None, None))

    def describe(self, iris: Iterable[str]) -> Graph:
        """Type, scheme, notation and English labels of ``iris``, plus the fixed units those terms require."""
        graph = Graph()
        pending = set(iris)
        seen: set[str] = set()
        while pending:
            iri = pending.pop()
            seen.add(iri)
            subject = ox.NamedNode(iri)
            for predicate in DESCRIBING_PREDICATES:
                for quad in self._store.quads_for_pattern(subject, predicate, None):
                    if isinstance(quad.object, ox.Literal) and quad.object.language not in (None, "", "en"):
                        continue
                    graph.add((to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object)))
                    is_unit = quad.predicate == REQUIRED_UNIT and isinstance(quad.object, ox.NamedNode)
                    if is_unit and quad.object.value not in seen:
                        pending.add(quad.object.value)
        return graph

    def label(self, iri: str, lang: str = "en") -> str | None:
        """The term's prefLabel (or rdfs:label) in ``lang``, falling back to English."""
        subject = ox.NamedNode(iri)
        for predicate in (SKOS_PREF_LABEL, RDFS_LABEL):
            labels = {
                q.object.language: q.object.value
                for q in self._store.quads_for_pattern(subject, predicate, None)
                if isinstance(q.object, ox.Literal)
            }
            for wanted in (lang, "en", None, ""):
                if wanted in labels:
                    return labels[wanted]
        return None

    def triples(self, subject: str) -> list[tuple[Node, Node, Node]]:
        return [
            (to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object))
            for q in self._store.quads_for_pattern(ox.NamedNode(subject), None, None)
        ]

    def subjects_in_scheme(self, scheme: str) -> list[URIRef]:
        in_scheme = ox.NamedNode("http://www.w3.org/2004/02/skos/core#inScheme")
        return [
            URIRef(q.subject.value)
            for q in self._store.quads_for_pattern(None, in_scheme, ox.NamedNode(scheme))
            if isinstance(q.subject, ox.NamedNode)
        ]


@cache
def default_vocabulary() -> Vocabulary:
    return Vocabulary(vocabulary_files())
