"""The query shapes of issue #6. SPARQL shapes run on every backend; page/JSON shapes only on SRKG servers.

Each shape turns a run number into a request, so successive runs do not repeat a text: SRKG's result cache
would otherwise answer every run after the first (measured apart, as the "repeated identical query" shape).
The variation is real where it can be (another case, page, pollutant or search word) plus, for SPARQL, a
constant ``?run`` column, which changes the text and not the work.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

import pyoxigraph as ox

BASE = "https://w3id.org/srkg/"
PREFIXES = """PREFIX srkg: <https://w3id.org/srkg/ontology#>
PREFIX dct: <http://purl.org/dc/terms/>
"""
SPARQL_JSON = "application/sparql-results+json"
NONCE = 10_000_000  # (NONCE + run AS ?run): a constant column changes the text, not the work
SEARCH_WORDS = ["cadmium", "lead", "phytoextraction", "biochar", "mine", "arsenic", "hydrocarbons", "zinc",
                "soil washing", "landfarming", "suelo", "smelter"]
FACET_FILTERS = [{"region": "150", "nature_based": "yes"}, {"scale": "field"}, {"region": "142"},
                 {"nature_based": "no", "scale": "pilot"}, {"region": "019", "scale": "full"}]
PAGE = 20
STATISTICS_FACETS = ["country", "technology", "pollutant", "scale", "nature_based", "site_type", "medium", "cases"]
SPARQL, WEB, CACHED = "sparql", "web", "cached"


@dataclass(frozen=True)
class Targets:
    """What the shapes ask for, read from the loaded data: synthetic case IRIs and pollutants used by cases."""

    cases: list[str]
    pollutants: list[str]  # keys under vocab/pollutant/
    case_count: int


@dataclass(frozen=True)
class Shape:
    name: str
    kind: str  # SPARQL (all backends), WEB (SRKG only, a path), CACHED (SRKG /sparql, identical text)
    make: Callable[[int], str]  # run number → SPARQL text or request path
    accept: str = SPARQL_JSON


def discover(store: ox.Store, sample: int = 2000) -> Targets:
    """Case IRIs (every k-th, up to ``sample``) and the pollutants cases name, from the in-process copy."""
    case_class = f"<{BASE}ontology#CaseStudy>"
    count = next(iter(store.query(f"SELECT (COUNT(?c) AS ?n) WHERE {{ ?c a {case_class} }}",
                                  use_default_graph_as_union=True)))["n"].value
    step = max(1, int(count) // sample)
    cases = [row["c"].value for i, row in enumerate(store.query(
        f"SELECT ?c WHERE {{ ?c a {case_class} FILTER(CONTAINS(STR(?c), '/id/case/syn')) }}",
        use_default_graph_as_union=True)) if i % step == 0][:sample]
    pollutants = sorted({row["p"].value.rsplit("/", 1)[1] for row in store.query(
        f"SELECT DISTINCT ?p WHERE {{ ?c <{BASE}ontology#pollutant> ?p }} LIMIT 40",
        use_default_graph_as_union=True)})
    if not cases or not pollutants:
        raise RuntimeError("the loaded store holds no synthetic cases (did the load run?)")
    return Targets(cases, pollutants, int(count))


def _tagged(query: str) -> Callable[[int], str]:
    """``SELECT [DISTINCT]`` + a constant ``?run`` column (Virtuoso refuses a sorted ``LIMIT`` over 10,000)."""
    head, rest = query.split(" ", 1)
    distinct, rest = ("DISTINCT ", rest[len("DISTINCT "):]) if rest.startswith("DISTINCT ") else ("", rest)
    return lambda i: f"{PREFIXES}{head} {distinct}({NONCE + i} AS ?run) {rest}"


GROUP_BY_COUNTRY = """SELECT ?country (COUNT(?case) AS ?cases) WHERE {
  ?case a srkg:CaseStudy ; srkg:site/srkg:country ?country } GROUP BY ?country ORDER BY DESC(?cases)"""


def _comparison(pollutants: list[str], i: int) -> dict[str, str]:
    """Another pollutant each run, and once they are all used, another economic weight: every run is a request
    the comparison's answer cache has not seen (it keeps answers until the next write)."""
    economic = 1 + (i // len(pollutants)) / 1000
    return {"pollutant": pollutants[i % len(pollutants)], "weights": f"economic={economic:g}"}


def shapes(targets: Targets) -> list[Shape]:
    """The ≥ 10 shapes: the four reference SPARQL shapes, facet counts and paging in SPARQL; case page,
    coverage, comparison, search and search facets through SRKG's own endpoints; and one repeated query."""
    cases, pollutants = targets.cases, targets.pollutants
    pages = max(1, min(targets.case_count, 5000) // PAGE)
    return [
        Shape("lookup by IRI", SPARQL,
              lambda i: f"SELECT ({NONCE + i} AS ?run) ?p ?o WHERE {{ <{cases[i % len(cases)]}> ?p ?o }}"),
        Shape("group-by country count", SPARQL, _tagged(GROUP_BY_COUNTRY)),
        Shape("filtered join (nature-based, cadmium, >50 %)", SPARQL, _tagged(
            """SELECT DISTINCT ?case ?r WHERE { ?case a srkg:CaseStudy ;
  srkg:natureBasedCategory <https://w3id.org/srkg/vocab/nbs-category/yes> ; srkg:outcome ?o .
  ?o srkg:pollutant <https://w3id.org/srkg/vocab/pollutant/cadmium> ; srkg:reductionPercent ?r FILTER(?r > 50) }""")),
        Shape("technology stats (AVG over outcomes)", SPARQL, _tagged(
            """SELECT ?technology (AVG(?r) AS ?mean) (COUNT(?o) AS ?outcomes) WHERE {
  ?case srkg:technologyApplication/srkg:technology ?technology ; srkg:outcome ?o .
  ?o srkg:reductionPercent ?r } GROUP BY ?technology ORDER BY DESC(?outcomes)""")),
        Shape("facet counts (technologies for lead)", SPARQL, _tagged(
            """SELECT ?technology (COUNT(DISTINCT ?case) AS ?cases) WHERE {
  ?case a srkg:CaseStudy ; srkg:pollutant <https://w3id.org/srkg/vocab/pollutant/lead> ;
  srkg:technologyApplication/srkg:technology ?technology } GROUP BY ?technology ORDER BY DESC(?cases)""")),
        Shape("paging (ORDER BY, 20 per page)", SPARQL,
              lambda i: f"{PREFIXES}SELECT ?case ?title ({NONCE + i} AS ?run) WHERE {{ ?case a srkg:CaseStudy ; "
                        f"dct:title ?title FILTER(LANG(?title) = 'en') }} ORDER BY ?case "
                        f"LIMIT {PAGE} OFFSET {(i * 7 % pages) * PAGE}"),
        Shape("case page (.html)", WEB,
              lambda i: "/id/case/" + cases[i % len(cases)].removeprefix(BASE + "id/case/") + ".html", "text/html"),
        Shape("coverage (/coverage.json)", WEB, lambda i: "/coverage.json", "application/json"),
        Shape("comparison (/compare.json)", WEB, lambda i: "/compare.json?" + urlencode(_comparison(pollutants, i)),
              "application/json"),
        Shape("comparison, repeated (answer kept until a write)", WEB,
              lambda i: "/compare.json?" + urlencode({"pollutant": pollutants[0]}), "application/json"),
        Shape("statistics per facet (/statistics/cases.json)", WEB,
              lambda i: "/statistics/cases.json?" + urlencode({"facet": STATISTICS_FACETS[i % len(STATISTICS_FACETS)]}),
              "application/json"),
        Shape("statistics per pollutant (/statistics/outcomes.json)", WEB,
              lambda i: "/statistics/outcomes.json?" + urlencode({"pollutant": pollutants[i % len(pollutants)]}),
              "application/json"),
        Shape("search (/search.json?q=)", WEB,
              lambda i: "/search.json?" + urlencode({"q": SEARCH_WORDS[i % len(SEARCH_WORDS)]}), "application/json"),
        Shape("search facets (/search.json filters)", WEB,
              lambda i: "/search.json?" + urlencode(FACET_FILTERS[i % len(FACET_FILTERS)]), "application/json"),
        Shape("repeated identical query (cache hit)", CACHED, lambda i: PREFIXES + GROUP_BY_COUNTRY),
    ]
