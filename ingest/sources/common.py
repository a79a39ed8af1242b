"""Helpers shared by the source mappers: located rows, problems, reconciliation, clean numbers, literals.

Rules applied here for every source (docs/ingest-architecture.md):
- a value is reconciled only by code, exact label or synonym; a fuzzy or ambiguous result is never taken, it is
  reported with its candidates as suggestions (never guess a fact);
- a number is taken only when the cell is a clean number (digits, one optional decimal point, no qualifier,
  range or thousands separator); anything else stays text.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from rdflib import XSD, Literal, URIRef

from ingest.records import MappingResult, MatchRecord, Problem, Severity, SourceError, SourceLocation

if TYPE_CHECKING:
    from ingest.reconcile.api import Reconciles, Reconciliation

ACCEPTED_METHODS = frozenset({"code", "exact label", "synonym"})
REJECTED = "Row not accepted"  # every problem that keeps a whole row out of the graph starts with this
_CLEAN_NUMBER = re.compile(r"^\d+(\.\d+)?$")
_CLEAN_SIGNED = re.compile(r"^-?\d+(\.\d+)?$")
_YEAR = re.compile(r"^\d{4}$")
_URL = re.compile(r"^https?://[^\s<>\"]+$")


def default_reconciler() -> Reconciles:
    """The project's reconciler (imported late: ``ingest.reconcile`` is optional for importing this module)."""
    from ingest.reconcile import default_reconciler as make

    return make()


def clean_decimal(text: str | None, signed: bool = False) -> Decimal | None:
    """The number in a cell that holds nothing but a number, else None."""
    text = (text or "").strip()
    pattern = _CLEAN_SIGNED if signed else _CLEAN_NUMBER
    return Decimal(text) if pattern.match(text) else None


def clean_year(text: str | None) -> int | None:
    text = (text or "").strip()
    return int(text) if _YEAR.match(text) else None


def decimal_literal(value: Decimal) -> Literal:
    return Literal(value, datatype=XSD.decimal)


def integer_literal(value: int) -> Literal:
    return Literal(value, datatype=XSD.integer)


def date_literal(value: date) -> Literal:
    return Literal(value.isoformat(), datatype=XSD.date)


def split_urls(*cells: str) -> tuple[list[str], list[str]]:
    """Web addresses from cells separated by ';' (with or without spaces); returns (urls, not_urls)."""
    urls: list[str] = []
    rejected: list[str] = []
    for cell in cells:
        for part in re.split(r";\s+|\s+;\s*", cell or ""):
            part = part.strip()
            if not part:
                continue
            (urls if _URL.match(part) else rejected).append(part)
    return list(dict.fromkeys(urls)), rejected


def suggestion_labels(reconciliation: Reconciliation, limit: int = 5) -> tuple[str, ...]:
    labels = [c.label for c in reconciliation.candidates]
    if reconciliation.match is not None and reconciliation.match.method not in ACCEPTED_METHODS:
        labels.insert(0, reconciliation.match.label)
    return tuple(dict.fromkeys(labels))[:limit]


def accepted(reconciliation: Reconciliation) -> URIRef | None:
    """The matched IRI when the match is by code, exact label or synonym; None otherwise."""
    match = reconciliation.match
    if match is None or reconciliation.ambiguous or match.method not in ACCEPTED_METHODS:
        return None
    return match.iri


class CachedReconciler:
    """Wraps a reconciler and remembers answers (registers repeat the same few hundred values many times)."""

    def __init__(self, reconciler: Reconciles) -> None:
        self._reconciler = reconciler
        self._cache: dict[tuple[str, str], Reconciliation] = {}

    def __call__(self, kind: str, text: str) -> Reconciliation:
        key = (kind, text)
        if key not in self._cache:
            self._cache[key] = self._lookup(kind, text)
        return self._cache[key]

    def _lookup(self, kind: str, text: str) -> Reconciliation:
        r = self._reconciler
        if kind in ("country", "pollutant", "technology", "unit", "currency"):
            return getattr(r, kind)(text)
        return r.concept(kind, text)


