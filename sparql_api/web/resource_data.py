"""What the linked-data pages read from the store: a few SPARQL queries, each with bound parameters.

A resource's description is its Concise Bounded Description (the triples it is the subject of, following blank
nodes) together with the records it owns — for a case study its site, treatment steps, outcomes, quantities,
costs, assessments, indicator results and source records (the ownership closure of the ingest pipeline, plus
the source file of each record) — so that one fetch gives the whole case. The listings (cases that used a
technology, cases in a country…) are one query each.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace

from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from sparql_api.sparql_text import insert_in_where
from sparql_api.store.base import Store
from sparql_api.summaries.totals import case_counts

PREFIXES = """PREFIX srkg: <https://w3id.org/srkg/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX geo: <http://www.opengis.net/ont/geosparql#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
"""

# What a record owns (ingest.validation.OWNING_PROPERTIES), how it was derived, and the file of that record.
OWNED_PATH = ("srkg:site|srkg:technologyApplication|srkg:outcome|srkg:cost|srkg:assessment|srkg:indicatorResult|"
              "srkg:areaTreated|srkg:volumeTreated|srkg:massTreated|srkg:quantity|geo:hasGeometry|"
              "srkg:derivedFromRecord|srkg:inFile")

DESCRIBE = PREFIXES + f"""SELECT ?root ?s ?p ?o WHERE {{
  ?root ({OWNED_PATH})* ?s .
  ?s ?p ?o .
}}"""

EXISTS = "SELECT ?iri WHERE { ?iri ?p ?o } LIMIT 1"

ONTOLOGY_OF_VERSION = PREFIXES + "SELECT ?version ?ontology WHERE { ?ontology owl:versionIRI ?version } LIMIT 1"

GRAPH_SIZE = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"

GRAPH_SUBMISSIONS = PREFIXES + "SELECT ?g ?submission WHERE { ?submission srkg:namedGraph ?g }"

# DISTINCT: a submitter is described in each of its submissions' graphs, and the union default graph repeats a
# triple once per graph, so without it the rows grow with the submitter's submissions (300 at 100k cases).
CASE_CONTEXT = PREFIXES + """SELECT DISTINCT ?root ?s ?p ?o ?graph WHERE {
  { ?root prov:wasGeneratedBy ?s . ?s ?p ?o }
  UNION { ?root prov:wasGeneratedBy/prov:wasAssociatedWith ?s . ?s ?p ?o }
  UNION { ?root srkg:site/srkg:country ?s . ?s ?p ?o FILTER(?p IN (srkg:m49Code, srkg:iso3Code)) }
  UNION { GRAPH ?graph { ?root a srkg:CaseStudy } }
}"""

# Concept pages list at most CASE_LIST_LIMIT cases (at 100k cases cadmium has 9,413 and the full list took 3.8 s
# and 1.5 MB of page): the first query finds up to one more case than that (no ORDER BY, so it stops early: 2-3 ms at
# 100k), the second reads what the listing shows of those cases only. All of them are a click away, in search.
CASE_LIST_LIMIT = 100

TECHNOLOGY_CASE_IDS = PREFIXES + f"""SELECT DISTINCT ?case WHERE {{
  ?used skos:broader* ?root .
  ?step srkg:technology ?used .
  ?case srkg:technologyApplication ?step ; a srkg:CaseStudy .
}} LIMIT {CASE_LIST_LIMIT + 1}"""

# FILTER EXISTS, not a join with the path: Oxigraph 0.5 would start from ?root's narrower concepts and read every
# step that used them (1,100 ms at 100k instead of 11 ms for the 100 cases given).
TECHNOLOGY_CASES = PREFIXES + """SELECT DISTINCT ?root ?case ?title ?country ?used WHERE {
  ?case srkg:technologyApplication/srkg:technology ?used .
  FILTER EXISTS { ?used skos:broader* ?root }
  OPTIONAL { ?case dcterms:title ?title }
  OPTIONAL { ?case srkg:site/srkg:country ?country }
}"""

TECHNOLOGY_OUTCOMES = PREFIXES + """
SELECT DISTINCT ?root ?outcome ?metric ?pollutant ?before ?after ?beforeQ ?afterQ ?pct WHERE {
  ?used skos:broader* ?root .
  ?step srkg:technology ?used .
  ?case srkg:technologyApplication ?step ; srkg:outcome ?outcome .
  ?outcome srkg:metric ?metric ; srkg:pollutant ?pollutant .
  FILTER(NOT EXISTS { ?outcome srkg:technologyStep ?any } || EXISTS { ?outcome srkg:technologyStep ?step })
  OPTIONAL { ?outcome srkg:valueBefore ?before }
  OPTIONAL { ?outcome srkg:valueAfter ?after }
  OPTIONAL { ?outcome srkg:valueBeforeQualifier ?beforeQ }
  OPTIONAL { ?outcome srkg:valueAfterQualifier ?afterQ }
  OPTIONAL { ?outcome srkg:reductionPercent ?pct }
}"""

POLLUTANT_CASE_IDS = PREFIXES + f"""SELECT DISTINCT ?case WHERE {{
  ?pollutant skos:broader* ?root .
  {{ ?case srkg:pollutant ?pollutant }} UNION {{ ?case srkg:outcome/srkg:pollutant ?pollutant }}
  ?case a srkg:CaseStudy .
}} LIMIT {CASE_LIST_LIMIT + 1}"""

COUNTRY_CASE_IDS = PREFIXES + f"""SELECT DISTINCT ?case WHERE {{
  ?site srkg:country ?root .
  ?case srkg:site ?site ; a srkg:CaseStudy .
}} LIMIT {CASE_LIST_LIMIT + 1}"""

CASE_COLUMNS = PREFIXES + """SELECT DISTINCT ?case ?title ?country WHERE {
  OPTIONAL { ?case dcterms:title ?title }
  OPTIONAL { ?case srkg:site/srkg:country ?country }
}"""

COUNTRY_CASE_COLUMNS = PREFIXES + """SELECT DISTINCT ?case ?title ?site ?siteLabel ?wkt WHERE {
  ?case srkg:site ?site .
  OPTIONAL { ?case dcterms:title ?title }
  OPTIONAL { ?site rdfs:label ?siteLabel }
  OPTIONAL { ?site geo:hasGeometry/geo:asWKT ?wkt }
}"""

SCHEME_MEMBERS = PREFIXES + """SELECT DISTINCT ?root ?member ?top WHERE {
  { ?member skos:inScheme ?root } UNION { ?root skos:hasTopConcept ?member } UNION { ?member skos:topConceptOf ?root }
  BIND(EXISTS { { ?member skos:topConceptOf ?root } UNION { ?root skos:hasTopConcept ?member } } AS ?top)
}"""

INCOMING_LIMIT = 100
INCOMING = f"SELECT ?root ?s ?p WHERE {{ ?s ?p ?root }} LIMIT {INCOMING_LIMIT + 1}"

ONTOLOGY_TERMS = PREFIXES + """SELECT ?term ?type ?p ?o WHERE {
  ?term a ?type .
  FILTER(isIRI(?term) && STRSTARTS(STR(?term), ?ns))
  FILTER(?type IN (owl:Class, owl:ObjectProperty, owl:DatatypeProperty, owl:AnnotationProperty))
  OPTIONAL {
    ?term ?p ?o .
    FILTER(?p IN (rdfs:label, rdfs:comment, rdfs:domain, rdfs:range, rdfs:subClassOf, rdfs:subPropertyOf))
  }
}"""

HOME_COUNTS = PREFIXES + """SELECT ?cases ?countries ?technologies ?pollutants WHERE {
  { SELECT (COUNT(DISTINCT ?c) AS ?cases) WHERE { ?c a srkg:CaseStudy } }
  { SELECT (COUNT(DISTINCT ?k) AS ?countries) WHERE { ?c a srkg:CaseStudy ; srkg:site/srkg:country ?k } }
  { SELECT (COUNT(DISTINCT ?t) AS ?technologies) WHERE { ?t a srkg:Technology } }
  { SELECT (COUNT(DISTINCT ?x) AS ?pollutants) WHERE { ?x a srkg:Pollutant } }
}"""

MAX_BLANK_DEPTH = 8
Triple = tuple[Node, URIRef, Node]


class Facts:
    """Triples indexed by subject and predicate (insertion order kept, duplicates dropped)."""

    def __init__(self, triples: Iterable[Triple] = ()) -> None:
        self._index: dict[Node, dict[URIRef, list[Node]]] = {}
        self._seen: set[Triple] = set()
        self.add(triples)

    def add(self, triples: Iterable[Triple]) -> None:
        for triple in triples:
            if triple not in self._seen:
                self._seen.add(triple)
                s, p, o = triple
                self._index.setdefault(s, {}).setdefault(p, []).append(o)

    def __iter__(self) -> Iterator[Triple]:
        for s, by_p in self._index.items():
            for p, objects in by_p.items():
                for o in objects:
                    yield s, p, o

    def __len__(self) -> int:
        return len(self._seen)

    def __contains__(self, subject: object) -> bool:
        return subject in self._index

    def properties(self, subject: Node) -> dict[URIRef, list[Node]]:
        return self._index.get(subject, {})

    def values(self, subject: Node, predicate: URIRef) -> list[Node]:
        return self._index.get(subject, {}).get(predicate, [])

    def one(self, subject: Node, predicate: URIRef) -> Node | None:
        found = self.values(subject, predicate)
        return found[0] if found else None

    def literals(self, subject: Node, predicate: URIRef) -> list[Literal]:
        return [o for o in self.values(subject, predicate) if isinstance(o, Literal)]

    def resources(self, subject: Node, predicate: URIRef) -> list[Node]:
        return [o for o in self.values(subject, predicate) if not isinstance(o, Literal)]


def _triples(rows: list[dict[str, Node]]) -> Iterator[Triple]:
    for row in rows:
        s, p, o = row.get("s"), row.get("p"), row.get("o")
        if s is not None and isinstance(p, URIRef) and o is not None:
            yield s, p, o


def _blank_query(depth: int) -> str:
    """Triples of the blank nodes ``depth`` blank hops below the closure (RDF lists walked in one hop)."""
    names = [f"?x{i}" for i in range(depth)] + ["?s"]
    hops = "\n".join(
        f"  {names[i]} ?q{i} ?h{i} . FILTER(isBlank(?h{i})) ?h{i} rdf:rest* {names[i + 1]} ."
        for i in range(depth)
    )
    return PREFIXES + f"""SELECT ?root ?s ?p ?o WHERE {{
  ?root ({OWNED_PATH})* ?x0 .
{hops}
  ?s ?p ?o .
}}"""


def describe(store: Store, iri: URIRef) -> Facts:
    """The resource's description with what it owns; empty when the store says nothing about ``iri``."""
    facts = Facts(_triples(store.select(DESCRIBE, {"root": iri})))
    depth = 0
    while depth < MAX_BLANK_DEPTH and any(isinstance(o, BNode) and o not in facts for _, _, o in facts):
        depth += 1
        before = len(facts)
        facts.add(_triples(store.select(_blank_query(depth), {"root": iri})))
        if len(facts) == before:
            break
    return facts


