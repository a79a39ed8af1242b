"""Running totals: every graph summary added up, kept in memory beside the store and updated by difference.

Adding up the summary graphs with SPARQL (``queries/totals-*.rq``) costs graphs × distinct values: 2.7 s for one
pollutant's outcome statistics at 100k cases in 100 graphs, and it grows with every submission. The
``SummarisingStore`` sees each graph's summary before and after every write it makes, so it keeps the totals
itself: built once from the summaries (on first use), then, on each write, the old summary of the graph is
subtracted and the new one added — counts and sums exactly; a minimum or maximum that the old summary held is
read again from the summaries of that key only. Readers get an immutable snapshot (a write replaces it), so they
never wait for a write and never see half of one. ``totals.py`` answers from here when the store is summarised,
and from SPARQL otherwise; ``tests/test_summaries.py`` checks both agree after every kind of write.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal

import pyoxigraph as ox
from rdflib import URIRef
from rdflib.term import Literal, Node

from sparql_api.store.base import Store
from sparql_api.summaries.contribution import Contribution, OutcomeKey, OutcomeStats

SRKG = "https://w3id.org/srkg/ontology#"
PREFIX = f"PREFIX srkg: <{SRKG}>\n"

# One summary graph, read back as the contribution it describes (``read_summary`` writes the graph in).
SUMMARY_CASES = PREFIX + """SELECT ?facet ?value ?cases WHERE {
  GRAPH ?summary { ?observation srkg:facet ?facet ; srkg:facetValue ?value ; srkg:caseCount ?cases }
}"""
SUMMARY_OUTCOMES = PREFIX + """SELECT ?technology ?pollutant ?metric ?unit ?cases ?n ?sum ?low ?high WHERE {
  GRAPH ?summary {
    ?observation srkg:summaryTechnology ?technology ; srkg:summaryPollutant ?pollutant ;
                 srkg:summaryMetric ?metric ; srkg:caseCount ?cases ; srkg:reductionCount ?n .
    OPTIONAL { ?observation srkg:summaryUnit ?unit }
    OPTIONAL { ?observation srkg:reductionSum ?sum }
    OPTIONAL { ?observation srkg:reductionMin ?low }
    OPTIONAL { ?observation srkg:reductionMax ?high }
  }
}"""
# Every summary at once (the first build).
ALL_CASES = PREFIX + """SELECT ?facet ?value (SUM(?n) AS ?cases) WHERE {
  ?observation srkg:facet ?facet ; srkg:facetValue ?value ; srkg:caseCount ?n .
} GROUP BY ?facet ?value"""
# The extremes of one outcome key over every summary (after a write removed the graph that held one).
EXTREMES = PREFIX + """SELECT ?unit (MIN(?low) AS ?min) (MAX(?high) AS ?max) WHERE {
  ?observation srkg:summaryTechnology ?technology ; srkg:summaryPollutant ?pollutant ; srkg:summaryMetric ?metric ;
               srkg:reductionMin ?low ; srkg:reductionMax ?high .
  OPTIONAL { ?observation srkg:summaryUnit ?unit }
} GROUP BY ?unit"""

CaseKey = tuple[str, str]  # facet property IRI, value (IRI)


def _int(node: Node | None) -> int:
    return int(str(node)) if isinstance(node, Literal) else 0


def _decimal(node: Node | None) -> Decimal | None:
    return Decimal(str(node)) if isinstance(node, Literal) else None


@dataclass(frozen=True)
class RunningTotals:
    """Cases per (facet, value) and outcome statistics per key, over every graph summary."""

    cases: Mapping[CaseKey, int] = field(default_factory=dict)
    outcomes: Mapping[OutcomeKey, OutcomeStats] = field(default_factory=dict)

    @classmethod
    def from_summaries(cls, store: Store, timeout: float | None = None) -> RunningTotals:
        """Add up every summary graph in ``store`` (the SPARQL way, once)."""
        from sparql_api.summaries.totals import outcome_totals  # totals.py reads from here in turn

        cases = {(str(row["facet"]), str(row["value"])): _int(row["cases"])
                 for row in store.select(ALL_CASES, timeout=timeout)}
        outcomes = {(t.technology, t.pollutant, t.metric, t.unit): OutcomeStats(
            t.cases, t.reductions, t.total, t.low, t.high) for t in outcome_totals(store, timeout=timeout, live=True)}
        return cls(cases, outcomes)

    def changed(self, old: Contribution, new: Contribution) -> tuple[RunningTotals, set[OutcomeKey]]:
        """The totals with ``old`` taken out and ``new`` put in, and the outcome keys whose minimum or maximum
        ``old`` may have held (to be read again from the summaries: ``with_extremes``)."""
        cases = dict(self.cases)
        for rows, sign in ((old.cases, -1), (new.cases, 1)):
            for row in rows:
                key = (str(row["facet"]), str(row["value"]))
                cases[key] = cases.get(key, 0) + sign * _int(row["cases"])
                if cases[key] <= 0:
                    del cases[key]
        outcomes = dict(self.outcomes)
        stale: set[OutcomeKey] = set()
        for key, stats in old.outcomes.items():
            total = outcomes.get(key)
            if total is None:
                continue
            if stats.n and (stats.low == total.low or stats.high == total.high):
                stale.add(key)
            outcomes[key] = replace(total, cases=total.cases - stats.cases, n=total.n - stats.n,
                                    total=total.total - stats.total)
        for key, stats in new.outcomes.items():
            total = outcomes.get(key)
            if total is None:
                outcomes[key] = stats
                continue
            outcomes[key] = OutcomeStats(total.cases + stats.cases, total.n + stats.n, total.total + stats.total,
                                         _extreme(min, total.low, stats.low), _extreme(max, total.high, stats.high))
        for key in [k for k, s in outcomes.items() if s.cases <= 0 and s.n <= 0]:
            del outcomes[key]
        return RunningTotals(cases, outcomes), {key for key in stale if key in outcomes}

    def with_extremes(self, store: Store, keys: Iterable[OutcomeKey]) -> RunningTotals:
        """The totals with the minimum and maximum of ``keys`` read again from the summaries in ``store``."""
        outcomes = dict(self.outcomes)
        for key in keys:
            technology, pollutant, metric, unit = key
            bound = {"technology": URIRef(technology), "pollutant": URIRef(pollutant), "metric": URIRef(metric)}
            found = {str(row["unit"]) if "unit" in row else None: row for row in store.select(EXTREMES, bound)}
            row = found.get(unit, {})
            low, high = _decimal(row.get("min")), _decimal(row.get("max"))
            outcomes[key] = replace(outcomes[key], low=low if outcomes[key].n else None,
                                    high=high if outcomes[key].n else None)
        return replace(self, outcomes=outcomes)


def _extreme(pick: Callable[[list[Decimal]], Decimal], a: Decimal | None, b: Decimal | None) -> Decimal | None:
    values = [v for v in (a, b) if v is not None]
    return pick(values) if values else None


def read_summary(store: Store, summary: str) -> Contribution:
    """The contribution a summary graph describes (nothing when it does not exist). The graph is written into
    the queries: Oxigraph 0.5 does not use a ``?summary`` bound by ``VALUES`` to pick the graph (5.7 s at 100k
    cases, every graph read; a few milliseconds with the IRI written in)."""
    graph = f"GRAPH {ox.NamedNode(summary)}"  # checked by pyoxigraph: a valid IRI
    cases = tuple({"facet": row["facet"], "value": row["value"], "cases": row["cases"]}
                  for row in store.select(SUMMARY_CASES.replace("GRAPH ?summary", graph)))
    outcomes: dict[OutcomeKey, OutcomeStats] = {}
    for row in store.select(SUMMARY_OUTCOMES.replace("GRAPH ?summary", graph)):
        key = (str(row["technology"]), str(row["pollutant"]), str(row["metric"]),
               str(row["unit"]) if "unit" in row else None)
        n = _int(row["n"])
        outcomes[key] = OutcomeStats(_int(row["cases"]), n, _decimal(row.get("sum")) or Decimal(0),
                                     _decimal(row.get("low")) if n else None, _decimal(row.get("high")) if n else None)
    return Contribution(cases, outcomes)
