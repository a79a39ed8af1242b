"""Rank remediation technologies by the evidence for one pollutant (pure: evidence rows in, ranking out).

For each technology applied in the evidence cases (as applied: no roll-up to broader technologies; every step of a
treatment train is credited with the case, its costs and its case-wide outcomes and assessments, an outcome or
assessment that names its steps only those steps):

- cases, and the evidence strength: ``thin`` < 3 cases ≤ ``moderate`` < 10 ≤ ``substantial``;
- highest scale reached, in the order of the scale scheme: lab < pilot < field < full;
- per outcome metric (never mixed): median % reduction with min–max and n cases; ranges and qualified values kept
  as stated and counted apart (``outcome_measures``);
- duration in months (stated, else 12 × (end year − start year));
- cost per ha / t / m³ in US dollars of the price year, each conversion shown (``cost_measures``, ``money``);
- sustainability score per pillar (0–1) and the weighted score S with the user's pillar weights
  (``pillar_scores``);
- the nature-based category of the technology (vocabulary) and what the cases' sources say.

Ranking (a sort on these keys, in this order, each shown with the result):
1. evidence that is not thin before thin evidence;
2. weighted sustainability score S, higher first (technologies without an assessment after those with one);
3. highest scale reached, higher first;
4. number of cases, more first;
5. median % reduction on the ranking metric (the metric with reductions in most cases of the comparison, unless
   the user names one), higher first (none last);
6. technology label.
Costs and durations are shown, not ranked on: their bases and n differ too much to order by them fairly.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import TypeVar

from sparql_api.analysis.cost_measures import CostItem, CostResult, by_basis
from sparql_api.analysis.money import MoneyTables
from sparql_api.analysis.outcome_measures import MetricResult, StatedOutcome, by_metric, reduction
from sparql_api.analysis.pillar_scores import PillarResult, Weights, by_pillar, weighted
from sparql_api.analysis.rows import AssessmentRow, CaseRow, CostRow, Evidence, OutcomeRow
from sparql_api.analysis.stats import Item, Summary, per_case, strength

SCALE_ORDER = ("lab", "pilot", "field", "full")  # order of the scale scheme (vocab/scale), lowest first
T = TypeVar("T")
RANK_KEYS = ("evidence not thin", "weighted sustainability score", "highest scale", "cases",
             "median reduction on the ranking metric", "label")


@dataclass(frozen=True)
class CaseRef:
    case: str
    title: str
    country: str
    scale: str | None
    case_nbs: str | None
    medium_stated: bool


@dataclass(frozen=True)
class TechnologyResult:
    technology: str
    label: str
    nature_based: str | None  # nbs-category notation of the technology
    cases: tuple[CaseRef, ...]
    outcomes: tuple[MetricResult, ...]
    duration: Summary
    costs: tuple[CostResult, ...]
    costs_not_normalised: tuple[CostItem, ...]
    pillars: tuple[PillarResult, ...]
    sustainability: Decimal | None
    rank_reduction: Decimal | None  # median reduction on the ranking metric
    rank: int = 0

    @property
    def n_cases(self) -> int:
        return len(self.cases)

    @property
    def strength(self) -> str:
        return strength(self.n_cases)

    @property
    def highest_scale(self) -> str | None:
        reached = [c.scale for c in self.cases if c.scale in SCALE_ORDER]
        return max(reached, key=SCALE_ORDER.index) if reached else None

    @property
    def scale_counts(self) -> dict[str, int]:
        return {s: sum(c.scale == s for c in self.cases) for s in SCALE_ORDER if any(c.scale == s for c in self.cases)}

    @property
    def case_nbs_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for c in self.cases:
            if c.case_nbs:
                counts[c.case_nbs] = counts.get(c.case_nbs, 0) + 1
        return counts

    def rank_key(self) -> tuple[object, ...]:
        return (
            self.strength == "thin",
            self.sustainability is None, -(self.sustainability or 0),
            -(SCALE_ORDER.index(self.highest_scale) if self.highest_scale else -1),
            -self.n_cases,
            self.rank_reduction is None, -(self.rank_reduction or 0),
            self.label.casefold(),
        )


@dataclass(frozen=True)
class Comparison:
    technologies: tuple[TechnologyResult, ...]
    weights: Weights
    rank_metric: str | None
    rank_metric_label: str
    price_year: int
    cases: int  # distinct evidence cases


def compare(evidence: Evidence, money: MoneyTables, weights: Weights | None = None,
            rank_metric: str | None = None) -> Comparison:
    """Rank the technologies of ``evidence``; see the module docstring for every rule."""
    weights = weights or Weights()
    metric, metric_label = _rank_metric(evidence, rank_metric)
    by_technology: dict[str, list[CaseRow]] = {}
    for row in evidence.cases:
        by_technology.setdefault(row.technology, []).append(row)
    of_case = _ByCase(evidence)
    results = [_technology(rows, of_case, money, weights, metric) for rows in by_technology.values()]
    ranked = [replace(r, rank=n) for n, r in enumerate(sorted(results, key=TechnologyResult.rank_key), start=1)]
    return Comparison(tuple(ranked), weights, metric, metric_label, money.price_year,
                      len({row.case for row in evidence.cases}))


def _rank_metric(evidence: Evidence, wanted: str | None) -> tuple[str | None, str]:
    """The metric named by the user (IRI or notation), else the one with a clean reduction in most cases."""
    labels = {o.metric: o.metric_label or o.metric.rsplit("/", 1)[-1] for o in evidence.outcomes}
    if wanted:
        for iri in labels:
            if wanted in (iri, iri.rsplit("/", 1)[-1]):
                return iri, labels[iri]
        return wanted, wanted.rsplit("/", 1)[-1]
    cases: dict[str, set[str]] = {}
    for outcome in evidence.outcomes:
        if not isinstance(reduction(outcome), StatedOutcome):
            cases.setdefault(outcome.metric, set()).add(outcome.case)
    if not cases:
        return None, ""
    best = min(cases, key=lambda m: (-len(cases[m]), labels[m]))
    return best, labels[best]


class _ByCase:
    """The evidence's outcomes, costs and assessments grouped by case (each technology reads only its cases')."""

    def __init__(self, evidence: Evidence) -> None:
        self.outcomes: dict[str, list[OutcomeRow]] = {}
        self.costs: dict[str, list[CostRow]] = {}
        self.assessments: dict[str, list[AssessmentRow]] = {}
        for name in ("outcomes", "costs", "assessments"):
            grouped = getattr(self, name)
            for item in getattr(evidence, name):
                grouped.setdefault(item.case, []).append(item)

    @staticmethod
    def of(grouped: dict[str, list[T]], cases: list[str]) -> Iterator[T]:
        """The items of ``cases`` (sorted), in the evidence's order (it is sorted by case first)."""
        for case in cases:
            yield from grouped.get(case, ())


