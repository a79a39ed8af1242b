"""Checks that external identifiers used in the project's RDF are known (modelling-conventions.md).

- AGROVOC concept IRIs must exist in the offline AGROVOC label table
  (``ontology/external/agrovoc-labels-6lang.tsv.gz``).
- ChEBI / ENVO (any ``http://purl.obolibrary.org/obo/`` IRI) and Wikidata entity IRIs must be listed in the
  register ``ontology/external/verified-identifiers.csv`` (header ``iri,label,verified_in``).
- QUDT unit IRIs must be concepts of ``ontology/vocab/units.ttl``.

The functions are pure: they read the reference files (cached) and inspect a given graph.
"""

from __future__ import annotations

import csv
import gzip
from collections.abc import Iterable, Iterator
from functools import cache
from pathlib import Path

from rdflib import RDF, SKOS, XSD, Graph, Literal, URIRef
from rdflib.term import Node

from ingest.namespaces import AGROVOC, OBO, QUDT_UNIT, WIKIDATA
from ingest.paths import examples_dir, external_dir, ontology_dir, vocab_dir

AGROVOC_CONCEPT_PREFIX = str(AGROVOC) + "c_"
VERIFIED_PREFIXES: tuple[str, ...] = (str(OBO), str(WIKIDATA))
QUDT_UNIT_PREFIX = str(QUDT_UNIT)

AGROVOC_TABLE = "agrovoc-labels-6lang.tsv.gz"
VERIFIED_REGISTER = "verified-identifiers.csv"
VERIFIED_HEADER = ("iri", "label", "verified_in")
UNITS_FILE = "units.ttl"


def agrovoc_table_path() -> Path:
    return external_dir() / AGROVOC_TABLE


def verified_register_path() -> Path:
    return external_dir() / VERIFIED_REGISTER


def units_path() -> Path:
    return vocab_dir() / UNITS_FILE


@cache
def agrovoc_codes() -> frozenset[str]:
    """All AGROVOC concept codes (``c_…``) in the offline label table."""
    with gzip.open(agrovoc_table_path(), "rt", encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)
        header = next(reader)
        if header[0] != "concept":
            raise ValueError(f"{agrovoc_table_path()}: first column is {header[0]!r}, expected 'concept'")
        return frozenset(row[0] for row in reader if row)


def read_verified_register(path: Path | None = None) -> list[dict[str, str]]:
    """Rows of the verified-identifier register (header checked)."""
    path = path or verified_register_path()
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        if tuple(reader.fieldnames or ()) != VERIFIED_HEADER:
            raise ValueError(f"{path}: header {reader.fieldnames!r}, expected {','.join(VERIFIED_HEADER)}")
        return list(reader)


@cache
def verified_iris() -> frozenset[str]:
    """IRIs listed in ``verified-identifiers.csv``."""
    return frozenset(row["iri"].strip() for row in read_verified_register())


@cache
def unit_iris() -> frozenset[str]:
    """QUDT unit IRIs declared as ``skos:Concept`` in ``ontology/vocab/units.ttl``."""
    graph = Graph().parse(units_path(), format="turtle")
    return frozenset(
        str(s) for s in graph.subjects(RDF.type, SKOS.Concept) if str(s).startswith(QUDT_UNIT_PREFIX)
    )


def iris_in(graph: Graph) -> Iterator[str]:
    """Every IRI used in the graph: subjects, predicates, objects, and ``xsd:anyURI`` literals."""
    for triple in graph:
        for term in triple:
            yield from _iri_of(term)


def _iri_of(term: Node) -> Iterable[str]:
    if isinstance(term, URIRef):
        return (str(term),)
    if isinstance(term, Literal) and term.datatype == XSD.anyURI:
        return (str(term),)
    return ()


def _is_agrovoc_concept(iri: str) -> bool:
    return iri.startswith(AGROVOC_CONCEPT_PREFIX)


def unknown_agrovoc_iris(graph: Graph, known: frozenset[str] | None = None) -> set[str]:
    """AGROVOC concept IRIs in ``graph`` whose code is not in the AGROVOC label table."""
    known = agrovoc_codes() if known is None else known
    return {
        iri for iri in iris_in(graph) if _is_agrovoc_concept(iri) and iri[len(str(AGROVOC)) :] not in known
    }


def unverified_external_iris(graph: Graph, verified: frozenset[str] | None = None) -> set[str]:
    """OBO (ChEBI, ENVO, …) and Wikidata entity IRIs in ``graph`` missing from the register."""
    verified = verified_iris() if verified is None else verified
    return {iri for iri in iris_in(graph) if iri.startswith(VERIFIED_PREFIXES) and iri not in verified}


def unknown_unit_iris(graph: Graph, units: frozenset[str] | None = None) -> set[str]:
    """QUDT unit IRIs in ``graph`` that are not concepts of ``units.ttl``."""
    units = unit_iris() if units is None else units
    return {iri for iri in iris_in(graph) if iri.startswith(QUDT_UNIT_PREFIX) and iri not in units}


def turtle_files() -> list[Path]:
    """Every ``.ttl`` file under ``ontology/`` and (when it exists) ``examples/``, sorted."""
    files = sorted(ontology_dir().rglob("*.ttl"))
    if examples_dir().is_dir():
        files += sorted(examples_dir().rglob("*.ttl"))
    return files


def load(path: Path) -> Graph:
    return Graph().parse(path, format="turtle")
