"""Which graphs a SPARQL Update can change, read from its algebra (rdflib's parser), so that only their
summaries are recomputed. ``None`` means "cannot tell" (a graph named by a variable, ``ALL``/``NAMED``, an
update too long to parse quickly, anything unexpected): then every summary is recomputed."""

from __future__ import annotations

from collections.abc import Iterable

from rdflib.term import URIRef

from sparql_api.store.base import DEFAULT_GRAPH

MAX_PARSED_CHARS = 200_000  # rdflib parses ~100 kB/s: longer updates recompute everything instead


def _name(graph: object) -> str | None:
    if graph == "DEFAULT" or graph is None:
        return DEFAULT_GRAPH
    if isinstance(graph, URIRef):
        return str(graph)
    return None  # a variable, ALL, NAMED…


def _written(quads: dict, triples: Iterable, default: str | None) -> set[str | None]:
    names: set[str | None] = {_name(graph) for graph in quads}
    if list(triples):
        names.add(default)
    return names


def touched_graphs(sparql: str) -> set[str] | None:
    """The graphs ``sparql`` may write (``DEFAULT_GRAPH`` for the default graph), or None when unknown."""
    if len(sparql) > MAX_PARSED_CHARS:
        return None
    try:
        from rdflib.plugins.sparql.algebra import translateUpdate
        from rdflib.plugins.sparql.parser import parseUpdate

        operations = translateUpdate(parseUpdate(sparql)).algebra
    except Exception:
        return None
    names: set[str | None] = set()
    for op in operations:
        kind = op.name
        if kind in ("InsertData", "DeleteData", "DeleteWhere"):
            names |= _written(op.quads or {}, op.triples or [], DEFAULT_GRAPH)
        elif kind == "Modify":
            target = _name(op.withClause) if op.withClause is not None else DEFAULT_GRAPH
            for clause in (op.delete, op.insert):
                if clause is not None:
                    names |= _written(clause.quads or {}, clause.triples or [], target)
        elif kind in ("Load", "Create"):
            names.add(_name(op.graphiri) if op.graphiri is not None else DEFAULT_GRAPH)
        elif kind in ("Clear", "Drop"):
            names.add(_name(op.graphiri))
        elif kind in ("Add", "Copy"):
            names.add(_name(op.graph[1]))
        elif kind == "Move":
            names |= {_name(op.graph[0]), _name(op.graph[1])}
        else:
            return None
    if None in names:
        return None
    return {name for name in names if name is not None}
