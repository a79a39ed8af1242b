"""Totals over the whole database, added up from the graph summaries (``queries/totals-*.rq``)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path

from rdflib import URIRef
from rdflib.term import Literal, Node

from sparql_api.store.base import Store

QUERIES = Path(__file__).parent / "queries"
SRKG = "https://w3id.org/srkg/ontology#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"

# URL name → the case property the summaries count by (``summary-cases.rq``).
FACETS: dict[str, str] = {
    "cases": RDF_TYPE,
    "country": SRKG + "country",
    "site_type": SRKG + "siteType",
    "pollutant": SRKG + "pollutant",
    "technology": SRKG + "technology",
    "scale": SRKG + "scale",
    "nature_based": SRKG + "natureBasedCategory",
    "medium": SRKG + "treatedMedium",
}


@cache
def query_text(name: str) -> str:
    return (QUERIES / f"totals-{name}.rq").read_text("utf-8")


def case_counts(store: Store, facet: str, timeout: float | None = None) -> list[tuple[str, int]]:
    """(value IRI, cases) for one facet (a key of ``FACETS``), most cases first."""
    rows = store.select(query_text("cases"), {"facet": URIRef(FACETS[facet])}, timeout=timeout)
    return [(str(row["value"]), int(row["cases"])) for row in rows if "value" in row]


@dataclass(frozen=True)
class OutcomeTotal:
    technology: str
    pollutant: str
    metric: str
    unit: str | None
    cases: int
    reductions: int
    low: Decimal | None
    high: Decimal | None
    mean: Decimal | None


def _decimal(node: Node | None) -> Decimal:
    return Decimal(str(node)) if isinstance(node, Literal) else Decimal(0)


def outcome_totals(
    store: Store, *, technology: str | None = None, pollutant: str | None = None, metric: str | None = None,
    timeout: float | None = None,
) -> list[OutcomeTotal]:
    """Outcome statistics per (technology, pollutant, metric, unit), optionally for one of each."""
    bindings = {name: URIRef(value) for name, value in
                (("technology", technology), ("pollutant", pollutant), ("metric", metric)) if value}
    totals = []
    for row in store.select(query_text("outcomes"), bindings, timeout=timeout):
        n = int(row["reductions"])
        total = _decimal(row.get("reductionSum"))
        unit = row.get("unit")
        totals.append(OutcomeTotal(
            technology=str(row.get("technology", technology)), pollutant=str(row.get("pollutant", pollutant)),
            metric=str(row.get("metric", metric)), unit=str(unit) if unit is not None else None,
            cases=int(row["cases"]), reductions=n,
            low=_decimal(row.get("reductionMin")) if n else None, high=_decimal(row.get("reductionMax")) if n else None,
            mean=(total / n).quantize(Decimal("0.01")) if n else None,
        ))
    return totals
