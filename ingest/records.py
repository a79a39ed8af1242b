"""Data passed between the ingest stages: where a value came from, and problems found before SHACL."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from rdflib import Graph, URIRef

Severity = Literal["Violation", "Warning", "Info"]


@dataclass(frozen=True)
class SourceLocation:
    """A place in a source file, as a curator would look for it (rows and lines count from 1)."""

    file: str
    sheet: str | None = None
    row: int | None = None
    column: str | None = None  # the column's header as written in the file
    line: int | None = None

    def __str__(self) -> str:
        parts = [self.file]
        if self.sheet:
            parts.append(f"sheet '{self.sheet}'")
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f"column '{self.column}'")
        if self.line is not None:
            parts.append(f"line {self.line}")
        return ", ".join(parts)


@dataclass(frozen=True)
class Problem:
    """Something wrong or doubtful in the source, found while reading or mapping it."""

    severity: Severity
    message: str
    location: SourceLocation
    value: str | None = None
    suggestions: tuple[str, ...] = ()

    def __str__(self) -> str:
        text = f"{self.severity}: {self.location}: {self.message}"
        if self.value is not None:
            text += f" (value: {self.value!r})"
        if self.suggestions:
            text += f" — did you mean: {', '.join(self.suggestions)}?"
        return text


@dataclass(frozen=True)
class MatchRecord:
    """How one free-text value was reconciled to a vocabulary IRI (kept for the report)."""

    location: SourceLocation
    kind: str  # "country", "pollutant", "technology", "unit", "currency", or a scheme name
    text: str
    iri: URIRef | None
    label: str | None
    method: str | None  # "code" | "exact label" | "synonym" | "fuzzy" | None when unmatched
    score: float | None = None
    suggestions: tuple[str, ...] = ()


class SourceError(Exception):
    """The whole source cannot be read (wrong file type, corrupt archive, missing sheet…)."""

    def __init__(self, location: SourceLocation, message: str) -> None:
        super().__init__(f"{location}: {message}")
        self.location = location
        self.message = message


@dataclass
class MappingResult:
    """RDF mapped from one source, with everything noticed on the way."""

    graph: Graph = field(default_factory=Graph)
    problems: list[Problem] = field(default_factory=list)
    matches: list[MatchRecord] = field(default_factory=list)
    rows_read: int = 0
    # the resources each source row produced (for provenance: row → resource)
    row_resources: dict[SourceLocation, list[URIRef]] = field(default_factory=dict)
    # the case studies each source row produced, with the row each came from (to locate SHACL findings)
    case_rows: dict[URIRef, SourceLocation] = field(default_factory=dict)
