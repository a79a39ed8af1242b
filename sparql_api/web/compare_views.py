"""Technology comparison: ``GET /compare`` (HTML page with a form) and ``GET /compare.json`` (the same data).

Parameters: ``pollutant`` (required for a result: symbol, label, notation or IRI — ``Cd``, ``lead``, ``TPH``,
``metals-metalloids``), ``medium``, ``site_type``, ``country`` (ISO 3166 code or name), ``region`` (UN M49 code
or name), ``metric`` (outcome metric to rank on), pillar weights as ``weights=environmental=2,social=1,economic=1``
or as ``w_environmental``, ``w_social``, ``w_economic`` (the form's fields, which win), ``lang``, and
``case_limit``: how many cases each per-case list shows (default 20, a whole number from 1, or ``all``; counts and
medians always cover every case, and a list cut short is followed by ``<list>_not_listed``).
A value the vocabulary does not know, malformed weights or a parameter over 200 characters is a 400 (plain text
for JSON; the page shows the form with the message). The JSON fields are those of
``sparql_api.analysis.report.comparison_json``; each case, outcome, cost and technology carries ``page`` (its path on
this server) and each query a ``link`` that runs it at /sparql.

Answers are kept as their JSON text (``compare_answers.CACHE_MB`` in all, least recently asked dropped first) until
a write touches the case studies of their pollutants (or the vocabularies): an identical request is then answered
from memory, and the answers a write dropped are computed again in the background.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from rdflib import Literal
from starlette.responses import Response

from sparql_api.analysis.cost_measures import BASES
from sparql_api.analysis.evidence import query_text
from sparql_api.analysis.money import default_tables
from sparql_api.analysis.pillar_scores import PILLARS
from sparql_api.analysis.report import comparison_json
from sparql_api.analysis.resolve import FilterError
from sparql_api.analysis.service import CompareRequest, run
from sparql_api.server.context import ServerContext, context
from sparql_api.server.errors import HTTPProblem
from sparql_api.web import i18n
from sparql_api.web.accept import prefers_json
from sparql_api.web.compare_answers import Answer, answers_for
from sparql_api.web.render import render_page
from sparql_api.web.resource_iris import IriSpace

router = APIRouter(tags=["Comparison"])

MAX_PARAM_CHARS = 200
TEXT_PARAMS = ("pollutant", "medium", "site_type", "country", "region", "metric", "weights", "case_limit")
DEFAULT_CASE_LIMIT = 20


def _params(request: Request) -> dict[str, str]:
    """The filter parameters as given (stripped); HTTPProblem 400 for an over-long value."""
    values: dict[str, str] = {}
    for name in (*TEXT_PARAMS, *(f"w_{p}" for p in PILLARS)):
        value = request.query_params.get(name, "").strip()
        if len(value) > MAX_PARAM_CHARS:
            raise HTTPProblem(400, f"Parameter '{name}' is longer than {MAX_PARAM_CHARS} characters.")
        if value:
            values[name] = value
    return values


def _weights(params: dict[str, str]) -> str | None:
    """The form's three weight fields (when any is given) as ``pillar=w,…``, else the ``weights`` parameter."""
    if any(f"w_{p}" in params for p in PILLARS):
        return ",".join(f"{p}={params.get(f'w_{p}', '1')}" for p in PILLARS)
    return params.get("weights")


def _case_limit(params: dict[str, str]) -> int | None:
    """The ``case_limit`` parameter: None for ``all``; HTTPProblem 400 for anything but a whole number ≥ 1."""
    raw = params.get("case_limit", str(DEFAULT_CASE_LIMIT))
    if raw == "all":
        return None
    if not raw.isascii() or not raw.isdigit() or int(raw) < 1:
        raise HTTPProblem(400, f"Parameter 'case_limit' must be a whole number from 1, or 'all' (got {raw!r}).")
    return int(raw)


def _request(params: dict[str, str], lang: str) -> CompareRequest:
    return CompareRequest(params.get("pollutant", ""), params.get("medium"), params.get("site_type"),
                          params.get("country"), params.get("region"), _weights(params), params.get("metric"), lang)


