"""Typed values of survey cells, as the schema's column types say, with a located Problem for each bad cell.

Vocabulary cells go through the Reconciler: every value gets a MatchRecord; a fuzzy match is used and warned
about; an unmatched or ambiguous value is reported with suggestions and left out.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

from rdflib import URIRef

from ingest.reconcile import Reconciles, Reconciliation, match_record, problem_for
from ingest.records import MatchRecord, Problem, SourceLocation
from ingest.survey.reader import Row
from ingest.survey.schema import Column, Kind
from ingest.survey.values import (
    CellError,
    Raw,
    parse_boolean,
    parse_date,
    parse_decimal,
    parse_integer,
    parse_language,
    parse_percent,
    parse_url,
    parse_year,
    split_list,
    split_qualifier,
    text_of,
)

Value = str | int | bool | Decimal | date | URIRef
RECONCILER_KINDS = frozenset({"country", "pollutant", "technology", "unit", "currency"})


class CellReader:
    """Reads typed values from rows, collecting problems and match records."""

    def __init__(self, reconciler: Reconciles, today: date) -> None:
        self.reconciler = reconciler
        self.today = today
        self.problems: list[Problem] = []
        self.matches: list[MatchRecord] = []

    def values(self, row: Row, column: Column) -> list[Value]:
        """Every usable value of the cell (one, or several for 'list of' columns); [] when blank or bad."""
        cell = row.cells.get(column.key)
        if cell is None:
            return []
        raws: list[Raw] = split_list(cell.value) if column.type.many else [cell.value]
        out: list[Value] = []
        for raw in raws:
            value = self._one(column, raw, cell.location)
            if value is not None:
                out.append(value)
        return out

    def value(self, row: Row, column: Column) -> Value | None:
        found = self.values(row, column)
        return found[0] if found else None

    def measured(self, row: Row, column: Column) -> tuple[str | None, Decimal | None, bool]:
        """A measured number: (qualifier such as '<' or None, number, written as a percentage '45 %').
        (None, None, False) when blank or bad (bad cells are reported)."""
        cell = row.cells.get(column.key)
        if cell is None:
            return None, None, False
        qualifier, rest = split_qualifier(cell.value)
        percent = isinstance(rest, str) and rest.rstrip().endswith(("%", "％"))
        try:
            return qualifier, parse_decimal(rest.rstrip()[:-1] if percent else rest), percent  # type: ignore[union-attr]
        except CellError as error:
            self.problems.append(Problem("Violation", error.message, cell.location, text_of(cell.value)))
            return None, None, False

    def problem(self, severity: str, message: str, location: SourceLocation, value: str | None = None) -> None:
        self.problems.append(Problem(severity, message, location, value))  # type: ignore[arg-type]

    def _one(self, column: Column, raw: Raw, location: SourceLocation) -> Value | None:
        kind = column.type.kind
        if kind is Kind.VOCAB:
            return self._concept(column.type.scheme or "", text_of(raw), location)
        if kind in (Kind.TEXT, Kind.CASE_REF):
            return text_of(raw) or None
        parse = self._parser(kind)
        try:
            return parse(raw)
        except CellError as error:
            self.problems.append(Problem("Violation", error.message, location, text_of(raw)))
            return None

    def _parser(self, kind: Kind) -> Callable[[Raw], Value]:
        parsers: dict[Kind, Callable[[Raw], Value]] = {
            Kind.INTEGER: parse_integer,
            Kind.DECIMAL: parse_decimal,
            Kind.PERCENT: parse_percent,
            Kind.BOOLEAN: parse_boolean,
            Kind.URL: lambda raw: URIRef(parse_url(raw)),
            Kind.LANGUAGE: parse_language,
            Kind.YEAR: lambda raw: parse_year(raw, self.today),
            Kind.DATE: lambda raw: parse_date(raw, self.today),
        }
        return parsers[kind]

    def _concept(self, scheme: str, text: str, location: SourceLocation) -> URIRef | None:
        result = self.reconcile(scheme, text)
        self.matches.append(match_record(location, scheme, result))
        problem = problem_for(location, scheme, result)
        if problem is not None:
            self.problems.append(problem)
        return result.match.iri if result.match is not None else None

    def reconcile(self, scheme: str, text: str) -> Reconciliation:
        if scheme in RECONCILER_KINDS:
            return getattr(self.reconciler, scheme)(text)
        return self.reconciler.concept(scheme, text)
