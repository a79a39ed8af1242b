"""Survey analytics: barriers and success factors reported, by region, country or technology (issue #9, CQ12).

- ``GET /analytics/barriers`` — HTML with horizontal bar charts drawn on the server as inline SVG (no script, no
  CDN); JSON with ``format=json``, an Accept header preferring JSON, or ``/analytics/barriers.json``.
- ``GET /analytics/barriers.csv`` — one row per (value of ``by``, barrier): ``{by}, {by}_label, barrier_group,
  barrier_group_label, barrier, barrier_notation, barrier_label, reports, survey_responses, case_studies``;
  a reporter that states no value of ``by`` is counted under an empty key ("not stated").
- ``GET /analytics/success-factors.csv`` — one row per (value of ``by``, response, success factor as written).

Parameters: ``by`` = ``region`` (UN M49 region; default), ``country`` or ``technology``; ``group`` = a barrier
group's notation (``REG``, ``ECO``…) or IRI; ``source`` = ``survey`` or ``case``; ``lang``. Counting rules are in
``sparql_api.analysis.barriers``: numbers are distinct reporters (survey responses and case studies). When the
graph holds few reports the page says how many, and nothing else.
"""

from __future__ import annotations

import csv
import io
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from starlette.responses import JSONResponse, Response

from sparql_api.analysis import barriers as ba
from sparql_api.server.context import ServerContext, context
from sparql_api.server.data_cache import data_cache
from sparql_api.server.errors import HTTPProblem
from sparql_api.web import i18n
from sparql_api.web.accept import prefers_json
from sparql_api.web.coverage_views import local_path
from sparql_api.web.render import render_page

router = APIRouter(tags=["Analytics"])

CACHE_KEY = "analytics.barriers"
CSV_TYPE = "text/csv; charset=utf-8"
CSV_COLUMNS = ("barrier_group", "barrier_group_label", "barrier", "barrier_notation", "barrier_label", "reports",
               "survey_responses", "case_studies")


def current(ctx: ServerContext) -> ba.BarrierData:
    """The barrier data of the store now (kept until the next write)."""
    return data_cache(ctx, CACHE_KEY).get(lambda: ba.fetch(ctx.store, ctx.limits.query_timeout_s))


def parameters(request: Request) -> dict[str, str | None]:
    """``by``, ``group`` and ``source``, checked (400 naming the parameter)."""
    params = request.query_params
    by = params.get("by") or "region"
    if by not in ba.DIMENSIONS:
        raise HTTPProblem(400, f"by must be one of {', '.join(ba.DIMENSIONS)}, not {by!r}")
    source = params.get("source") or None
    if source is not None and source not in ba.SOURCES:
        raise HTTPProblem(400, f"source must be one of {', '.join(ba.SOURCES)}, not {source!r}")
    group = params.get("group") or None
    if group is not None and len(group) > 300:
        raise HTTPProblem(400, "group is too long")
    return {"by": by, "group": group, "source": source}


def checked(data: ba.BarrierData, params: dict[str, str | None]) -> dict[str, str | None]:
    """``params`` with ``group`` checked against the barrier groups of the vocabulary (400 when it names none)."""
    group = params["group"]
    known = set(data.groups.values())
    if group is not None and not any(group in (g, data.notations.get(g)) for g in known):
        names = ", ".join(sorted(data.notations.get(g, g) for g in known))
        raise HTTPProblem(400, f"group {group!r} is not a barrier group (use one of {names})")
    return params


class Labeller:
    """Labels in the reader's language; an empty key is "not stated"."""

    def __init__(self, data: ba.BarrierData, lang: str) -> None:
        self.data, self.lang = data, lang
        self.not_stated = i18n.text("analytics.not_stated", lang)

    def __call__(self, iri: str | None) -> str:
        if iri is None:
            return self.not_stated
        return self.data.label(iri, self.lang, iri.rsplit("/", 1)[-1])

    def barrier(self, iri: str) -> dict[str, Any]:
        group = self.data.group_of(iri)
        return {"barrier": iri, "notation": self.data.notations.get(iri, ""), "label": self(iri),
                "group": group, "group_notation": self.data.notations.get(group, ""), "group_label": self(group)}


def _counted(cells: list[ba.Cell], name: Labeller) -> list[dict[str, Any]]:
    return [name.barrier(c.barrier) | {"reports": c.count, "survey": c.survey, "cases": c.cases} for c in cells]


