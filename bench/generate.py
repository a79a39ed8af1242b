"""Synthetic SRKG case studies at any size, shaped exactly like the published ingested cases, deterministic by seed.

    python -m bench.generate --cases 100000 --seed 7 --out cases.nq[.gz] [--graphs-per 1000] [--check 30]
    python -m bench.generate --learn            # re-derive bench/profile.json from the real data

Why: loading, search, coverage and comparison must be measured on data that looks like SRKG's own, not on
uniform noise. So the value distributions (countries, pollutants and their classes, technologies given the
pollutant class, nature-based share, scale, years, areas, outcome metrics/units/values, costs, and how many
pollutants/steps/outcomes/sources/notes a case has) are *learned* with SPARQL from the real published data
(the server's bootstrap run into a throw-away in-memory store) and cached in ``bench/profile.json``.

Every case is written the way the literature/field-trial ingest writes one (``ingest/sources/case_builder.py``):
the same classes, properties, datatypes and IRI patterns under the configured base (``SRKG_BASE_IRI``), the
vocabularies' own concept and QUDT unit IRIs, a source record per case, and ``prov:wasGeneratedBy`` its
submission. Cases are grouped ``--graphs-per`` to a named graph ``…/graph/submission/synthetic-s{seed}-{k}``
that carries the same minimal PROV as a published bootstrap submission (Submission, agent, source file).
Output is N-Quads, streamed case by case (constant memory), written to a temporary name and renamed; the same
seed and options give a byte-identical file (``.gz`` included: no time stamp in the header).
"""

from __future__ import annotations

import argparse
import bisect
import gzip
import hashlib
import io
import json
import math
import os
import random
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from ingest.namespaces import base_iri

PROFILE = Path(__file__).resolve().parent / "profile.json"
PROFILE_VERSION = 1

SRKG = "https://w3id.org/srkg/ontology#"
VOCAB = "https://w3id.org/srkg/vocab/"
XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
DCT = "http://purl.org/dc/terms/"
PROV = "http://www.w3.org/ns/prov#"
FOAF_NAME = "http://xmlns.com/foaf/0.1/name"
QUDT = "http://qudt.org/schema/qudt/"
UNIT = "http://qudt.org/vocab/unit/"
HECTARE = UNIT + "HA"
CC_BY_4 = "https://creativecommons.org/licenses/by/4.0/"
SUBMITTER = "SRKG benchmark generator"
# Crossref's prefix for test DOIs: the sources look like real ones and resolve to nothing real.
DOI_PREFIX = "https://doi.org/10.5555/srkg-synthetic"
SUBMITTED_AT = "2026-01-01T00:00:00Z"


# Predicates and classes written on every case, with their angle brackets.
P_TYPE, P_LABEL = f"<{RDF_TYPE}>", f"<{RDFS_LABEL}>"
P_SITE, P_POLLUTANT, P_NOTE = f"<{SRKG}site>", f"<{SRKG}pollutant>", f"<{SRKG}dataNote>"
P_TITLE, P_LICENSE, O_LICENSE = f"<{DCT}title>", f"<{DCT}license>", f"<{CC_BY_4}>"
P_RECORD, P_GENERATED = f"<{SRKG}derivedFromRecord>", f"<{PROV}wasGeneratedBy>"
C_CASE, C_SITE, C_STEP = f"<{SRKG}CaseStudy>", f"<{SRKG}Site>", f"<{SRKG}TechnologyApplication>"


class GenerateError(Exception):
    """Bad options or an unusable profile; the message says which."""


# ------------------------------------------------------------------------------------------------------------------
# Learning the profile from the real data
# ------------------------------------------------------------------------------------------------------------------

_PREFIXES = f"""PREFIX srkg: <{SRKG}>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX qudt: <{QUDT}>
PREFIX dcterms: <{DCT}>
"""
# Every real case study, with the graph that holds it (the examples and each published submission).
Q_CASES = _PREFIXES + "SELECT ?case ?g WHERE { GRAPH ?g { ?case a srkg:CaseStudy } }"
Q_CASE_FACTS = _PREFIXES + "SELECT ?case ?p ?o WHERE { ?case a srkg:CaseStudy ; ?p ?o }"
Q_SITE_FACTS = _PREFIXES + "SELECT ?case ?p ?o WHERE { ?case a srkg:CaseStudy ; srkg:site ?site . ?site ?p ?o }"
Q_STEPS = _PREFIXES + """SELECT ?case ?step ?tech WHERE {
  ?case a srkg:CaseStudy ; srkg:technologyApplication ?step . ?step srkg:technology ?tech
  OPTIONAL { ?step srkg:stepOrder ?order } } ORDER BY ?case ?order ?step"""
Q_OWNED = _PREFIXES + """SELECT ?case ?x ?p ?o WHERE {
  ?case a srkg:CaseStudy ; srkg:%s ?x . ?x ?p ?o }"""
Q_POLLUTANT_CLASS = _PREFIXES + "SELECT ?concept ?class WHERE { ?concept srkg:pollutantClass ?class }"
Q_TECH_NBS = _PREFIXES + "SELECT ?concept ?nbs WHERE { ?concept a srkg:Technology ; srkg:natureBasedCategory ?nbs }"
# English labels; units are shown by their notation ("mg/kg"), as the sources write them.
Q_LABELS = _PREFIXES + """SELECT ?concept ?label ?notation WHERE {
  ?concept a skos:Concept ; skos:prefLabel ?label FILTER (LANG(?label) = "en")
  OPTIONAL { ?concept skos:notation ?notation } }"""
Q_GRAPH_SIZE = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"


def _value(term: Any) -> Any:
    """A plain Python value for a literal (numbers as float/int), the IRI string otherwise."""
    if term is None:
        return None
    python = term.toPython() if hasattr(term, "datatype") else str(term)
    if hasattr(python, "is_finite"):  # Decimal
        return float(python)
    return python


def _rows(store: Any, query: str) -> list[dict[str, Any]]:
    return [{name: _value(term) for name, term in row.items()} for row in store.select(query)]


def _weights(counter: Counter) -> list[list[Any]]:
    """Counter → [[value, count], …], most frequent first, ties by value (stable JSON)."""
    return [[value, count] for value, count in sorted(counter.items(), key=lambda kv: (-kv[1], str(kv[0])))]


