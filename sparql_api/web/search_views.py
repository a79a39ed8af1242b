"""Search and browse: ``GET /search`` (HTML, or JSON when asked) and ``GET /search.json``.

Parameters: ``q`` (at most 500 characters; empty = browse every case), any number of facet filters —
``country`` ``region`` ``subregion`` ``pollutant_class`` ``pollutant`` ``technology`` ``nature_based`` ``scale``
``year`` — each given as a concept's key (``THA``, ``142``, ``metals-metalloids``, ``phytoextraction``,
``yes``, ``field``) or its full IRI, a year as digits; ``page`` (1-based, 20 cases a page); ``format``
(``json`` or ``html``); ``lang``. Several values of one facet are alternatives, different facets all apply.
JSON is answered for ``/search.json``, ``format=json``, or an Accept header that prefers ``application/json``
to HTML.

Bad input is a 400 (plain text naming the parameter): ``q`` over 500 characters, ``page`` not a whole number
from 1 to 10,000, an unknown ``format``, a facet value that names nothing the facet has (a misspelt country
code), or more than 50 filter values. A real value that matches no case (a country without cases) is not an
error: it gives 0 results. A page past the last one is an empty page. Ranking and facet counting are described
in ``search_index``.

The index is made in the background at server start (and again after writes); a search arriving while it is made
waits at most ``SEARCH_WAIT_S``, then gets a 503 with ``Retry-After`` saying how long the index has been in the
making (at 1M cases it takes ~20 minutes; a search never holds a server thread for that long).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from starlette.responses import JSONResponse, Response

from ingest.namespaces import DEFAULT_BASE_IRI
from sparql_api.server.context import context
from sparql_api.server.errors import HTTPProblem
from sparql_api.web import i18n
from sparql_api.web.accept import prefers_json
from sparql_api.web.render import render_page, safe_href
from sparql_api.web.search_index import (
    FACETS,
    CaseDoc,
    IndexNotReady,
    QueryWord,
    SearchIndex,
    SearchRequest,
    SearchResult,
    UnknownFacetValue,
    index_for,
    local_key,
    snippet,
)

router = APIRouter(tags=["pages"])

MAX_QUERY_CHARS = 500
MAX_PAGE = 10_000
MAX_FILTER_VALUES = 50
PAGE_SIZE = 20
FACETS_SHOWN = 10  # values listed before "n more"
PAGE_WINDOW = 2  # page links either side of the current one
SEARCH_WAIT_S = 10.0  # a search waits this long for an index being made, then gets a 503


@dataclass(frozen=True)
class SearchParams:
    """The request's search parameters, checked; ``filters`` keep the values as the URL gave them."""

    q: str
    filters: dict[str, tuple[str, ...]]
    page: int
    lang: str | None  # an explicit ?lang=, kept in the links this page makes


def parse_params(request: Request) -> SearchParams:
    """Read and check the parameters; HTTPProblem(400) names the first bad one."""
    params = request.query_params
    q = params.get("q", "")
    if len(q) > MAX_QUERY_CHARS:
        raise HTTPProblem(400, f"The search text (q) is too long: {len(q)} characters; at most {MAX_QUERY_CHARS}.")
    raw_page = params.get("page", "1").strip() or "1"
    if not raw_page.isascii() or not raw_page.isdigit() or not 1 <= int(raw_page) <= MAX_PAGE:
        raise HTTPProblem(400, f"page must be a whole number from 1 to {MAX_PAGE}, not {raw_page!r}.")
    filters = {facet: tuple(dict.fromkeys(v.strip() for v in params.getlist(facet) if v.strip())) for facet in FACETS}
    filters = {facet: values for facet, values in filters.items() if values}
    if sum(len(values) for values in filters.values()) > MAX_FILTER_VALUES:
        raise HTTPProblem(400, f"Too many filter values: at most {MAX_FILTER_VALUES}.")
    lang = params.get("lang")
    lang = lang if lang and lang.split("-")[0].lower() in i18n.LANGUAGES else None
    return SearchParams(q, filters, int(raw_page), lang)


