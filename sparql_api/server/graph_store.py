"""SPARQL 1.1 Graph Store HTTP Protocol at /rdf-graph-store.

Indirect identification: ``?graph=IRI`` or ``?default``. Direct identification: ``/rdf-graph-store/<path>``
names the graph whose IRI is that very URL (how the W3C tests address graphs, and where a POST to the store
itself creates its new graph). Reads are public; writes need a curator token.
Status codes follow the W3C spec and its test manifest: PUT 201 (created) / 204 (replaced); POST to a graph
201 (created) / 200 (merged); POST to the store 201 + Location; DELETE 200, or 404 for a missing graph.
"""

from __future__ import annotations

import uuid

import pyoxigraph as ox
from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from sparql_api.server.auth import require_curator
from sparql_api.server.context import ServerContext, context, endpoint_url
from sparql_api.server.errors import HTTPProblem
from sparql_api.server.negotiation import GRAPH_TYPES, NotAcceptable, UnknownFormat, content_type, negotiate
from sparql_api.server.rdf_payload import read_payload
from sparql_api.store.base import DEFAULT_GRAPH

PATH = "/rdf-graph-store"
METHODS = ["GET", "HEAD", "PUT", "POST", "DELETE"]
router = APIRouter(tags=["Graph Store HTTP Protocol"])
# What the OpenAPI description declares: reads answer RDF; writes answer with a status and no body.
_RESPONSES = {
    "GET": {200: {"description": "the graph, in the syntax asked for", "content": {t: {} for t in GRAPH_TYPES}}},
    "HEAD": {200: {"description": "headers of the graph's GET", "content": {t: {} for t in GRAPH_TYPES}}},
    "PUT": {201: {"description": "created"}, 204: {"description": "replaced"}},
    "POST": {200: {"description": "merged"}, 201: {"description": "created"}},
    "DELETE": {200: {"description": "deleted"}},
}


def _direct_iri(request: Request, path: str | None = None) -> str:
    """The graph IRI a direct-identification URL names: the URL itself (it must be a valid IRI)."""
    if path is None:
        raw = request.scope.get("raw_path")
        path = raw.decode("latin-1") if isinstance(raw, bytes) else request.url.path
    iri = endpoint_url(request, path)
    try:
        ox.NamedNode(iri)
    except ValueError as e:
        raise HTTPProblem(400, f"{iri!r} cannot name a graph: {e}") from None
    return iri


def _target(request: Request) -> str | None:
    """The graph IRI (``DEFAULT_GRAPH`` for ?default), or None when the request addresses the store itself."""
    params = request.query_params
    graphs = params.getlist("graph")
    default = "default" in params
    if request.path_params.get("path"):
        if graphs or default:
            raise HTTPProblem(400, "a graph URL under /rdf-graph-store/ names its graph itself; drop ?graph/?default")
        return _direct_iri(request)
    if default and graphs:
        raise HTTPProblem(400, "give either ?default or ?graph=IRI, not both")
    if len(graphs) > 1:
        raise HTTPProblem(400, "give exactly one ?graph=IRI")
    if default:
        return DEFAULT_GRAPH
    if graphs:
        try:
            ox.NamedNode(graphs[0])
        except ValueError:
            raise HTTPProblem(400, f"graph={graphs[0]!r} is not an absolute IRI") from None
        return graphs[0]
    return None


def _name(target: str) -> str:
    return "the default graph" if target == DEFAULT_GRAPH else f"graph <{target}>"


async def graph_store_indirect(request: Request) -> Response:
    return await _dispatch(request)


async def graph_store_direct(request: Request, path: str) -> Response:
    return await _dispatch(request)


# One route per method, so that each has its own OpenAPI operation id.
for _method in METHODS:
    router.add_api_route(PATH, graph_store_indirect, methods=[_method], operation_id=f"gsp_{_method.lower()}",
                         summary="Graph Store Protocol (indirect: ?graph=IRI or ?default)",
                         response_class=Response, responses=_RESPONSES[_method])
    router.add_api_route(PATH + "/{path:path}", graph_store_direct, methods=[_method],
                         operation_id=f"gsp_direct_{_method.lower()}",
                         summary="Graph Store Protocol (direct identification)",
                         response_class=Response, responses=_RESPONSES[_method])


async def _dispatch(request: Request) -> Response:
    ctx = context(request)
    target = _target(request)
    if request.method in ("GET", "HEAD"):
        return await _read(request, ctx, target)
    require_curator(request, ctx.tokens)
    try:
        if request.method == "PUT":
            return await _put(request, ctx, target)
        if request.method == "POST":
            return await _post(request, ctx, target)
        return await _delete(ctx, target)
    finally:
        ctx.data_changed()


def _need_graph(target: str | None, method: str) -> str:
    if target is None:
        raise HTTPProblem(400, f"{method} needs a graph: add ?graph=IRI or ?default")
    return target


async def _read(request: Request, ctx: ServerContext, target: str | None) -> Response:
    graph = _need_graph(target, request.method)
    try:
        media_type = negotiate("graph", request.headers.get("accept"), request.query_params.get("format"))
    except NotAcceptable as e:
        raise HTTPProblem(406, str(e)) from None
    except UnknownFormat as e:
        raise HTTPProblem(400, str(e)) from None
    body = await run_in_threadpool(ctx.store.get_graph, graph, media_type)
    if body is None:
        raise HTTPProblem(404, f"there is no {_name(graph)} in this store")
    headers = {"Vary": "Accept"}
    if request.method == "HEAD":
        headers["Content-Length"] = str(len(body))
        return Response(b"", media_type=content_type(media_type), headers=headers)
    return Response(body, media_type=content_type(media_type), headers=headers)


def _base(target: str) -> str | None:
    return None if target == DEFAULT_GRAPH else target


async def _put(request: Request, ctx: ServerContext, target: str | None) -> Response:
    graph = _need_graph(target, "PUT")
    data, media_type = await read_payload(request, ctx.limits, _base(graph))
    existed = await run_in_threadpool(ctx.store.has_graph, graph)
    await run_in_threadpool(ctx.store.replace_graph, graph, data, media_type)
    return Response(status_code=204 if existed else 201)


async def _post(request: Request, ctx: ServerContext, target: str | None) -> Response:
    if target is None:
        new_iri = _direct_iri(request, f"{PATH}/{uuid.uuid4().hex}")
        data, media_type = await read_payload(request, ctx.limits, new_iri)
        await run_in_threadpool(ctx.store.add_graph, new_iri, data, media_type)
        return Response(status_code=201, headers={"Location": new_iri})
    data, media_type = await read_payload(request, ctx.limits, _base(target))
    existed = target == DEFAULT_GRAPH or await run_in_threadpool(ctx.store.has_graph, target)
    await run_in_threadpool(ctx.store.add_graph, target, data, media_type)
    return Response(status_code=200 if existed else 201)


async def _delete(ctx: ServerContext, target: str | None) -> Response:
    graph = _need_graph(target, "DELETE")
    existed = await run_in_threadpool(ctx.store.drop_graph, graph)
    if not existed and graph != DEFAULT_GRAPH:
        raise HTTPProblem(404, f"there is no {_name(graph)} to delete")
    return Response(status_code=200)