def _histogram(values: Iterable[int]) -> dict[str, int]:
    counts = Counter(values)
    return {str(k): counts[k] for k in sorted(counts)}


def _sorted_values(values: Iterable[float]) -> list[float]:
    return sorted(round(float(v), 6) for v in values)


def learn_profile(store: Any) -> dict[str, Any]:
    """Every distribution the generator draws from, counted from the real cases in ``store``.

    ``store`` is an ``OxigraphStore`` holding what the server's bootstrap loads. Shape counts (notes, sources,
    records, triples per case) come from the ingested submission graphs, whose shape the generator copies;
    value distributions come from every real case (hand-modelled examples included).
    """
    case_graph = {row["case"]: row["g"] for row in _rows(store, Q_CASES)}
    if not case_graph:
        raise GenerateError("the store holds no srkg:CaseStudy: was the bootstrap run?")
    ingested = {case for case, graph in case_graph.items() if "/graph/submission/" in graph}
    facts: dict[str, dict[str, list[Any]]] = defaultdict(lambda: defaultdict(list))
    for row in _rows(store, Q_CASE_FACTS):
        facts[row["case"]][row["p"]].append(row["o"])
    site: dict[str, dict[str, list[Any]]] = defaultdict(lambda: defaultdict(list))
    for row in _rows(store, Q_SITE_FACTS):
        site[row["case"]][row["p"]].append(row["o"])
    steps: dict[str, list[str]] = defaultdict(list)
    for row in _rows(store, Q_STEPS):
        steps[row["case"]].append(row["tech"])
    owned = {kind: _owned(store, kind) for kind in ("outcome", "cost", "areaTreated")}
    pollutant_class: dict[str, list[str]] = defaultdict(list)  # a pollutant can be in several classes
    for row in _rows(store, Q_POLLUTANT_CLASS):
        pollutant_class[row["concept"]].append(row["class"])
    tech_nbs = {row["concept"]: row["nbs"] for row in _rows(store, Q_TECH_NBS)}
    labels = {row["concept"]: (row["notation"] if row["concept"].startswith(UNIT) and row["notation"]
                               else row["label"]) for row in _rows(store, Q_LABELS)}
    sizes = {row["g"]: int(row["n"]) for row in _rows(store, Q_GRAPH_SIZE)}

    cases = sorted(case_graph)
    p = SRKG
    country, scale, nbs, site_type, pollutant = (Counter() for _ in range(5))
    tech_by_class: dict[str, Counter] = defaultdict(Counter)
    pollutant_by_class: dict[str, Counter] = defaultdict(Counter)
    nbs_given_tech: dict[str, Counter] = defaultdict(Counter)
    technology = Counter()
    same_class_pairs = [0, 0]
    start_years, durations = [], []
    for case in cases:
        f, s = facts[case], site[case]
        country.update(s[p + "country"])
        site_type.update(s[p + "siteType"])
        scale.update(f[p + "scale"] or [None])
        pollutants = sorted(set(f[p + "pollutant"]))
        pollutant.update(pollutants)
        classes = [set(pollutant_class.get(x, ())) for x in pollutants]
        for x, cs in zip(pollutants, classes, strict=True):
            for c in cs:
                pollutant_by_class[c][x] += 1
        for a in range(len(classes)):
            for b in range(a + 1, len(classes)):
                same_class_pairs[0] += bool(classes[a] & classes[b])
                same_class_pairs[1] += 1
        techs = steps[case]
        technology.update(techs)
        for c in set().union(*classes):
            tech_by_class[c].update(techs)
        if techs and f[p + "natureBasedCategory"]:
            first_nbs = tech_nbs.get(techs[0], "none")
            nbs_given_tech[first_nbs][f[p + "natureBasedCategory"][0]] += 1
        nbs.update(f[p + "natureBasedCategory"] or [None])
        start_years += [int(y) for y in f[p + "startYear"]]
        durations += [float(d) for d in f[p + "durationMonths"]]

    shape = [facts[c] for c in sorted(ingested)]
    shape_sites = [site[c] for c in sorted(ingested)]
    ingested_graphs = {case_graph[c] for c in ingested}

    def share(items: Sequence[dict[str, list[Any]]], prop: str) -> float:
        return round(sum(1 for item in items if item[prop]) / max(1, len(items)), 4)

    profile: dict[str, Any] = {
        "version": PROFILE_VERSION,
        "derived_from": {
            "how": "python -m bench.generate --learn: the server's bootstrap (sparql_api/server/bootstrap.py) run "
                   "into an in-memory store, then the SPARQL queries in bench/generate.py (Q_*); value "
                   "distributions from every real case study, shape counts from the ingested submission graphs",
            "cases": len(cases),
            "ingested_cases": len(ingested),
            "graphs": sorted(set(case_graph.values())),
            "learned_on": time.strftime("%Y-%m-%d"),
        },
        # Real triples per ingested case (graph size / cases, PROV and source records included).
        "real_triples_per_case": round(sum(sizes[g] for g in ingested_graphs) / max(1, len(ingested)), 2),
        "country": _weights(country),
        "pollutant": _weights(pollutant),
        "pollutant_class": {x: sorted(pollutant_class[x]) for x in sorted(pollutant) if x in pollutant_class},
        "pollutant_by_class": {c: _weights(v) for c, v in sorted(pollutant_by_class.items())},
        "same_class_share": round(same_class_pairs[0] / max(1, same_class_pairs[1]), 4),
        "technology": _weights(technology),
        "technology_by_class": {c: _weights(v) for c, v in sorted(tech_by_class.items())},
        "technology_nbs": {t: tech_nbs[t] for t in sorted(technology) if t in tech_nbs},
        "case_nbs_given_first_technology": {k: _weights(v) for k, v in sorted(nbs_given_tech.items())},
        "case_nbs": _weights(nbs),
        "scale": _weights(scale),
        "site_type": _weights(site_type),
        "start_year": {"share": round(len(start_years) / len(cases), 4), "values": sorted(start_years)},
        "duration_months": {"share": round(len(durations) / len(cases), 4), "values": _sorted_values(durations)},
        "counts": {
            "pollutants": _histogram(len(set(facts[c][p + "pollutant"])) for c in cases),
            "steps": _histogram(len(steps[c]) for c in cases),
            "outcomes": _histogram(len(facts[c][p + "outcome"]) for c in cases),
            "costs": _histogram(len(facts[c][p + "cost"]) for c in cases),
            "sources": _histogram(len(f[DCT + "source"]) for f in shape),
            "notes": _histogram(len(f[p + "dataNote"]) for f in shape),
            "site_types": _histogram(len(s[p + "siteType"]) for s in shape_sites),
        },
        "shares": {
            "outcome_summary": share(shape, p + "outcomeSummary"),
            "location_description": share(shape_sites, p + "locationDescription"),
            "site_type_as_stated": share(shape_sites, p + "siteTypeAsStated"),
        },
        "area_ha": _area(owned["areaTreated"], len(cases)),
        "outcome": _outcome_profile(owned["outcome"]),
        "cost": _cost_profile(owned["cost"], {c: facts[c][p + "startYear"] for c in cases}),
    }
    used = {v for key in ("country", "pollutant", "technology", "scale", "site_type", "case_nbs")
            for v, _ in profile[key] if v}
    used |= {c for x in pollutant for c in pollutant_class.get(x, ())}
    used |= {v for key in ("metric", "medium") for v, _ in profile["outcome"][key] if v}
    used |= {u for pairs in profile["outcome"]["unit_given_metric"].values() for u, _ in pairs if u}
    used |= {v for key in ("currency", "basis", "type") for v, _ in profile["cost"][key] if v}
    profile["labels"] = {iri: labels.get(iri, iri.rsplit("/", 1)[-1]) for iri in sorted(used)}
    return profile


