"""Fetch the comparison's evidence from the store with the SELECTs of ``queries/`` (bound parameters only).

Parameters are vocabulary IRIs (already resolved) and a language tag, passed as bound values: never user text
pasted into a query. ``runnable_query`` writes the same query with its parameters as a ``VALUES`` row, for people
who want to run it at /sparql themselves.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
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
# How the rows are sorted before they are read (the queries have no ORDER BY: see their headers).
ORDER = {"evidence-cases": ("technology", "case"), "evidence-outcomes": ("case", "outcome"),
         "evidence-costs": ("case", "cost"), "evidence-assessments": ("case", "assessment", "criterion")}
PARAMETERS = ("medium", "siteType", "inCountry", "inRegion", "lang")

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
    # The pollutants of the comparison (evidence-pollutants.rq): the target and those under it; with a site type,
    # the site types under it and itself (evidence-site-types.rq). Found by ``with_pollutants`` when not given.
    pollutants: tuple[str, ...] = ()
    site_types: tuple[str, ...] = ()

    def bindings(self) -> dict[str, Node]:
        """The bound parameters of every evidence query (unset filters are left unbound)."""
        values: dict[str, Node] = {"lang": Literal(self.lang)}
        for name, iri in (("medium", self.medium), ("siteType", self.site_type), ("inCountry", self.country),
                          ("inRegion", self.region)):
            if iri:
                values[name] = URIRef(iri)
        return values


@cache
def query_text(name: str) -> str:
    """The text of ``queries/{name}.rq`` (the evidence queries and ``form-options``)."""
    if name not in (*QUERY_NAMES, "evidence-pollutants", "evidence-site-types", "evidence-terms", "form-options"):
        raise KeyError(name)
    return (QUERIES_DIR / f"{name}.rq").read_text("utf-8")


def with_pollutants(store: Store, filters: Filters, timeout: float | None = None) -> Filters:
    """``filters`` with the comparison's pollutants found in the store (unless they are already set), and with a
    site type, the site types it includes."""
    if filters.pollutants:
        return filters
    rows = store.select(query_text("evidence-pollutants"), {"target": URIRef(filters.target)}, timeout=timeout)
    found = sorted({str(row["matchedPollutant"]) for row in rows if isinstance(row.get("matchedPollutant"), URIRef)})
    site_types: tuple[str, ...] = ()
    if filters.site_type:
        rows = store.select(query_text("evidence-site-types"), {"siteType": URIRef(filters.site_type)}, timeout=timeout)
        site_types = tuple(sorted({filters.site_type, *(str(row["member"]) for row in rows
                                                        if isinstance(row.get("member"), URIRef))}))
    return replace(filters, pollutants=tuple(found or [filters.target]), site_types=site_types)


def bound_query(name: str, filters: Filters) -> str:
    """The evidence query with the comparison's pollutants (and site types) as ``VALUES`` rows (IRIs from the
    vocabulary)."""
    pollutants = " ".join(URIRef(iri).n3() for iri in filters.pollutants or (filters.target,))
    values = f"\n  VALUES ?matchedPollutant {{ {pollutants} }}\n"
    if name == "evidence-outcomes":
        values += f"  VALUES ?pollutant {{ {pollutants} }}\n"
    if filters.site_type:
        members = " ".join(URIRef(iri).n3() for iri in filters.site_types or (filters.site_type,))
        values += f"  VALUES ?siteTypeMember {{ {members} }}\n"
    return insert_in_where(query_text(name), values)


def runnable_query(name: str, filters: Filters) -> str:
    """The query with its parameters as one ``VALUES`` row (``UNDEF`` for unset filters), runnable as is."""
    bound = filters.bindings()
    cells = " ".join(bound[p].n3() if p in bound else "UNDEF" for p in PARAMETERS)
    names = " ".join("?" + p for p in PARAMETERS)
    row = (f"\n  # Parameters (see above); UNDEF = not set.\n  VALUES ({names}) {{\n    ({cells})\n  }}\n"
           "  # The pollutants of the comparison (evidence-pollutants.rq).")
    return insert_in_where(bound_query(name, filters), row)


def fetch(store: Store, filters: Filters, timeout: float | None = None) -> Evidence:
    """The comparison's evidence: from the store's evidence index when it has a usable one
    (``evidence_index.py``: the same answer, kept in memory and moved with every write), else ``fetch_sparql``."""
    from sparql_api.analysis.evidence_index import index_of  # it builds on this module

    filters = with_pollutants(store, filters, timeout)
    index = index_of(store)
    found = index.evidence(store, filters, timeout) if index is not None else None
    return found if found is not None else fetch_sparql(store, filters, timeout)


def fetch_sparql(store: Store, filters: Filters, timeout: float | None = None) -> Evidence:
    """Run the four evidence queries and read their rows, with the labels of the concepts they name."""
    filters = with_pollutants(store, filters, timeout)
    bound = filters.bindings()

    def rows(name: str) -> list[Row]:
        found = store.select(bound_query(name, filters), bound, timeout=timeout)
        keys = ORDER[name]
        return sorted(found, key=lambda row: tuple(_text(row, key) for key in keys))

    case_rows, outcome_rows = rows("evidence-cases"), rows("evidence-outcomes")
    named = {row[name] for row in case_rows for name in ("technology", "country", "scale", "caseNbs") if name in row}
    named |= {row[name] for row in outcome_rows for name in ("pollutant", "metric", "unit") if name in row}
    terms = fetch_terms(store, named, filters.lang, timeout)
    return Evidence(
        cases=tuple(_cases(case_rows, terms)),
        outcomes=tuple(_outcomes(outcome_rows, terms)),
        costs=tuple(cost_records(rows("evidence-costs"))),
        assessments=tuple(assessment_records(rows("evidence-assessments"))),
    )


@dataclass(frozen=True)
class Term:
    """What the comparison shows of a concept: its label in the reader's language (else English), its notation,
    and for a technology the notation of its nature-based category."""

    label: str = ""
    notation: str | None = None
    nbs: str | None = None


def fetch_terms(store: Store, iris: set[Node], lang: str, timeout: float | None = None) -> dict[str, Term]:
    """The labels and notations of ``iris`` (IRIs from the store's own answers) in one query."""
    named = sorted(str(iri) for iri in iris if isinstance(iri, URIRef))
    if not named:
        return {}
    values = "VALUES ?term { " + " ".join(URIRef(iri).n3() for iri in named) + " }"
    query = insert_in_where(query_text("evidence-terms"), values)
    found: dict[str, dict[str, set[str]]] = {}
    for row in store.select(query, timeout=timeout):
        term = found.setdefault(str(row["term"]), {"own": set(), "en": set(), "notation": set(), "nbs": set()})
        label = row.get("label")
        if isinstance(label, Literal):
            tag = (label.language or "").lower()
            for wanted in {lang, "en"}:
                if _lang_matches(tag, wanted):
                    term["own" if wanted == lang else "en"].add(str(label))
        for name in ("notation", "nbs"):
            if row.get(name) is not None:
                term[name].add(str(row[name]))
    return {iri: Term(label=min(t["own"] or t["en"], default=""), notation=min(t["notation"], default=None),
                      nbs=min(t["nbs"], default=None))
            for iri, t in found.items()}


def _lang_matches(tag: str, lang: str) -> bool:
    """SPARQL's LANGMATCHES for a basic range: the tag is ``lang`` or starts with ``lang-``."""
    lang = lang.lower()
    return tag == lang or tag.startswith(lang + "-")


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
    """A boolean cell: ``true``, or ``1`` as Virtuoso 7 writes the value of an ``EXISTS``."""
    value = row.get(name)
    return isinstance(value, Literal) and str(value) in ("true", "1")


@dataclass(frozen=True)
class CaseRecord:
    """A row of evidence-cases.rq before its concepts are named: the concepts as IRIs."""

    case: str
    technology: str
    title: str
    case_nbs: str | None
    scale: str | None
    country: str | None
    duration_months: Decimal | None
    start_year: int | None
    end_year: int | None
    medium_stated: bool


def case_records(rows: list[Row]) -> list[CaseRecord]:
    """One record per (case, technology): the first row wins when a value is given twice (e.g. two titles)."""
    seen: dict[tuple[str, str], CaseRecord] = {}
    for row in rows:
        key = (_text(row, "case"), _text(row, "technology"))
        if key not in seen:
            seen[key] = CaseRecord(
                case=key[0], technology=key[1], title=_text(row, "title"), case_nbs=_opt(row, "caseNbs"),
                scale=_opt(row, "scale"), country=_opt(row, "country"),
                duration_months=_decimal(row, "durationMonths"), start_year=_int(row, "startYear"),
                end_year=_int(row, "endYear"), medium_stated=_bool(row, "mediumStated"),
            )
    return list(seen.values())


_NO_TERM = Term()


def named_case(record: CaseRecord, terms: Mapping[str, Term]) -> CaseRow:
    """The comparison's row of a case record, its concepts named in the reader's language."""
    technology = terms.get(record.technology, _NO_TERM)
    return CaseRow(
        case=record.case, technology=record.technology, title=record.title,
        technology_label=technology.label, technology_nbs=technology.nbs,
        case_nbs=terms.get(record.case_nbs or "", _NO_TERM).notation,
        scale=terms.get(record.scale or "", _NO_TERM).notation, country=record.country,
        country_label=terms.get(record.country or "", _NO_TERM).label, duration_months=record.duration_months,
        start_year=record.start_year, end_year=record.end_year, medium_stated=record.medium_stated,
    )


def _cases(rows: list[Row], terms: Mapping[str, Term]) -> list[CaseRow]:
    return [named_case(record, terms) for record in case_records(rows)]


def named_outcome(outcome: OutcomeRow, terms: Mapping[str, Term]) -> OutcomeRow:
    """``outcome`` with the labels of its metric, pollutant and unit in the reader's language."""
    return OutcomeRow(  # not dataclasses.replace: 4x slower, and thousands of outcomes are named per comparison
        case=outcome.case, outcome=outcome.outcome, metric=outcome.metric,
        metric_label=terms.get(outcome.metric, _NO_TERM).label, pollutant=outcome.pollutant,
        pollutant_label=terms.get(outcome.pollutant, _NO_TERM).label, value_before=outcome.value_before,
        before_qualifier=outcome.before_qualifier, value_after=outcome.value_after,
        after_qualifier=outcome.after_qualifier, unit=outcome.unit,
        unit_label=terms.get(outcome.unit or "", _NO_TERM).label, reduction_percent=outcome.reduction_percent,
        reduction_as_stated=outcome.reduction_as_stated, stated_as=outcome.stated_as,
        step_technologies=outcome.step_technologies,
    )


def _outcomes(rows: list[Row], terms: Mapping[str, Term]) -> list[OutcomeRow]:
    return [named_outcome(outcome, terms) for outcome in outcome_records(rows)]


def outcome_records(rows: list[Row]) -> list[OutcomeRow]:
    """One outcome per outcome IRI (its first row), with the technology steps it names; no labels yet."""
    steps: dict[str, set[str]] = {}
    first: dict[str, Row] = {}
    for row in rows:
        outcome = _text(row, "outcome")
        first.setdefault(outcome, row)
        if row.get("stepTechnology") is not None:
            steps.setdefault(outcome, set()).add(_text(row, "stepTechnology"))
    return [
        OutcomeRow(
            case=_text(row, "case"), outcome=outcome, metric=_text(row, "metric"), pollutant=_text(row, "pollutant"),
            value_before=_decimal(row, "valueBefore"), before_qualifier=_opt(row, "beforeQualifier"),
            value_after=_decimal(row, "valueAfter"), after_qualifier=_opt(row, "afterQualifier"),
            unit=_opt(row, "unit"), reduction_percent=_decimal(row, "reductionPercent"),
            reduction_as_stated=_opt(row, "reductionAsStated"), stated_as=_text(row, "statedAs"),
            step_technologies=frozenset(steps.get(outcome, ())),
        )
        for outcome, row in first.items()
    ]


def _quantity(row: Row, value: str, unit: str) -> tuple[Decimal, str] | None:
    number = _decimal(row, value)
    return (number, _text(row, unit)) if number is not None and row.get(unit) is not None else None


def cost_records(rows: list[Row]) -> list[CostRow]:
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


def assessment_records(rows: list[Row]) -> list[AssessmentRow]:
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
