"""Read RDF files into rdflib graphs with errors that name the file, line and column.

Parsing goes through pyoxigraph (fast, precise positions, no remote JSON-LD contexts fetched) and the
triples are handed to rdflib, the API people know and the one pyshacl validates.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.term import Node

from ingest.rdf_guard import check_literals, check_rdf

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"

FORMATS_BY_SUFFIX: dict[str, ox.RdfFormat] = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".turtle": ox.RdfFormat.TURTLE,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".ntriples": ox.RdfFormat.N_TRIPLES,
    ".nq": ox.RdfFormat.N_QUADS,
    ".trig": ox.RdfFormat.TRIG,
    ".rdf": ox.RdfFormat.RDF_XML,
    ".owl": ox.RdfFormat.RDF_XML,
    ".xml": ox.RdfFormat.RDF_XML,
    ".jsonld": ox.RdfFormat.JSON_LD,
    ".json": ox.RdfFormat.JSON_LD,
}


@dataclass(frozen=True)
class RdfReadError(Exception):
    """An RDF file could not be read; ``str()`` is a one-line message naming the place."""

    path: str
    message: str
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        where = self.path
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return f"{where}: {self.message}"


def format_for(path: Path) -> ox.RdfFormat:
    try:
        return FORMATS_BY_SUFFIX[path.suffix.lower()]
    except KeyError:
        known = ", ".join(sorted(FORMATS_BY_SUFFIX))
        raise RdfReadError(str(path), f"unknown RDF file type '{path.suffix}' (known: {known})") from None


def to_rdflib(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> Node:
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    if term.datatype.value == XSD_STRING:  # RDF 1.1 plain literal; rdflib tells "x" and "x"^^xsd:string apart
        return Literal(term.value)
    return Literal(term.value, datatype=URIRef(term.datatype.value))


def parse_quads(data: bytes, rdf_format: ox.RdfFormat, source: str, base_iri: str | None = None) -> list[ox.Quad]:
    """Parse bytes into pyoxigraph quads, turning syntax errors into located ``RdfReadError``s; hostile input
    (entity expansion, remote contexts, huge literals: see ``rdf_guard``) is refused with its reason."""
    try:
        check_rdf(data, rdf_format)
        quads: list[ox.Quad] = []
        for quad in ox.parse(data, format=rdf_format, base_iri=base_iri):
            check_literals((quad,))  # as they come: a huge literal is named before the parser's buffer gives out
            quads.append(quad)
        return quads
    except SyntaxError as error:
        return _raise_located(error, source)
    except ValueError as error:  # UnsafeRdf, or e.g. invalid UTF-8
        raise RdfReadError(source, str(error)) from None
    except MemoryError as error:  # pyoxigraph's parse buffer is bounded (16 MiB)
        raise RdfReadError(source, f"too large for the parser ({error}): one literal can be at most "
                           "a few MB") from None


def _raise_located(error: SyntaxError, source: str) -> list[ox.Quad]:
    message = str(error.msg) if error.msg else str(error)
    raise RdfReadError(source, message, error.lineno, error.offset) from None


def read_graph(path: Path) -> Graph:
    """Read one RDF file (all its quads merged into one graph)."""
    rdf_format = format_for(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise RdfReadError(str(path), error.strerror or str(error)) from None
    quads = parse_quads(data, rdf_format, str(path), base_iri=path.resolve().as_uri())
    graph = Graph()
    for quad in quads:
        graph.add((to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object)))
    return graph


def read_dataset(path: Path) -> Dataset:
    """Read one RDF file keeping named graphs (TriG, N-Quads)."""
    rdf_format = format_for(path)
    quads = parse_quads(path.read_bytes(), rdf_format, str(path), base_iri=path.resolve().as_uri())
    dataset = Dataset()
    for quad in quads:
        graph_name = quad.graph_name
        context = (
            dataset.default_graph
            if isinstance(graph_name, ox.DefaultGraph)
            else dataset.graph(to_rdflib(graph_name))
        )
        context.add((to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object)))
    return dataset