def _owned(store: Any, prop: str) -> dict[str, dict[str, dict[str, list[Any]]]]:
    """case → owned resource (outcome, cost, quantity) → property → values."""
    found: dict[str, dict[str, dict[str, list[Any]]]] = defaultdict(lambda: defaultdict(lambda: defaultdict(list)))
    for row in _rows(store, Q_OWNED % prop):
        found[row["case"]][row["x"]][row["p"]].append(row["o"])
    return found


def _records(owned: dict[str, dict[str, dict[str, list[Any]]]]) -> list[dict[str, list[Any]]]:
    return [record for case in sorted(owned) for _, record in sorted(owned[case].items())]


def _area(owned: dict[str, dict[str, dict[str, list[Any]]]], cases: int) -> dict[str, Any]:
    values = [v for r in _records(owned) if r[QUDT + "unit"] == [HECTARE] for v in r[QUDT + "numericValue"]]
    return {"share": round(len(owned) / cases, 4), "values": _sorted_values(values)}


def _outcome_profile(owned: dict[str, dict[str, dict[str, list[Any]]]]) -> dict[str, Any]:
    records = _records(owned)
    p = SRKG
    metric, medium = Counter(), Counter()
    unit_given_metric: dict[str, Counter] = defaultdict(Counter)
    before_by_unit: dict[str, list[float]] = defaultdict(list)
    reductions, depth_top, depth_bottom = [], [], []
    with_unit = [r for r in records if r[p + "unit"]]
    for r in records:
        metric.update(r[p + "metric"])
        medium.update(r[p + "medium"] or [None])
        for m in r[p + "metric"]:
            unit_given_metric[m].update(r[p + "unit"] or [None])
        for u in r[p + "unit"]:
            before_by_unit[u] += [float(v) for v in r[p + "valueBefore"]]
        reductions += [float(v) for v in r[p + "reductionPercent"]]
        depth_top += [float(v) for v in r[p + "depthTopCm"]]
        depth_bottom += [float(v) for v in r[p + "depthBottomCm"]]

    def share(items: Sequence[dict[str, list[Any]]], *props: str) -> float:
        return round(sum(1 for r in items if all(r[x] for x in props)) / max(1, len(items)), 4)

    return {
        "metric": _weights(metric),
        "medium": _weights(medium),
        "unit_given_metric": {m: _weights(c) for m, c in sorted(unit_given_metric.items())},
        "value_before_by_unit": {u: _sorted_values(v) for u, v in sorted(before_by_unit.items()) if v},
        "reduction_percent": _sorted_values(reductions),
        "depth_top_cm": _sorted_values(depth_top),
        "depth_bottom_cm": _sorted_values(depth_bottom),
        "shares": {
            # of all outcomes
            "reduction_percent": share(records, p + "reductionPercent"),
            "reduction_as_stated": share(records, p + "reductionAsStated"),
            "depth": share(records, p + "depthTopCm", p + "depthBottomCm"),
            "target_as_stated": share(records, p + "targetAsStated"),
            "target_met": share(records, p + "targetMet"),
            # of the outcomes that give a unit
            "values": share(with_unit, p + "valueBefore"),
            "target_value": share(with_unit, p + "targetValue"),
        },
        "target_met_true": round(sum(1 for r in records if r[p + "targetMet"] == [True])
                                 / max(1, sum(1 for r in records if r[p + "targetMet"])), 4),
    }


def _cost_profile(owned: dict[str, dict[str, dict[str, list[Any]]]], starts: dict[str, list[Any]]) -> dict[str, Any]:
    p = SRKG
    currency, basis, kind = Counter(), Counter(), Counter()
    amount_by_basis: dict[str, list[float]] = defaultdict(list)
    offsets, covers = [], 0
    records = 0
    for case in sorted(owned):
        for _, r in sorted(owned[case].items()):
            records += 1
            currency.update(r[p + "currency"])
            basis.update(r[p + "costBasis"] or [None])
            kind.update(r[p + "costType"] or [None])
            covers += bool(r[p + "costCovers"])
            amount_by_basis[(r[p + "costBasis"] or ["none"])[0]] += [float(v) for v in r[p + "amount"]]
            if r[p + "priceYear"] and starts.get(case):
                offsets.append(int(r[p + "priceYear"][0]) - int(starts[case][0]))
    return {
        "currency": _weights(currency),
        "basis": _weights(basis),
        "type": _weights(kind),
        "amount_by_basis": {b: _sorted_values(v) for b, v in sorted(amount_by_basis.items()) if v},
        "price_year_offset": sorted(offsets),
        "covers_share": round(covers / max(1, records), 4),
    }