def exists(store: Store, iri: URIRef) -> bool:
    return bool(store.select(EXISTS, {"iri": iri}))


def ontology_of_version(store: Store, iri: URIRef) -> URIRef | None:
    """The ontology whose ``owl:versionIRI`` is ``iri`` (a version IRI is served as its ontology)."""
    rows = store.select(ONTOLOGY_OF_VERSION, {"version": iri})
    found = rows[0].get("ontology") if rows else None
    return found if isinstance(found, URIRef) else None


def graph_size(store: Store, iri: URIRef) -> int:
    """Triples in the named graph ``iri`` (0 when there is no such graph)."""
    rows = store.select(GRAPH_SIZE, {"g": iri})
    value = rows[0].get("n") if rows else None
    return int(value) if isinstance(value, Literal) else 0


def graph_submissions(store: Store, iri: URIRef) -> list[URIRef]:
    return [r["submission"] for r in store.select(GRAPH_SUBMISSIONS, {"g": iri}) if isinstance(r.get("submission"),
                                                                                               URIRef)]


@dataclass
class CaseContext:
    """What a case page shows beyond the case's own records: submission, submitter, country codes, graphs."""

    facts: Facts
    graphs: list[URIRef] = field(default_factory=list)


def case_context(store: Store, case: URIRef) -> CaseContext:
    rows = store.select(CASE_CONTEXT, {"root": case})
    graphs = sorted({r["graph"] for r in rows if isinstance(r.get("graph"), URIRef)}, key=str)
    return CaseContext(Facts(_triples(rows)), graphs)  # type: ignore[arg-type]


