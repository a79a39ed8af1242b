"""Linked-data pages: every IRI under the base dereferences (design.md §3), Cool URIs 303 style.

``GET /id/case/x`` (the thing) answers ``303 See Other`` to a document chosen by ``Accept``: ``/id/case/x.html``
for browsers, ``.ttl`` / ``.jsonld`` / ``.rdf`` / ``.nt`` for machines (``Vary: Accept``; a ``?lang=`` goes along).
The documents answer 200 with their own Content-Type and ``Link`` headers to the other formats. Served paths:
``/id/…`` (data), ``/vocab/…`` (schemes and concepts), ``/ontology`` (the ontology document; its terms are hash
IRIs), ``/graph/…`` (named graphs). Other routers are mounted before this one, so their paths win.
``/home`` is the landing page (counts and where to go next).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote

from fastapi import APIRouter, Request
from rdflib import URIRef
from starlette.responses import Response

from sparql_api.server.context import ServerContext, context
from sparql_api.server.errors import problem
from sparql_api.server.negotiation import NotAcceptable
from sparql_api.web import i18n, resource_data
from sparql_api.web.iri_check import is_iri
from sparql_api.web.render import render_page
from sparql_api.web.resource_data import Facts
from sparql_api.web.resource_generic import graph_view
from sparql_api.web.resource_html import kind_of, resource_page
from sparql_api.web.resource_iris import IriSpace, split_suffix
from sparql_api.web.resource_labels import label_index
from sparql_api.web.resource_negotiation import (
    BY_SUFFIX,
    FORMATS,
    HTML,
    RDF_FORMATS,
    SUFFIX_LIST,
    DocumentFormat,
    choose_format,
)
from sparql_api.web.resource_rdf import serialize
from sparql_api.web.resource_view import Presenter

METHODS = ["GET", "HEAD"]
# Characters an IRI cannot contain (RFC 3987): such a path names nothing here.
_NOT_IRI = re.compile(r'[\x00-\x20<>"{}|\\^`\x7f]')

router = APIRouter(include_in_schema=False)


@dataclass(frozen=True)
class Target:
    """What a path names: a resource described in the store, or a named graph (with its size)."""

    iri: URIRef
    graph_triples: int | None = None


def locate(ctx: ServerContext, space: IriSpace, path: str) -> Target | None:
    for iri in space.iris_for_path(path):
        if _NOT_IRI.search(iri) or not is_iri(iri):
            return None
        node = URIRef(iri)
        if path.startswith("/graph/"):
            size = resource_data.graph_size(ctx.store, node)
            if size:
                return Target(node, size)
        if resource_data.exists(ctx.store, node):
            return Target(node)
        if path.startswith("/ontology/"):
            ontology = resource_data.ontology_of_version(ctx.store, node)
            if ontology is not None:
                return Target(ontology)
    return None


def _document_path(stem: str, fmt: DocumentFormat) -> str:
    """The URL path (percent-encoded, safe in headers) of the document about ``stem`` in ``fmt``."""
    return quote(f"{stem}.{fmt.suffix}", safe="/-._~!$&'()*+,;=:@")


def _with_query(request: Request, path: str) -> str:
    query = request.url.query
    return f"{path}?{query}" if query else path


def _link_header(stem: str, formats: tuple[DocumentFormat, ...], rel: str) -> str:
    return ", ".join(f'<{_document_path(stem, f)}>; rel="{rel}"; type="{f.media_type}"' for f in formats)


def alternates(stem: str) -> list[dict[str, str]]:
    return [{"media_type": f.media_type, "href": _document_path(stem, f), "label": f.label} for f in RDF_FORMATS]


def _not_found(request: Request, message: str) -> Response:
    try:
        html = choose_format(request.headers.get("accept")).media_type == HTML
    except NotAcceptable:
        html = False
    if html:
        return render_page(request, "resource/not_found.html", status=404, message=message)
    return problem(404, message)


@router.api_route("/id/{rest:path}", methods=METHODS)
@router.api_route("/vocab/{rest:path}", methods=METHODS)
@router.api_route("/graph/{rest:path}", methods=METHODS)
@router.api_route("/ontology{rest:path}", methods=METHODS)
def resource(request: Request) -> Response:
    """The thing (303 to a document) or one of its documents (200), by path."""
    ctx = context(request)
    space = IriSpace(ctx.settings.base_iri)
    path: str = request.scope["path"]
    target = locate(ctx, space, path)
    if target is not None:
        return _see_other(request, path)
    stem, suffix = split_suffix(path)
    target = locate(ctx, space, stem) if suffix else None
    if target is None:
        return _not_found(request, f"Not found: nothing is known about {path}")
    fmt = BY_SUFFIX.get(suffix or "")
    if fmt is None:
        return _not_found(request, f"Not found: {path} — {stem} is described as {SUFFIX_LIST}, not as .{suffix}")
    headers = {"Link": _link_header(stem, tuple(f for f in FORMATS if f is not fmt), "alternate")}
    if fmt.media_type == HTML:
        return _html(request, ctx, space, target, stem, headers)
    return Response(_rdf(ctx, space, target, fmt), media_type=fmt.content_type, headers=headers)


def _see_other(request: Request, path: str) -> Response:
    try:
        fmt = choose_format(request.headers.get("accept"))
    except NotAcceptable as e:
        return problem(406, str(e), {"Vary": "Accept"})
    location = _with_query(request, _document_path(path, fmt))
    headers = {"Location": location, "Vary": "Accept", "Link": _link_header(path, FORMATS, "describedby")}
    return Response(f"See Other: {location}\n", status_code=303, media_type="text/plain; charset=utf-8",
                    headers=headers)


def _rdf(ctx: ServerContext, space: IriSpace, target: Target, fmt: DocumentFormat) -> bytes:
    store = ctx.store
    if target.graph_triples is not None:
        return store.get_graph(str(target.iri), fmt.media_type) or b""
    facts = resource_data.describe(store, target.iri)
    if kind_of(facts, target.iri) == "ontology":
        whole = store.get_graph(ctx.settings.base_iri + "graph/ontology", fmt.media_type)
        if whole:
            return whole
    return serialize(facts, fmt, space.bases)


def _html(request: Request, ctx: ServerContext, space: IriSpace, target: Target, stem: str,
          headers: dict[str, str]) -> Response:
    lang = i18n.choose_language(request)
    labels = label_index(ctx)

    def presenter(facts: Facts) -> Presenter:
        return Presenter(request, lang, labels, space, facts)

    if target.graph_triples is not None:
        submissions = resource_data.graph_submissions(ctx.store, target.iri)
        template, values = "resource/graph.html", {
            "view": graph_view(target.iri, target.graph_triples, presenter(Facts()), submissions)}
    else:
        facts = resource_data.describe(ctx.store, target.iri)
        template, values = resource_page(ctx.store, target.iri, facts, presenter)
    return render_page(request, template, lang=lang, headers=headers, alternates=alternates(stem), **values)


@router.get("/", include_in_schema=False)
@router.get("/home", include_in_schema=False)
def home(request: Request) -> Response:
    """The landing page: how much the graph holds, and where to go next."""
    ctx = context(request)
    counts = resource_data.home_counts(ctx.store)
    return render_page(request, "home.html", counts=counts)
