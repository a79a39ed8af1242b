"""The coverage dashboard: GET /coverage (HTML, or JSON when preferred) and GET /coverage.json.

JSON fields (names stable; ``share_percent`` is a number with one decimal, or null for an empty group):

- ``target_percent`` — the network's target (60.0); ``target_met`` — whether the UN-member share reaches it
- ``un_members`` / ``m49_areas`` — ``{covered, total, share_percent}`` for UN member states (the headline) and for
  every country or area with a UN M49 code
- ``regions`` / ``sub_regions`` — ``[{m49, iri, name, region (sub-regions: the parent's code), un_members,
  m49_areas}]`` by M49 code
- ``missing`` — areas with an M49 code and no case: ``[{iso3, m49, iri, page, name, un_member, region,
  sub_region}]`` (region codes), by region then name
- ``covered`` — countries and areas with cases (with or without an M49 code) and their ``cases`` count
- ``language`` (of the names), ``computed_at`` (UTC), ``query`` (the SPARQL text the numbers come from)
"""

from __future__ import annotations

import hashlib
from functools import cache
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from starlette.responses import JSONResponse, Response

from ingest.namespaces import DEFAULT_BASE_IRI
from sparql_api.server.context import ServerContext, context
from sparql_api.web import i18n
from sparql_api.web.accept import prefers_json
from sparql_api.web.coverage import TARGET_PERCENT, Area, CountryRow, Coverage, Tally, current, query_text
from sparql_api.web.render import render_page
from sparql_api.web.worldmap import BASE_MAP_PATH, base_map_svg, render_world_map

router = APIRouter(tags=["Coverage"])

COVERED, MISSING = "covered", "missing"


def local_path(iri: str, ctx: ServerContext) -> str:
    """The page of an IRI on this server (configured base, or the canonical base of vocabularies)."""
    for base in (ctx.settings.base_iri, DEFAULT_BASE_IRI):
        if iri.startswith(base):
            return "/" + iri[len(base):]
    return iri


def _country_json(cov: Coverage, row: CountryRow, lang: str, ctx: ServerContext) -> dict[str, Any]:
    return {
        "iso3": row.iso3,
        "m49": row.m49,
        "iri": row.iri,
        "page": local_path(row.iri, ctx),
        "name": cov.label(row.iri, lang, row.iso3),
        "un_member": row.un_member,
        "region": cov.area_codes.get(row.region or ""),
        "sub_region": cov.area_codes.get(row.sub_region or ""),
    }


def _area_json(cov: Coverage, area: Area, lang: str) -> dict[str, Any]:
    out: dict[str, Any] = {"m49": area.code, "iri": area.iri, "name": cov.label(area.iri, lang, area.code)}
    if area.level != "region":
        out["region"] = cov.area_codes.get(area.parent or "")
    return out | {"un_members": area.un_members.as_json(), "m49_areas": area.m49_areas.as_json()}


def sorted_missing(cov: Coverage, lang: str) -> list[CountryRow]:
    """Missing areas by region code, then by name in the reader's language."""
    return sorted(cov.missing(), key=lambda r: (cov.area_codes.get(r.region or "", "999"), cov.label(r.iri, lang)))


def coverage_json(cov: Coverage, lang: str, ctx: ServerContext) -> dict[str, Any]:
    """The dashboard's numbers (field names documented in this module's docstring)."""
    un = cov.un_members
    return {
        "target_percent": TARGET_PERCENT,
        "target_met": (un.share or 0) >= TARGET_PERCENT,
        "un_members": un.as_json(),
        "m49_areas": cov.m49_areas.as_json(),
        "regions": [_area_json(cov, a, lang) for a in cov.areas("region")],
        "sub_regions": [_area_json(cov, a, lang) for a in cov.areas("sub-region")],
        "missing": [_country_json(cov, r, lang, ctx) for r in sorted_missing(cov, lang)],
        "covered": [_country_json(cov, r, lang, ctx) | {"cases": r.cases} for r in cov.covered()],
        "language": lang,
        "computed_at": cov.computed_at,
        "query": query_text(),
    }


