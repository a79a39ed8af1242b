"""Per-metric reductions of a technology's outcomes: clean numbers apart from values kept as stated.

The reduction of one outcome, in %:
- ``srkg:reductionPercent`` when the source gives one clean number ("stated");
- else 100 × (before − after) ÷ before when both values are clean numbers in the outcome's one unit, neither has
  a qualifier, and before > 0 ("computed");
- otherwise the outcome is *kept as stated*: a range or qualified reduction ("32.0-52.5", "> 90", "~90"), a
  qualified value ("< 0.5"), or words only. Those are listed and counted, never turned into a number.
Outcomes are summarised only within one metric (total, bioavailable, leachable concentration, plant uptake…):
each case counts once, with the median of its reductions in that metric.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from sparql_api.analysis.rows import OutcomeRow
from sparql_api.analysis.stats import Item, Summary, per_case

HUNDRED = Decimal(100)


@dataclass(frozen=True)
class StatedOutcome:
    """An outcome whose reduction is not one clean number: shown as the source states it."""

    case: str
    outcome: str
    text: str
    why: str


@dataclass(frozen=True)
class MetricResult:
    metric: str
    label: str
    reductions: Summary  # % reduction, one value per case
    stated: tuple[StatedOutcome, ...]
    outcomes: int  # outcomes of this metric, numbers and stated alike
    cases: tuple[str, ...]  # every case with an outcome of this metric


def reduction(outcome: OutcomeRow) -> tuple[Decimal, str] | StatedOutcome:
    """The outcome's % reduction and how it was obtained, or the outcome kept as stated."""
    if outcome.reduction_percent is not None:
        return outcome.reduction_percent, "stated"
    before, after = outcome.value_before, outcome.value_after
    qualified = outcome.before_qualifier or outcome.after_qualifier
    if before is not None and after is not None and not qualified and before > 0:
        return HUNDRED * (before - after) / before, "computed"
    return _as_stated(outcome)


def _as_stated(outcome: OutcomeRow) -> StatedOutcome:
    unit = f" {outcome.unit_label}" if outcome.unit_label else ""
    if outcome.reduction_as_stated:
        return StatedOutcome(outcome.case, outcome.outcome, f"reduction {outcome.reduction_as_stated} %",
                             "range or qualified number, kept as stated")
    if outcome.before_qualifier or outcome.after_qualifier:
        before = f"{outcome.before_qualifier or ''}{outcome.value_before}" if outcome.value_before is not None else "?"
        after = f"{outcome.after_qualifier or ''}{outcome.value_after}" if outcome.value_after is not None else "?"
        return StatedOutcome(outcome.case, outcome.outcome, f"{before} → {after}{unit}",
                             "qualified value (censored or approximate), kept as stated")
    if outcome.value_before is not None or outcome.value_after is not None:
        before = outcome.value_before if outcome.value_before is not None else "?"
        after = outcome.value_after if outcome.value_after is not None else "?"
        return StatedOutcome(outcome.case, outcome.outcome, f"{before} → {after}{unit}",
                             "before or after value missing (or zero before)")
    return StatedOutcome(outcome.case, outcome.outcome, outcome.stated_as or "(no values stated)",
                         "no number stated")


def by_metric(outcomes: Iterable[OutcomeRow]) -> tuple[MetricResult, ...]:
    """One result per metric, in order of the number of cases with a number (then label)."""
    grouped: dict[str, list[OutcomeRow]] = {}
    for outcome in outcomes:
        grouped.setdefault(outcome.metric, []).append(outcome)
    results = []
    for metric, rows in grouped.items():
        numbers: list[Item] = []
        stated: list[StatedOutcome] = []
        for row in rows:
            read = reduction(row)
            if isinstance(read, StatedOutcome):
                stated.append(read)
            else:
                numbers.append(Item(row.case, read[0], row.outcome, read[1]))
        results.append(MetricResult(
            metric, rows[0].metric_label or metric.rsplit("/", 1)[-1], per_case(numbers), tuple(stated),
            len(rows), tuple(sorted({r.case for r in rows})),
        ))
    return tuple(sorted(results, key=lambda r: (-r.reductions.n, r.label)))
