"""The comparison as JSON-ready data: every number with its n, spread, and the cases (and items) it came from.

``link`` maps an IRI to a page on this server (the web side passes one); each case, outcome and cost then also
carries ``page``. Numbers are rounded for reading only (percentages and USD to 2 decimals, months to 1, scores
to 3); the items keep the values as the graph states them.

``case_limit`` bounds every list that has one entry per case (the cases of a technology, the values behind a
median, the outcomes kept as stated, the cost items…) to its first ``case_limit`` entries, in case order; a list cut
short is followed by ``<name>_not_listed``, the number left out. Counts, medians and spreads always cover every
case. ``None`` lists everything (at 100,000 cases a comparison then runs to several MB).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any, TypeVar

from sparql_api.analysis.comparison import RANK_KEYS, SCALE_ORDER, Comparison, TechnologyResult
from sparql_api.analysis.cost_measures import CostItem, CostResult
from sparql_api.analysis.evidence import QUERY_NAMES, runnable_query
from sparql_api.analysis.money import MoneyTables
from sparql_api.analysis.outcome_measures import MetricResult
from sparql_api.analysis.pillar_scores import PILLARS, PillarResult
from sparql_api.analysis.service import CompareResult
from sparql_api.analysis.stats import THIN_BELOW, Summary

Link = Callable[[str], str | None]
JSON = dict[str, Any]
T = TypeVar("T")

SCORE_FORMULA = ("S = Σ w_p·s_p ÷ Σ w_p over the pillars p (environmental, social, economic) that have a score "
                 "and a weight above 0; s_p = median over cases of each case's median rating in the pillar, scaled "
                 "to 0–1 as (rating − lowest) ÷ (highest − lowest) of the rating scale")
RANKING_RULE = ("sorted by: 1. evidence not thin (≥ 3 cases) first; 2. weighted sustainability score S, higher "
                "first, none last; 3. highest scale reached (full > field > pilot > lab); 4. number of cases; "
                "5. median % reduction on the ranking metric, higher first, none last; 6. label")
LIMITS = (
    "Outcomes are compared only within one metric; reductions given as ranges or with qualifiers ('> 90', "
    "'32.0-52.5') are listed as stated and never turned into numbers.",
    "Each case counts once per number (the median of its own values); every technology of a treatment train is "
    "credited with the whole case (its outcomes, costs and assessments), unless an outcome or assessment names "
    "its steps.",
    f"Evidence from fewer than {THIN_BELOW} cases is labelled thin.",
    "Costs are converted at the annual average ECB exchange rate of their price year, then deflated with the US "
    "CPI-U; budgets and estimates, and currencies or years the tables lack, are shown but left out of medians.",
    "The same site may appear in two sources (literature table and field-trial table) as two cases.",
)


def _num(value: Decimal | None, places: int) -> float | None:
    return None if value is None else round(float(value), places)


def _page(link: Link | None, iri: str) -> dict[str, str]:
    page = link(iri) if link else None
    return {"page": page} if page else {}


class Lister:
    """Turns per-case lists into JSON lists of at most ``limit`` entries, noting how many were left out."""

    def __init__(self, link: Link | None, limit: int | None) -> None:
        self.link = link
        self.limit = limit

    def page(self, iri: str) -> dict[str, str]:
        return _page(self.link, iri)

    def listed(self, name: str, items: Sequence[T], entry: Callable[[T], JSON]) -> JSON:
        """``{name: [entry(item)…]}`` for the first ``limit`` items, plus ``name_not_listed`` when cut short."""
        shown = items if self.limit is None else items[:self.limit]
        out: JSON = {name: [entry(item) for item in shown]}
        if len(shown) < len(items):
            out[f"{name}_not_listed"] = len(items) - len(shown)
        return out


def _summary(summary: Summary, places: int, lister: Lister) -> JSON:
    return {
        "n": summary.n,
        "median": _num(summary.median, places),
        "min": _num(summary.minimum, places),
        "max": _num(summary.maximum, places),
        "thin": summary.thin,
        **lister.listed("values", summary.values, lambda v: {
            "case": v.case, **lister.page(v.case), "value": _num(v.value, places),
            "items": [{"source": i.source, **lister.page(i.source), "value": _num(i.value, places), "how": i.how}
                      for i in v.items]}),
    }


def _metric(result: MetricResult, lister: Lister) -> JSON:
    return {
        "metric": result.metric,
        "label": result.label,
        "unit": "%",
        "outcomes": result.outcomes,
        **lister.listed("cases", result.cases, lambda c: {"case": c, **lister.page(c)}),
        "reduction_percent": _summary(result.reductions, 2, lister),
        **lister.listed("kept_as_stated", result.stated, lambda s: {
            "case": s.case, **lister.page(s.case), "outcome": s.outcome, "text": s.text, "why": s.why}),
    }


def _cost_item(item: CostItem, lister: Lister) -> JSON:
    return {"case": item.case, **lister.page(item.case), "cost": item.cost, "basis": item.basis,
            "usd": _num(item.usd, 2), "steps": list(item.steps), "reason": item.reason, "stated": item.stated}


def _cost(result: CostResult, price_year: int, lister: Lister) -> JSON:
    def entry(item: CostItem) -> JSON:
        return _cost_item(item, lister)

    return {
        "basis": result.basis,
        "unit": f"USD ({price_year}) per {result.unit}",
        **_summary(result.usd, 2, lister),
        **lister.listed("not_in_median", [i for i in result.items if i.reason or i.usd is None], entry),
        **lister.listed("in_median", [i for i in result.items if not i.reason and i.usd is not None], entry),
    }


def _pillar(result: PillarResult, lister: Lister) -> JSON:
    return {
        "pillar": result.pillar,
        "score": _num(result.score, 3),
        **_summary(result.scaled, 3, lister),
        **lister.listed("raw_scores", result.raw, lambda r: {
            "case": r.case, **lister.page(r.case), "result": r.result, "framework": r.framework,
            "criterion": r.criterion, "score": _num(r.score, 3)}),
    }


def technology_json(t: TechnologyResult, price_year: int, link: Link | None, case_limit: int | None = None) -> JSON:
    highest = t.highest_scale
    lister = Lister(link, case_limit)
    return {
        "rank": t.rank,
        "technology": t.technology,
        **_page(link, t.technology),
        "label": t.label,
        "nature_based": t.nature_based,
        "cases_say_nature_based": t.case_nbs_counts,
        "cases": {
            "n": t.n_cases,
            "strength": t.strength,
            **lister.listed("items", t.cases, lambda c: {
                "case": c.case, **lister.page(c.case), "title": c.title, "country": c.country, "scale": c.scale,
                "medium_stated": c.medium_stated}),
        },
        "scale": {
            "highest": highest,
            "counts": t.scale_counts,
            **lister.listed("highest_cases", [c for c in t.cases if highest and c.scale == highest],
                            lambda c: {"case": c.case, **lister.page(c.case)}),
        },
        "outcomes": [_metric(m, lister) for m in t.outcomes],
        "duration_months": _summary(t.duration, 1, lister),
        "costs": [_cost(c, price_year, lister) for c in t.costs],
        **lister.listed("costs_not_normalised", t.costs_not_normalised, lambda i: _cost_item(i, lister)),
        "sustainability": {
            "score": _num(t.sustainability, 3),
            "pillars": [_pillar(p, lister) for p in t.pillars],
        },
        "rank_key": dict(zip(RANK_KEYS, (
            t.strength != "thin", _num(t.sustainability, 3), highest, t.n_cases, _num(t.rank_reduction, 2),
            t.label), strict=True)),
    }


def comparison_json(result: CompareResult, money: MoneyTables, link: Link | None = None,
                    query_link: Callable[[str], str] | None = None, case_limit: int | None = None) -> JSON:
    """Everything the page, the API and ``--format json`` show; per-case lists cut at ``case_limit``."""
    c: Comparison = result.comparison
    queries = []
    for name in QUERY_NAMES:
        text = runnable_query(name, result.filters)
        queries.append({"name": name, "text": text, **({"link": query_link(text)} if query_link else {})})
    return {
        "query": {
            **{field: {"text": r.text, "iri": r.iri, "label": r.label, "scheme": r.scheme, "matched_by": r.method}
               for field, r in result.resolved.items()},
            "language": result.filters.lang,
        },
        "cases": c.cases,
        "price_year": c.price_year,
        "currency": "USD",
        "weights": {p: float(c.weights.of(p)) for p in PILLARS},
        "score_formula": SCORE_FORMULA,
        "ranking_rule": RANKING_RULE,
        "rank_metric": {"metric": c.rank_metric, "label": c.rank_metric_label} if c.rank_metric else None,
        "scale_order": list(SCALE_ORDER),
        "case_limit": case_limit,
        "technologies": [technology_json(t, c.price_year, link, case_limit) for t in c.technologies],
        "limits": list(LIMITS),
        "sources": money.provenance,
        "queries": queries,
    }
