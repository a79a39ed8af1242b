"""Coverage of the network's target: the share of UN M49 countries with at least one published case study.

Everything in the store is published (drafts never enter it), so a country is *covered* when at least one
``srkg:CaseStudy`` has a site (``srkg:site/srkg:country``) in it. The numbers come from one SPARQL query,
``queries/coverage.rq`` (one row per country or area; the page shows that very text), counted here two ways:
UN member states (``srkg:isUNMember true``, the headline against the 60 % target) and all areas with an M49 code.
The result is cached on the server context and forgotten whenever the data change.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

from rdflib.term import Literal, Node

from sparql_api.server.context import ServerContext
from sparql_api.server.data_cache import data_cache
from sparql_api.store.base import Store
from sparql_api.summaries.store import find_summaries
from sparql_api.summaries.totals import case_counts
from sparql_api.web import i18n

QUERY_FILE = Path(__file__).parent / "queries" / "coverage.rq"
TARGET_PERCENT = 60.0
CACHE_KEY = "coverage"

LABELS_QUERY = """PREFIX srkg: <https://w3id.org/srkg/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT DISTINCT ?s ?label WHERE {
  { ?s a srkg:Country ; skos:prefLabel ?label }
  UNION { ?country srkg:m49Region ?s . ?s skos:prefLabel ?label }
  UNION { ?country srkg:m49SubRegion ?s . ?s skos:prefLabel ?label }
}"""  # three self-contained branches: 10x faster at 10k cases than one UNION joined with the labels after it


@cache
def query_text() -> str:
    """The coverage query exactly as it runs."""
    return QUERY_FILE.read_text("utf-8")


@dataclass(frozen=True)
class Tally:
    """``covered`` of ``total`` countries; ``share`` in percent, one decimal (None for an empty group)."""

    covered: int
    total: int

    @property
    def share(self) -> float | None:
        """Rounded half up, in exact integer arithmetic (27 of 48 is 56.3, as SPARQL's ROUND gives)."""
        if not self.total:
            return None
        tenths = (2000 * self.covered + self.total) // (2 * self.total)
        return tenths / 10

    def as_json(self) -> dict[str, object]:
        return {"covered": self.covered, "total": self.total, "share_percent": self.share}


@dataclass(frozen=True)
class CountryRow:
    """One row of the coverage query."""

    iri: str
    iso3: str
    m49: str | None
    un_member: bool
    region: str | None  # IRI of the M49 region
    sub_region: str | None  # IRI of the M49 sub-region
    cases: int

    @property
    def covered(self) -> bool:
        return self.cases > 0


@dataclass(frozen=True)
class Area:
    """An M49 region or sub-region with its two tallies."""

    iri: str
    code: str
    level: str  # "region" | "sub-region"
    parent: str | None  # IRI of the region a sub-region belongs to
    un_members: Tally
    m49_areas: Tally


def tally(rows: Iterable[CountryRow]) -> Tally:
    rows = list(rows)
    return Tally(sum(1 for r in rows if r.covered), len(rows))


def is_un_member(row: CountryRow) -> bool:
    return row.un_member


def has_m49(row: CountryRow) -> bool:
    return row.m49 is not None


@dataclass(frozen=True)
class Coverage:
    """The query's rows, the labels of countries and regions in every language, and what is counted from them."""

    countries: tuple[CountryRow, ...]
    area_codes: Mapping[str, str]  # region / sub-region IRI → M49 code
    labels: Mapping[str, Mapping[str, str]]  # IRI → {lang: prefLabel}
    computed_at: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))

    def total(self, keep: Callable[[CountryRow], bool]) -> Tally:
        return tally(r for r in self.countries if keep(r))

    @property
    def un_members(self) -> Tally:
        return self.total(is_un_member)

    @property
    def m49_areas(self) -> Tally:
        return self.total(has_m49)

    def areas(self, level: str) -> list[Area]:
        """Regions (``level="region"``) or sub-regions, by M49 code, each with both tallies."""
        attribute = "region" if level == "region" else "sub_region"
        members: dict[str, list[CountryRow]] = {}
        parents: dict[str, str | None] = {}
        for row in self.countries:
            iri = getattr(row, attribute)
            if iri is not None and row.m49 is not None:
                members.setdefault(iri, []).append(row)
                parents[iri] = row.region if level != "region" else None
        areas = [
            Area(iri, self.area_codes.get(iri, ""), level, parents[iri],
                 tally(r for r in rows if r.un_member), tally(rows))
            for iri, rows in members.items()
        ]
        return sorted(areas, key=lambda a: (self.area_codes.get(a.parent or "", ""), a.code))

    def missing(self) -> list[CountryRow]:
        """Areas with an M49 code and no case (UN member states and other areas alike)."""
        return [r for r in self.countries if r.m49 is not None and not r.covered]

    def covered(self) -> list[CountryRow]:
        """Countries and areas with at least one case (with or without an M49 code), most cases first."""
        return sorted((r for r in self.countries if r.covered), key=lambda r: (-r.cases, r.iso3))

    def label(self, iri: str | None, lang: str, default: str = "") -> str:
        """``skos:prefLabel`` in ``lang``, else English, else any language, else ``default``."""
        texts = self.labels.get(iri or "", {})
        for code in i18n.language_order(lang):
            if texts.get(code):
                return texts[code]
        return next(iter(texts.values()), default)


