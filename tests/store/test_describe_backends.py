"""A case page's description (the case and every record it owns) is the same on both backends.

On Virtuoso the bound case IRI is also written into the query (``Dialect.inline_bound_terms``) so that the
``(srkg:site|…)*`` path starts from it; this checks the answer did not change by it.
"""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.term import Node

from sparql_api.store.base import Store
from sparql_api.web.resource_data import describe

CASE_FILE = Path(__file__).resolve().parents[2] / "examples" / "cases" / "arg-phy2climate-la-planta.ttl"
GRAPH = "http://describe.example/graph"


def value(node: Node) -> object:
    """Literals by value: Oxigraph stores xsd:positiveInteger (and other integer types) as xsd:integer."""
    return ("literal", node.toPython(), node.language) if isinstance(node, Literal) else node


def test_a_case_is_described_with_what_it_owns_on_every_backend(store: Store) -> None:
    source = Graph().parse(CASE_FILE)
    store.add_graph(GRAPH, source.serialize(format="nt").encode(), "application/n-triples")
    case = next(s for s in source.subjects() if "/id/case/" in str(s) and isinstance(s, URIRef))
    facts = describe(store, case)
    described = {(s, p, value(o)) for s, p, o in facts}
    owned_subjects = {s for s, _, _ in described}
    expected = {(s, p, value(o)) for s, p, o in source if s in owned_subjects}
    assert case in owned_subjects and len(owned_subjects) > 1  # the case and at least one record it owns
    assert described == expected