def analytics(data: ba.BarrierData, params: dict[str, str | None], lang: str) -> dict[str, Any]:
    """Everything the page and the JSON show (field names documented in the JSON itself)."""
    by = params["by"] or "region"
    reports = data.filtered(params["source"], params["group"])
    name = Labeller(data, lang)
    keyed: dict[str | None, list[ba.Cell]] = {}
    for cell in ba.tally(reports, by):
        keyed.setdefault(cell.key, []).append(cell)
    who = ba.reporters(reports)
    return {
        "by": by,
        "filters": {"group": params["group"], "source": params["source"]},
        "reporters": {"survey_responses": who["survey"], "case_studies": who["case"],
                      "total": who["survey"] + who["case"]},
        "reports": len({(r.reporter, r.barrier) for r in reports}),
        "groups": [{"group": c.barrier, "notation": data.notations.get(c.barrier, ""), "label": name(c.barrier),
                    "reports": c.count} for c in ba.tally_groups(reports, data, None)],
        "barriers": _counted(ba.tally(reports, None), name),
        "by_key": [{"key": key, "label": name(key),
                    "reporters": len({r.reporter for r in reports if r.key(by) == key}),
                    "barriers": _counted(cells, name)} for key, cells in keyed.items()],
        "success_factors": [{"key": key, "label": name(key), "responses": len({f.response for f in found}),
                             "texts": [f.text for f in found]}
                            for key, found in ba.success_counts(data.success_factors, by).items()],
        "language": lang,
        "query": ba.query_text("reports"),
    }


def csv_text(header: list[str], rows: list[list[object]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def barriers_csv(data: ba.BarrierData, params: dict[str, str | None], lang: str) -> str:
    by = params["by"] or "region"
    name = Labeller(data, lang)
    rows = []
    for cell in ba.tally(data.filtered(params["source"], params["group"]), by):
        b = name.barrier(cell.barrier)
        rows.append([cell.key or "", name(cell.key), b["group"], b["group_label"], b["barrier"], b["notation"],
                     b["label"], cell.count, cell.survey, cell.cases])
    return csv_text([by, f"{by}_label", *CSV_COLUMNS], rows)


def csv_response(text: str, filename: str, lang: str) -> Response:
    return Response(text.encode("utf-8"), media_type=CSV_TYPE,
                    headers={"Content-Disposition": f'attachment; filename="{filename}"', "Content-Language": lang})


def bar_width(value: int, largest: int) -> str:
    """The bar's length in the chart's 0–100 units, as written in the SVG."""
    return f"{100 * value / largest:.2f}" if largest else "0"


def link(params: dict[str, str | None], lang: str, path: str = "/analytics/barriers", **changes: str | None) -> str:
    merged = {**params, **changes, "lang": lang}
    return path + "?" + urlencode({k: v for k, v in merged.items() if v})


def json_answer(request: Request) -> JSONResponse:
    ctx = context(request)
    lang = i18n.choose_language(request)
    data = current(ctx)
    body = analytics(data, checked(data, parameters(request)), lang)
    return JSONResponse(body, headers={"Content-Language": lang, "Vary": "Accept, Accept-Language, Cookie"})


@router.get("/analytics/barriers.json", summary="Barriers and success factors reported (JSON)")
def barriers_json(request: Request) -> JSONResponse:
    return json_answer(request)


@router.get("/analytics/barriers.csv", summary="Barriers reported, counted by region, country or technology (CSV)",
            response_class=Response)
def barriers_csv_download(request: Request) -> Response:
    lang = i18n.choose_language(request)
    data = current(context(request))
    params = checked(data, parameters(request))
    return csv_response(barriers_csv(data, params, lang), f"barriers-by-{params['by']}.csv", lang)


@router.get("/analytics/success-factors.csv", summary="Success factors reported, by region, country or technology",
            response_class=Response)
def success_factors_csv(request: Request) -> Response:
    params = parameters(request)
    by = params["by"] or "region"
    lang = i18n.choose_language(request)
    data = current(context(request))
    name = Labeller(data, lang)
    rows: list[list[object]] = [[key or "", name(key), f.response, f.text]
                                for key, found in ba.success_counts(data.success_factors, by).items() for f in found]
    return csv_response(csv_text([by, f"{by}_label", "response", "success_factor"], rows),
                        f"success-factors-by-{by}.csv", lang)


@router.get("/analytics/barriers", summary="Barriers and success factors reported (HTML with charts, or JSON)",
            response_class=Response)
def barriers_page(request: Request) -> Response:
    fmt = request.query_params.get("format")
    if fmt not in (None, "", "html", "json"):
        raise HTTPProblem(400, f"format must be 'html' or 'json', not {fmt!r}")
    if fmt == "json" or (not fmt and prefers_json(request.headers.get("accept"))):
        return json_answer(request)
    ctx = context(request)
    lang = i18n.choose_language(request)
    data = current(ctx)
    params = checked(data, parameters(request))
    body = analytics(data, params, lang)
    group_choices = sorted({g for g in data.groups.values()}, key=lambda g: data.notations.get(g, g))
    return render_page(
        request, "analytics_barriers.html", lang=lang, a=body, params=params, bar_width=bar_width,
        link=lambda path="/analytics/barriers", **changes: link(params, lang, path, **changes),
        page_of=lambda iri: local_path(iri, ctx) if iri else "",
        groups=[(data.notations.get(g, g), data.label(g, lang, g)) for g in group_choices],
        dimensions=ba.DIMENSIONS, sources=ba.SOURCES,
        alternates=[{"media_type": "application/json", "href": link(params, lang, "/analytics/barriers.json"),
                     "label": "JSON"},
                    {"media_type": "text/csv", "href": link(params, lang, "/analytics/barriers.csv"), "label": "CSV"}],
    )