@dataclass
class CaseRow:
    """A case in a listing: its titles (every language), its country and, for technologies, the concept used."""

    iri: URIRef
    titles: list[Literal] = field(default_factory=list)
    country: URIRef | None = None
    used: set[URIRef] = field(default_factory=set)
    site: URIRef | None = None
    site_labels: list[Literal] = field(default_factory=list)
    wkt: str | None = None


def _case_rows(rows: list[dict[str, Node]]) -> list[CaseRow]:
    cases: dict[URIRef, CaseRow] = {}
    for row in rows:
        iri = row.get("case")
        if not isinstance(iri, URIRef):
            continue
        case = cases.setdefault(iri, CaseRow(iri))
        title, country, used = row.get("title"), row.get("country"), row.get("used")
        if isinstance(title, Literal) and title not in case.titles:
            case.titles.append(title)
        if isinstance(country, URIRef):
            case.country = case.country or country
        if isinstance(used, URIRef):
            case.used.add(used)
        site, site_label, wkt = row.get("site"), row.get("siteLabel"), row.get("wkt")
        if isinstance(site, URIRef):
            case.site = site
        if isinstance(site_label, Literal) and site_label not in case.site_labels:
            case.site_labels.append(site_label)
        if isinstance(wkt, Literal):
            case.wkt = case.wkt or str(wkt)
    return list(cases.values())


