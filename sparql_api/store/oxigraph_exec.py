"""Run one SPARQL query on a pyoxigraph ``Store`` and serialise the answer.

Shared by the embedded store (in-process, no time limit) and the query worker processes (killable). It
imports only pyoxigraph and the standard library so that a worker starts in a few tens of milliseconds.
Errors leave as ``ExecError`` with a ``kind`` the caller maps onto the store's exception classes.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import pyoxigraph as ox

from sparql_api.sparql_text import has_dataset_clause, insert_in_where, prologue_prefixes, service_targets
from sparql_api.store.result_formats import (
    JSON,
    RESULT_MEDIA_TYPES,
    SOLUTION_WRITERS,
    write_boolean,
)

# Same value as sparql_api.store.base.DEFAULT_GRAPH (not imported: base pulls in rdflib, too slow for workers).
DEFAULT_GRAPH = "urn:x-rdflib:default"

TURTLE = "text/turtle"
GRAPH_MEDIA_TYPES = (
    TURTLE,
    "application/n-triples",
    "application/rdf+xml",
    "application/ld+json",
    "application/trig",
    "application/n-quads",
)

# Prefixes written in Turtle/TriG/RDF-XML answers, besides those the query itself declares.
COMMON_PREFIXES = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "srkg": "https://w3id.org/srkg/ontology#",
    "agrovoc": "http://aims.fao.org/aos/agrovoc/",
}


class ExecError(Exception):
    """A failure with a ``kind``: syntax | too_large | media | remote (a SERVICE endpoint) | failed."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message


def syntax_message(error: SyntaxError) -> str:
    """The parser's message with 'line L, column C' spelled out and the long character-class lists shortened."""
    text = str(error.msg if isinstance(error.msg, str) else error)
    text = re.sub(r"^error at (\d+):(\d+): ", r"line \1, column \2: ", text)
    text = re.sub(r"\[[^\[\]]*\.\.=[^\[\]]*\]", "a name character", text)
    return " ".join(text.split())


def graph_term(iri: str) -> ox.NamedNode | ox.DefaultGraph:
    if iri == DEFAULT_GRAPH:
        return ox.DefaultGraph()
    try:
        return ox.NamedNode(iri)
    except ValueError as e:
        raise ExecError("failed", f"not a valid graph IRI: {iri!r} ({e})") from e


def dataset_options(
    sparql: str, default_graph_uris: Sequence[str] | None, named_graph_uris: Sequence[str] | None
) -> dict[str, object]:
    """Keyword arguments for ``Store.query`` that give SPARQL 1.1 Protocol dataset semantics.

    Protocol ``default-graph-uri``/``named-graph-uri`` define the whole dataset (overriding FROM in the query);
    otherwise the query's own FROM clauses do; otherwise the default graph is the union of all graphs. A lone
    ``default-graph-uri=urn:x-rdflib:default`` (what rdflib clients send) means "the default graph" = the union.
    """
    default = list(default_graph_uris or [])
    named = list(named_graph_uris or [])
    if default == [DEFAULT_GRAPH] and not named:
        default = []
    if default or named:
        return {
            "default_graph": [graph_term(iri) for iri in default],
            "named_graphs": [graph_term(iri) for iri in named],
        }
    if has_dataset_clause(sparql):
        return {}
    return {"use_default_graph_as_union": True}


def rdf_format(media_type: str) -> ox.RdfFormat:
    fmt = ox.RdfFormat.from_media_type(media_type)
    if fmt is None:
        raise ExecError("media", f"{media_type} is not an RDF syntax this store writes or reads")
    return fmt


def _start(store: ox.Store, sparql: str, options: Mapping[str, object]) -> object:
    try:
        return store.query(sparql, **options)  # type: ignore[arg-type]
    except SyntaxError as e:
        raise ExecError("syntax", syntax_message(e)) from e
    except (OSError, RuntimeError, ValueError, TypeError) as e:
        raise ExecError("failed", f"the query failed: {e}") from e


def _too_large(max_results: int, what: str) -> ExecError:
    return ExecError(
        "too_large",
        f"the result has more than {max_results} {what}, the server's limit; "
        "add LIMIT (and OFFSET to page through it) or download the dump",
    )


def _collect(iterator: object, max_results: int | None, what: str) -> list[object]:
    items: list[object] = []
    try:
        for item in iterator:  # type: ignore[attr-defined]
            items.append(item)
            if max_results is not None and len(items) > max_results:
                raise _too_large(max_results, what)
    except (OSError, RuntimeError, ValueError, TypeError) as e:
        raise ExecError("failed", f"the query failed while running: {e}") from e
    return items


def _collect_graph(iterator: object, max_results: int | None) -> list[ox.Triple]:
    """A CONSTRUCT/DESCRIBE answer is a set: drop the duplicates the engine streams (and count only distinct
    triples against the cap), and keep each subject's triples together so Turtle groups them."""
    by_subject: dict[object, dict[ox.Triple, None]] = {}
    count = 0
    try:
        for triple in iterator:  # type: ignore[attr-defined]
            group = by_subject.setdefault(triple.subject, {})
            if triple not in group:
                group[triple] = None
                count += 1
                if max_results is not None and count > max_results:
                    raise _too_large(max_results, "triples")
    except (OSError, RuntimeError, ValueError, TypeError) as e:
        raise ExecError("failed", f"the query failed while running: {e}") from e
    return [t for group in by_subject.values() for t in group]


