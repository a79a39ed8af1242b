"""Example queries shown on the query page: the built-in domain examples, then ``examples/queries/*.rq``.

A ``.rq`` file's title is its first comment line (``# Title``), else its file name.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

from ingest import paths

PREFIXES = """PREFIX srkg: <https://w3id.org/srkg/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
"""


@dataclass(frozen=True)
class Example:
    title: str
    query: str


BUILT_IN = [
    Example(
        "Nature-based technologies applied to cadmium, by country",
        PREFIXES
        + """
SELECT ?country ?technology (COUNT(DISTINCT ?case) AS ?cases)
WHERE {
  ?case a srkg:CaseStudy ;
        srkg:pollutant <https://w3id.org/srkg/vocab/pollutant/cadmium> ;
        srkg:site/srkg:country ?countryConcept ;
        srkg:technologyApplication/srkg:technology ?tech .
  ?tech srkg:isNatureBased true ;
        skos:prefLabel ?technology .
  ?countryConcept skos:prefLabel ?country .
  FILTER (lang(?technology) = "en" && lang(?country) = "en")
}
GROUP BY ?country ?technology
ORDER BY ?country ?technology""",
    ),
    Example(
        "Countries per UN M49 region",
        PREFIXES
        + """
SELECT ?region (COUNT(?country) AS ?countries) (SUM(IF(?member, 1, 0)) AS ?unMembers)
WHERE {
  ?country a srkg:Country ;
           srkg:m49Region ?regionConcept .
  OPTIONAL { ?country srkg:isUNMember ?memberFlag }
  BIND (COALESCE(?memberFlag, false) AS ?member)
  ?regionConcept skos:prefLabel ?region .
  FILTER (lang(?region) = "en")
}
GROUP BY ?region
ORDER BY DESC(?countries)""",
    ),
    Example(
        "Technologies applicable to PAHs (nature-based first)",
        PREFIXES
        + """
SELECT ?technology ?label ?natureBased
WHERE {
  ?technology srkg:applicablePollutantClass <https://w3id.org/srkg/vocab/pollutant-class/pahs> ;
              skos:prefLabel ?label .
  OPTIONAL { ?technology srkg:isNatureBased ?natureBased }
  FILTER (lang(?label) = "en")
}
ORDER BY DESC(?natureBased) ?label""",
    ),
    Example(
        "AGROVOC concepts with their Arabic labels",
        PREFIXES
        + """
SELECT ?concept ?english ?arabic
WHERE {
  ?concept skos:prefLabel ?english , ?arabic .
  FILTER (STRSTARTS(STR(?concept), "http://aims.fao.org/aos/agrovoc/"))
  FILTER (lang(?english) = "en" && lang(?arabic) = "ar")
}
ORDER BY ?english
LIMIT 100""",
    ),
    Example(
        "Case studies: title, country, technologies (as a table)",
        PREFIXES
        + """
SELECT ?case ?title ?country (GROUP_CONCAT(DISTINCT ?technology; separator=", ") AS ?technologies)
WHERE {
  ?case a srkg:CaseStudy ;
        dcterms:title ?title .
  OPTIONAL { ?case srkg:site/srkg:country/skos:prefLabel ?country FILTER (lang(?country) = "en") }
  OPTIONAL { ?case srkg:technologyApplication/srkg:technology/skos:prefLabel ?technology
             FILTER (lang(?technology) = "en") }
}
GROUP BY ?case ?title ?country
ORDER BY ?title""",
    ),
    Example(
        "One case study as RDF (CONSTRUCT)",
        PREFIXES
        + """
CONSTRUCT { ?case ?p ?o . ?site ?sp ?so }
WHERE {
  { SELECT ?case WHERE { ?case a srkg:CaseStudy } ORDER BY ?case LIMIT 1 }
  ?case ?p ?o .
  OPTIONAL { ?case srkg:site ?site . ?site ?sp ?so }
}""",
    ),
    Example(
        "Technology statistics for lead from the graph summaries (fast at any size)",
        PREFIXES
        + """
# The server keeps a summary graph beside every graph with case studies (docs/summaries.md):
# W3C Data Cube observations per technology, pollutant, outcome metric and unit. Add them up over all graphs.
SELECT ?technology ?metric (SUM(?cases) AS ?caseCount) (SUM(?n) AS ?reductions)
       (SUM(COALESCE(?sum, 0)) / SUM(?n) AS ?meanReduction)
WHERE {
  ?observation srkg:summaryPollutant <https://w3id.org/srkg/vocab/pollutant/lead> ;
               srkg:summaryTechnology ?technology ;
               srkg:summaryMetric ?metric ;
               srkg:caseCount ?cases ;
               srkg:reductionCount ?n .
  OPTIONAL { ?observation srkg:reductionSum ?sum }
}
GROUP BY ?technology ?metric
HAVING (SUM(?n) > 0)
ORDER BY DESC(?caseCount)""",
    ),
    Example(
        "Named graphs and their sizes",
        """SELECT ?graph (COUNT(*) AS ?triples)
WHERE { GRAPH ?graph { ?s ?p ?o } }
GROUP BY ?graph
ORDER BY DESC(?triples)""",
    ),
]


def _title(path: Path, text: str) -> str:
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("#") and stripped.lstrip("#").strip():
            return stripped.lstrip("#").strip()
        if stripped:
            break
    return path.stem.replace("-", " ")


def project_examples() -> list[Example]:
    """The competency-question queries kept in examples/queries (empty when there are none yet)."""
    try:
        folder = paths.examples_dir() / "queries"
    except FileNotFoundError:
        return []
    found = []
    for path in sorted(folder.glob("*.rq")):
        text = path.read_text("utf-8")
        found.append(Example(_title(path, text), text))
    return found


def all_examples() -> list[dict[str, str]]:
    return [asdict(example) for example in BUILT_IN + project_examples()]
