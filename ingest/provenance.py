"""Provenance of an ingest (PROV-O): the Submission activity, its source file, and stable identifiers.

Identifiers are stable: the same file gives the same source-file IRI (keyed by its SHA-256), the same
submission key gives the same submission IRI and named graph, so re-ingesting replaces instead of duplicating.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from rdflib import RDF, RDFS, XSD, Graph, Literal, URIRef
from rdflib.namespace import FOAF, PROV

from ingest.namespaces import SRKG, concept_iri, data_iri, graph_iri

MAX_SLUG = 60


def slug(text: str, max_length: int = MAX_SLUG) -> str:
    """Lower-case ASCII words joined by '-', for readable, stable IRI keys ('Côte d'Ivoire' → 'cote-d-ivoire')."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    words = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if not words:  # nothing Latin in it (e.g. Chinese): fall back to a short hash, still stable
        words = "x" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]
    return words[:max_length].rstrip("-")


def sha256_of(path: Path) -> str:
    """SHA-256 of a file; for a folder (a survey saved as CSV files), of its files' names and checksums."""
    digest = hashlib.sha256()
    if path.is_dir():
        for member in sorted(p for p in path.rglob("*") if p.is_file()):
            digest.update(f"{member.relative_to(path).as_posix()}\0{sha256_of(member)}\n".encode())
        return digest.hexdigest()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def source_file_iri(sha256: str) -> URIRef:
    return data_iri("file", sha256)


def submission_iri(key: str) -> URIRef:
    return data_iri("submission", key)


def submission_graph_iri(key: str) -> URIRef:
    return graph_iri(f"submission/{key}")


def source_record_iri(sha256: str, sheet: str | None, row: int | None, line: int | None = None) -> URIRef:
    parts = [sha256[:16], slug(sheet) if sheet else None, f"r{row}" if row is not None else None,
             f"l{line}" if line is not None else None]
    return data_iri("record", "-".join(p for p in parts if p))


@dataclass(frozen=True)
class SubmissionInfo:
    key: str
    file_name: str
    sha256: str
    submitter: str
    received: datetime
    status: str = "validated"

    @property
    def iri(self) -> URIRef:
        return submission_iri(self.key)

    @property
    def graph(self) -> URIRef:
        return submission_graph_iri(self.key)

    @property
    def file_iri(self) -> URIRef:
        return source_file_iri(self.sha256)


def describe_file(
    path: Path, submitter: str, key: str | None = None, received: datetime | None = None
) -> SubmissionInfo:
    return SubmissionInfo(
        key=key or slug(path.stem),
        file_name=path.name,
        sha256=sha256_of(path),
        submitter=submitter,
        received=received or datetime.now(UTC).replace(microsecond=0),
    )


def submission_triples(info: SubmissionInfo, generated: list[URIRef]) -> Graph:
    """The Submission activity, its agent and source file, and prov:wasGeneratedBy for each record made."""
    graph = Graph()
    agent = data_iri("agent", slug(info.submitter))
    graph.add((info.iri, RDF.type, SRKG.Submission))
    graph.add((info.iri, RDFS.label, Literal(f"Submission {info.key} ({info.file_name})")))
    graph.add((info.iri, SRKG.submissionStatus, concept_iri("submission-status", info.status)))
    graph.add((info.iri, PROV.startedAtTime, Literal(info.received.isoformat(), datatype=XSD.dateTime)))
    graph.add((info.iri, PROV.wasAssociatedWith, agent))
    graph.add((info.iri, SRKG.sourceFile, info.file_iri))
    graph.add((info.iri, SRKG.namedGraph, info.graph))
    graph.add((agent, RDF.type, PROV.Agent))
    graph.add((agent, RDFS.label, Literal(info.submitter)))
    graph.add((agent, FOAF.name, Literal(info.submitter)))
    graph.add((info.file_iri, RDF.type, SRKG.SourceFile))
    graph.add((info.file_iri, SRKG.fileName, Literal(info.file_name)))
    graph.add((info.file_iri, SRKG.sha256, Literal(info.sha256)))
    for resource in generated:
        graph.add((resource, PROV.wasGeneratedBy, info.iri))
    return graph