def wants_json(request: Request) -> bool:
    """``/search.json``, ``format=json``, or an Accept header preferring JSON to HTML."""
    fmt = request.query_params.get("format")
    if fmt is not None and fmt.lower() not in ("json", "html"):
        raise HTTPProblem(400, f"format must be 'json' or 'html', not {fmt!r}.")
    if fmt:
        return fmt.lower() == "json"
    if request.url.path.endswith(".json"):
        return True
    return prefers_json(request.headers.get("accept"))


def search_request(params: SearchParams, index: SearchIndex) -> SearchRequest:
    """The index's request: facet values resolved to IRIs (or years); unknown ones are a 400."""
    resolved: dict[str, frozenset[str]] = {}
    for facet, values in params.filters.items():
        try:
            resolved[facet] = frozenset(index.resolve(facet, value) for value in values)
        except UnknownFacetValue as e:
            raise HTTPProblem(400, f"Unknown filter value: {e}.") from None
    return SearchRequest(params.q, resolved, params.page, PAGE_SIZE)


# --------------------------------------------------------------------------------------------------------------
# Presenting a result: the JSON body, which the HTML page shows too
# --------------------------------------------------------------------------------------------------------------
class Presenter:
    """Turns IRIs into labels in the reader's language and into local URLs."""

    def __init__(self, index: SearchIndex, lang: str, base_iri: str) -> None:
        self.index = index
        self.lang = lang
        self.bases = tuple(dict.fromkeys(b if b.endswith("/") else b + "/" for b in (base_iri, DEFAULT_BASE_IRI)))

    def url(self, iri: str) -> str:
        """The page of ``iri`` on this server (``…/id/case/x`` → ``/id/case/x``); other IRIs as they are."""
        for base in self.bases:
            if iri.startswith(base):
                return "/" + iri[len(base):]
        return safe_href(iri) or "#"

    def label(self, facet: str, value: str) -> str:
        if facet == "year":
            return value
        concept = self.index.concepts.get(value)
        return concept.label(self.lang) if concept else local_key(value)

    def key(self, facet: str, value: str) -> str:
        """What a URL says for ``value``: its key when that names it unambiguously, else the IRI."""
        if facet == "year":
            return value
        key = local_key(value)
        try:
            return key if self.index.resolve(facet, key) == value else value
        except UnknownFacetValue:
            return value

    def ref(self, facet: str, value: str | None) -> dict[str, str] | None:
        if value is None:
            return None
        return {"value": value, "key": self.key(facet, value), "label": self.label(facet, value)}

    def body(self, params: SearchParams, result: SearchResult) -> dict[str, Any]:
        """The JSON answer; ``results[].snippet_parts`` become a plain ``snippet`` in ``json_body``."""
        request = result.request
        also = frozenset().union(*(hit.concept.synonyms() for hit in result.concepts))
        return {
            "query": params.q,
            "language": self.lang,
            "filters": {f: [self.ref(f, v) for v in sorted(vs)] for f, vs in request.filters.items()},
            "total": result.total,
            "page": request.page,
            "page_size": request.page_size,
            "pages": result.pages,
            "order": "relevance" if result.words else "title",
            "results": [self.hit(hit.case, hit.score, result.words, also) for hit in result.hits],
            "facets": {
                facet: [{**(self.ref(facet, v.value) or {}), "count": v.count, "selected": v.selected}
                        for v in values]
                for facet, values in result.facets.items()
            },
            "concepts": [
                {"iri": c.concept.iri, "url": self.url(c.concept.iri), "kind": c.concept.kind,
                 "key": self.key(c.concept.kind, c.concept.iri), "label": c.concept.label(self.lang),
                 "cases": c.cases, "score": round(c.score, 4)}
                for c in result.concepts
            ],
        }

    def hit(self, case: CaseDoc, score: float | None, words: list[QueryWord], also: frozenset[str]) -> dict[str, Any]:
        return {
            "iri": case.iri,
            "url": self.url(case.iri),
            "title": case.title(self.lang),
            "score": None if score is None else round(score, 4),
            "year": case.year,
            "country": self.ref("country", case.first("country")),
            "region": self.ref("region", case.first("region")),
            "scale": self.ref("scale", case.first("scale")),
            "nature_based": self.ref("nature_based", case.first("nature_based")),
            "pollutants": [self.ref("pollutant", p) for p in case.pollutants],
            "technologies": [self.ref("technology", t) for t in case.technologies],
            "snippet_parts": self.snippet(case, words, also),
        }

    def snippet(self, case: CaseDoc, words: list[QueryWord], also: frozenset[str]) -> list[tuple[str, bool]]:
        """From the summary (reader's language first) or the site's description, the first that matches;
        words of the query are marked, and so are ``also``: one-word labels of the concepts found ("Cd")."""
        titles = set(case.titles.values())
        texts = [case.summary(self.lang)]
        texts += [t for name, _, t in case.fields if name in ("summary", "site") and t not in titles]
        texts = [t for t in dict.fromkeys(texts) if t]
        parts = [snippet(text, words, also=also) for text in texts]
        return next((p for p in parts if any(marked for _, marked in p)), parts[0] if parts else [])


