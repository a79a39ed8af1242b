"""Read what a remote SPARQL store answers into pyoxigraph terms.

Results are re-serialised by SRKG's own writers (``result_formats``) so both backends answer byte-for-byte
alike. The JSON reader is lenient where real servers deviate: Virtuoso writes ``"type": "typed-literal"``
(from a 2005 draft) and blank nodes as ``nodeID://b10003``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable

import pyoxigraph as ox

from sparql_api.store.base import StoreError

Term = ox.NamedNode | ox.BlankNode | ox.Literal
TermFix = Callable[[Term], Term]
Row = list[Term | None]

_BNODE_ID = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\-]*$")


def _keep(term: Term) -> Term:
    return term


def blank_node(label: str) -> ox.BlankNode:
    """A blank node from a server's label; Virtuoso's ``nodeID://b123`` becomes ``b123`` (the same label its
    N-Triples output uses, so both views of one store agree)."""
    if label.startswith("nodeID://"):
        label = label[len("nodeID://") :]
    if label.startswith("_:"):
        label = label[2:]
    if not _BNODE_ID.match(label) or label.endswith("."):
        label = "x" + "".join(c if c.isalnum() else "_" for c in label)
    return ox.BlankNode(label)


def _term(value: dict[str, object]) -> Term:
    kind = value.get("type")
    text = str(value.get("value", ""))
    if kind == "uri":
        return ox.NamedNode(text)
    if kind == "bnode":
        return blank_node(text)
    if kind in ("literal", "typed-literal"):
        language = value.get("xml:lang") or value.get("lang")
        if language:
            return ox.Literal(text, language=str(language))
        datatype = value.get("datatype")
        if datatype:
            return ox.Literal(text, datatype=ox.NamedNode(str(datatype)))
        return ox.Literal(text)
    raise StoreError(f"the remote store answered a result term of unknown type {kind!r}")


def parse_json_results(body: bytes, fix: TermFix = _keep) -> tuple[list[str], list[Row]] | bool:
    """SPARQL 1.1 JSON results → (variables, rows) for SELECT, or the boolean of an ASK."""
    try:
        doc = json.loads(body)
    except ValueError as e:
        raise StoreError(f"the remote store answered results that are not JSON: {e}") from e
    if "boolean" in doc:
        return bool(doc["boolean"])
    variables = [str(v) for v in doc.get("head", {}).get("vars", [])]
    rows: list[Row] = []
    try:
        for binding in doc.get("results", {}).get("bindings", []):
            rows.append([fix(_term(binding[var])) if var in binding else None for var in variables])
    except ValueError as e:  # an invalid IRI or language tag from the server
        raise StoreError(f"the remote store answered an invalid term: {e}") from e
    return variables, rows


def parse_ntriples(body: bytes, fix: TermFix = _keep) -> list[ox.Triple]:
    """A CONSTRUCT/DESCRIBE/Graph Store answer in N-Triples → triples (in the server's order)."""
    try:
        triples = [q.triple for q in ox.parse(body, format=ox.RdfFormat.N_TRIPLES)]
    except SyntaxError as e:
        raise StoreError(f"the remote store answered N-Triples that do not parse: {e}") from e
    if fix is _keep:
        return triples
    return [ox.Triple(fix(t.subject), fix(t.predicate), fix(t.object)) for t in triples]  # type: ignore[arg-type]


def distinct_by_subject(triples: Iterable[ox.Triple]) -> list[ox.Triple]:
    """A graph answer is a set: drop duplicates and keep each subject's triples together (Turtle groups them),
    as the embedded backend does."""
    by_subject: dict[object, dict[ox.Triple, None]] = {}
    for triple in triples:
        by_subject.setdefault(triple.subject, {})[triple] = None
    return [t for group in by_subject.values() for t in group]
