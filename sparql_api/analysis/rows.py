"""The evidence rows the comparison reads: one dataclass per SELECT of ``queries/``, values as the graph has them."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class CaseRow:
    """One technology applied in one case (evidence-cases.rq)."""

    case: str
    technology: str
    title: str = ""
    technology_label: str = ""
    technology_nbs: str | None = None  # nbs-category notation of the technology (yes / partial / no)
    case_nbs: str | None = None  # nbs-category notation as the case's source states it
    scale: str | None = None  # scale notation (lab / pilot / field / full)
    country: str | None = None
    country_label: str = ""
    duration_months: Decimal | None = None
    start_year: int | None = None
    end_year: int | None = None
    medium_stated: bool = True


@dataclass(frozen=True)
class OutcomeRow:
    """One measured outcome for the pollutant (evidence-outcomes.rq)."""

    case: str
    outcome: str
    metric: str
    metric_label: str = ""
    pollutant: str = ""
    pollutant_label: str = ""
    value_before: Decimal | None = None
    before_qualifier: str | None = None
    value_after: Decimal | None = None
    after_qualifier: str | None = None
    unit: str | None = None
    unit_label: str = ""
    reduction_percent: Decimal | None = None
    reduction_as_stated: str | None = None
    stated_as: str = ""
    step_technologies: frozenset[str] = frozenset()  # empty: the outcome is about the whole case


@dataclass(frozen=True)
class CostRow:
    """One cost of a case, with the quantities treated (evidence-costs.rq)."""

    case: str
    cost: str
    amount: Decimal
    currency: str | None = None  # ISO 4217 code
    price_year: int | None = None
    basis: str | None = None  # cost-basis notation
    cost_type: str | None = None  # cost-type notation
    stated_as: str = ""
    area: tuple[Decimal, str] | None = None  # (value, QUDT unit IRI)
    volume: tuple[Decimal, str] | None = None
    mass: tuple[Decimal, str] | None = None


@dataclass(frozen=True)
class AssessmentRow:
    """One indicator result of a sustainability assessment of a case (evidence-assessments.rq)."""

    case: str
    assessment: str
    result: str
    criterion: str
    criterion_label: str = ""
    framework: str | None = None
    framework_label: str = ""
    pillar: str | None = None  # pillar notation
    score: Decimal | None = None
    rating_value: int | None = None
    rating_min: int | None = None
    rating_max: int | None = None
    step_technologies: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Evidence:
    cases: tuple[CaseRow, ...] = ()
    outcomes: tuple[OutcomeRow, ...] = ()
    costs: tuple[CostRow, ...] = ()
    assessments: tuple[AssessmentRow, ...] = ()
