"""The reconciliation interface other ingest modules code against (implemented in ``ingest.reconcile``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

from rdflib import URIRef

MatchMethod = Literal["code", "exact label", "synonym", "fuzzy"]


@dataclass(frozen=True)
class Match:
    """A vocabulary concept a text was matched to, and how."""

    iri: URIRef
    label: str  # the concept's English prefLabel (or first available)
    method: MatchMethod
    score: float  # 1.0 for code/exact/synonym; similarity 0–1 for fuzzy
    matched_text: str  # the code or label the input matched
    language: str | None = None  # language of the matched label


@dataclass(frozen=True)
class Reconciliation:
    """The outcome of reconciling one input text. ``match`` is None when unmatched or ambiguous."""

    text: str
    match: Match | None
    candidates: tuple[Match, ...] = ()  # suggestions (unmatched) or the competing matches (ambiguous)
    ambiguous: bool = False

    @property
    def ok(self) -> bool:
        return self.match is not None


class Reconciles(Protocol):
    """What mappers need: one method per kind of value, and a generic one for any SRKG scheme."""

    def country(self, text: str) -> Reconciliation: ...
    def pollutant(self, text: str) -> Reconciliation: ...
    def technology(self, text: str) -> Reconciliation: ...
    def unit(self, text: str) -> Reconciliation: ...
    def currency(self, text: str) -> Reconciliation: ...
    def concept(self, scheme: str, text: str) -> Reconciliation: ...