@dataclass(frozen=True)
class CaseList:
    """Up to ``CASE_LIST_LIMIT`` cases of a concept page; ``more``: the concept has more cases than listed."""

    cases: list[CaseRow]
    more: bool
    total: int | None = None  # how many there are, when known cheaply (countries: the summaries' running totals)


def _case_list(store: Store, ids_query: str, columns_query: str, root: URIRef) -> CaseList:
    found = [row["case"] for row in store.select(ids_query, {"root": root}) if isinstance(row.get("case"), URIRef)]
    listed = found[:CASE_LIST_LIMIT]
    if not listed:
        return CaseList([], False)
    # The IRIs come from the store's own answer (already valid IRIs), so writing them into the query is safe.
    values = "VALUES ?case { " + " ".join(iri.n3() for iri in listed) + " }"
    rows = store.select(insert_in_where(columns_query, values), {"root": root})  # ?root unused by some: harmless
    return CaseList(_case_rows(rows), len(found) > CASE_LIST_LIMIT)


def technology_cases(store: Store, technology: URIRef) -> CaseList:
    """Cases with a treatment step that used the technology or a narrower one (which ones, per case)."""
    return _case_list(store, TECHNOLOGY_CASE_IDS, TECHNOLOGY_CASES, technology)


@dataclass(frozen=True)
class OutcomeNumbers:
    outcome: URIRef
    metric: URIRef
    pollutant: URIRef
    before: Literal | None
    after: Literal | None
    qualified: bool  # a '<', '>' or '~' on a value: the numbers are not exact
    reduction_percent: Literal | None