def _json_response(request: Request) -> JSONResponse:
    ctx = context(request)
    lang = i18n.choose_language(request)
    body = coverage_json(current(ctx), lang, ctx)
    return JSONResponse(body, headers={"Content-Language": lang, "Vary": "Accept, Accept-Language, Cookie"})


# How each language writes "73.1 %": (decimal separator, what follows the number).
_PERCENT_STYLE = {"fr": (",", " %"), "es": (",", " %"), "ru": (",", " %"), "zh": (".", "%"), "ar": (".", "٪")}


def format_share(tally: Tally, lang: str) -> str:
    """A share for reading (``73,1 %`` in French); "–" for an empty group."""
    if tally.share is None:
        return "–"
    separator, suffix = _PERCENT_STYLE.get(lang, (".", " %"))
    return f"{tally.share:.1f}".replace(".", separator) + suffix


def countries_needed(cov: Coverage) -> int:
    """How many more UN member states must be covered to reach the target."""
    un = cov.un_members
    needed = -(-int(TARGET_PERCENT * un.total) // 100)  # ceil(target × total / 100)
    return max(0, needed - un.covered)


def map_markup(cov: Coverage, lang: str, title: str) -> str:
    """The covered / missing choropleth of every area with an M49 code, names in the reader's language."""
    fills = {r.m49: COVERED if r.covered else MISSING for r in cov.countries if r.m49}
    labels = {r.m49: cov.label(r.iri, lang, r.iso3) for r in cov.countries if r.m49}
    return render_world_map(fills, title=title, labels=labels)


def query_links() -> dict[str, str]:
    """Run the coverage query on the endpoint (CSV and JSON results)."""
    text = query_text()
    return {fmt: "/sparql?" + urlencode({"query": text, "format": fmt}) for fmt in ("csv", "json")}


@cache
def _base_map_etag() -> str:
    return f'"{hashlib.sha256(base_map_svg()).hexdigest()[:20]}"'


@router.get(BASE_MAP_PATH, summary="The grey world map under the case and country pages' highlights (SVG)",
            response_class=Response)
def base_map(request: Request) -> Response:
    """Static for the server's life: cached by browsers for a day and revalidated by ETag."""
    body = base_map_svg()
    etag = _base_map_etag()
    headers = {"ETag": etag, "Cache-Control": "public, max-age=86400"}
    if etag in (request.headers.get("if-none-match") or ""):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type="image/svg+xml", headers=headers)


@router.get("/coverage.json", summary="Coverage of UN member states and M49 areas by published cases (JSON)")
def coverage_as_json(request: Request) -> JSONResponse:
    return _json_response(request)


@router.get("/coverage", summary="Coverage dashboard (HTML; JSON with Accept: application/json)",
            response_class=Response)
def coverage_page(request: Request) -> Response:
    if prefers_json(request.headers.get("accept")):
        response: Response = _json_response(request)
        return response
    ctx = context(request)
    lang = i18n.choose_language(request)
    cov = current(ctx)
    _ = i18n.translator(lang)
    return render_page(
        request,
        "coverage.html",
        lang=lang,
        cov=cov,
        un=cov.un_members,
        all_areas=cov.m49_areas,
        target=TARGET_PERCENT,
        needed=countries_needed(cov),
        regions=cov.areas("region"),
        sub_regions=cov.areas("sub-region"),
        missing=sorted_missing(cov, lang),
        covered=cov.covered(),
        world_map=map_markup(cov, lang, _("coverage.map.title")),
        query=query_text(),
        query_links=query_links(),
        page_of=lambda iri: local_path(iri, ctx),
        name_of=lambda iri, default="": cov.label(iri, lang, default),
        code_of=lambda iri: cov.area_codes.get(iri or "", ""),
        share_of=lambda tally: format_share(tally, lang),
        alternates=[{"media_type": "application/json", "href": f"/coverage.json?lang={lang}", "label": "JSON"}],
    )