def profile_json(profile: dict[str, Any]) -> str:
    """One line per distribution (two levels of keys), so a re-learned profile diffs readably."""
    def dump(value: Any) -> str:
        return json.dumps(value, ensure_ascii=False)

    lines = []
    for key, value in profile.items():
        if isinstance(value, dict) and value and key not in ("labels", "pollutant_class", "technology_nbs"):
            inner = ",\n".join(f"  {dump(k)}: {dump(v)}" for k, v in value.items())
            lines.append(f" {dump(key)}: {{\n{inner}\n }}")
        else:
            lines.append(f" {dump(key)}: {dump(value)}")
    return "{\n" + ",\n".join(lines) + "\n}\n"


def learn(out: Path = PROFILE) -> dict[str, Any]:
    """Run the bootstrap into an in-memory store, learn the profile, write it (temporary name, then rename)."""
    import tempfile

    from sparql_api.server.bootstrap import bootstrap
    from sparql_api.store.oxigraph_store import OxigraphStore

    store = OxigraphStore(None)
    try:
        with tempfile.TemporaryDirectory() as scratch:
            bootstrap(store, Path(scratch) / "state.json", progress=lambda _message: None)
        profile = learn_profile(store)
    finally:
        store.close()
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_text(profile_json(profile), "utf-8")
    os.replace(tmp, out)
    return profile


# ------------------------------------------------------------------------------------------------------------------
# Drawing from the profile
# ------------------------------------------------------------------------------------------------------------------


class Choice:
    """Weighted choice among values (None allowed: "not stated"), by bisection on cumulative weights."""

    def __init__(self, pairs: Sequence[Sequence[Any]], where: str) -> None:
        if not pairs or any(len(pair) != 2 or pair[1] <= 0 for pair in pairs):
            raise GenerateError(f"profile: {where} needs [[value, positive weight], …]")
        self.values = [pair[0] for pair in pairs]
        self.cumulative: list[float] = []
        total = 0.0
        for _, weight in pairs:
            total += weight
            self.cumulative.append(total)
        self.total, self.last = total, len(self.values) - 1

    def draw(self, rng: random.Random) -> Any:
        # min(): random() * total can round up to total itself
        return self.values[min(self.last, bisect.bisect_right(self.cumulative, rng.random() * self.total))]


class Empirical:
    """A continuous draw within the real values: pick a gap between neighbouring sorted real values and
    interpolate (geometrically when both are positive, so values spread over orders of magnitude stay so)."""

    def __init__(self, values: Sequence[float], where: str) -> None:
        if not values:
            raise GenerateError(f"profile: {where} has no values")
        self.values = sorted(float(v) for v in values)

    def draw(self, rng: random.Random) -> float:
        values = self.values
        if len(values) == 1:
            return values[0]
        i = rng.randrange(len(values) - 1)
        a, b, u = values[i], values[i + 1], rng.random()
        if a > 0 and b > 0:
            return a * math.exp(u * math.log(b / a))
        return a + u * (b - a)


def _count_choice(histogram: dict[str, int], where: str, minimum: int = 0) -> Choice:
    pairs = [[max(minimum, int(k)), v] for k, v in histogram.items() if v > 0]
    return Choice(pairs, where)


def _decimal(value: float, digits: int = 3) -> str:
    """A canonical-looking xsd:decimal lexical form: no exponent, no trailing zeros."""
    text = f"{value:.{digits}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text if text not in ("", "-0") else "0"


def _significant(value: float, digits: int = 3) -> float:
    if value <= 0:
        return 0.0
    return round(value, digits - 1 - math.floor(math.log10(value)))


def _escape(text: str) -> str:
    """Escaped for an N-Quads string. Every text the generator writes is made of escaped labels and its own
    fixed words, so only the labels go through here (once each)."""
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")


def _typed(lexical: str, datatype: str) -> str:
    return f'"{lexical}"^^<{XSD}{datatype}>'


_SYLLABLES = ("ka", "lo", "ra", "mi", "ven", "to", "sa", "dor", "el", "na", "bri", "ho", "tal", "qu", "zen",
              "mar", "pi", "os", "ul", "der", "an", "vik", "se", "ru", "ba", "lin", "go", "fe", "tam", "id")
_PLACE_KINDS = ("former works", "district", "valley", "industrial estate", "river bank", "village", "mine area",
                "harbour", "outskirts", "farmland")


_SUMMARY_ENDINGS = ("monitoring continued", "target reached in most plots", "further treatment planned",
                    "site returned to use")


def _place(rng: random.Random) -> str:
    name = "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 3)))
    return f"{name.capitalize()} {rng.choice(_PLACE_KINDS)}"


@dataclass
class Stats:
    """What was written, so tests and the report can check a store's answers against the generator's."""

    cases: int = 0
    triples: int = 0
    graphs: int = 0
    by_country: Counter = field(default_factory=Counter)
    by_pollutant: Counter = field(default_factory=Counter)
    by_technology: Counter = field(default_factory=Counter)
    by_pollutant_class: Counter = field(default_factory=Counter)  # cases per class of any of their pollutants
    units: Counter = field(default_factory=Counter)


