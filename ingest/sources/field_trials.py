"""The field-trial table (``examples/sources/field-trials.csv``) → case studies with measured outcomes and costs.

Rows are grouped into one case per (case_title, country): ``id/case/trial-{iso3}-{slug(case_title)}``. A case
is accepted like a literature row (country, ≥1 pollutant, ≥1 technology reconciled); otherwise every row of it
gets a Violation starting "Row not accepted". Case-level columns (site_type, technology, nbs, scale, area_ha,
start_year, duration_months) are read from the case's rows: a value given differently in two rows is reported
and left out; sources and site types are collected from all rows.

Each row gives one ``srkg:Outcome`` ``id/outcome/{key}-{n}`` (n = its position within the case):
- pollutant: the one pollutant the cell names, or the one named before its brackets ("TPH (diesel, as TRPH)"
  → TPH); a cell naming several pollutants ("Pb, Cd, Zn") cannot be one outcome's pollutant, so the outcome
  is left out (reported);
- metric via the outcome-metric scheme (its hiddenLabels carry the raw metric strings); unmatched → left out;
- medium when the text names exactly one medium concept;
- value_before / value_after: a clean number, optionally after one qualifier (<, ≤, >, ≥, ~, kept in
  srkg:valueBeforeQualifier / srkg:valueAfterQualifier), with the unit reconciled to QUDT; otherwise text only;
- reduction_pct always in srkg:reductionAsStated; srkg:reductionPercent only for a clean number 0–100;
- target_value in srkg:targetAsStated; srkg:targetValue when it is a clean number in the outcome's unit
  ("20 mg/kg", "5.0 mg/L (TCLP)"); target_met yes/no → srkg:targetMet;
- depth_cm "a-b" → srkg:depthTopCm / srkg:depthBottomCm (a single number is ambiguous: kept as stated);
- srkg:statedAs keeps every outcome cell of the row as written.
Costs: cost_value + cost_currency + cost_year (+ cost_basis) → ``srkg:Cost`` ``id/cost/{key}-{n}`` when the
amount is a clean number, the currency is reconciled and the year is given; otherwise the text is kept.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from rdflib import RDF, XSD, Literal, URIRef

from ingest.namespaces import SRKG, data_iri
from ingest.provenance import slug
from ingest.reconcile.api import Reconciles
from ingest.records import MappingResult
from ingest.sources.case_builder import CaseBuilder
from ingest.sources.common import (
    CachedReconciler,
    CsvRow,
    Recorder,
    accepted,
    clean_decimal,
    clean_year,
    decimal_literal,
    default_reconciler,
    integer_literal,
    read_csv,
    suggestion_labels,
)
from ingest.sources.concepts import find_concepts
from ingest.sources.literature import read_required, reject
from ingest.sources.pollutant_text import brackets
from ingest.vocabulary import Vocabulary, default_vocabulary

COLUMNS = (
    "case_title", "country", "site_type", "technology", "nbs", "scale", "area_ha", "start_year", "duration_months",
    "pollutant", "medium", "depth_cm", "metric", "value_before", "value_after", "unit", "reduction_pct",
    "target_value", "target_met", "cost_value", "cost_currency", "cost_year", "cost_basis", "source_url", "notes",
)  # fmt: skip
OUTCOME_COLUMNS = ("pollutant", "medium", "depth_cm", "metric", "value_before", "value_after", "unit",
                   "reduction_pct", "target_value", "target_met")
_QUALIFIED = re.compile(r"^(<=|>=|≤|≥|<|>|~)?\s*(\d+(?:\.\d+)?)$")
_QUALIFIERS = {"<=": "≤", ">=": "≥"}
_TARGET = re.compile(r"^(\d+(?:\.\d+)?)\s*([^\s(]+)\s*(\(.*\))?$")
_DEPTH = re.compile(r"^(\d+(?:\.\d+)?)\s*-\s*(\d+(?:\.\d+)?)$")
# cost_basis wording → cost-basis notation (the reconciler confirms the concept exists)
_BASIS = (
    (re.compile(r"^per (m3|m³|cubic met)", re.I), "per-cubic-metre"),
    (re.compile(r"^per (t|tonne|metric ton)\b", re.I), "per-tonne"),  # not "ton": in US sources a short ton
    (re.compile(r"^per (ha|hectare)\b", re.I), "per-hectare"),
    (re.compile(r"^(total|planned total|contract value \(total project\)|planned spend)", re.I), "project"),
)
_BUDGET = re.compile(r"\b(planned|estimate|estimated|projection|projected|budget)\b", re.I)


@dataclass
class _Group:
    title: str
    country: str
    rows: list[CsvRow]


def map_field_trials(
    path: Path, reconciler: Reconciles | None = None, vocabulary: Vocabulary | None = None
) -> MappingResult:
    """Map the field-trial table; see the module docstring for the rules."""
    rec = Recorder(path.name, CachedReconciler(reconciler or default_reconciler()))
    groups: dict[tuple[str, str], _Group] = {}
    for row in read_csv(path, COLUMNS):
        rec.result.rows_read += 1
        key = (row.get("case_title"), row.get("country"))
        groups.setdefault(key, _Group(*key, rows=[])).rows.append(row)
    for group in groups.values():
        _map_group(rec, group, vocabulary)
    return rec.result


def _map_group(rec: Recorder, group: _Group, vocabulary: Vocabulary | None) -> None:
    first = group.rows[0]
    technology = "; ".join(dict.fromkeys(r.get("technology") for r in group.rows if r.get("technology")))
    pollutants = "; ".join(dict.fromkeys(r.get("pollutant") for r in group.rows if r.get("pollutant")))
    parts = read_required(rec, first.number, group.country, pollutants, "pollutant", technology, vocabulary)
    if not group.title:
        parts.reasons.insert(0, ("case_title", "the case title is blank"))
    if parts.reasons:
        for row in group.rows:
            reject(rec, row.number, parts.reasons, row.values)
        return
    key = f"trial-{parts.iso3}-{slug(group.title)}"
    case = CaseBuilder(rec, key, vocabulary)
    case.title(group.title)
    case.pollutants(parts.pollutants, [r.get("pollutant") for r in group.rows if r.get("pollutant")])
    case.site_place(group.title, parts.country)  # type: ignore[arg-type]
    for row in group.rows:
        case.site_type(row.number, "site_type", row.get("site_type"))
    case.technologies(parts.technologies)
    for column, scheme, predicate in (("scale", "scale", SRKG.scale),
                                      ("nbs", "nbs-category", SRKG.natureBasedCategory)):
        case.concept(*_single(rec, group, column), scheme, predicate)
    case.area(*_single(rec, group, "area_ha"))
    case.start_year(*_single(rec, group, "start_year"))
    case.duration(*_single(rec, group, "duration_months"))
    own: dict[int, list[URIRef]] = {}
    costs = 0
    for n, row in enumerate(group.rows, start=1):
        case.sources(row.number, {"source_url": row.get("source_url")})
        made = [_Outcome(case, row, n).write()]
        if row.get("cost_value") or row.get("cost_currency") or row.get("cost_year"):
            made.append(_cost(case, row, costs + 1))
            costs += made[-1] is not None
        if row.get("notes"):
            case.note(f"Row {row.number} notes: {row.get('notes')}")
        own[row.number] = [iri for iri in made if iri is not None]
    case.finish()
    rec.result.case_rows[case.iri] = rec.location(first.number)
    shared = [iri for iri in case.resources if not any(iri in made for made in own.values())]
    for number, made in own.items():
        rec.produced(number, (shared if number == first.number else [case.iri]) + made)


def _single(rec: Recorder, group: _Group, column: str) -> tuple[int, str, str]:
    """(row, column, value) of the one value a case-level column has across the case's rows ("" when none).

    A value given differently in two rows is reported, and neither is used.
    """
    values: dict[str, int] = {}
    for row in group.rows:
        if row.get(column):
            values.setdefault(row.get(column), row.number)
    if len(values) == 1:
        value, row_number = next(iter(values.items()))
        return row_number, column, value
    if values:
        (first, first_row), *others = values.items()
        for value, row_number in others:
            rec.problem("Warning", row_number, column, f"differs from row {first_row} of the same case ('{first}'); "
                        "neither value is used", value=value)
    return group.rows[0].number, column, ""


class _Outcome:
    """One row's outcome; see the module docstring."""

    def __init__(self, case: CaseBuilder, row: CsvRow, n: int) -> None:
        self.case, self.rec, self.row, self.n = case, case.rec, row, n
        self.iri = data_iri("outcome", f"{case.key}-{n}")

    def problem(self, severity: str, column: str, message: str, value: str | None = None,
                suggestions: tuple[str, ...] = ()) -> None:
        self.rec.problem(severity, self.row.number, column, message, value, suggestions)  # type: ignore[arg-type]

    def write(self) -> URIRef | None:
        pollutant = self._pollutant()
        metric = self._metric()
        if pollutant is None or metric is None:
            return None
        case, iri, row = self.case, self.iri, self.row
        case.resources.append(iri)
        case.add(SRKG.outcome, iri)
        case.add(RDF.type, SRKG.Outcome, iri)
        case.add(SRKG.pollutant, pollutant, iri)
        case.add(SRKG.metric, metric, iri)
        stated = "; ".join(f"{c}: {row.get(c)}" for c in OUTCOME_COLUMNS if row.get(c))
        case.add(SRKG.statedAs, Literal(stated), iri)
        self._medium()
        self._depth()
        unit = self._unit()
        self._values(unit)
        self._reduction()
        self._target()
        return iri

    def _pollutant(self) -> URIRef | None:
        text = self.row.get("pollutant")
        whole = self.rec.reconcile("pollutant", text)
        if accepted(whole) is not None:
            return accepted(whole)
        bracketed = brackets(text)
        head = bracketed[0].strip() if bracketed else ""
        if head and accepted(self.rec.reconcile("pollutant", head)) is not None:
            self.problem("Info", "pollutant", f"the outcome is read as about '{head}'; the words in brackets are "
                         "kept in the outcome as stated", value=text)
            return accepted(self.rec.reconcile("pollutant", head))
        self.problem("Warning", "pollutant", "an outcome is about one pollutant, and this cell does not name exactly "
                     "one; the outcome is left out (its cells stay in the case's pollutants)", value=text)
        return None

    def _metric(self) -> URIRef | None:
        text = self.row.get("metric")
        if not text:
            self.problem("Warning", "metric", "the metric is blank; the outcome is left out")
            return None
        iri, reconciliation = self.rec.lookup("outcome-metric", text, self.row.number, "metric")
        if iri is None:
            self.problem("Warning", "metric", "not in the SRKG outcome-metric list; the outcome is left out",
                         value=text, suggestions=suggestion_labels(reconciliation))
        return iri

    def _medium(self) -> None:
        text = self.row.get("medium")
        if not text:
            return
        found = find_concepts(self.rec, self.row.number, "medium", text, "medium", vocabulary=self.case.vocabulary)
        if len(found) == 1:
            self.case.add(SRKG.medium, found[0].iri, self.iri)
        else:
            what = "names several media" if found else "names no medium of the SRKG list"
            self.problem("Info", "medium", f"the text {what}; kept as stated only", value=text)

    def _depth(self) -> None:
        text = self.row.get("depth_cm")
        if not text:
            return
        found = _DEPTH.match(text)
        if found is None:
            self.problem("Info", "depth_cm", "not a depth interval 'top-bottom' in cm; kept as stated only",
                         value=text)
            return
        self.case.add(SRKG.depthTopCm, decimal_literal(Decimal(found.group(1))), self.iri)
        self.case.add(SRKG.depthBottomCm, decimal_literal(Decimal(found.group(2))), self.iri)

    def _unit(self) -> URIRef | None:
        text = self.row.get("unit")
        if not text:
            return None
        iri, reconciliation = self.rec.lookup("unit", text, self.row.number, "unit")
        if iri is None and self._has_numbers():
            self.problem("Warning", "unit", "not in the SRKG unit list; the values are kept as stated only",
                         value=text, suggestions=suggestion_labels(reconciliation))
        if iri is not None and not self._fits(iri):
            if self._has_numbers():
                self.problem("Warning", "unit", "this unit does not measure what the metric measures (see the "
                             "metric's expected quantity kinds); the values are kept as stated only", value=text)
            return None
        return iri

    def _fits(self, unit: URIRef) -> bool:
        """False when the metric expects other quantity kinds than the unit's (srkg:expectedQuantityKind)."""
        vocabulary = self.case.vocabulary or default_vocabulary()
        metric = self.case.graph.value(self.iri, SRKG.metric)
        expected = {str(o) for _, p, o in vocabulary.triples(str(metric)) if p == SRKG.expectedQuantityKind}
        kinds = {str(o) for _, p, o in vocabulary.triples(str(unit)) if p == SRKG.quantityKind}
        return not expected or not kinds or bool(expected & kinds)

    def _has_numbers(self) -> bool:
        return any(_QUALIFIED.match(self.row.get(c)) for c in ("value_before", "value_after"))

    def _values(self, unit: URIRef | None) -> None:
        written = False
        for column, value_property, qualifier_property in (
            ("value_before", SRKG.valueBefore, SRKG.valueBeforeQualifier),
            ("value_after", SRKG.valueAfter, SRKG.valueAfterQualifier),
        ):
            text = self.row.get(column)
            found = _QUALIFIED.match(text) if text else None
            if text and found is None:
                self.problem("Info", column, "not a number (with at most one qualifier); kept as stated only",
                             value=text)
            if found is None or unit is None:
                if found is not None and not self.row.get("unit"):
                    self.problem("Warning", column, "a number without a unit; kept as stated only", value=text)
                continue
            qualifier, number = found.groups()
            self.case.add(value_property, decimal_literal(Decimal(number)), self.iri)
            if qualifier:
                symbol = _QUALIFIERS.get(qualifier, qualifier)
                self.case.add(qualifier_property, Literal(symbol), self.iri)
            written = True
        if written:
            self.case.add(SRKG.unit, unit, self.iri)  # type: ignore[arg-type]

    def _reduction(self) -> None:
        text = self.row.get("reduction_pct")
        if not text:
            return
        self.case.add(SRKG.reductionAsStated, Literal(text), self.iri)
        value = clean_decimal(text)
        if value is not None and value <= 100:
            self.case.add(SRKG.reductionPercent, decimal_literal(value), self.iri)

    def _target(self) -> None:
        text = self.row.get("target_value")
        if text:
            self.case.add(SRKG.targetAsStated, Literal(text), self.iri)
            found = _TARGET.match(text)
            target_unit = accepted(self.rec.reconcile("unit", found.group(2))) if found else None
            own_unit = self.case.graph.value(self.iri, SRKG.unit)  # set when values were written
            if found and target_unit is not None and own_unit in (None, target_unit) and self._fits(target_unit):
                self.case.add(SRKG.targetValue, decimal_literal(Decimal(found.group(1))), self.iri)
                self.case.graph.set((self.iri, SRKG.unit, target_unit))
            else:
                self.problem("Info", "target_value", "not a clean number in the outcome's unit; kept as stated only",
                             value=text)
        met = self.row.get("target_met").lower()
        if met in ("yes", "no"):
            self.case.add(SRKG.targetMet, Literal(met == "yes", datatype=XSD.boolean), self.iri)
        elif met:
            self.problem("Info", "target_met", "not a plain yes or no; kept as stated only",
                         value=self.row.get("target_met"))