def _credited(steps: frozenset[str], technology: str) -> bool:
    return not steps or technology in steps


def _technology(rows: list[CaseRow], of_case: _ByCase, money: MoneyTables, weights: Weights,
                metric: str | None) -> TechnologyResult:
    technology = rows[0].technology
    mine = sorted({r.case for r in rows})
    outcomes = by_metric(o for o in of_case.of(of_case.outcomes, mine) if _credited(o.step_technologies, technology))
    costs, not_normalised = by_basis(of_case.of(of_case.costs, mine), money)
    pillars = by_pillar(a for a in of_case.of(of_case.assessments, mine)
                        if _credited(a.step_technologies, technology))
    ranked_on = next((m.reductions.median for m in outcomes if m.metric == metric), None)
    return TechnologyResult(
        technology=technology,
        label=rows[0].technology_label or technology.rsplit("/", 1)[-1],
        nature_based=rows[0].technology_nbs,
        cases=tuple(CaseRef(r.case, r.title, r.country_label, r.scale, r.case_nbs, r.medium_stated)
                    for r in sorted(rows, key=lambda r: r.case)),
        outcomes=outcomes,
        duration=_duration(rows),
        costs=costs,
        costs_not_normalised=not_normalised,
        pillars=pillars,
        sustainability=weighted(pillars, weights),
        rank_reduction=ranked_on,
    )


def _duration(rows: list[CaseRow]) -> Summary:
    items = []
    for r in rows:
        if r.duration_months is not None:
            items.append(Item(r.case, r.duration_months, r.case, "stated"))
        elif r.start_year is not None and r.end_year is not None and r.end_year >= r.start_year:
            items.append(Item(r.case, Decimal(12 * (r.end_year - r.start_year)), r.case,
                              f"12 × ({r.end_year} − {r.start_year}), ± 11 months"))
    return per_case(items)
