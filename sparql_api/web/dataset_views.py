"""The dataset as a whole: its description, the JSON-LD context and the downloads (issue #5).

- ``GET /.well-known/void`` — VoID + DCAT (Turtle by default; JSON-LD, RDF/XML, N-Triples by ``Accept``).
- ``GET /dataset`` — the same description as an HTML page for browsers (licence, size per graph, links,
  downloads); RDF for machines that ask for it.
- ``GET /context.jsonld`` — the JSON-LD ``@context`` whose IRI is ``{base}context.jsonld``.
- ``GET /downloads/{file}`` — a file of the latest ``srkg export`` (``<data dir>/exports/latest/``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import FileResponse, Response

from sparql_api.dataset import licences
from sparql_api.dataset.context import context_bytes
from sparql_api.dataset.export import CHECKSUMS, MANIFEST, latest_export, read_manifest
from sparql_api.dataset.void import Facts, collect_facts, describe
from sparql_api.server.context import ServerContext, context, endpoint_url
from sparql_api.server.data_cache import data_cache
from sparql_api.server.errors import HTTPProblem
from sparql_api.server.negotiation import NotAcceptable
from sparql_api.web.coverage_views import local_path
from sparql_api.web.render import render_page
from sparql_api.web.resource_negotiation import HTML, RDF_FORMATS, DocumentFormat, choose_format

router = APIRouter(tags=["Dataset"])

FACTS_KEY = "dataset.facts"
RDFLIB_FORMATS = {"text/turtle": "turtle", "application/ld+json": "json-ld", "application/rdf+xml": "xml",
                  "application/n-triples": "nt"}
NO_EXPORT = "no export has been made on this server yet; run `srkg export` to publish the dumps"
# What the OpenAPI description declares for 200 (the routes build their responses themselves).
RDF_CONTENT = {f.media_type: {} for f in RDF_FORMATS}
DOC_RESPONSES: dict[int | str, dict[str, Any]] = {200: {"description": "RDF by Accept", "content": RDF_CONTENT}}
PAGE_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"description": "HTML, or RDF by Accept", "content": {HTML: {}, **RDF_CONTENT}}}


def facts(ctx: ServerContext) -> Facts:
    """The description's facts, computed once and forgotten after every write."""
    return data_cache(ctx, FACTS_KEY).get(lambda: collect_facts(ctx.store, ctx.settings.base_iri))


def _export_manifest(ctx: ServerContext) -> dict[str, Any] | None:
    latest = latest_export(ctx.settings.data_dir)
    return read_manifest(latest) if latest else None


def _choose(request: Request) -> DocumentFormat:
    try:
        return choose_format(request.headers.get("accept"))
    except NotAcceptable as e:
        raise HTTPProblem(406, str(e)) from e


def _rdf(request: Request, fmt: DocumentFormat) -> Response:
    ctx = context(request)
    server = endpoint_url(request, "")
    graph = describe(facts(ctx), base=ctx.settings.base_iri, server=server, export=_export_manifest(ctx))
    body = graph.serialize(format=RDFLIB_FORMATS[fmt.media_type], encoding="utf-8")
    return Response(body, media_type=fmt.content_type, headers={"Vary": "Accept", "Cache-Control": "max-age=60"})


@router.get("/.well-known/void", summary="VoID + DCAT description of the dataset", response_class=Response,
            responses=DOC_RESPONSES)
def void_description(request: Request) -> Response:
    fmt = _choose(request)
    return _rdf(request, RDF_FORMATS[0] if fmt.media_type == HTML else fmt)


@router.get("/dataset", summary="The dataset: licence, size per graph, links and downloads (HTML or RDF)",
            response_class=Response, responses=PAGE_RESPONSES)
def dataset_page(request: Request) -> Response:
    fmt = _choose(request)
    if fmt.media_type != HTML:
        return _rdf(request, fmt)
    ctx = context(request)
    known = facts(ctx)
    base = ctx.settings.base_iri
    graphs = [
        {"iri": iri, "page": local_path(iri, ctx), "triples": n, "rights": licences.attribution_for(iri, base).rights}
        for iri, n in sorted(known.graphs.items())
    ]
    alternates = [{"media_type": f.media_type, "href": "/.well-known/void", "label": f"VoID ({f.label})"}
                  for f in RDF_FORMATS[:1]]
    return render_page(
        request, "dataset.html", graphs=graphs, total=sum(known.graphs.values()), facts=known,
        export=_export_manifest(ctx), licence=licences.DATA, agrovoc=licences.AGROVOC,
        economic_sources=licences.ECONOMIC_SOURCES, context_iri=base + "context.jsonld",
        endpoint=endpoint_url(request, "/sparql"), alternates=alternates,
    )


@router.get("/context.jsonld", summary="The JSON-LD @context for SRKG data", response_class=Response,
            responses={200: {"description": "JSON-LD context", "content": {"application/ld+json": {}}}})
def jsonld_context() -> Response:
    return Response(context_bytes(), media_type="application/ld+json",
                    headers={"Cache-Control": "max-age=3600", "Access-Control-Allow-Origin": "*"})


@router.get("/downloads/{name}", summary="A file of the latest export (see /dataset)", response_class=Response,
            responses={200: {"description": "the file (type per manifest.json)", "content": {"*/*": {}}}})
def download(request: Request, name: str) -> Response:
    latest = latest_export(context(request).settings.data_dir)
    if latest is None:
        raise HTTPProblem(404, NO_EXPORT)
    listed = {item["name"]: item for item in read_manifest(latest)["files"]}
    if name not in listed and name not in (MANIFEST, CHECKSUMS):
        raise HTTPProblem(404, f"the latest export has no file {name!r}; see /downloads/{MANIFEST}")
    path: Path = latest / name
    media = listed[name]["media_type"] if name in listed else (
        "application/json" if name == MANIFEST else "text/plain")
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    if name.endswith(".gz"):
        return FileResponse(path, media_type="application/gzip", headers=headers)
    if media.startswith("text/") or media == "application/json":
        media += "; charset=utf-8"
    return FileResponse(path, media_type=media, headers=headers)