@dataclass
class Recorder:
    """Collects problems, matches and row → resource links for one source file."""

    file: str
    reconcile: CachedReconciler
    result: MappingResult = field(default_factory=MappingResult)

    def location(self, row: int | None, column: str | None = None) -> SourceLocation:
        return SourceLocation(file=self.file, row=row, column=column)

    def problem(
        self,
        severity: Severity,
        row: int | None,
        column: str | None,
        message: str,
        value: str | None = None,
        suggestions: Sequence[str] = (),
    ) -> None:
        location = self.location(row, column)
        self.result.problems.append(Problem(severity, message, location, value, tuple(suggestions)))

    def lookup(self, kind: str, text: str, row: int | None, column: str) -> tuple[URIRef | None, Reconciliation]:
        """Reconcile one value and keep the match record; returns the accepted IRI (or None) and the details."""
        reconciliation = self.reconcile(kind, text)
        iri = accepted(reconciliation)
        match = reconciliation.match
        self.result.matches.append(
            MatchRecord(
                location=self.location(row, column),
                kind=kind,
                text=text,
                iri=iri,
                label=match.label if iri is not None and match is not None else None,
                method=match.method if iri is not None and match is not None else None,
                score=match.score if iri is not None and match is not None else None,
                suggestions=() if iri is not None else suggestion_labels(reconciliation),
            )
        )
        return iri, reconciliation

    def record_match(self, row: int | None, column: str, kind: str, text: str, iri: URIRef, label: str,
                     method: str) -> None:
        """Keep a match found another way (e.g. a label phrase recognised inside a longer text)."""
        self.result.matches.append(MatchRecord(self.location(row, column), kind, text, iri, label, method, 1.0))

    def produced(self, row: int | None, resources: list[URIRef], sheet: str | None = None) -> None:
        location = SourceLocation(file=self.file, sheet=sheet, row=row)
        self.result.row_resources.setdefault(location, []).extend(resources)


@dataclass(frozen=True)
class CsvRow:
    number: int  # as a curator counts: the header is row 1
    values: dict[str, str]

    def get(self, column: str) -> str:
        return (self.values.get(column) or "").strip()


def _record_number(text: str, position: int) -> int:
    """The CSV record (1 = the header) holding ``position``: quoted cells may span lines."""
    return max(1, sum(1 for _ in csv.reader(io.StringIO(text[:position] + "x", newline=""))))


def read_csv(path: Path, required: Sequence[str], encoding: str = "utf-8-sig") -> Iterator[CsvRow]:
    """Rows of a CSV file with their row numbers; the header must name every required column.

    The file is decoded whole first, so a wrong encoding is one located error instead of a crash mid-way."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise SourceError(SourceLocation(str(path.name)), error.strerror or str(error)) from None
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as error:
        row = data[: error.start].count(b"\n") + 1
        raise SourceError(
            SourceLocation(path.name, row=row),
            f"the file is not in the {encoding.removesuffix('-sig').upper()} encoding (byte 0x{data[error.start]:02x} "
            "cannot be read); save it as 'CSV UTF-8' and send it again",
        ) from None
    if "\x00" in text:
        raise SourceError(SourceLocation(path.name, row=_record_number(text, text.index("\x00"))),
                          "the file holds a NUL character: it is not a plain-text CSV file (UTF-16 or binary?); "
                          "save it as 'CSV UTF-8' and send it again")
    with io.StringIO(text, newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in required if c not in (reader.fieldnames or [])]
        if missing:
            raise SourceError(
                SourceLocation(path.name, row=1), f"the header lacks the column(s) {', '.join(missing)}"
            )
        number = 1
        try:
            for number, values in enumerate(reader, start=2):
                cells = {k: v for k, v in values.items() if k is not None}
                _refuse_formula(path.name, number, cells)
                yield CsvRow(number, cells)
        except csv.Error as error:  # e.g. a cell longer than the csv module's field limit (131,072 characters)
            raise SourceError(SourceLocation(path.name, row=number + 1),
                              f"this CSV file cannot be read: {error}") from None


def _refuse_formula(file: str, row: int, cells: dict[str, str | None]) -> None:
    """A spreadsheet formula is no value (and would run when the data is exported and opened again)."""
    for column, value in cells.items():
        if isinstance(value, str) and value.startswith("=") and len(value) > 1:
            raise SourceError(SourceLocation(file, row=row, column=column),
                              f"the cell holds a formula ({value[:40]!r}), not a value; paste values and send the "
                              "file again")


def rejected_rows(result: MappingResult) -> dict[int, list[Problem]]:
    """Rows kept out of the graph, each with the problems that say why."""
    rows: dict[int, list[Problem]] = {}
    for problem in result.problems:
        if problem.message.startswith(REJECTED) and problem.location.row is not None:
            rows.setdefault(problem.location.row, []).append(problem)
    return rows