def _cost(case: CaseBuilder, row: CsvRow, n: int) -> URIRef | None:
    """Writes the row's cost when it is complete and returns it; else reports why and returns None."""
    rec, number = case.rec, row.number
    text = f"{row.get('cost_value')} {row.get('cost_currency')} {row.get('cost_year')} {row.get('cost_basis')}"
    amount = clean_decimal(row.get("cost_value"))
    year = clean_year(row.get("cost_year"))
    currency, reconciliation = (rec.lookup("currency", row.get("cost_currency"), number, "cost_currency")
                                if row.get("cost_currency") else (None, None))
    basis_text = row.get("cost_basis")
    basis = _basis(case, number, basis_text) if basis_text else None
    checks = (("a clean amount", amount is not None), ("a known currency", currency is not None),
              ("a price year", year is not None), ("a known basis", basis is not None or not basis_text))
    missing = [what for what, ok in checks if not ok]
    if missing:
        column = {"a clean amount": "cost_value", "a known currency": "cost_currency", "a price year": "cost_year",
                  "a known basis": "cost_basis"}[missing[0]]
        suggestions = suggestion_labels(reconciliation) if reconciliation is not None and currency is None else ()
        rec.problem("Info", number, column, f"the cost lacks {', '.join(missing)}; kept as text only",
                    value=row.get(column), suggestions=suggestions)
        case.note(f"Row {number} cost as stated: {' '.join(text.split())}")
        return None
    cost = data_iri("cost", f"{case.key}-{n}")
    case.resources.append(cost)
    case.add(SRKG.cost, cost)
    case.add(RDF.type, SRKG.Cost, cost)
    case.add(SRKG.amount, decimal_literal(amount), cost)  # type: ignore[arg-type]
    case.add(SRKG.currency, currency, cost)  # type: ignore[arg-type]
    case.add(SRKG.priceYear, integer_literal(year), cost)  # type: ignore[arg-type]
    case.add(SRKG.statedAs, Literal(" ".join(text.split())), cost)
    if basis is not None:
        case.add(SRKG.costBasis, basis, cost)
        case.add(SRKG.costCovers, Literal(basis_text), cost)
        if _BUDGET.search(basis_text):
            budget, _ = rec.lookup("cost-type", "budget", number, "cost_basis")
            if budget is not None:
                case.add(SRKG.costType, budget, cost)
    return cost


def _basis(case: CaseBuilder, row: int, text: str) -> URIRef | None:
    for pattern, notation in _BASIS:
        if pattern.search(text):
            iri, _ = case.rec.lookup("cost-basis", notation, row, "cost_basis")
            return iri
    reconciliation = case.rec.reconcile("cost-basis", text)
    case.rec.problem("Info", row, "cost_basis", "the basis (whole project, per ha, per t, per m³) is not recognised",
                     value=text, suggestions=suggestion_labels(reconciliation))
    return None
