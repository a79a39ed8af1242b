"""The SPARQL 1.1 Protocol endpoint: /sparql (query, update, and the service description)."""

from __future__ import annotations

import re

import pyoxigraph as ox
from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from sparql_api.server import service_proxy
from sparql_api.server.auth import require_curator
from sparql_api.server.context import ServerContext, context, endpoint_url
from sparql_api.server.errors import HTTPProblem
from sparql_api.server.negotiation import (
    NotAcceptable,
    UnknownFormat,
    content_type,
    is_browser,
    negotiate,
    parse_accept,
)
from sparql_api.server.protocol_parse import FORM, QUERY, UPDATE, ProtocolOperation, parse_operation
from sparql_api.sparql_text import DatasetConflict, add_using_clauses, is_update, query_form, undeclared_prefixes
from sparql_api.store.base import QuerySyntaxError

router = APIRouter(tags=["SPARQL 1.1 Protocol"])

_QUERY_PARAMS = [
    {"name": "query", "in": "query", "schema": {"type": "string"}, "description": "SPARQL query (GET)"},
    {
        "name": "default-graph-uri",
        "in": "query",
        "schema": {"type": "array", "items": {"type": "string"}},
        "description": "Graphs that form the default graph (replaces the union of all graphs)",
    },
    {
        "name": "named-graph-uri",
        "in": "query",
        "schema": {"type": "array", "items": {"type": "string"}},
        "description": "Graphs available to GRAPH clauses",
    },
    {
        "name": "format",
        "in": "query",
        "schema": {"type": "string"},
        "description": "json, xml, csv, tsv (solutions) or ttl, nt, rdf, jsonld, trig, nq (graphs); "
        "used when Accept names no concrete type",
    },
]
_OPENAPI = {
    "parameters": _QUERY_PARAMS,
    "requestBody": {
        "required": False,
        "content": {
            FORM: {
                "schema": {
                    "type": "object",
                    "properties": {
                        "query": {"type": "string"},
                        "update": {"type": "string", "description": "needs Authorization: Bearer <token>"},
                    },
                }
            },
            QUERY: {"schema": {"type": "string"}},
            UPDATE: {"schema": {"type": "string"}, "description": "needs Authorization: Bearer <token>"},
        },
    },
    "responses": {
        "200": {"description": "Query results (JSON/XML/CSV/TSV) or RDF; the service description without a query"},
        "204": {"description": "Update done"},
        "400": {"description": "Malformed request or query (text/plain message with line and column)"},
        "401": {"description": "Update without a valid curator token"},
        "403": {"description": "Revoked token, or SERVICE to an endpoint not on the allow-list"},
        "406": {"description": "No acceptable format (the message lists the offers)"},
        "413": {"description": "Result larger than the server's row limit"},
        "415": {"description": "POST body of an unknown media type"},
        "503": {"description": "Query stopped at the time limit, or the server is busy"},
    },
}


def with_base(text: str, base: str) -> str:
    """Give relative IRIs a service-defined base (SPARQL 1.1 Protocol: "MAY be the service endpoint").
    A BASE in the user's text still applies: the later declaration wins. The base comes from the Host header,
    so it is used only when it is a valid IRI (nothing a client sends can change the query's structure)."""
    try:
        ox.NamedNode(base)
    except ValueError:
        return text
    return f"BASE <{base}> {text}"


def _fix_position(error: QuerySyntaxError, base: str, text: str) -> QuerySyntaxError:
    """Report columns on line 1 as the user wrote them, without the BASE we put in front, and name the usual
    causes the parser's "expected …" hides: an empty text, undeclared prefixes."""
    shift = len(with_base("", base))
    message = re.sub(
        r"^line 1, column (\d+)",
        lambda m: f"line 1, column {max(1, int(m.group(1)) - shift)}",
        str(error),
    )
    if not text.strip():
        return QuerySyntaxError(f"the text is empty: send a SPARQL query or update ({message})")
    if missing := undeclared_prefixes(text):
        names = ", ".join(f"{prefix}:" for prefix in missing)
        example = f"PREFIX {missing[0]}: <…>"
        message += f" — {names} used but not declared (add {example} at the top)"
    return QuerySyntaxError(message)


