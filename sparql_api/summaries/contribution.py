"""What one graph contributes to the summaries, read from that graph alone, as Data Cube triples.

``summarise`` runs the ``queries/summary-*.rq`` queries with ``?g`` bound to the graph, against any ``Store``: the
server's store for a graph already written, or a throw-away in-memory store holding only the data about to be
written (``summarise_data``), so that the summary can go into the same transaction as the data.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path

import pyoxigraph as ox
from rdflib import URIRef
from rdflib.term import Literal, Node

from sparql_api.store.base import DEFAULT_GRAPH, Store
from sparql_api.store.oxigraph_store import OxigraphStore, to_ox

QUERIES = Path(__file__).parent / "queries"
SRKG = "https://w3id.org/srkg/ontology#"
QB = "http://purl.org/linked-data/cube#"
PROV = "http://www.w3.org/ns/prov#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"
CASES_STRUCTURE = SRKG + "caseCountStructure"
OUTCOMES_STRUCTURE = SRKG + "outcomeStatisticsStructure"


@cache
def query(name: str) -> str:
    return (QUERIES / f"summary-{name}.rq").read_text("utf-8")


@dataclass(frozen=True)
class OutcomeStats:
    """Per (technology, pollutant, metric, unit): cases, and the clean % reductions' n, sum, min, max."""

    cases: int
    n: int
    total: Decimal
    low: Decimal | None
    high: Decimal | None


OutcomeKey = tuple[str, str, str, str | None]  # technology, pollutant, metric, unit IRIs


@dataclass(frozen=True)
class Contribution:
    """Case counts per (facet property, value) and outcome statistics per key, for one graph."""

    cases: tuple[dict[str, Node], ...]
    outcomes: dict[OutcomeKey, OutcomeStats]

    @property
    def empty(self) -> bool:
        return not self.cases and not self.outcomes


# (query file, ?facet) per case property counted; rdf:type counts every case (the value srkg:CaseStudy).
FACET_QUERIES: tuple[tuple[str, str | None], ...] = (
    ("case-values", RDF + "type"), ("case-values", SRKG + "pollutant"), ("case-values", SRKG + "scale"),
    ("case-values", SRKG + "natureBasedCategory"), ("case-values", SRKG + "treatedMedium"),
    ("site-values", SRKG + "country"), ("site-values", SRKG + "siteType"), ("step-values", None),
)


def summarise(store: Store, graph: str) -> Contribution:
    """The contribution of ``graph`` as it is in ``store`` now (the default graph: ``DEFAULT_GRAPH``)."""
    if graph == DEFAULT_GRAPH:  # the default graph cannot be bound to ?g: summarise a copy of it as a named graph
        data = store.get_graph(DEFAULT_GRAPH, "application/n-triples") or b""
        return summarise_data(data, "application/n-triples", DEFAULT_GRAPH)
    g = URIRef(graph)
    cases: list[dict[str, Node]] = []
    for name, facet in FACET_QUERIES:
        bound: dict[str, Node] = {"g": g} if facet is None else {"g": g, "facet": URIRef(facet)}
        for row in store.select(in_graph(name, graph), bound):
            if facet == RDF + "type" and str(row.get("value")) != SRKG + "CaseStudy":
                continue  # other classes a case may also have
            cases.append({"facet": URIRef(facet or SRKG + "technology"), "value": row["value"], "cases": row["cases"]})
    if not cases:  # no case study in the graph: nothing to summarise
        return Contribution((), {})
    outcomes = store.select(in_graph("outcomes", graph), {"g": g})
    steps = store.select(in_graph("outcome-steps", graph), {"g": g}) if outcomes else []
    trains = store.select(in_graph("case-technologies", graph), {"g": g}) if outcomes else []
    return Contribution(tuple(cases), outcome_stats(outcomes, steps, trains))


def in_graph(name: str, graph: str) -> str:
    """``queries/summary-{name}.rq`` with the graph written in (``GRAPH <iri>``; ``?g`` stays bound as well).
    Oxigraph 0.5 does not use a ``?g`` bound by ``VALUES`` to pick the graph: the outcomes query took 2.5 s per
    graph at 100k cases (it read every graph) and 34 ms with the IRI written in, so a bulk load's summaries cost
    grew with the store. The IRI is checked by pyoxigraph first (it names a graph the store holds or is written)."""
    return query(name).replace("GRAPH ?g", f"GRAPH {ox.NamedNode(graph)}")


def _number(node: Node | None) -> Decimal | None:
    """A clean reduction as a Decimal; None for none or a value that is not a number."""
    if not isinstance(node, Literal):
        return None
    try:
        value = Decimal(str(node))
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def outcome_stats(outcomes: list[dict[str, Node]], steps: list[dict[str, Node]],
                  trains: list[dict[str, Node]]) -> dict[OutcomeKey, OutcomeStats]:
    """Adds up the outcomes (``summary-outcomes.rq``) per (technology, pollutant, metric, unit): an outcome is
    credited to the technologies of the steps it names (``steps``), otherwise to every technology of its case's
    treatment train (``trains``), as the comparison does."""
    named: dict[str, set[str]] = defaultdict(set)
    for row in steps:
        named[str(row["outcome"])].add(str(row["technology"]))
    train: dict[str, set[str]] = defaultdict(set)
    for row in trains:
        train[str(row["case"])].add(str(row["technology"]))
    cases: dict[OutcomeKey, set[str]] = defaultdict(set)
    values: dict[OutcomeKey, dict[str, Decimal]] = defaultdict(dict)
    for row in outcomes:
        case, outcome, unit = str(row["case"]), str(row["outcome"]), row.get("unit")
        value = _number(row.get("reduction"))
        for technology in named.get(outcome) or train.get(case, ()):
            key = (technology, str(row["pollutant"]), str(row["metric"]), str(unit) if unit else None)
            cases[key].add(case)
            if value is not None:
                values[key][outcome] = value  # one value per outcome, whatever the rows
    stats = {}
    for key, members in cases.items():
        found = list(values[key].values())
        stats[key] = OutcomeStats(len(members), len(found), sum(found, Decimal(0)), min(found, default=None),
                                  max(found, default=None))
    return stats


