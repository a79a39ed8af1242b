"""Turn an HTTP request to /sparql into a SPARQL 1.1 Protocol operation, or a 4xx that says what is wrong.

Rules (SPARQL 1.1 Protocol §2): query by GET, form POST or direct POST; update by form POST or direct POST
only; exactly one query or update; the body is UTF-8; dataset IRIs must be absolute IRIs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import parse_qsl

import pyoxigraph as ox
from fastapi import Request

from sparql_api.server.errors import HTTPProblem
from sparql_api.server.limits import ServerLimits, read_body

FORM = "application/x-www-form-urlencoded"
QUERY = "application/sparql-query"
UPDATE = "application/sparql-update"
DATASET_PARAMS = ("default-graph-uri", "named-graph-uri", "using-graph-uri", "using-named-graph-uri")


@dataclass
class ProtocolOperation:
    query: str | None = None
    update: str | None = None
    format: str | None = None
    graphs: dict[str, list[str]] = field(default_factory=lambda: {name: [] for name in DATASET_PARAMS})


def media_type_of(header: str | None) -> tuple[str, dict[str, str]]:
    """Split a Content-Type into (lower-case media type, lower-case parameters)."""
    if not header:
        return "", {}
    main, *params = header.split(";")
    parsed: dict[str, str] = {}
    for param in params:
        name, _, value = param.partition("=")
        parsed[name.strip().lower()] = value.strip().strip('"').lower()
    return main.strip().lower(), parsed


def _utf8(data: bytes, what: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise HTTPProblem(400, f"the {what} is not valid UTF-8 (byte {e.start}); send UTF-8") from None


def _check_charset(params: dict[str, str], what: str) -> None:
    charset = params.get("charset")
    if charset and charset.replace("-", "").replace("_", "") != "utf8":
        raise HTTPProblem(400, f"the {what} must be UTF-8, not charset={charset}")


def _parse_form(text: str) -> list[tuple[str, str]]:
    try:
        return parse_qsl(text, keep_blank_values=True, encoding="utf-8", errors="strict")
    except UnicodeDecodeError:
        raise HTTPProblem(400, "a form value is not valid UTF-8 after percent-decoding") from None


def _collect(op: ProtocolOperation, pairs: list[tuple[str, str]], queries: list[str], updates: list[str]) -> None:
    for name, value in pairs:
        if name == "query":
            queries.append(value)
        elif name == "update":
            updates.append(value)
        elif name in DATASET_PARAMS:
            try:
                ox.NamedNode(value)
            except ValueError:
                raise HTTPProblem(400, f"{name}={value!r} is not an absolute IRI") from None
            op.graphs[name].append(value)
        elif name in ("format", "output", "results") and value:
            # SPARQLWrapper sends all three; the first one given wins.
            op.format = op.format or value


async def parse_operation(request: Request, limits: ServerLimits) -> ProtocolOperation:
    op = ProtocolOperation()
    queries: list[str] = []
    updates: list[str] = []
    url_pairs = _parse_form(request.url.query)
    _collect(op, url_pairs, queries, updates)

    if request.method == "GET":
        if updates:
            raise HTTPProblem(400, "an update must be sent with POST (form field update= or application/sparql-update)")
    elif request.method == "POST":
        media, params = media_type_of(request.headers.get("content-type"))
        body = await read_body(request, limits)
        if not media:
            raise HTTPProblem(
                400,
                f"a POST to the SPARQL endpoint needs a Content-Type: {FORM}, {QUERY} or {UPDATE}",
            )
        if media == FORM:
            _check_charset(params, "form body")
            _collect(op, _parse_form(_utf8(body, "form body")), queries, updates)
        elif media == QUERY:
            _check_charset(params, "query")
            queries.append(_utf8(body, "query"))
        elif media == UPDATE:
            _check_charset(params, "update")
            updates.append(_utf8(body, "update"))
        else:
            raise HTTPProblem(
                415,
                f"Content-Type {media} is not a SPARQL request; use {FORM}, {QUERY} or {UPDATE}",
            )
    else:  # pragma: no cover - the router only sends GET and POST here
        raise HTTPProblem(405, f"Method {request.method} is not allowed", {"Allow": "GET, POST, OPTIONS"})

    if len(queries) > 1:
        raise HTTPProblem(400, f"the request carries {len(queries)} queries; send exactly one")
    if len(updates) > 1:
        raise HTTPProblem(400, f"the request carries {len(updates)} updates; send exactly one")
    if queries and updates:
        raise HTTPProblem(400, "the request carries both a query and an update; send one or the other")
    op.query = queries[0] if queries else None
    op.update = updates[0] if updates else None
    if op.query is not None and (op.graphs["using-graph-uri"] or op.graphs["using-named-graph-uri"]):
        raise HTTPProblem(
            400,
            "using-graph-uri/using-named-graph-uri apply to updates; a query takes default-graph-uri/named-graph-uri",
        )
    if op.update is not None and (op.graphs["default-graph-uri"] or op.graphs["named-graph-uri"]):
        raise HTTPProblem(
            400,
            "default-graph-uri/named-graph-uri apply to queries; an update takes using-graph-uri/using-named-graph-uri",
        )
    return op