# --- reading the store -------------------------------------------------------------------------------------


def _text(row: Mapping[str, Node], name: str) -> str | None:
    value = row.get(name)
    return str(value) if value is not None else None


def _country(row: Mapping[str, Node]) -> CountryRow:
    member = row.get("unMember")
    cases = row.get("cases")
    return CountryRow(
        iri=str(row["country"]),
        iso3=str(row["iso3"]),
        m49=_text(row, "m49"),
        un_member=isinstance(member, Literal) and member.toPython() is True,
        region=_text(row, "region"),
        sub_region=_text(row, "subRegion"),
        cases=int(cases.toPython()) if isinstance(cases, Literal) else 0,
    )


def _area_codes(rows: Iterable[Mapping[str, Node]]) -> dict[str, str]:
    codes: dict[str, str] = {}
    for row in rows:
        for iri, code in (("region", "regionCode"), ("subRegion", "subRegionCode")):
            if row.get(iri) is not None and row.get(code) is not None:
                codes[str(row[iri])] = str(row[code])
    return codes


def _labels(store: Store, timeout: float | None) -> dict[str, dict[str, str]]:
    labels: dict[str, dict[str, str]] = {}
    for row in store.select(LABELS_QUERY, timeout=timeout):
        label = row["label"]
        lang = (label.language or "") if isinstance(label, Literal) else ""
        labels.setdefault(str(row["s"]), {}).setdefault(lang.lower().split("-")[0], str(label))
    return labels


def countries_query() -> str:
    """The coverage query without its count (the countries, their codes and regions)."""
    text = query_text()
    start = text.index("  OPTIONAL {\n    SELECT ?country (SUM(?n) AS ?counted)")
    end = text.index("GROUP BY ?country\n  }\n", start) + len("GROUP BY ?country\n  }\n")
    return text[:start] + text[end:]


def compute(store: Store, timeout: float | None = None) -> Coverage:
    """The coverage query's rows for ``store``, and the labels. When the store keeps running totals of its
    summaries (``summaries/running.py``) the counts are taken from them and the query runs without its count:
    the same numbers, without adding up every graph's observations after each write (489 ms at 100k cases in
    100 graphs, growing with the graphs); ``tests/web/test_coverage.py`` checks them against the case records."""
    summaries = find_summaries(store)
    if summaries is None:
        rows = store.select(query_text(), timeout=timeout)
        countries = tuple(_country(row) for row in rows)
    else:
        counts = dict(case_counts(store, "country", timeout=timeout))
        rows = store.select(countries_query(), timeout=timeout)
        countries = tuple(replace(_country(row), cases=counts.get(str(row["country"]), 0)) for row in rows)
    return Coverage(countries, _area_codes(rows), _labels(store, timeout))


# --- the cache on the server context -----------------------------------------------------------------------


def current(ctx: ServerContext) -> Coverage:
    """Coverage of the data now in the store (cached until the next write)."""
    return data_cache(ctx, CACHE_KEY).get(lambda: compute(ctx.store, ctx.limits.query_timeout_s))
