"""Fetch the comparison's evidence from the store with the SELECTs of ``queries/`` (bound parameters only).

Parameters are vocabulary IRIs (already resolved) and a language tag, passed as bound values: never user text
pasted into a query. ``runnable_query`` writes the same query with its parameters as a ``VALUES`` row, for people
who want to run it at /sparql themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path

from rdflib import Literal, URIRef
from rdflib.term import Node

from sparql_api.analysis.rows import AssessmentRow, CaseRow, CostRow, Evidence, OutcomeRow
from sparql_api.sparql_text import insert_in_where
from sparql_api.store.base import Store

QUERIES_DIR = Path(__file__).parent / "queries"
QUERY_NAMES = ("evidence-cases", "evidence-outcomes", "evidence-costs", "evidence-assessments")
PARAMETERS = ("target", "medium", "siteType", "inCountry", "inRegion", "lang")

Row = dict[str, Node]


@dataclass(frozen=True)
class Filters:
    """What the comparison is about, as IRIs: a pollutant or class, and optional medium, site type and place."""

    target: str
    medium: str | None = None
    site_type: str | None = None
    country: str | None = None
    region: str | None = None
    lang: str = "en"

    def bindings(self) -> dict[str, Node]:
        """The bound parameters of every evidence query (unset filters are left unbound)."""
        values: dict[str, Node] = {"target": URIRef(self.target), "lang": Literal(self.lang)}
        for name, iri in (("medium", self.medium), ("siteType", self.site_type), ("inCountry", self.country),
                          ("inRegion", self.region)):
            if iri:
                values[name] = URIRef(iri)
        return values


@cache
def query_text(name: str) -> str:
    """The text of ``queries/{name}.rq`` (the evidence queries and ``form-options``)."""
    if name not in (*QUERY_NAMES, "form-options"):
        raise KeyError(name)
    return (QUERIES_DIR / f"{name}.rq").read_text("utf-8")


def runnable_query(name: str, filters: Filters) -> str:
    """The query with its parameters as one ``VALUES`` row (``UNDEF`` for unset filters), runnable as is."""
    bound = filters.bindings()
    cells = " ".join(bound[p].n3() if p in bound else "UNDEF" for p in PARAMETERS)
    names = " ".join("?" + p for p in PARAMETERS)
    row = f"\n  # Parameters (see above); UNDEF = not set.\n  VALUES ({names}) {{\n    ({cells})\n  }}\n"
    return insert_in_where(query_text(name), row)


def fetch(store: Store, filters: Filters, timeout: float | None = None) -> Evidence:
    """Run the four evidence queries and read their rows."""
    bound = filters.bindings()

    def rows(name: str) -> list[Row]:
        return store.select(query_text(name), bound, timeout=timeout)

    return Evidence(
        cases=tuple(_cases(rows("evidence-cases"))),
        outcomes=tuple(_outcomes(rows("evidence-outcomes"))),
        costs=tuple(_costs(rows("evidence-costs"))),
        assessments=tuple(_assessments(rows("evidence-assessments"))),
    )


def _text(row: Row, name: str) -> str:
    value = row.get(name)
    return str(value) if value is not None else ""


def _opt(row: Row, name: str) -> str | None:
    value = row.get(name)
    return str(value) if value is not None else None


def _decimal(row: Row, name: str) -> Decimal | None:
    value = row.get(name)
    if not isinstance(value, Literal):
        return None
    python = value.toPython()
    if isinstance(python, bool) or not isinstance(python, int | float | Decimal):
        return None
    return Decimal(str(python)) if isinstance(python, float) else Decimal(python)


def _int(row: Row, name: str) -> int | None:
    number = _decimal(row, name)
    return int(number) if number is not None and number == int(number) else None


def _bool(row: Row, name: str) -> bool:
    value = row.get(name)
    return isinstance(value, Literal) and value.toPython() is True


def _cases(rows: list[Row]) -> list[CaseRow]:
    """One row per (case, technology): the first row wins when a value is given twice (e.g. two titles)."""
    seen: dict[tuple[str, str], CaseRow] = {}
    for row in rows:
        key = (_text(row, "case"), _text(row, "technology"))
        if key in seen:
            continue
        seen[key] = CaseRow(
            case=key[0], technology=key[1], title=_text(row, "title"),
            technology_label=_text(row, "technologyLabel"), technology_nbs=_opt(row, "technologyNbs"),
            case_nbs=_opt(row, "caseNbs"), scale=_opt(row, "scale"), country=_opt(row, "country"),
            country_label=_text(row, "countryLabel"), duration_months=_decimal(row, "durationMonths"),
            start_year=_int(row, "startYear"), end_year=_int(row, "endYear"),
            medium_stated=_bool(row, "mediumStated"),
        )
    return list(seen.values())


def _outcomes(rows: list[Row]) -> list[OutcomeRow]:
    steps: dict[str, set[str]] = {}
    first: dict[str, Row] = {}
    for row in rows:
        outcome = _text(row, "outcome")
        first.setdefault(outcome, row)
        if row.get("stepTechnology") is not None:
            steps.setdefault(outcome, set()).add(_text(row, "stepTechnology"))
    return [
        OutcomeRow(
            case=_text(row, "case"), outcome=outcome, metric=_text(row, "metric"),
            metric_label=_text(row, "metricLabel"), pollutant=_text(row, "pollutant"),
            pollutant_label=_text(row, "pollutantLabel"), value_before=_decimal(row, "valueBefore"),
            before_qualifier=_opt(row, "beforeQualifier"), value_after=_decimal(row, "valueAfter"),
            after_qualifier=_opt(row, "afterQualifier"), unit=_opt(row, "unit"), unit_label=_text(row, "unitLabel"),
            reduction_percent=_decimal(row, "reductionPercent"), reduction_as_stated=_opt(row, "reductionAsStated"),
            stated_as=_text(row, "statedAs"), step_technologies=frozenset(steps.get(outcome, ())),
        )
        for outcome, row in first.items()
    ]


def _quantity(row: Row, value: str, unit: str) -> tuple[Decimal, str] | None:
    number = _decimal(row, value)
    return (number, _text(row, unit)) if number is not None and row.get(unit) is not None else None


def _costs(rows: list[Row]) -> list[CostRow]:
    seen: dict[str, CostRow] = {}
    for row in rows:
        cost = _text(row, "cost")
        amount = _decimal(row, "amount")
        if cost in seen or amount is None:
            continue
        seen[cost] = CostRow(
            case=_text(row, "case"), cost=cost, amount=amount, currency=_opt(row, "currency"),
            price_year=_int(row, "priceYear"), basis=_opt(row, "basis"), cost_type=_opt(row, "costType"),
            stated_as=_text(row, "statedAs"), area=_quantity(row, "area", "areaUnit"),
            volume=_quantity(row, "volume", "volumeUnit"), mass=_quantity(row, "mass", "massUnit"),
        )
    return list(seen.values())


def _assessments(rows: list[Row]) -> list[AssessmentRow]:
    steps: dict[str, set[str]] = {}
    first: dict[str, Row] = {}
    for row in rows:
        key = _text(row, "result")
        first.setdefault(key, row)
        if row.get("stepTechnology") is not None:
            steps.setdefault(key, set()).add(_text(row, "stepTechnology"))
    return [
        AssessmentRow(
            case=_text(row, "case"), assessment=_text(row, "assessment"), result=key,
            criterion=_text(row, "criterion"), criterion_label=_text(row, "criterionLabel"),
            framework=_opt(row, "framework"), framework_label=_text(row, "frameworkLabel"), pillar=_opt(row, "pillar"),
            score=_decimal(row, "score"), rating_value=_int(row, "ratingValue"), rating_min=_int(row, "ratingMin"),
            rating_max=_int(row, "ratingMax"), step_technologies=frozenset(steps.get(key, ())),
        )
        for key, row in first.items()
    ]
