"""The CSV tables of an export: cases, outcomes and technologies, one row per thing, columns documented.

Multi-valued columns join their values with ``|`` in a stable (sorted) order; IRIs of the project's vocabularies
are given as notations (the last path segment) next to the case or outcome IRI. Numbers are plain decimals,
booleans ``true``/``false``, empty means "not stated".
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from rdflib.term import Node

from sparql_api.store.base import Store

PREFIXES = """PREFIX srkg:    <https://w3id.org/srkg/ontology#>
PREFIX skos:    <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
"""


@dataclass(frozen=True)
class Table:
    """One CSV file: its query and the meaning of each column (the query's variables, in order)."""

    name: str
    query: str
    columns: tuple[tuple[str, str], ...]  # (column, description)

    @property
    def header(self) -> list[str]:
        return [name for name, _ in self.columns]


def _notation(var: str, out: str) -> str:
    return f'(GROUP_CONCAT(DISTINCT REPLACE(STR(?{var}), "^.*/", ""); separator="|") AS ?{out})'


CASES = Table(
    "cases.csv",
    PREFIXES + f"""SELECT ?case (SAMPLE(?t) AS ?title) (SAMPLE(?iso) AS ?country)
  (SAMPLE(?st) AS ?site_type) (SAMPLE(?sc) AS ?scale) {_notation("pol", "pollutants")}
  {_notation("tech", "technologies")} (SAMPLE(?nb) AS ?nature_based) (SAMPLE(?y0) AS ?start_year)
  (SAMPLE(?y1) AS ?end_year) (SAMPLE(?lic) AS ?license) WHERE {{
  ?case a srkg:CaseStudy .
  OPTIONAL {{ ?case dcterms:title ?t0 . FILTER(LANGMATCHES(LANG(?t0), "en") || LANG(?t0) = "") }}
  OPTIONAL {{ ?case dcterms:title ?tAny }}
  BIND(COALESCE(?t0, ?tAny) AS ?t)
  OPTIONAL {{ ?case srkg:site/srkg:country ?c . OPTIONAL {{ ?c srkg:iso3Code ?iso0 }}
             BIND(COALESCE(?iso0, REPLACE(STR(?c), "^.*/", "")) AS ?iso) }}
  OPTIONAL {{ ?case srkg:site/srkg:siteType ?stIri . BIND(REPLACE(STR(?stIri), "^.*/", "") AS ?st) }}
  OPTIONAL {{ ?case srkg:scale ?scIri . BIND(REPLACE(STR(?scIri), "^.*/", "") AS ?sc) }}
  OPTIONAL {{ ?case srkg:pollutant ?pol }}
  OPTIONAL {{ ?case srkg:technologyApplication/srkg:technology ?tech }}
  OPTIONAL {{ ?case srkg:natureBasedCategory ?nbIri . BIND(REPLACE(STR(?nbIri), "^.*/", "") AS ?nb) }}
  OPTIONAL {{ ?case srkg:startYear ?y0 }}
  OPTIONAL {{ ?case srkg:endYear ?y1 }}
  OPTIONAL {{ ?case dcterms:license ?lic }}
}} GROUP BY ?case ORDER BY ?case""",
    (
        ("case", "IRI of the case study"),
        ("title", "title (English where given, else any language)"),
        ("country", "ISO 3166-1 alpha-3 code of the site's country"),
        ("site_type", "site type (notation in vocab/site-type)"),
        ("scale", "scale: lab, pilot, field or full (notation in vocab/scale)"),
        ("pollutants", "pollutants (notations in vocab/pollutant), |-separated"),
        ("technologies", "technologies applied (notations in vocab/technology), |-separated"),
        ("nature_based", "nature-based category (notation in vocab/nbs-category)"),
        ("start_year", "year the remediation started"),
        ("end_year", "year it ended"),
        ("license", "licence IRI of the case's data"),
    ),
)

OUTCOMES = Table(
    "outcomes.csv",
    PREFIXES + """SELECT ?outcome ?case ?pollutant ?metric ?value_before ?value_after ?unit ?reduction_percent
  ?target_value ?target_met ?stated_as WHERE {
  ?case a srkg:CaseStudy ; srkg:outcome ?outcome .
  OPTIONAL { ?outcome srkg:pollutant ?p . BIND(REPLACE(STR(?p), "^.*/", "") AS ?pollutant) }
  OPTIONAL { ?outcome srkg:metric ?m . BIND(REPLACE(STR(?m), "^.*/", "") AS ?metric) }
  OPTIONAL { ?outcome srkg:valueBefore ?value_before }
  OPTIONAL { ?outcome srkg:valueAfter ?value_after }
  OPTIONAL { ?outcome srkg:unit ?unit }
  OPTIONAL { ?outcome srkg:reductionPercent ?reduction_percent }
  OPTIONAL { ?outcome srkg:targetValue ?target_value }
  OPTIONAL { ?outcome srkg:targetMet ?target_met }
  OPTIONAL { ?outcome srkg:statedAs ?stated_as }
} ORDER BY ?case ?outcome""",
    (
        ("outcome", "IRI of the outcome"),
        ("case", "IRI of the case study it belongs to"),
        ("pollutant", "pollutant (notation in vocab/pollutant)"),
        ("metric", "what was measured (notation in vocab/outcome-metric)"),
        ("value_before", "value before treatment, in unit"),
        ("value_after", "value after treatment, in unit"),
        ("unit", "unit IRI (QUDT)"),
        ("reduction_percent", "reduction in per cent"),
        ("target_value", "target (clean-up) value, in unit"),
        ("target_met", "whether the target was met (true/false)"),
        ("stated_as", "the result as the source states it"),
    ),
)

TECHNOLOGIES = Table(
    "technologies.csv",
    PREFIXES + """SELECT ?technology ?notation (SAMPLE(?l) AS ?label_en) (SAMPLE(?nb) AS ?nature_based)
  (GROUP_CONCAT(DISTINCT REPLACE(STR(?pc), "^.*/", ""); separator="|") AS ?process_class)
  (GROUP_CONCAT(DISTINCT REPLACE(STR(?loc), "^.*/", ""); separator="|") AS ?treatment_location)
  (GROUP_CONCAT(DISTINCT STR(?agrovoc); separator="|") AS ?agrovoc)
  (COUNT(DISTINCT ?case) AS ?cases) WHERE {
  ?technology a srkg:Technology .
  OPTIONAL { ?technology skos:notation ?notation }
  OPTIONAL { ?technology skos:prefLabel ?l . FILTER(LANGMATCHES(LANG(?l), "en")) }
  OPTIONAL { ?technology srkg:isNatureBased ?nb }
  OPTIONAL { ?technology srkg:processClass ?pc }
  OPTIONAL { ?technology srkg:treatmentLocation ?loc }
  OPTIONAL { ?technology skos:exactMatch|skos:closeMatch ?agrovoc .
             FILTER(STRSTARTS(STR(?agrovoc), "http://aims.fao.org/aos/agrovoc/")) }
  OPTIONAL { ?case a srkg:CaseStudy ; srkg:technologyApplication/srkg:technology ?technology }
} GROUP BY ?technology ?notation ORDER BY ?technology""",
    (
        ("technology", "IRI of the technology concept"),
        ("notation", "its notation in vocab/technology"),
        ("label_en", "English label"),
        ("nature_based", "whether it is a nature-based solution (true/false)"),
        ("process_class", "process class(es) (notations), |-separated"),
        ("treatment_location", "in situ / on site / off site (notations), |-separated"),
        ("agrovoc", "matching AGROVOC concept IRIs, |-separated"),
        ("cases", "number of case studies that apply it"),
    ),
)

TABLES: tuple[Table, ...] = (CASES, OUTCOMES, TECHNOLOGIES)


def cell(node: Node | None) -> str:
    """A CSV cell: the literal's lexical form or the IRI, empty when unbound."""
    return "" if node is None else str(node)


def write_table(store: Store, table: Table, out: Path) -> int:
    """Write ``table`` to ``out``; return the number of data rows."""
    rows: Sequence[dict[str, Node]] = store.select(table.query)
    with out.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(table.header)
        for row in rows:
            writer.writerow([cell(row.get(name)) for name in table.header])
    return len(rows)