def json_body(body: dict[str, Any]) -> dict[str, Any]:
    """The body as sent in JSON: the snippet as plain text."""
    results = [{**{k: v for k, v in r.items() if k != "snippet_parts"},
                "snippet": "".join(part for part, _ in r["snippet_parts"])} for r in body["results"]]
    return {**body, "results": results}


# --------------------------------------------------------------------------------------------------------------
# Links of the HTML page
# --------------------------------------------------------------------------------------------------------------
def search_url(params: SearchParams, filters: dict[str, tuple[str, ...]] | None = None, page: int = 1,
               path: str = "/search") -> str:
    """``path`` with the query, ``filters`` (default: the current ones), ``page`` and an explicit language."""
    pairs: list[tuple[str, str]] = [("q", params.q)] if params.q else []
    for facet in FACETS:
        pairs.extend((facet, value) for value in (params.filters if filters is None else filters).get(facet, ()))
    if page > 1:
        pairs.append(("page", str(page)))
    if params.lang:
        pairs.append(("lang", params.lang))
    return path + ("?" + urlencode(pairs) if pairs else "")


def toggled(params: SearchParams, facet: str, ref: dict[str, Any], selected: bool,
            resolve: Callable[[str, str], str]) -> dict[str, tuple[str, ...]]:
    """The filters with the value ``ref`` added to ``facet``, or removed (however the URL spelled it)."""
    filters = dict(params.filters)
    current = filters.get(facet, ())
    if selected:
        filters[facet] = tuple(raw for raw in current if resolve(facet, raw) != ref["value"])
    else:
        filters[facet] = (*current, ref["key"])
    return {f: v for f, v in filters.items() if v}


def page_links(params: SearchParams, page: int, pages: int) -> list[dict[str, Any]]:
    """Links to the first, last and nearby pages (None ``number`` marks a gap)."""
    numbers = sorted({1, pages, *range(max(1, page - PAGE_WINDOW), min(pages, page + PAGE_WINDOW) + 1)})
    links: list[dict[str, Any]] = []
    for number in numbers:
        if links and number - links[-1]["number"] > 1:
            links.append({"number": None, "href": None, "current": False})
        links.append({"number": number, "href": search_url(params, page=number), "current": number == page})
    return links


def html_context(params: SearchParams, body: dict[str, Any], _: Callable[..., str],
                 resolve: Callable[[str, str], str]) -> dict[str, Any]:
    """What search.html needs beyond the JSON body: facet titles and every link."""
    facets = []
    for facet in FACETS:
        values = [{**v, "href": search_url(params, toggled(params, facet, v, v["selected"], resolve))}
                  for v in body["facets"][facet]]
        facets.append({"name": facet, "title": _(f"search.facet.{facet}"),
                       "shown": values[:FACETS_SHOWN], "more": values[FACETS_SHOWN:]})
    active = [{"facet_title": _(f"search.facet.{facet}"), "label": ref["label"],
               "href": search_url(params, toggled(params, facet, ref, True, resolve))}
              for facet, refs in body["filters"].items() for ref in refs]
    browse = SearchParams("", {}, 1, params.lang)
    concepts = [{**c, "kind_label": _(f"search.kind.{c['kind']}"),
                 "search_href": search_url(browse, {c["kind"]: (c["key"],)})} for c in body["concepts"]]
    page, pages = body["page"], body["pages"]
    return {
        "hidden_filters": [(facet, value) for facet in FACETS for value in params.filters.get(facet, ())],
        "explicit_lang": params.lang,
        "facet_sections": facets,
        "concept_links": concepts,
        "active_filters": active,
        "clear_href": search_url(params, {}),
        "first_rank": (page - 1) * body["page_size"] + 1,
        "previous_href": search_url(params, page=page - 1) if page > 1 else None,
        "next_href": search_url(params, page=page + 1) if page < pages else None,
        "page_links": page_links(params, page, pages) if pages > 1 else [],
        "json_href": search_url(params, page=page, path="/search.json"),
    }


