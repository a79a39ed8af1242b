"""Licences and attributions of the dataset's parts (ontology/external/README.md, economics/README.md)."""

from __future__ import annotations

from dataclasses import dataclass

CC_BY_4 = "https://creativecommons.org/licenses/by/4.0/"
AGROVOC_HOME = "http://aims.fao.org/aos/agrovoc"
AGROVOC_ENDPOINT = "https://agrovoc.fao.org/sparql"
AGROVOC_NS = "http://aims.fao.org/aos/agrovoc/"
FAO = "https://www.fao.org/"


@dataclass(frozen=True)
class Attribution:
    """Who holds the rights to a part of the dataset, under which licence, and how to credit it."""

    licence: str
    rights: str
    holder: str | None = None


DATA = Attribution(CC_BY_4, "SRKG, the Soil Remediation Knowledge Graph, licensed CC BY 4.0")
AGROVOC = Attribution(
    CC_BY_4, "AGROVOC Multilingual Thesaurus, © FAO, http://aims.fao.org/aos/agrovoc , licensed CC BY 4.0", FAO
)
COUNTRIES = Attribution(
    CC_BY_4,
    "Country codes and names from the OCHA countries & territories taxonomy (hdx-python-country, MIT) and "
    "FAO Geopolitical Ontology codes; compiled by SRKG, licensed CC BY 4.0",
)

# Tables the analysis uses to normalise costs; not part of the RDF, credited as sources of derived numbers.
ECONOMIC_SOURCES: tuple[tuple[str, str], ...] = (
    ("https://www.ecb.europa.eu/stats/eurofxref/eurofxref-hist.zip",
     "Source: European Central Bank (ECB), euro foreign exchange reference rates (reuse with attribution)"),
    ("https://www.bls.gov/cpi/",
     "Source: U.S. Bureau of Labor Statistics, Consumer Price Index for All Urban Consumers (CPI-U), annual "
     "averages (public domain)"),
)


def attribution_for(graph: str, base: str) -> Attribution:
    """The attribution of one named graph (by its IRI under ``{base}graph/``)."""
    name = graph.removeprefix(base + "graph/")
    if name == "agrovoc":
        return AGROVOC
    if name == "countries":
        return COUNTRIES
    return DATA