class Generator:
    """Writes N-Quads of synthetic cases from a learned profile; one ``random.Random(seed)`` drives every draw."""

    def __init__(self, profile: dict[str, Any], seed: int, graphs_per: int = 1000) -> None:
        if profile.get("version") != PROFILE_VERSION:
            raise GenerateError(f"profile version {profile.get('version')!r}; expected {PROFILE_VERSION} "
                                "(re-run python -m bench.generate --learn)")
        if graphs_per < 1:
            raise GenerateError("--graphs-per must be at least 1")
        self.seed, self.graphs_per = seed, graphs_per
        self.rng = random.Random(seed)
        self.base = base_iri()
        self.labels: dict[str, str] = profile["labels"]
        self._escaped: dict[str, str] = {}
        self._setup(profile)
        self.stats = Stats()

    # --- profile → samplers ---------------------------------------------------------------------------------------
    def _setup(self, pr: dict[str, Any]) -> None:
        try:
            self.country = Choice(pr["country"], "country")
            self.pollutant = Choice(pr["pollutant"], "pollutant")
            self.pollutant_class: dict[str, list[str]] = pr["pollutant_class"]
            self.pollutant_by_class = {c: Choice(v, f"pollutant_by_class {c}")
                                       for c, v in pr["pollutant_by_class"].items()}
            self.same_class = float(pr["same_class_share"])
            self.technology = Choice(pr["technology"], "technology")
            self.technology_by_class = {c: Choice(v, f"technology_by_class {c}")
                                        for c, v in pr["technology_by_class"].items()}
            self.technology_nbs: dict[str, str] = pr["technology_nbs"]
            self.case_nbs = Choice(pr["case_nbs"], "case_nbs")
            self.nbs_given_tech = {k: Choice(v, f"case_nbs_given_first_technology {k}")
                                   for k, v in pr["case_nbs_given_first_technology"].items()}
            self.scale = Choice(pr["scale"], "scale")
            self.site_type = Choice(pr["site_type"], "site_type")
            self.start_share = float(pr["start_year"]["share"])
            self.start_year = Empirical(pr["start_year"]["values"], "start_year")
            self.duration_share = float(pr["duration_months"]["share"])
            self.duration = Empirical(pr["duration_months"]["values"], "duration_months")
            self.area_share = float(pr["area_ha"]["share"])
            self.area = Empirical(pr["area_ha"]["values"], "area_ha")
            counts = pr["counts"]
            self.n_pollutants = _count_choice(counts["pollutants"], "counts.pollutants", minimum=1)
            self.n_steps = _count_choice(counts["steps"], "counts.steps", minimum=1)
            self.n_outcomes = _count_choice(counts["outcomes"], "counts.outcomes")
            self.n_costs = _count_choice(counts["costs"], "counts.costs")
            self.n_sources = _count_choice(counts["sources"], "counts.sources", minimum=1)
            self.n_notes = _count_choice(counts["notes"], "counts.notes", minimum=1)
            self.n_site_types = _count_choice(counts["site_types"], "counts.site_types")
            self.shares: dict[str, float] = pr["shares"]
            out = pr["outcome"]
            self.metric = Choice(out["metric"], "outcome.metric")
            self.medium = Choice(out["medium"], "outcome.medium")
            self.unit_given_metric = {m: Choice(v, f"outcome.unit_given_metric {m}")
                                      for m, v in out["unit_given_metric"].items()}
            self.value_before = {u: Empirical(v, f"outcome.value_before_by_unit {u}")
                                 for u, v in out["value_before_by_unit"].items()}
            self.reduction = Empirical(out["reduction_percent"], "outcome.reduction_percent")
            self.depth_top = Empirical(out["depth_top_cm"], "outcome.depth_top_cm")
            self.depth_bottom = Empirical(out["depth_bottom_cm"], "outcome.depth_bottom_cm")
            self.outcome_shares: dict[str, float] = out["shares"]
            self.target_met_true = float(out["target_met_true"])
            cost = pr["cost"]
            self.currency = Choice(cost["currency"], "cost.currency")
            self.basis = Choice(cost["basis"], "cost.basis")
            self.cost_type = Choice(cost["type"], "cost.type")
            self.amount = {b: Empirical(v, f"cost.amount_by_basis {b}") for b, v in cost["amount_by_basis"].items()}
            self.price_offset = cost["price_year_offset"] or [0]
            self.covers_share = float(cost["covers_share"])
        except (KeyError, TypeError, ValueError) as error:
            raise GenerateError(f"profile: missing or malformed entry {error}") from None
        self.max_year = time.gmtime().tm_year - 1

    def label(self, iri: str) -> str:
        """The concept's English label (units: notation), already escaped for an N-Quads string."""
        text = self._escaped.get(iri)
        if text is None:
            text = self._escaped[iri] = _escape(self.labels.get(iri) or iri.rsplit("/", 1)[-1])
        return text

    # --- output -----------------------------------------------------------------------------------------------------
    def write(self, out: IO[bytes], cases: int) -> Stats:
        """Write ``cases`` cases; returns the stats of what was written."""
        tail = ""
        for n in range(cases):
            k, index = divmod(n, self.graphs_per)
            if index == 0:
                self._start_graph(k)
                tail = self._tail
                out.write(self._submission(k).encode("utf-8"))
            lines = self._case(n, index)
            self.stats.triples += len(lines)
            out.write((tail.join(lines) + tail).encode("utf-8"))
        self.stats.graphs = (cases + self.graphs_per - 1) // self.graphs_per
        return self.stats

    def _key(self, k: int) -> str:
        return f"synthetic-s{self.seed}-{k:04d}"

    def _start_graph(self, k: int) -> None:
        key = self._key(k)
        self._sha = hashlib.sha256(f"srkg-synthetic:{self.seed}:{key}".encode()).hexdigest()
        self._graph = f"{self.base}graph/submission/{key}"
        self._tail = f" <{self._graph}> .\n"
        self._submission_iri = f"<{self.base}id/submission/{key}>"
        self._file_iri = f"<{self.base}id/file/{self._sha}>"
        self._record_prefix = f"<{self.base}id/record/{self._sha[:16]}-r"

    def _submission(self, k: int) -> str:
        """The minimal PROV of a published bootstrap submission (ingest.provenance.submission_triples)."""
        key = self._key(k)
        sub, file, agent = self._submission_iri, self._file_iri, f"<{self.base}id/agent/srkg-benchmark-generator>"
        lines = [
            f"{sub} {P_TYPE} <{SRKG}Submission>",
            f'{sub} {P_LABEL} "Submission {key} ({key}.csv)"',
            f"{sub} <{SRKG}submissionStatus> <{VOCAB}submission-status/published>",
            f"{sub} <{PROV}startedAtTime> {_typed(SUBMITTED_AT, 'dateTime')}",
            f"{sub} <{PROV}wasAssociatedWith> {agent}",
            f"{sub} <{SRKG}sourceFile> {file}",
            f"{sub} <{SRKG}namedGraph> <{self._graph}>",
            f"{agent} {P_TYPE} <{PROV}Agent>",
            f'{agent} {P_LABEL} "{SUBMITTER}"',
            f'{agent} <{FOAF_NAME}> "{SUBMITTER}"',
            f"{file} {P_TYPE} <{SRKG}SourceFile>",
            f'{file} <{SRKG}fileName> "{key}.csv"',
            f'{file} <{SRKG}sha256> "{self._sha}"',
        ]
        self.stats.triples += len(lines)
        return self._tail.join(lines) + self._tail

    # --- one case ---------------------------------------------------------------------------------------------------
    def _pollutants(self) -> list[str]:
        rng = self.rng
        first = self.pollutant.draw(rng)
        chosen = [first]
        wanted = self.n_pollutants.draw(rng)
        same = self.pollutant_by_class.get(self._a_class_of(first))
        for _ in range(4 * wanted):
            if len(chosen) >= wanted:
                break
            source = same if same is not None and rng.random() < self.same_class else self.pollutant
            candidate = source.draw(rng)
            if candidate not in chosen:
                chosen.append(candidate)
        return chosen

    def _a_class_of(self, pollutant: str) -> str:
        """One of the pollutant's classes (mine tailings are metals and mixed waste): what the treatment targets."""
        classes = self.pollutant_class.get(pollutant)
        return (classes[0] if len(classes) == 1 else self.rng.choice(classes)) if classes else ""

    def _distinct(self, table: Choice, wanted: int) -> list[str]:
        chosen: list[str] = []
        for _ in range(4 * wanted):
            if len(chosen) >= wanted:
                break
            candidate = table.draw(self.rng)
            if candidate not in chosen:
                chosen.append(candidate)
        return chosen

    def _case(self, n: int, row_index: int) -> list[str]:
        """The lines (without graph and final dot) of case ``n``, row ``row_index`` of its submission."""
        rng, base, stats, label = self.rng, self.base, self.stats, self.label
        country = self.country.draw(rng)
        key = f"syn{self.seed}-{country.rsplit('/', 1)[-1].lower()}-{n}"
        case, site = f"<{base}id/case/{key}>", f"<{base}id/site/{key}>"
        row = row_index + 2  # a spreadsheet row: the header is row 1
        record = f"{self._record_prefix}{row}>"
        submission = self._submission_iri
        pollutants = self._pollutants()
        techs = self._distinct(
            self.technology_by_class.get(self._a_class_of(pollutants[0]), self.technology),
            self.n_steps.draw(rng))
        site_types = self._distinct(self.site_type, self.n_site_types.draw(rng))
        place = _place(rng)
        country_name = label(country)
        first_tech, first_pollutant = label(techs[0]), label(pollutants[0])
        setting = label(site_types[0]).lower() if site_types else "contaminated"
        article = "an" if setting.startswith(tuple("aeiou")) else "a"
        title = (f"{first_tech[:1].upper()}{first_tech[1:]} for {first_pollutant} at {article} {setting} site, "
                 f"{place}, {country_name}")
        lines = [
            f"{case} {P_TYPE} {C_CASE}",
            f"{case} {P_SITE} {site}",
            f"{site} {P_TYPE} {C_SITE}",
            f'{case} {P_TITLE} "{title}"@en',
            f"{case} {P_LICENSE} {O_LICENSE}",
        ]
        add = lines.append
        for iri in pollutants:
            add(f"{case} {P_POLLUTANT} <{iri}>")
        add(f'{case} <{SRKG}pollutantAsStated> "{"; ".join(label(x) for x in pollutants)}"')
        for i, tech in enumerate(techs, start=1):
            step = f"<{base}id/step/{key}-{i}>"
            add(f"{case} <{SRKG}technologyApplication> {step}")
            add(f"{step} {P_TYPE} {C_STEP}")
            add(f"{step} <{SRKG}technology> <{tech}>")
            add(f'{step} <{SRKG}stepOrder> "{i}"^^<{XSD}integer>')
            add(f'{step} <{SRKG}applicationDescription> "{label(tech).lower()} at the {setting} site, {place}"')
            add(f"{step} {P_RECORD} {record}")
        scale = self.scale.draw(rng)
        if scale:
            add(f"{case} <{SRKG}scale> <{scale}>")
        nbs = (self.nbs_given_tech.get(self.technology_nbs.get(techs[0], "none")) or self.case_nbs).draw(rng)
        if nbs:
            add(f"{case} <{SRKG}natureBasedCategory> <{nbs}>")
        start = None
        if rng.random() < self.start_share:
            start = min(self.max_year, round(self.start_year.draw(rng)))
            add(f'{case} <{SRKG}startYear> "{start}"^^<{XSD}integer>')
        if rng.random() < self.duration_share:
            months = _decimal(_significant(self.duration.draw(rng), 2), 1)
            add(f'{case} <{SRKG}durationMonths> "{months}"^^<{XSD}decimal>')
        if rng.random() < self.area_share:
            quantity = f"<{base}id/quantity/{key}-area>"
            hectares = _decimal(_significant(self.area.draw(rng)), 4)
            add(f"{case} <{SRKG}areaTreated> {quantity}")
            add(f"{quantity} {P_TYPE} <{QUDT}QuantityValue>")
            add(f'{quantity} <{QUDT}numericValue> "{hectares}"^^<{XSD}decimal>')
            add(f"{quantity} <{QUDT}unit> <{HECTARE}>")
            add(f"{quantity} {P_RECORD} {record}")
            stats.units[HECTARE] += 1
        for j in range(1, self.n_sources.draw(rng) + 1):
            add(f"{case} <{DCT}source> <{DOI_PREFIX}.{self.seed}.{n}.{j}>")
        for j in range(1, self.n_outcomes.draw(rng) + 1):
            self._outcome(lines, case, f"<{base}id/outcome/{key}-{j}>", pollutants[(j - 1) % len(pollutants)],
                          record)
        cost_note = None
        for j in range(1, self.n_costs.draw(rng) + 1):
            cost_note = self._cost(lines, case, f"<{base}id/cost/{key}-{j}>", start, record)
        if rng.random() < self.shares["outcome_summary"]:
            add(f'{case} <{SRKG}outcomeSummary> "{first_tech} reduced {first_pollutant} in the treated soil; '
                f'{rng.choice(_SUMMARY_ENDINGS)}"')
        notes = [f"Synthetic case generated by bench/generate.py (seed {self.seed}, case {n}); not a real site.",
                 "Technologies recognised in the technology column: "
                 + "; ".join(f"'{label(x).lower()}' → {x.rsplit('/', 1)[-1]}" for x in techs) + "."]
        if cost_note:
            notes.append(cost_note)
        notes.append(f"Site as described: {place}, {country_name}.")
        for note in notes[:max(2, self.n_notes.draw(rng))]:
            add(f'{case} {P_NOTE} "{note}"')
        add(f"{case} {P_GENERATED} {submission}")
        add(f"{case} {P_RECORD} {record}")
        site_label = f'"{place}, {country_name}"'
        add(f"{site} {P_LABEL} {site_label}")
        add(f"{site} <{SRKG}country> <{country}>")
        if rng.random() < self.shares["location_description"]:
            add(f"{site} <{SRKG}locationDescription> {site_label}")
        if rng.random() < self.shares["site_type_as_stated"]:
            add(f'{site} <{SRKG}siteTypeAsStated> "{setting if site_types else "contaminated land"}"')
        for st in site_types:
            add(f"{site} <{SRKG}siteType> <{st}>")
        add(f"{site} {P_GENERATED} {submission}")
        add(f"{site} {P_RECORD} {record}")
        add(f"{record} {P_TYPE} <{SRKG}SourceRecord>")
        add(f'{record} <{SRKG}rowNumber> "{row}"^^<{XSD}integer>')
        add(f"{record} <{SRKG}inFile> {self._file_iri}")

        stats.cases += 1
        stats.by_country[country] += 1
        stats.by_pollutant.update(pollutants)
        stats.by_technology.update(techs)
        stats.by_pollutant_class.update({c for x in pollutants for c in self.pollutant_class.get(x, ())})
        return lines

    def _outcome(self, lines: list[str], case: str, outcome: str, pollutant: str, record: str) -> None:
        rng, shares, label = self.rng, self.outcome_shares, self.label
        add = lines.append
        metric = self.metric.draw(rng)
        unit_choice = self.unit_given_metric.get(metric)
        unit = unit_choice.draw(rng) if unit_choice else None
        medium = self.medium.draw(rng)
        add(f"{case} <{SRKG}outcome> {outcome}")
        add(f"{outcome} {P_TYPE} <{SRKG}Outcome>")
        add(f"{outcome} <{SRKG}metric> <{metric}>")
        add(f"{outcome} {P_POLLUTANT} <{pollutant}>")
        add(f"{outcome} {P_RECORD} {record}")
        stated = [f"pollutant: {label(pollutant)}"]
        if medium:
            add(f"{outcome} <{SRKG}medium> <{medium}>")
            stated.append(f"medium: {label(medium).lower()}")
        stated.append(f"metric: {label(metric).lower()}")
        reduction = min(100.0, self.reduction.draw(rng))
        if unit:
            add(f"{outcome} <{SRKG}unit> <{unit}>")
            self.stats.units[unit] += 1
            stated.append(f"unit: {label(unit)}")
            if unit in self.value_before and rng.random() < shares["values"]:
                before = _significant(self.value_before[unit].draw(rng))
                after = _significant(before * (1 - reduction / 100))
                add(f'{outcome} <{SRKG}valueBefore> "{_decimal(before, 6)}"^^<{XSD}decimal>')
                add(f'{outcome} <{SRKG}valueAfter> "{_decimal(after, 6)}"^^<{XSD}decimal>')
                stated.append(f"before: {_decimal(before, 6)}; after: {_decimal(after, 6)}")
                if rng.random() < shares["target_value"]:
                    met = rng.random() < self.target_met_true
                    target = _significant(after * (rng.uniform(1.0, 3.0) if met else rng.uniform(0.2, 0.9)))
                    add(f'{outcome} <{SRKG}targetValue> "{_decimal(target, 6)}"^^<{XSD}decimal>')
                    add(f'{outcome} <{SRKG}targetMet> "{"true" if met else "false"}"^^<{XSD}boolean>')
        percent = _decimal(reduction, 1)
        if rng.random() < shares["reduction_percent"]:
            add(f'{outcome} <{SRKG}reductionPercent> "{percent}"^^<{XSD}decimal>')
            stated.append(f"reduction_pct: {percent}")
        if rng.random() < shares["reduction_as_stated"]:
            add(f'{outcome} <{SRKG}reductionAsStated> "{percent}"')
        if rng.random() < shares["depth"]:
            top = round(self.depth_top.draw(rng))
            bottom = max(top, round(self.depth_bottom.draw(rng)))
            add(f'{outcome} <{SRKG}depthTopCm> "{top}"^^<{XSD}decimal>')
            add(f'{outcome} <{SRKG}depthBottomCm> "{bottom}"^^<{XSD}decimal>')
        add(f'{outcome} <{SRKG}statedAs> "{"; ".join(stated)}"')

    def _cost(self, lines: list[str], case: str, cost: str, start: int | None, record: str) -> str:
        rng = self.rng
        add = lines.append
        currency, basis, kind = self.currency.draw(rng), self.basis.draw(rng), self.cost_type.draw(rng)
        amounts = self.amount.get(basis or "none") or next(iter(self.amount.values()))
        amount = _decimal(_significant(amounts.draw(rng)), 2)
        year = (start or round(self.start_year.draw(rng))) + rng.choice(self.price_offset)
        year = max(1900, min(self.max_year, year))
        stated = f"{amount} {currency.rsplit('/', 1)[-1].upper()} {year}"
        add(f"{case} <{SRKG}cost> {cost}")
        add(f"{cost} {P_TYPE} <{SRKG}Cost>")
        add(f"{cost} <{SRKG}currency> <{currency}>")
        add(f'{cost} <{SRKG}amount> "{amount}"^^<{XSD}decimal>')
        add(f'{cost} <{SRKG}priceYear> "{year}"^^<{XSD}integer>')
        if basis:
            add(f"{cost} <{SRKG}costBasis> <{basis}>")
        if kind:
            add(f"{cost} <{SRKG}costType> <{kind}>")
        if rng.random() < self.covers_share:
            covers = f"{self.label(kind).lower() if kind else 'total'} cost"
            add(f'{cost} <{SRKG}costCovers> "{covers}"')
            stated += f" {covers}"
        add(f'{cost} <{SRKG}statedAs> "{stated}"')
        add(f"{cost} {P_RECORD} {record}")
        return f"Cost note (verbatim): {stated}"