def technology_outcomes(store: Store, technology: URIRef) -> list[OutcomeNumbers]:
    """Outcomes of cases that used the technology (or a narrower one), unless the outcome names other steps."""
    seen: dict[tuple[URIRef, URIRef, URIRef], OutcomeNumbers] = {}
    for row in store.select(TECHNOLOGY_OUTCOMES, {"root": technology}):
        outcome, metric, pollutant = row.get("outcome"), row.get("metric"), row.get("pollutant")
        if not (isinstance(outcome, URIRef) and isinstance(metric, URIRef) and isinstance(pollutant, URIRef)):
            continue
        before, after, pct = row.get("before"), row.get("after"), row.get("pct")
        seen.setdefault((outcome, metric, pollutant), OutcomeNumbers(
            outcome, metric, pollutant,
            before if isinstance(before, Literal) else None,
            after if isinstance(after, Literal) else None,
            "beforeQ" in row or "afterQ" in row,
            pct if isinstance(pct, Literal) else None,
        ))
    return list(seen.values())


def pollutant_cases(store: Store, pollutant: URIRef) -> CaseList:
    """Cases that name the pollutant or a narrower one, or measured an outcome for it."""
    return _case_list(store, POLLUTANT_CASE_IDS, CASE_COLUMNS, pollutant)


def country_cases(store: Store, country: URIRef) -> CaseList:
    """Cases whose site is in the country, with the site's point when it has one; when there are more than the
    page lists, their number from the summaries (the coverage page counts the same way)."""
    listed = _case_list(store, COUNTRY_CASE_IDS, COUNTRY_CASE_COLUMNS, country)
    if not listed.more:
        return listed
    return replace(listed, total=dict(case_counts(store, "country")).get(str(country)))


@dataclass(frozen=True)
class Member:
    iri: URIRef
    top: bool


def scheme_members(store: Store, scheme: URIRef) -> list[Member]:
    members: dict[URIRef, bool] = {}
    for row in store.select(SCHEME_MEMBERS, {"root": scheme}):
        member, top = row.get("member"), row.get("top")
        if isinstance(member, URIRef):
            members[member] = members.get(member, False) or (isinstance(top, Literal) and top.toPython() is True)
    return [Member(iri, top) for iri, top in members.items()]


def incoming(store: Store, iri: URIRef) -> list[tuple[Node, URIRef]]:
    """Up to ``INCOMING_LIMIT + 1`` (subject, predicate) pairs pointing at ``iri`` (one more says 'there are more')."""
    return [(r["s"], r["p"]) for r in store.select(INCOMING, {"root": iri})
            if "s" in r and isinstance(r.get("p"), URIRef)]


@dataclass
class OntologyTerm:
    iri: URIRef
    types: set[URIRef] = field(default_factory=set)
    facts: dict[URIRef, list[Node]] = field(default_factory=dict)


def ontology_terms(store: Store, namespace: str) -> list[OntologyTerm]:
    terms: dict[URIRef, OntologyTerm] = {}
    for row in store.select(ONTOLOGY_TERMS, {"ns": Literal(namespace)}):
        iri, kind = row.get("term"), row.get("type")
        if not isinstance(iri, URIRef):
            continue
        term = terms.setdefault(iri, OntologyTerm(iri))
        if isinstance(kind, URIRef):
            term.types.add(kind)
        p, o = row.get("p"), row.get("o")
        if isinstance(p, URIRef) and o is not None and o not in term.facts.setdefault(p, []):
            term.facts[p].append(o)
    return list(terms.values())


def home_counts(store: Store) -> dict[str, int]:
    rows = store.select(HOME_COUNTS)
    row = rows[0] if rows else {}
    return {name: int(value) if isinstance(value, Literal) else 0
            for name in ("cases", "countries", "technologies", "pollutants") for value in [row.get(name)]}
