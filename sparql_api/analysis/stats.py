"""Medians with their spread and n, over one value per case, and the evidence-strength labels."""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property

THIN_BELOW = 3  # fewer cases than this: "thin" evidence
SUBSTANTIAL_FROM = 10  # this many cases or more: "substantial"


def strength(cases: int) -> str:
    """``thin`` (< 3 cases), ``moderate`` (3–9) or ``substantial`` (≥ 10)."""
    if cases < THIN_BELOW:
        return "thin"
    return "moderate" if cases < SUBSTANTIAL_FROM else "substantial"


@dataclass(frozen=True)
class Item:
    """One measured or derived value: the case, the value, the resource it comes from and how it was obtained."""

    case: str
    value: Decimal
    source: str = ""  # IRI of the outcome, cost…
    how: str = ""  # "stated", "computed", a conversion…


@dataclass(frozen=True)
class CaseValue:
    """One case's value of a quantity (the median of its items) and the items it was taken from."""

    case: str
    value: Decimal
    items: tuple[Item, ...] = ()


@dataclass(frozen=True)
class Summary:
    """Median, min and max over the cases' values; n = number of cases."""

    values: tuple[CaseValue, ...]

    @property
    def n(self) -> int:
        return len(self.values)

    @cached_property  # read by the ranking and the report, once each per technology and metric
    def median(self) -> Decimal | None:
        return statistics.median(v.value for v in self.values) if self.values else None

    @property
    def minimum(self) -> Decimal | None:
        return min((v.value for v in self.values), default=None)

    @property
    def maximum(self) -> Decimal | None:
        return max((v.value for v in self.values), default=None)

    @property
    def thin(self) -> bool:
        return self.n < THIN_BELOW

    @property
    def cases(self) -> tuple[str, ...]:
        return tuple(v.case for v in self.values)


def per_case(items: Iterable[Item]) -> Summary:
    """One value per case — the median of that case's items — summarised (a case with many measurements counts
    once)."""
    grouped: dict[str, list[Item]] = {}
    for item in items:
        grouped.setdefault(item.case, []).append(item)
    return Summary(tuple(
        CaseValue(case, group[0].value if len(group) == 1 else statistics.median(i.value for i in group),
                  tuple(group))
        for case, group in sorted(grouped.items())
    ))
