"""Barriers and success factors reported in the graph, counted by region, country or technology (issue #9, CQ12).

Two sources report barriers: survey responses (``srkg:SurveyResponse`` with ``srkg:barrierMet``, ``srkg:country``,
``srkg:technologyUsed``) and case studies (``srkg:CaseStudy`` with ``srkg:barrierMet``, the site's country and the
technologies of the treatment train). ``queries/barriers-reports.rq`` returns one row per (reporter, barrier,
country, technology); ``tally`` counts **reporters** (distinct responses and cases): a reporter counts once per
barrier under each value of the dimension it states — a respondent who used two technologies counts under both —
and under "not stated" (key ``None``) when it states none. A barrier group (REG, ECO…) counts the reporters that
name the group or any barrier in it, once each. Success factors are free text (``srkg:successFactor``): they are
listed as written and counted as responses per value of the dimension.

``fetch`` reads the store (four SELECTs of ``queries/barriers-*.rq``, no parameters); the rest is pure.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from rdflib import Literal
from rdflib.term import Node

from sparql_api.store.base import Store

QUERIES_DIR = Path(__file__).parent / "queries"
DIMENSIONS = ("region", "country", "technology")
SOURCES = ("survey", "case")
LANGUAGES = ("en", "fr", "es", "ru", "zh", "ar")

Row = Mapping[str, Node]


@cache
def query_text(name: str) -> str:
    """The text of ``queries/barriers-{name}.rq``."""
    return (QUERIES_DIR / f"barriers-{name}.rq").read_text("utf-8")


def _key(record: Report | SuccessFactor, by: str) -> str | None:
    if by not in DIMENSIONS:
        raise ValueError(f"unknown dimension {by!r}: use one of {', '.join(DIMENSIONS)}")
    value = getattr(record, by)
    return value if isinstance(value, str) else None


@dataclass(frozen=True)
class Report:
    """One row of barriers-reports.rq."""

    reporter: str
    source: str  # survey | case
    barrier: str
    country: str | None = None
    region: str | None = None
    technology: str | None = None

    def key(self, by: str) -> str | None:
        return _key(self, by)


@dataclass(frozen=True)
class SuccessFactor:
    """One row of barriers-success-factors.rq."""

    response: str
    text: str
    country: str | None = None
    region: str | None = None
    technology: str | None = None

    def key(self, by: str) -> str | None:
        return _key(self, by)


@dataclass(frozen=True)
class BarrierData:
    reports: tuple[Report, ...]
    success_factors: tuple[SuccessFactor, ...]
    notations: Mapping[str, str]  # barrier IRI → notation
    groups: Mapping[str, str]  # barrier IRI → group IRI (a group maps to itself)
    labels: Mapping[str, Mapping[str, str]]  # IRI → {lang: label}

    def label(self, iri: str | None, lang: str, default: str = "") -> str:
        texts = self.labels.get(iri or "", {})
        for code in (lang, "en", *LANGUAGES):
            if texts.get(code):
                return texts[code]
        return next(iter(texts.values()), default)

    def group_of(self, barrier: str) -> str:
        return self.groups.get(barrier, barrier)

    def filtered(self, source: str | None = None, group: str | None = None) -> tuple[Report, ...]:
        """Reports of one source (``survey`` / ``case``) and/or of one barrier group (IRI or notation)."""
        wanted = None
        if group:
            wanted = next((g for g in set(self.groups.values()) if group in (g, self.notations.get(g))), group)
        return tuple(r for r in self.reports
                     if (not source or r.source == source) and (wanted is None or self.group_of(r.barrier) == wanted))


@dataclass(frozen=True)
class Cell:
    """Reporters of one barrier (or group) under one value of the dimension (``None``: not stated)."""

    key: str | None
    barrier: str
    reporters: frozenset[str]
    survey: int
    cases: int

    @property
    def count(self) -> int:
        return len(self.reporters)


def _cells(pairs: Iterable[tuple[str | None, str, Report]]) -> list[Cell]:
    found: dict[tuple[str | None, str], dict[str, str]] = {}
    for key, barrier, report in pairs:
        found.setdefault((key, barrier), {})[report.reporter] = report.source
    cells = [Cell(key, barrier, frozenset(who), sum(s == "survey" for s in who.values()),
                  sum(s == "case" for s in who.values()))
             for (key, barrier), who in found.items()]
    return sorted(cells, key=lambda c: (c.key is None, c.key or "", -c.count, c.barrier))


def tally(reports: Iterable[Report], by: str | None) -> list[Cell]:
    """Reporters per (value of ``by``, barrier); ``by=None`` counts over everything (key ``None``)."""
    return _cells((r.key(by) if by else None, r.barrier, r) for r in reports)


def tally_groups(reports: Iterable[Report], data: BarrierData, by: str | None) -> list[Cell]:
    """Reporters per (value of ``by``, barrier group)."""
    return _cells((r.key(by) if by else None, data.group_of(r.barrier), r) for r in reports)


def reporters(reports: Iterable[Report]) -> dict[str, int]:
    """Distinct reporters by source: ``{"survey": n, "case": m}``."""
    seen = {(r.source, r.reporter) for r in reports}
    return {source: sum(s == source for s, _ in seen) for source in SOURCES}


def success_counts(factors: Iterable[SuccessFactor], by: str) -> dict[str | None, list[SuccessFactor]]:
    """Success factors per value of ``by`` (each response's texts once per value)."""
    out: dict[str | None, dict[tuple[str, str], SuccessFactor]] = {}
    for factor in factors:
        out.setdefault(factor.key(by), {}).setdefault((factor.response, factor.text), factor)
    ordered = sorted(out.items(), key=lambda kv: (kv[0] is None, kv[0] or ""))
    return {key: list(found.values()) for key, found in ordered}


# --- reading the store ---------------------------------------------------------------------------------------


def _opt(row: Row, name: str) -> str | None:
    value = row.get(name)
    return str(value) if value is not None else None


def fetch(store: Store, timeout: float | None = None) -> BarrierData:
    """Everything the analytics page shows, from the store."""
    reports = tuple(
        Report(str(r["reporter"]), str(r["source"]), str(r["barrier"]), _opt(r, "country"), _opt(r, "region"),
               _opt(r, "technology"))
        for r in store.select(query_text("reports"), timeout=timeout)
    )
    factors = tuple(
        SuccessFactor(str(r["response"]), str(r["text"]), _opt(r, "country"), _opt(r, "region"), _opt(r, "technology"))
        for r in store.select(query_text("success-factors"), timeout=timeout)
    )
    notations: dict[str, str] = {}
    groups: dict[str, str] = {}
    for row in store.select(query_text("vocabulary"), timeout=timeout):
        notations[str(row["barrier"])] = str(row["notation"])
        groups[str(row["barrier"])] = str(row["group"])
    labels: dict[str, dict[str, str]] = {}
    for row in store.select(query_text("labels"), timeout=timeout):
        label = row["label"]
        lang = (label.language or "").lower().split("-")[0] if isinstance(label, Literal) else ""
        labels.setdefault(str(row["concept"]), {}).setdefault(lang, str(label))
    return BarrierData(reports, factors, notations, groups, labels)