_SCRATCH = "urn:x-srkg:summary-scratch"


def summarise_data(data: bytes, media_type: str, graph: str) -> Contribution:
    """The contribution ``data`` would make as the content of ``graph`` (parsed with ``graph`` as base IRI, as the
    store parses it, into a private in-memory store: nothing is written anywhere). A parse error is the
    store's own ``DataSyntaxError``."""
    scratch = OxigraphStore(None)
    target = _SCRATCH if graph == DEFAULT_GRAPH else graph
    if graph == DEFAULT_GRAPH:
        scratch.add_graph(DEFAULT_GRAPH, data, media_type)
        scratch.update(f"ADD DEFAULT TO <{_SCRATCH}>")
    else:
        scratch.add_graph(target, data, media_type)
    return summarise(scratch, target)


def _plain(value: Decimal | None) -> str:
    """xsd:decimal lexical form (no exponent)."""
    text = format(value, "f") if value is not None else "0"
    return text if "." in text else text + ".0"


def _integer(value: Node | int) -> ox.Literal:
    return ox.Literal(str(int(value)), datatype=ox.NamedNode(XSD + "integer"))


def _observation_key(summary: str, kind: str, parts: tuple[str, ...]) -> ox.NamedNode:
    """A stable IRI per observation: the same dimensions give the same IRI in every revision of the graph."""
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:20]
    return ox.NamedNode(f"{summary}#{kind}-{digest}")


def summary_triples(contribution: Contribution, source: str, summary: str, at: datetime | None = None) -> bytes:
    """N-Triples of the summary graph ``summary`` describing ``contribution`` of ``source`` (empty: nothing)."""
    if contribution.empty:
        return b""
    when = (at or datetime.now(UTC)).isoformat(timespec="seconds").replace("+00:00", "Z")
    a = ox.NamedNode(RDF + "type")
    triples: list[ox.Triple] = []
    add = triples.append
    source_node = ox.NamedNode(source)  # DEFAULT_GRAPH is an IRI too (rdflib's name for the default graph)
    datasets = {"cases": ox.NamedNode(summary + "#cases"), "outcomes": ox.NamedNode(summary + "#outcomes")}
    structures = {"cases": CASES_STRUCTURE, "outcomes": OUTCOMES_STRUCTURE}
    titles = {"cases": "Case studies counted by property and value", "outcomes":
              "Outcome statistics by technology, pollutant, metric and unit"}
    for kind, dataset in datasets.items():
        add(ox.Triple(dataset, a, ox.NamedNode(QB + "DataSet")))
        add(ox.Triple(dataset, a, ox.NamedNode(SRKG + "GraphSummary")))
        add(ox.Triple(dataset, ox.NamedNode(QB + "structure"), ox.NamedNode(structures[kind])))
        add(ox.Triple(dataset, ox.NamedNode(PROV + "wasDerivedFrom"), source_node))
        add(ox.Triple(dataset, ox.NamedNode(PROV + "generatedAtTime"),
                      ox.Literal(when, datatype=ox.NamedNode(XSD + "dateTime"))))
        add(ox.Triple(dataset, ox.NamedNode(RDFS + "label"),
                      ox.Literal(f"{titles[kind]} in graph {source}", language="en")))
    observation, qb_dataset = ox.NamedNode(QB + "Observation"), ox.NamedNode(QB + "dataSet")
    for row in contribution.cases:
        facet, value = str(row["facet"]), row["value"]
        node = _observation_key(summary, "cases", (facet, value.n3()))
        add(ox.Triple(node, a, observation))
        add(ox.Triple(node, qb_dataset, datasets["cases"]))
        add(ox.Triple(node, ox.NamedNode(SRKG + "facet"), ox.NamedNode(facet)))
        add(ox.Triple(node, ox.NamedNode(SRKG + "facetValue"), to_ox(value)))
        add(ox.Triple(node, ox.NamedNode(SRKG + "caseCount"), _integer(row["cases"])))
    decimal = ox.NamedNode(XSD + "decimal")
    for key, stats in sorted(contribution.outcomes.items(), key=lambda item: tuple(k or "" for k in item[0])):
        node = _observation_key(summary, "outcomes", tuple(part or "" for part in key))
        add(ox.Triple(node, a, observation))
        add(ox.Triple(node, qb_dataset, datasets["outcomes"]))
        for name, iri in zip(("Technology", "Pollutant", "Metric", "Unit"), key, strict=True):
            if iri is not None:
                add(ox.Triple(node, ox.NamedNode(SRKG + "summary" + name), ox.NamedNode(iri)))
        add(ox.Triple(node, ox.NamedNode(SRKG + "caseCount"), _integer(stats.cases)))
        add(ox.Triple(node, ox.NamedNode(SRKG + "reductionCount"), _integer(stats.n)))
        if stats.n:
            for name, value in (("Sum", stats.total), ("Min", stats.low), ("Max", stats.high)):
                literal = ox.Literal(_plain(value), datatype=decimal)
                add(ox.Triple(node, ox.NamedNode(SRKG + "reduction" + name), literal))
    return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""