async def sparql_endpoint(request: Request) -> Response:
    ctx = context(request)
    op = await parse_operation(request, ctx.limits)
    if op.update is not None:
        return await _update(request, ctx, op)
    if op.query is None:
        if request.method == "GET":
            return await _describe(request, ctx)
        raise HTTPProblem(400, "the POST carries neither a query nor an update")
    return await _query(request, ctx, op)


# One route per method, so that each has its own OpenAPI operation id.
for _method in ("GET", "POST"):
    router.add_api_route("/sparql", sparql_endpoint, methods=[_method], response_class=Response,
                         summary="SPARQL 1.1 query and update; the service description without a query",
                         openapi_extra=_OPENAPI, operation_id=f"sparql_{_method.lower()}")


async def _query(request: Request, ctx: ServerContext, op: ProtocolOperation) -> Response:
    assert op.query is not None
    form = query_form(op.query)
    if form is None and is_update(op.query):
        raise HTTPProblem(400, f"this is a SPARQL update, not a query: send it with POST as update=… or {UPDATE}")
    kind = form or "select"
    try:
        media_type = negotiate(kind, request.headers.get("accept"), op.format)
    except NotAcceptable as e:
        raise HTTPProblem(406, str(e)) from None
    except UnknownFormat as e:
        raise HTTPProblem(400, str(e)) from None
    ctx.limits.check_services(op.query)
    query = service_proxy.through_proxy(op.query, ctx.limits, ctx.settings)
    base = endpoint_url(request)
    try:
        result = await run_in_threadpool(
            ctx.store.query,
            with_base(query, base),
            media_type,
            default_graph_uris=op.graphs["default-graph-uri"],
            named_graph_uris=op.graphs["named-graph-uri"],
            timeout=ctx.limits.time_limit(op.query),
            max_results=ctx.limits.max_results,
        )
    except QuerySyntaxError as e:
        raise _fix_position(e, base, op.query) from None
    headers = {"Vary": "Accept"}
    if cache_status := getattr(result, "cache_status", None):  # set when the result cache is on (result_cache.py)
        headers["X-Cache"] = cache_status
    return Response(result.body, media_type=content_type(result.media_type), headers=headers)


async def _update(request: Request, ctx: ServerContext, op: ProtocolOperation) -> Response:
    assert op.update is not None
    require_curator(request, ctx.tokens)
    ctx.limits.check_services(op.update)
    ctx.limits.check_loads(op.update)
    try:
        text = add_using_clauses(op.update, op.graphs["using-graph-uri"], op.graphs["using-named-graph-uri"])
    except DatasetConflict as e:
        raise HTTPProblem(400, f"conflicting datasets: {e}") from None
    base = endpoint_url(request)
    try:
        await run_in_threadpool(ctx.store.update, with_base(text, base), timeout=ctx.limits.query_timeout_s)
    except QuerySyntaxError as e:
        raise _fix_position(e, base, op.update) from None
    finally:
        ctx.data_changed()
    return Response(status_code=204)


async def _describe(request: Request, ctx: ServerContext) -> Response:
    accept = request.headers.get("accept")
    if is_browser(parse_accept(accept)):
        return RedirectResponse("/query", status_code=303)
    try:
        media_type = negotiate("graph", accept, request.query_params.get("format"))
    except NotAcceptable as e:
        raise HTTPProblem(406, str(e)) from None
    except UnknownFormat as e:
        raise HTTPProblem(400, str(e)) from None
    body = await run_in_threadpool(ctx.description.serialize, endpoint_url(request), media_type)
    return Response(body, media_type=content_type(media_type), headers={"Vary": "Accept"})