# --------------------------------------------------------------------------------------------------------------
# Routes
# --------------------------------------------------------------------------------------------------------------
def answer(request: Request, as_json: bool) -> Response:
    params = parse_params(request)
    ctx = context(request)
    try:
        index = index_for(ctx, SEARCH_WAIT_S)
    except IndexNotReady as e:
        raise not_ready(e) from None
    result = index.search(search_request(params, index))
    lang = i18n.choose_language(request)
    body = Presenter(index, lang, ctx.settings.base_iri).body(params, result)
    headers = {"Vary": "Accept, Accept-Language, Cookie", "Content-Language": lang}
    if as_json:
        return JSONResponse(json_body(body), headers=headers)
    _ = i18n.translator(lang)
    extra = html_context(params, body, _, index.resolve)
    alternates = [{"media_type": "application/json", "href": extra["json_href"], "label": "JSON"}]
    return render_page(request, "search.html", lang=lang, alternates=alternates, **body, **extra)


def not_ready(e: IndexNotReady) -> HTTPProblem:
    """503 with the time the index has been in the making, and Retry-After from how long the last one took."""
    left = None if e.last_build_s is None else e.last_build_s - e.building_for_s
    retry = 30 if left is None else int(min(300, max(5, left)))
    last = "" if e.last_build_s is None else f"; the last one took {e.last_build_s:.0f} s"
    return HTTPProblem(503, f"Search is not ready yet: the search index is being made ({e.building_for_s:.0f} s so "
                            f"far{last}). Try again in {retry} s.", {"Retry-After": str(retry)})


def _parameter(name: str, description: str, *, many: bool = False) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "array", "items": {"type": "string"}} if many else {"type": "string"}
    return {"name": name, "in": "query", "required": False, "description": description, "schema": schema,
            **({"style": "form", "explode": True} if many else {})}


OPENAPI = {"parameters": [
    _parameter("q", f"Words to find (at most {MAX_QUERY_CHARS} characters; empty: browse every case)."),
    *(_parameter(facet, f"Filter by {facet.replace('_', ' ')}: a key such as "
                        f"{example} or the concept's IRI; repeat for alternatives.", many=True)
      for facet, example in [("country", "THA"), ("region", "142"), ("subregion", "035"),
                             ("pollutant_class", "metals-metalloids"), ("pollutant", "cadmium"),
                             ("technology", "phytoextraction"), ("nature_based", "yes, partial or no"),
                             ("scale", "field"), ("year", "2012")]),
    _parameter("page", f"Page number, 1 to {MAX_PAGE} ({PAGE_SIZE} cases a page)."),
    _parameter("format", "json or html (default: by Accept)."),
    _parameter("lang", "Language of labels and interface: en, fr, es, ru, zh or ar."),
]}


NOT_READY = {503: {"description": "The search index is being made (at server start, after a write): try again "
                                  "after Retry-After seconds"}}


@router.get("/search", summary="Search and browse case studies (HTML or JSON)", openapi_extra=OPENAPI,
            responses={200: {"description": "HTML, or JSON when asked", "content": {"text/html": {}}}, **NOT_READY})
def search_page(request: Request) -> Response:
    """Full-text search over case studies with facets; HTML by default, JSON when asked (see /search.json)."""
    return answer(request, wants_json(request))


@router.get("/search.json", summary="Search and browse case studies (JSON)", openapi_extra=OPENAPI,
            responses=NOT_READY)
def search_json(request: Request) -> Response:
    """The same search as /search, always as JSON: query, filters, total, page, results, facets, concepts."""
    wants_json(request)  # checks ``format``
    return answer(request, True)