def service_note(sparql: str) -> str:
    """``"SERVICE <a>"`` (or ``"SERVICE <a> or <b>"``) for a query that calls remote endpoints, else ``""``."""
    targets = list(dict.fromkeys(t for t in service_targets(sparql) if t))
    return "SERVICE " + " or ".join(f"<{t}>" for t in targets) if targets else ""


def run_query(
    store: ox.Store,
    sparql: str,
    media_type: str,
    *,
    default_graph_uris: Sequence[str] | None = None,
    named_graph_uris: Sequence[str] | None = None,
    max_results: int | None = None,
) -> tuple[bytes, str, str]:
    """Execute and serialise (``_run_query``); a failure of a query with ``SERVICE`` names the endpoint(s)."""
    try:
        return _run_query(store, sparql, media_type, default_graph_uris=default_graph_uris,
                          named_graph_uris=named_graph_uris, max_results=max_results)
    except ExecError as e:
        note = service_note(sparql) if e.kind == "failed" else ""
        if not note:
            raise
        reason = e.message.removeprefix("the query failed while running: ")
        raise ExecError("remote", f"the remote endpoint of {note} failed or is unreachable: {reason}") from e


def _run_query(
    store: ox.Store,
    sparql: str,
    media_type: str,
    *,
    default_graph_uris: Sequence[str] | None = None,
    named_graph_uris: Sequence[str] | None = None,
    max_results: int | None = None,
) -> tuple[bytes, str, str]:
    """Execute and serialise; returns (body, media_type, kind). A media type that does not fit the query
    form falls back to that form's default (JSON for solutions and booleans, Turtle for graphs)."""
    result = _start(store, sparql, dataset_options(sparql, default_graph_uris, named_graph_uris))
    if isinstance(result, ox.QueryBoolean):
        mt = media_type if media_type in RESULT_MEDIA_TYPES else JSON
        return write_boolean(bool(result), mt), mt, "ask"
    if isinstance(result, ox.QuerySolutions):
        mt = media_type if media_type in RESULT_MEDIA_TYPES else JSON
        variables = [v.value for v in result.variables]
        rows = [list(sol) for sol in _collect(result, max_results, "rows")]  # type: ignore[call-overload]
        return SOLUTION_WRITERS[mt](variables, rows), mt, "select"
    mt = media_type if media_type in GRAPH_MEDIA_TYPES else TURTLE
    triples = _collect_graph(result, max_results)
    fmt = rdf_format(mt)
    items: list[object] = triples
    if fmt.supports_datasets:
        items = [ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in triples]  # type: ignore[attr-defined]
    prefixes = {**COMMON_PREFIXES, **prologue_prefixes(sparql)}
    body = ox.serialize(items, format=fmt, prefixes=prefixes) or b""  # type: ignore[arg-type]
    return body, mt, "graph"


def run_select(
    store: ox.Store,
    sparql: str,
    substitutions: Mapping[str, object] | None = None,
    max_results: int | None = None,
) -> tuple[list[str], list[list[object | None]]]:
    """Execute an application SELECT with bound parameters; returns (variables, rows of pyoxigraph terms).

    Parameters are pyoxigraph terms, never text: they are bound with a ``VALUES`` block at the start of the
    WHERE group, written from the terms' own N-Triples serialisation (so FILTERs see them). Not pyoxigraph's
    ``substitutions``: pyoxigraph 0.5 plans the query before substituting, so a bound IRI did not steer the plan —
    a country's case list took 2,081 ms that way and 24 ms with ``VALUES`` at 100k cases (also refused for
    variables the SELECT clause does not project).
    """
    options = dataset_options(sparql, None, None)
    if substitutions:
        names = list(substitutions)
        values = " ".join(str(substitutions[n]) for n in names)
        sparql = insert_in_where(sparql, f"VALUES ({' '.join('?' + n for n in names)}) {{ ({values}) }}")
    result = _start(store, sparql, options)
    if not isinstance(result, ox.QuerySolutions):
        raise ExecError("failed", "select() needs a SELECT query")
    variables = [v.value for v in result.variables]
    rows = [list(sol) for sol in _collect(result, max_results, "rows")]  # type: ignore[call-overload]
    return variables, rows


def text_rows(variables: list[str], rows: list[list[object | None]]) -> list[dict[str, str]]:
    """Rows of pyoxigraph terms as ``Store.select_text`` gives them: each value's text, a literal's language tag
    under ``"<variable>@lang"``."""
    out: list[dict[str, str]] = []
    for row in rows:
        plain: dict[str, str] = {}
        for variable, term in zip(variables, row, strict=True):
            if term is None:
                continue
            plain[variable] = term.value  # type: ignore[attr-defined]
            language = getattr(term, "language", None)
            if language:
                plain[variable + "@lang"] = language
        out.append(plain)
    return out