# ------------------------------------------------------------------------------------------------------------------
# Files, checks, command line
# ------------------------------------------------------------------------------------------------------------------


def load_profile(path: Path = PROFILE) -> dict[str, Any]:
    try:
        return json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        raise GenerateError(f"{path}: no profile; create it with python -m bench.generate --learn") from None
    except ValueError as error:
        raise GenerateError(f"{path}: not valid JSON: {error}") from None


def generate_bytes(cases: int, seed: int, graphs_per: int = 1000, profile: dict[str, Any] | None = None
                   ) -> tuple[bytes, Stats]:
    """Small runs in memory (tests, samples)."""
    buffer = io.BytesIO()
    stats = Generator(profile or load_profile(), seed, graphs_per).write(buffer, cases)
    return buffer.getvalue(), stats


def generate_file(out: Path, cases: int, seed: int, graphs_per: int = 1000,
                  profile: dict[str, Any] | None = None) -> Stats:
    """Stream to ``out`` (``.nq`` or ``.nq.gz``) through a temporary name; a failure leaves no file behind."""
    if not (out.name.endswith(".nq") or out.name.endswith(".nq.gz")):
        raise GenerateError(f"--out {out}: the file name must end in .nq or .nq.gz (N-Quads)")
    if cases < 0:
        raise GenerateError("--cases must be 0 or more")
    generator = Generator(profile or load_profile(), seed, graphs_per)
    tmp = out.with_name(out.name + ".part")
    try:
        with tmp.open("wb") as raw:
            if out.name.endswith(".gz"):
                # mtime=0 and no file name in the header: same seed → byte-identical .gz
                with (gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=3) as packed,
                      io.BufferedWriter(packed, buffer_size=1 << 20) as buffered):
                    stats = generator.write(buffered, cases)
            else:
                with io.BufferedWriter(raw, buffer_size=1 << 20) as buffered:
                    stats = generator.write(buffered, cases)
        os.replace(tmp, out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return stats


def case_closure(dataset: Any, case: Any) -> Any:
    """The case and everything it owns (site, steps, outcomes, costs, quantity, record, file) plus its
    submission's PROV, as an rdflib Graph: what one case looks like to SHACL validation."""
    from rdflib import Graph, URIRef
    from rdflib.namespace import PROV as RDFLIB_PROV

    graph_of = next(dataset.quads((case, None, None, None)))[3]
    source = dataset.graph(graph_of)
    out = Graph()
    todo, seen = [case], set()
    submission = source.value(case, RDFLIB_PROV.wasGeneratedBy)
    if submission is not None:
        todo.append(submission)
    while todo:
        node = todo.pop()
        if node in seen:
            continue
        seen.add(node)
        for s, p, o in source.triples((node, None, None)):
            out.add((s, p, o))
            if isinstance(o, URIRef) and o.startswith(base_iri() + "id/") and p != RDFLIB_PROV.wasGeneratedBy:
                todo.append(o)
    return out


def check_sample(data: bytes, sample: int, seed: int = 0) -> list[str]:
    """SHACL-validate ``sample`` cases drawn from N-Quads ``data``; the violations found (empty = all pass)."""
    from rdflib import RDF, Dataset, URIRef

    from ingest.validation import validate_graph
    from ingest.vocabulary import default_vocabulary

    dataset = Dataset()
    dataset.parse(data=data, format="nquads")
    cases = sorted({s for s, _, _, _ in dataset.quads((None, RDF.type, URIRef(SRKG + "CaseStudy"), None))})
    if not cases:
        raise GenerateError("no srkg:CaseStudy in the data to check")
    chosen = random.Random(seed).sample(cases, min(sample, len(cases)))
    vocabulary = default_vocabulary()
    problems = []
    for case in chosen:
        report = validate_graph(case_closure(dataset, case), source=str(case), vocabulary=vocabulary)
        problems += [f"{case}: {f.where}: {f.message}" for f in report.findings if f.severity == "Violation"]
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, help="number of case studies")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, help="FILE.nq or FILE.nq.gz")
    parser.add_argument("--graphs-per", type=int, default=1000, help="cases per submission graph (default 1000)")
    parser.add_argument("--profile", type=Path, default=PROFILE)
    parser.add_argument("--check", type=int, default=0, metavar="K",
                        help="also SHACL-validate K cases of a separate in-memory run with the same seed")
    parser.add_argument("--learn", action="store_true", help="re-derive the profile from the real data, then stop")
    args = parser.parse_args(argv)
    try:
        if args.learn:
            profile = learn(args.profile)
            print(f"{args.profile}: learned from {profile['derived_from']['cases']} real cases", file=sys.stderr)
            return 0
        if args.cases is None or args.out is None:
            parser.error("--cases and --out are required (or --learn)")
        profile = load_profile(args.profile)
        start = time.perf_counter()
        stats = generate_file(args.out, args.cases, args.seed, args.graphs_per, profile)
        seconds = time.perf_counter() - start
        size = args.out.stat().st_size
        print(json.dumps({
            "cases": stats.cases, "triples": stats.triples, "graphs": stats.graphs,
            "triples_per_case": round(stats.triples / max(1, stats.cases), 2),
            "real_triples_per_case": profile["real_triples_per_case"],
            "seconds": round(seconds, 2), "cases_per_s": round(stats.cases / max(seconds, 1e-9)),
            "bytes": size, "file": str(args.out),
        }))
        if args.check:
            data, _ = generate_bytes(min(args.cases, max(args.check, 200)), args.seed, args.graphs_per, profile)
            problems = check_sample(data, args.check, args.seed)
            print(f"SHACL: {args.check} sampled cases, {len(problems)} violation(s)", file=sys.stderr)
            for problem in problems[:20]:
                print("  " + problem, file=sys.stderr)
            return 1 if problems else 0
    except GenerateError as error:
        print(f"bench.generate: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
