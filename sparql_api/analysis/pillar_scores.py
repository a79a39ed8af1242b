"""Sustainability scores by pillar, and the weighted score the ranking uses.

A rating (e.g. IUCN NbS insufficient 1 … strong 4) is scaled to 0–1 as (value − lowest) ÷ (highest − lowest) of its
rating scheme. A ``srkg:score`` has no declared scale, so it is listed but cannot enter a 0–1 pillar score. Per
pillar: each case counts once with the median of its scaled results in that pillar; the pillar score is the median
over cases. The weighted score is S = Σ w_p·s_p ÷ Σ w_p over the pillars p that have a score and a weight > 0.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from sparql_api.analysis.rows import AssessmentRow
from sparql_api.analysis.stats import Item, Summary, per_case

PILLARS = ("environmental", "social", "economic")


MAX_WEIGHT = 1000  # weights are relative; a bound keeps them finite as floats and in JSON


@dataclass(frozen=True)
class Weights:
    """The user's pillar weights (≥ 0, at least one > 0)."""

    environmental: Decimal = Decimal(1)
    social: Decimal = Decimal(1)
    economic: Decimal = Decimal(1)

    def of(self, pillar: str) -> Decimal:
        return getattr(self, pillar)  # type: ignore[no-any-return]

    @classmethod
    def parse(cls, text: str | None) -> Weights:
        """``environmental=2,social=1,economic=1`` (pillars left out keep weight 1); ValueError when malformed."""
        values = {p: Decimal(1) for p in PILLARS}
        for part in (text or "").split(","):
            if not part.strip():
                continue
            name, sep, number = part.partition("=")
            name = name.strip().lower()
            if not sep or name not in values:
                raise ValueError(f"weights: '{part.strip()}' is not pillar=number (pillars: {', '.join(PILLARS)})")
            try:
                value = Decimal(number.strip())
            except ArithmeticError:
                raise ValueError(f"weights: '{number.strip()}' is not a number") from None
            if not value.is_finite() or value < 0 or value > MAX_WEIGHT:
                raise ValueError(f"weights: {name} must be a number from 0 to {MAX_WEIGHT}")
            values[name] = value
        if not any(values.values()):
            raise ValueError("weights: at least one pillar needs a weight above 0")
        return cls(**values)

    def as_text(self) -> str:
        return ",".join(f"{p}={self.of(p).normalize():f}" for p in PILLARS)


@dataclass(frozen=True)
class RawScore:
    case: str
    result: str
    framework: str
    criterion: str
    score: Decimal


@dataclass(frozen=True)
class PillarResult:
    pillar: str
    scaled: Summary  # 0–1, one value per case
    raw: tuple[RawScore, ...]  # scores without a declared scale (not in the pillar score)

    @property
    def score(self) -> Decimal | None:
        return self.scaled.median


def by_pillar(results: Iterable[AssessmentRow]) -> tuple[PillarResult, ...]:
    scaled: dict[str, list[Item]] = {p: [] for p in PILLARS}
    raw: dict[str, list[RawScore]] = {p: [] for p in PILLARS}
    for row in results:
        if row.pillar not in scaled:
            continue
        if row.rating_value is not None and row.rating_min is not None and row.rating_max is not None \
                and row.rating_max > row.rating_min:
            value = Decimal(row.rating_value - row.rating_min) / Decimal(row.rating_max - row.rating_min)
            framework = row.framework_label or row.framework
            how = f"rating {row.rating_value} on {row.rating_min}–{row.rating_max} ({framework})"
            scaled[row.pillar].append(Item(row.case, value, row.result, how))
        elif row.score is not None:
            raw[row.pillar].append(RawScore(row.case, row.result, row.framework_label or row.framework or "",
                                            row.criterion_label or row.criterion, row.score))
    return tuple(PillarResult(p, per_case(scaled[p]), tuple(raw[p])) for p in PILLARS if scaled[p] or raw[p])


def weighted(pillars: Iterable[PillarResult], weights: Weights) -> Decimal | None:
    """S = Σ w_p·s_p ÷ Σ w_p over pillars with a score and a weight > 0; None when there is none."""
    pairs = [(weights.of(p.pillar), p.score) for p in pillars if p.score is not None and weights.of(p.pillar) > 0]
    total = sum((w for w, _ in pairs), Decimal(0))
    if not pairs or total == 0:
        return None
    return sum((w * s for w, s in pairs), Decimal(0)) / total
