"""Totals over the whole database, added up from the graph summaries (``queries/totals-*.rq``)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path

import pyoxigraph as ox
from rdflib import URIRef
from rdflib.term import Literal, Node

from sparql_api.store.base import Store, StoreError
from sparql_api.summaries.store import find_summaries

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


def case_counts(store: Store, facet: str, timeout: float | None = None, live: bool = False) -> list[tuple[str, int]]:
    """(value IRI, cases) for one facet (a key of ``FACETS``), most cases first: from the running totals when the
    store keeps them (``running.py``), else (or with ``live``) added up by ``totals-cases.rq``."""
    summaries = None if live else find_summaries(store)
    if summaries is not None:
        prop = FACETS[facet]
        counts = [(value, n) for (facet_iri, value), n in summaries.running(timeout).cases.items() if facet_iri == prop]
        return sorted(counts, key=lambda item: (-item[1], item[0]))
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
    total: Decimal = Decimal(0)  # the sum of the clean % reductions


def _decimal(node: Node | None) -> Decimal:
    return Decimal(str(node)) if isinstance(node, Literal) else Decimal(0)


def _check_iri(value: str | None) -> None:
    """Refuse what is not an IRI, whichever way the totals are read (as the store refuses a bad parameter)."""
    if value is None:
        return
    try:
        ox.NamedNode(value)
    except ValueError as error:
        raise StoreError(f"invalid query parameter: {error}") from None


def _mean(total: Decimal, n: int) -> Decimal | None:
    return (total / n).quantize(Decimal("0.01")) if n else None


def outcome_totals(
    store: Store, *, technology: str | None = None, pollutant: str | None = None, metric: str | None = None,
    timeout: float | None = None, live: bool = False,
) -> list[OutcomeTotal]:
    """Outcome statistics per (technology, pollutant, metric, unit), optionally for one of each: from the running
    totals when the store keeps them, else (or with ``live``) added up by ``totals-outcomes.rq``."""
    for value in (technology, pollutant, metric):
        _check_iri(value)
    summaries = None if live else find_summaries(store)
    if summaries is not None:
        found = [OutcomeTotal(*key, cases=s.cases, reductions=s.n, low=s.low if s.n else None,
                              high=s.high if s.n else None, mean=_mean(s.total, s.n), total=s.total)
                 for key, s in summaries.running(timeout).outcomes.items()
                 if (technology is None or key[0] == technology) and (pollutant is None or key[1] == pollutant)
                 and (metric is None or key[2] == metric)]
        return sorted(found, key=lambda t: (t.technology, t.pollutant, t.metric, t.unit or ""))
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
            mean=_mean(total, n), total=total,
        ))
    return totals
