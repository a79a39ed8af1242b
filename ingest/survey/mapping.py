"""Survey rows → RDF in the pattern of ``tests/fixtures/valid/complete-case.ttl``, with row-level provenance.

IRIs are stable (docs/ingest-architecture.md): the case key is ``{submission key}-{slug(case id)}``; its site,
geometry and quantities hang off the key, and steps, outcomes, costs, assessments and indicator results are
numbered in row order within their case. Every resource made gets ``srkg:derivedFromRecord`` → a
``srkg:SourceRecord`` (sheet name, row number, ``srkg:inFile`` → the source file IRI the caller gives).

Problems found here: empty required cells, bad numbers/years/dates/URLs, percentages over 100, future years and
dates, values without their unit, unmatched or ambiguous vocabulary values (left out, with suggestions), fuzzy
matches (used, with a Warning), duplicate case ids (Violation, the later row is not loaded), child rows repeated
exactly (Warning, loaded once), child rows naming an unknown case (Violation, not loaded). A submission with any
Violation must not be loaded at all: the pipeline decides that, this module only reports.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from rdflib import RDF, XSD, Literal, URIRef
from rdflib.term import Node

from ingest.namespaces import GEO, QUDT, QUDT_UNIT, SRKG, data_iri
from ingest.provenance import slug, source_record_iri
from ingest.reconcile import Reconciles
from ingest.records import MappingResult, SourceLocation
from ingest.survey.cells import CellReader, Value
from ingest.survey.reader import Row, SheetData, SurveyData
from ingest.survey.schema import Column, Kind, normalize, sheet
from ingest.survey.values import text_of
from ingest.vocabulary import Vocabulary, default_vocabulary

REQUIRED = "a value is required here"
REJECTED = "Row not accepted"  # starts every problem that keeps a whole row out (the pipeline counts them)
QUANTITIES = (("area", SRKG.areaTreated), ("volume", SRKG.volumeTreated), ("mass", SRKG.massTreated))
OUTCOME_VALUES = (("value_before", SRKG.valueBefore, SRKG.valueBeforeQualifier),
                  ("value_after", SRKG.valueAfter, SRKG.valueAfterQualifier), ("target_value", SRKG.targetValue, None))
# Columns mapped by code below rather than through ``Column.prop`` (a test checks this list is complete).
SPECIAL_COLUMNS = frozenset({
    ("cases", "case_id"), ("cases", "text_language"), ("cases", "latitude"), ("cases", "longitude"),
    ("cases", "area"), ("cases", "area_unit"), ("cases", "volume"), ("cases", "volume_unit"), ("cases", "mass"),
    ("cases", "mass_unit"), ("technologies", "case_id"), ("technologies", "step_order"),
    ("outcomes", "case_id"), ("outcomes", "value_before"), ("outcomes", "value_after"),
    ("outcomes", "target_value"), ("outcomes", "unit"), ("costs", "case_id"), ("assessment", "case_id"),
    ("assessment", "framework"), ("assessment", "tier"), ("assessment", "partial"), ("assessment", "assessor"),
    ("assessment", "date"),
    ("assessment", "value"), ("assessment", "unit"), ("barriers", "case_id"), ("checklist", "case_id"),
})


@dataclass
class _Case:
    iri: URIRef
    key: str
    row: Row
    lang: str
    counts: dict[str, int] = field(default_factory=dict)
    assessments: dict[tuple[str, ...], tuple[URIRef, str]] = field(default_factory=dict)

    def next(self, kind: str) -> int:
        self.counts[kind] = self.counts.get(kind, 0) + 1
        return self.counts[kind]


def map_survey(
    data: SurveyData,
    reconciler: Reconciles,
    *,
    submission_key: str,
    source_file: URIRef,
    today: date | None = None,
    vocabulary: Vocabulary | None = None,
) -> MappingResult:
    """Map a read survey to RDF. ``source_file`` is the IRI of the srkg:SourceFile the rows come from."""
    return _SurveyMapper(data, reconciler, submission_key, source_file, today or date.today(), vocabulary).run()


class _SurveyMapper:
    def __init__(self, data: SurveyData, reconciler: Reconciles, submission_key: str, source_file: URIRef,
                 today: date, vocabulary: Vocabulary | None) -> None:
        self.data = data
        self.submission_key = submission_key
        self.source_file = source_file
        self.file_key = str(source_file).rstrip("/").rsplit("/", 1)[-1]
        self.vocabulary = vocabulary
        self.cells = CellReader(reconciler, today)
        self.result = MappingResult(problems=list(data.problems), rows_read=data.rows_read)
        self.graph = self.result.graph
        self.cases: dict[str, _Case] = {}
        self.records: dict[SourceLocation, URIRef] = {}

    def run(self) -> MappingResult:
        self._cases(self.data.sheets["cases"])
        self._children("technologies", self._technology)
        self._children("outcomes", self._outcome)
        self._children("costs", self._cost)
        self._children("assessment", self._indicator)
        self._children("barriers", lambda row, case: self._link(row, case, "barrier"))
        self._children("checklist", lambda row, case: self._link(row, case, "stage"))
        self._respondent(self.data.sheets["respondent"])
        self.result.problems.extend(self.cells.problems)
        self.result.matches.extend(self.cells.matches)
        return self.result

    # --- provenance ----------------------------------------------------------------------------------------
    def _derive(self, resource: URIRef, row: Row) -> None:
        record = self.records.get(row.location)
        if record is None:
            record = source_record_iri(self.file_key, row.location.sheet, row.location.row)
            self.records[row.location] = record
            self.graph.add((record, RDF.type, SRKG.SourceRecord))
            self.graph.add((record, SRKG.sheetName, Literal(row.location.sheet or "")))
            self.graph.add((record, SRKG.rowNumber, Literal(row.location.row, datatype=XSD.positiveInteger)))
            self.graph.add((record, SRKG.inFile, self.source_file))
        self.graph.add((resource, SRKG.derivedFromRecord, record))
        made = self.result.row_resources.setdefault(row.location, [])
        if resource not in made:
            made.append(resource)

    def _new(self, resource: URIRef, rdf_class: URIRef, row: Row) -> URIRef:
        self.graph.add((resource, RDF.type, rdf_class))
        self._derive(resource, row)
        return resource

    # --- generic column handling ----------------------------------------------------------------------------
    def _where(self, row: Row, key: str) -> SourceLocation:
        return row.location_of(key, self.data.sheets[row.sheet].headers.get(key))

    def _header(self, row: Row, key: str) -> str:
        return self.data.sheets[row.sheet].headers.get(key, key)

    def _required(self, row: Row, skip: frozenset[str] = frozenset({"case_id"})) -> None:
        for column in sheet(row.sheet).required_columns:
            if column.key not in skip and column.key not in row.cells:
                self.cells.problem("Violation", REQUIRED, self._where(row, column.key))

    def _direct(self, row: Row, subjects: dict[str, URIRef], lang: str | None) -> None:
        """Columns with a ``prop``: each value becomes one triple on the record (or the site)."""
        for column in sheet(row.sheet).columns:
            if column.prop is None or (row.sheet, column.key) in SPECIAL_COLUMNS:
                continue
            for value in self.cells.values(row, column):
                self.graph.add((subjects[column.on], column.prop, _term(column, value, lang)))

    def _quantity(self, row: Row, value_key: str, unit_key: str) -> tuple[Decimal, URIRef] | None:
        """A number with its unit; a number without a unit is reported and left out."""
        sheet_def = sheet(row.sheet)
        qualifier, number, percent = self.cells.measured(row, sheet_def.column(value_key))
        if qualifier is not None:
            self.cells.problem("Violation", f"a qualifier ('{qualifier}') is not allowed here; give one number",
                               self._where(row, value_key), row.text(value_key))
            return None
        if unit_key not in row.cells:
            if number is not None:
                self.cells.problem("Violation", f"the unit of '{self._header(row, value_key)}' is missing; "
                                   "choose it from the list (the value is not loaded)", self._where(row, unit_key))
            return None
        unit = self.cells.value(row, sheet_def.column(unit_key))
        if number is None:
            if value_key not in row.cells:
                self.cells.problem("Warning", f"a unit without a value in '{self._header(row, value_key)}'; "
                                   "it is not loaded", self._where(row, unit_key))
            return None
        if not isinstance(unit, URIRef):
            return None
        return (number, unit) if self._fits_unit(row, value_key, number, percent, unit) else None

    def _add_quantity(self, owner: URIRef, prop: URIRef, iri: URIRef, value: tuple[Decimal, URIRef],
                      row: Row) -> None:
        self._new(iri, QUDT.QuantityValue, row)
        self.graph.add((owner, prop, iri))
        self.graph.add((iri, QUDT.numericValue, Literal(value[0])))
        self.graph.add((iri, QUDT.unit, value[1]))

    # --- case studies ---------------------------------------------------------------------------------------
    def _cases(self, data: SheetData) -> None:
        first_rows: dict[str, Row] = {}
        for row in data.rows:
            case_id = row.text("case_id")
            if not case_id:
                self.cells.problem("Violation", f"{REJECTED}: the case id is missing", self._where(row, "case_id"))
                continue
            key = slug(case_id)
            if key in first_rows:
                self.cells.problem("Violation", f"{REJECTED}: case id '{case_id}' is already used in row "
                                   f"{first_rows[key].location.row}; give each case its own id",
                                   self._where(row, "case_id"), case_id)
                continue
            first_rows[key] = row
            self._case(row, key)

    def _case(self, row: Row, id_key: str) -> None:
        cases = sheet("cases")
        key = f"{self.submission_key}-{id_key}"
        lang = self.cells.value(row, cases.column("text_language")) or self.data.language
        case = _Case(data_iri("case", key), key, row, str(lang))
        self.cases[id_key] = case
        site = data_iri("site", key)
        self._new(case.iri, SRKG.CaseStudy, row)
        self._new(site, SRKG.Site, row)
        self.graph.add((case.iri, SRKG.site, site))
        self.result.case_rows[case.iri] = row.location
        self._required(row)
        self._direct(row, {"record": case.iri, "site": site}, case.lang)
        self._point(row, site, key)
        for name, prop in QUANTITIES:
            quantity = self._quantity(row, name, f"{name}_unit")
            if quantity is not None:
                self._add_quantity(case.iri, prop, data_iri("quantity", f"{key}-{name}"), quantity, row)

    def _point(self, row: Row, site: URIRef, key: str) -> None:
        cases = sheet("cases")
        lat = self.cells.value(row, cases.column("latitude"))
        lon = self.cells.value(row, cases.column("longitude"))
        given = [k for k in ("latitude", "longitude") if k in row.cells]
        if len(given) == 1:
            self.cells.problem("Violation", "give both latitude and longitude, or neither (the point is not "
                               "loaded)", self._where(row, given[0]))
            return
        if lat is None or lon is None:
            return
        assert isinstance(lat, Decimal) and isinstance(lon, Decimal)
        if not -90 <= lat <= 90:
            self.cells.problem("Violation", "a latitude must be between -90 and 90", self._where(row, "latitude"),
                               str(lat))
            return
        if not -180 <= lon <= 180:
            self.cells.problem("Violation", "a longitude must be between -180 and 180",
                               self._where(row, "longitude"), str(lon))
            return
        geometry = self._new(data_iri("geometry", key), GEO.Geometry, row)
        self.graph.add((site, GEO.hasGeometry, geometry))
        self.graph.add((geometry, GEO.asWKT, Literal(f"POINT({lon:f} {lat:f})", datatype=GEO.wktLiteral)))

    # --- rows that belong to a case ---------------------------------------------------------------------------
    def _children(self, sheet_key: str, handler: Callable[[Row, _Case], None]) -> None:
        seen: dict[tuple, int] = {}
        for row in self.data.sheets[sheet_key].rows:
            signature = tuple(sorted((k, normalize(text_of(c.value))) for k, c in row.cells.items()))
            if signature in seen:
                self.cells.problem("Warning", f"this row repeats row {seen[signature]} exactly; it is loaded once",
                                   row.location)
                continue
            seen[signature] = row.location.row or 0
            case = self._case_of(row)
            if case is not None:
                self._required(row)
                handler(row, case)

    def _case_of(self, row: Row) -> _Case | None:
        case_id = row.text("case_id")
        if not case_id:
            self.cells.problem("Violation", f"{REJECTED}: the case id is missing", self._where(row, "case_id"))
            return None
        case = self.cases.get(slug(case_id))
        if case is None:
            title = self.data.sheets["cases"].title
            self.cells.problem("Violation", f"{REJECTED}: case id '{case_id}' is not in the sheet '{title}'",
                               self._where(row, "case_id"), case_id)
        return case

    def _technology(self, row: Row, case: _Case) -> None:
        n = case.next("step")
        step = self._new(data_iri("step", f"{case.key}-{n}"), SRKG.TechnologyApplication, row)
        self.graph.add((case.iri, SRKG.technologyApplication, step))
        order = self.cells.value(row, sheet("technologies").column("step_order"))
        if isinstance(order, int) and order < 1:
            self.cells.problem("Violation", "the step must be 1 or more", self._where(row, "step_order"), str(order))
            order = None
        order = order if isinstance(order, int) else n
        self.graph.add((step, SRKG.stepOrder, Literal(order, datatype=XSD.positiveInteger)))
        self._direct(row, {"record": step}, case.lang)

    def _outcome(self, row: Row, case: _Case) -> None:
        outcome = self._new(data_iri("outcome", f"{case.key}-{case.next('outcome')}"), SRKG.Outcome, row)
        self.graph.add((case.iri, SRKG.outcome, outcome))
        self._direct(row, {"record": outcome}, case.lang)
        columns = sheet("outcomes")
        values = {key: self.cells.measured(row, columns.column(key)) for key, _, _ in OUTCOME_VALUES}
        unit = self.cells.value(row, columns.column("unit"))
        if unit is not None:
            self.graph.add((outcome, SRKG.unit, unit))
        given = [key for key, _, _ in OUTCOME_VALUES if values[key][1] is not None]
        if given and "unit" not in row.cells:
            names = ", ".join(f"'{self._header(row, k)}'" for k in given)
            self.cells.problem("Violation", f"the unit of {names} is missing; choose it from the list (the values "
                               "are not loaded)", self._where(row, "unit"))
        if unit is None:
            return
        for key, prop, qualifier_prop in OUTCOME_VALUES:
            qualifier, number, percent = values[key]
            if number is None or not self._fits_unit(row, key, number, percent, unit):
                continue
            self.graph.add((outcome, prop, Literal(number)))
            if qualifier is not None and qualifier_prop is not None:
                self.graph.add((outcome, qualifier_prop, Literal(qualifier)))
            elif qualifier is not None:
                self.cells.problem("Violation", f"a qualifier ('{qualifier}') is not allowed here; give one number",
                                   self._where(row, key), row.text(key))

    def _fits_unit(self, row: Row, key: str, number: Decimal, percent: bool, unit: URIRef) -> bool:
        """A value written '45 %' needs the unit %; a value in % lies between 0 and 100. Else reported, left out."""
        if percent and unit != QUDT_UNIT.PERCENT:
            self.cells.problem("Violation", "the value is written as a percentage but its unit is not %",
                               self._where(row, key), row.text(key))
            return False
        if unit == QUDT_UNIT.PERCENT and not 0 <= number <= 100:
            self.cells.problem("Violation", "a percentage must be between 0 and 100", self._where(row, key),
                               row.text(key))
            return False
        return True

    def _cost(self, row: Row, case: _Case) -> None:
        cost = self._new(data_iri("cost", f"{case.key}-{case.next('cost')}"), SRKG.Cost, row)
        self.graph.add((case.iri, SRKG.cost, cost))
        self._direct(row, {"record": cost}, case.lang)

    def _indicator(self, row: Row, case: _Case) -> None:
        assessment, a_key = self._assessment(row, case)
        m = case.next(f"result-{a_key}")
        result = self._new(data_iri("result", f"{a_key}-{m}"), SRKG.IndicatorResult, row)
        self.graph.add((assessment, SRKG.indicatorResult, result))
        self._direct(row, {"record": result}, case.lang)
        quantity = self._quantity(row, "value", "unit")
        if quantity is not None:
            self._add_quantity(result, SRKG.quantity, data_iri("quantity", f"{a_key}-{m}"), quantity, row)
        self._check_framework(row, assessment, result)

    def _assessment(self, row: Row, case: _Case) -> tuple[URIRef, str]:
        """The assessment a row belongs to: rows with the same framework, tier, assessor and date share one."""
        columns = sheet("assessment")
        keys = (("framework", SRKG.framework), ("tier", SRKG.tier), ("assessor", SRKG.assessor),
                ("date", SRKG.assessmentDate))
        values = {key: self.cells.value(row, columns.column(key)) for key, _ in keys}
        group = tuple(normalize(row.text(key)) if values[key] is None else str(values[key]) for key, _ in keys)
        if group in case.assessments:
            iri, a_key = case.assessments[group]
            self._derive(iri, row)
        else:
            a_key = f"{case.key}-{len(case.assessments) + 1}"
            iri = self._new(data_iri("assessment", a_key), SRKG.SustainabilityAssessment, row)
            case.assessments[group] = (iri, a_key)
            self.graph.add((case.iri, SRKG.assessment, iri))
            for key, prop in keys:
                if values[key] is not None:
                    self.graph.add((iri, prop, _term(columns.column(key), values[key], None)))
        # The partial flag belongs to the assessment but may be given on any of its rows (conflicting rows give two
        # values, which the shapes report).
        partial = self.cells.value(row, columns.column("partial"))
        if partial is not None:
            self.graph.add((iri, SRKG.isPartial, Literal(bool(partial))))
        return iri, a_key

    def _check_framework(self, row: Row, assessment: URIRef, result: URIRef) -> None:
        framework = self.graph.value(assessment, SRKG.framework)
        criterion = self.graph.value(result, SRKG.criterion)
        if framework is None or criterion is None:
            return
        vocabulary = self.vocabulary or default_vocabulary()
        homes = [o for _, p, o in vocabulary.triples(str(criterion)) if p == SRKG.inFramework]
        if homes and framework not in homes:
            label = vocabulary.label(str(criterion)) or str(criterion)
            home = vocabulary.label(str(homes[0])) or str(homes[0])
            self.cells.problem("Violation", f"the criterion '{label}' belongs to the framework '{home}', not to "
                               f"'{vocabulary.label(str(framework))}'", self._where(row, "criterion"),
                               row.text("criterion"))

    def _link(self, row: Row, case: _Case, key: str) -> None:
        """Barriers and checklist stages: a link from the case to the concept."""
        column = sheet(row.sheet).column(key)
        for value in self.cells.values(row, column):
            self.graph.add((case.iri, column.prop, value))
        made = self.result.row_resources.setdefault(row.location, [])
        if case.iri not in made:
            made.append(case.iri)

    # --- respondent -----------------------------------------------------------------------------------------
    def _respondent(self, data: SheetData) -> None:
        for index, row in enumerate(data.rows):
            if index:
                self.cells.problem("Violation", f"{REJECTED}: one respondent per file; send each respondent's "
                                   "answers in a file of their own", row.location)
                continue
            self._required(row, frozenset())
            response = self._new(data_iri("response", self.submission_key), SRKG.SurveyResponse, row)
            self._direct(row, {"record": response}, None)
            for case in self.cases.values():
                self.graph.add((response, SRKG.reportsCase, case.iri))


def _term(column: Column, value: Value, lang: str | None) -> Node:
    if isinstance(value, URIRef):
        return value
    if column.type.kind is Kind.TEXT and column.language_tagged and lang:
        return Literal(value, lang=lang)
    return Literal(value)