def _compute(ctx: ServerContext, compare: CompareRequest, case_limit: int | None) -> Answer:
    space = IriSpace(ctx.settings.base_iri)
    result = run(ctx.store, compare, timeout=ctx.limits.query_timeout_s)
    data = comparison_json(result, default_tables(), link=space.local_path, case_limit=case_limit,
                           query_link=lambda text: "/sparql?" + urlencode({"query": text, "format": "json"}))
    body = json.dumps(data, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode()
    return Answer(body, frozenset(result.filters.pollutants))


def _answer(ctx: ServerContext, compare: CompareRequest, case_limit: int | None) -> bytes:
    """The comparison as JSON text; bounded answers are kept until a write touches their pollutants
    (``compare_answers``); all-case lists are not kept."""
    if case_limit is None:
        return _compute(ctx, compare, None).body
    answers = answers_for(ctx, lambda key: _compute(ctx, *key))  # type: ignore[misc]
    return answers.answer((compare, case_limit)).body


def _json(request: Request) -> Response:
    ctx = context(request)
    lang = i18n.choose_language(request)
    params = _params(request)
    if "pollutant" not in params:
        raise HTTPProblem(400, "Parameter 'pollutant' is required (e.g. pollutant=Cd).")
    case_limit = _case_limit(params)
    try:
        body = _answer(ctx, _request(params, lang), case_limit)
    except (FilterError, ValueError) as e:
        raise HTTPProblem(400, str(e)) from None
    return Response(body, media_type="application/json",
                    headers={"Content-Language": lang, "Vary": "Accept, Accept-Language, Cookie"})


def _options(ctx: ServerContext, lang: str) -> dict[str, list[tuple[str, str]]]:
    """The form's lists: notation and label per scheme."""
    options: dict[str, list[tuple[str, str]]] = {}
    for row in ctx.store.select(query_text("form-options"), {"lang": Literal(lang)},
                                timeout=ctx.limits.query_timeout_s):
        options.setdefault(str(row["scheme"]), []).append((str(row["notation"]), str(row.get("label", ""))))
    return options


def fmt(value: float | None) -> str:
    """A number for reading: thousands grouped, at most 2 decimals (3 significant digits below 1)."""
    if value is None:
        return ""
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.3g}" if abs(value) < 1 else f"{round(value, 2):g}"


def _helpers(data: dict[str, Any] | None, params: dict[str, str], lang: str, ctx: ServerContext) -> dict[str, Any]:
    """Look-ups the template uses (plain functions: a missing entry is None, never an undefined)."""
    _ = i18n.translator(lang)
    space = IriSpace(ctx.settings.base_iri)
    rank_metric = ((data or {}).get("rank_metric") or {}).get("metric")
    titles = {c["case"]: c["title"] for t in (data or {}).get("technologies", []) for c in t["cases"]["items"]}
    weights = dict(pair.split("=", 1) for pair in (_weights(params) or "").split(",") if "=" in pair)
    return {
        "fmt": fmt,
        "titles": titles,
        "bases": BASES,
        "page_of": lambda iri: space.local_path(iri) or iri,
        "how_text": lambda how: _(f"compare.{how}") if how in ("stated", "computed") else how,
        "metric_of": lambda t: next((m for m in t["outcomes"] if m["metric"] == rank_metric), None),
        "metric_key": lambda m: m["metric"].rsplit("/", 1)[-1],
        "cost_of": lambda t, basis: next((c for c in t["costs"] if c["basis"] == basis), None),
        "weight_of": lambda pillar: weights.get(pillar, "1"),
    }


@router.get("/compare.json", summary="Rank remediation technologies for a pollutant by the evidence (JSON)")
def compare_json(request: Request) -> Response:
    return _json(request)


@router.get("/compare", summary="Technology comparison (HTML form and ranking; JSON with Accept: application/json)",
            response_class=Response)
def compare_page(request: Request) -> Response:
    if prefers_json(request.headers.get("accept")):
        response: Response = _json(request)
        return response
    ctx = context(request)
    lang = i18n.choose_language(request)
    params = _params(request)
    data: dict[str, Any] | None = None
    error: str | None = None
    suggestions: tuple[str, ...] = ()
    try:
        case_limit = _case_limit(params)
    except HTTPProblem as e:  # shown on the form, as a bad filter is
        error, case_limit = e.message, DEFAULT_CASE_LIMIT
    if "pollutant" in params and error is None:
        try:
            data = json.loads(_answer(ctx, _request(params, lang), case_limit))
        except FilterError as e:
            error, suggestions = str(e), e.suggestions
        except ValueError as e:
            error = str(e)
    json_link = "/compare.json?" + urlencode({**params, "lang": lang}) if data is not None else None
    all_link = "/compare?" + urlencode({**params, "lang": lang, "case_limit": "all"})
    return render_page(
        request, "compare.html", lang=lang, status=400 if error else 200,
        params=params, data=data, error=error, suggestions=suggestions, options=_options(ctx, lang),
        pillars=PILLARS, json_link=json_link, all_link=all_link, **_helpers(data, params, lang, ctx),
        alternates=[{"media_type": "application/json", "href": json_link, "label": "JSON"}] if json_link else [],
    )
