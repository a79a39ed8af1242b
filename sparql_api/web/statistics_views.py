"""Totals from the graph summaries, at a cost that does not grow with the number of cases (``sparql_api.summaries``).

- ``GET /statistics/cases.json?facet=country`` — case studies per value of one property: ``facet`` is one of
  ``cases`` (all), ``country``, ``site_type``, ``pollutant``, ``technology``, ``scale``, ``nature_based``,
  ``medium``. Fields: ``facet``, ``values: [{iri, page, label, cases}]`` (most cases first), ``total_cases``.
- ``GET /statistics/outcomes.json?pollutant=Cd&technology=…&metric=…`` — outcome statistics per technology,
  pollutant, metric and unit (each filter optional; a pollutant, technology or metric by notation, label or IRI):
  ``rows: [{technology, pollutant, metric, unit: {iri, label}, cases, reductions, reduction_min, reduction_max,
  reduction_mean}]``. Means are sums ÷ counts over all graphs; the comparison (``/compare``) gives medians,
  costs and rankings from the case records themselves.
Both add ``query`` (the SPARQL text, which runs as is on ``/sparql``) and ``computed_at``; answers are kept
until the next write.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import JSONResponse

from sparql_api.analysis.resolve import FilterError, resolve_concept, resolve_pollutant
from sparql_api.server.context import ServerContext, context
from sparql_api.server.data_cache import data_cache
from sparql_api.server.errors import HTTPProblem
from sparql_api.summaries.totals import FACETS, case_counts, outcome_totals, query_text
from sparql_api.web import i18n
from sparql_api.web.coverage_views import local_path
from sparql_api.web.resource_labels import label_index

router = APIRouter(tags=["Statistics"])
CACHE_KEY = "statistics"
HEADERS = {"Vary": "Accept-Language"}


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _term(ctx: ServerContext, iri: str | None, lang: str) -> dict[str, Any] | None:
    if iri is None:
        return None
    label = label_index(ctx).label(iri, lang)
    return {"iri": iri, "page": local_path(iri, ctx), "label": label.text if label else None}


def _case_counts(ctx: ServerContext, facet: str) -> tuple[list[tuple[str, int]], str]:
    """(value, cases) pairs and when they were computed; kept until the next write."""
    return data_cache(ctx, CACHE_KEY).get(
        lambda: (case_counts(ctx.store, facet, timeout=ctx.limits.query_timeout_s), _now()), ("cases", facet))


@router.get("/statistics/cases.json", summary="Case studies per value of one property, from the graph summaries")
def cases_json(request: Request, facet: str = "country") -> JSONResponse:
    ctx = context(request)
    if facet not in FACETS:
        raise HTTPProblem(400, f"Parameter 'facet': {facet!r} is not one of {', '.join(FACETS)}.")
    lang = i18n.choose_language(request)
    counts, computed_at = _case_counts(ctx, facet)
    total = sum(n for _, n in _case_counts(ctx, "cases")[0])
    body = {
        "facet": facet,
        "values": [(_term(ctx, iri, lang) or {}) | {"cases": n} for iri, n in counts],
        "total_cases": total,
        "language": lang,
        "computed_at": computed_at,
        "query": query_text("cases"),
        "query_parameters": {"facet": FACETS[facet]},
    }
    return JSONResponse(body, headers=HEADERS | {"Content-Language": lang})


def _resolve(field: str, text: str | None) -> str | None:
    if not text:
        return None
    if field == "pollutant":
        found = resolve_pollutant(text)  # names, symbols, CAS numbers, ChEBI IDs; a class when that fits best
        if found.scheme == "pollutant":
            return found.iri
        try:  # "asbestos" is a class and a pollutant: the statistics take the pollutant
            return resolve_concept("pollutant", "pollutant", text).iri
        except FilterError:
            raise FilterError("pollutant", f"'{text}' is a pollutant class; the statistics are per pollutant "
                              "(/compare takes classes)") from None
    return resolve_concept(field, "outcome-metric" if field == "metric" else field, text).iri


def _number(value: object) -> float | None:
    return float(value) if value is not None else None  # type: ignore[arg-type]


@router.get("/statistics/outcomes.json",
            summary="Outcome statistics per technology, pollutant, metric and unit, from the graph summaries")
def outcomes_json(request: Request, pollutant: str | None = None, technology: str | None = None,
                  metric: str | None = None) -> JSONResponse:
    ctx = context(request)
    lang = i18n.choose_language(request)
    try:
        chosen = {name: _resolve(name, text) for name, text in
                  (("pollutant", pollutant), ("technology", technology), ("metric", metric))}
    except FilterError as e:
        raise HTTPProblem(400, str(e)) from None
    key = ("outcomes", *sorted((k, v or "") for k, v in chosen.items()))
    totals, computed_at = data_cache(ctx, CACHE_KEY).get(
        lambda: (outcome_totals(ctx.store, timeout=ctx.limits.query_timeout_s, **chosen), _now()), key)
    rows = [{
        "technology": _term(ctx, t.technology, lang),
        "pollutant": _term(ctx, t.pollutant, lang),
        "metric": _term(ctx, t.metric, lang),
        "unit": _term(ctx, t.unit, lang),
        "cases": t.cases,
        "reductions": t.reductions,
        "reduction_min": _number(t.low),
        "reduction_max": _number(t.high),
        "reduction_mean": _number(t.mean),
    } for t in totals]
    body = {
        "filters": {name: iri for name, iri in chosen.items() if iri},
        "rows": rows,
        "language": lang,
        "computed_at": computed_at,
        "query": query_text("outcomes"),
    }
    return JSONResponse(body, headers=HEADERS | {"Content-Language": lang})
