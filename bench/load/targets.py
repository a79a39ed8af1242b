"""What the load test asks for: real case, country, technology and pollutant pages and download names, read
from the server under test once at the start, so that the mix follows whatever data the server holds.

Plain ``urllib`` (no locust import): the runner and the tests can use it too.
"""

from __future__ import annotations

import json
import urllib.parse
import urllib.request
from dataclasses import dataclass

BASE = "https://w3id.org/srkg/"
PREFIXES = """PREFIX srkg: <https://w3id.org/srkg/ontology#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""
# One concept IRI per row, for the concepts that published cases use (pages with real content).
CONCEPT_QUERIES = {
    "country": "SELECT DISTINCT ?x WHERE { ?c a srkg:CaseStudy ; srkg:site/srkg:country ?x }",
    "technology": "SELECT DISTINCT ?x WHERE { ?c a srkg:CaseStudy ; srkg:technologyApplication/srkg:technology ?x }",
    "pollutant": "SELECT DISTINCT ?x WHERE { ?c a srkg:CaseStudy ; srkg:pollutant ?x }",
    "case": "SELECT ?x WHERE { ?x a srkg:CaseStudy }",
}
SEARCH_WORDS = ["lead", "cadmium", "phytoextraction", "biochar", "mine", "arsenic", "hydrocarbons", "Boden",
                "suelo", "zinc", "oil", "wash"]
SCRATCH_GRAPH = BASE + "graph/load-test-scratch"


class DiscoveryError(RuntimeError):
    """The server did not give what the load test needs; the message names the request."""


@dataclass(frozen=True)
class Targets:
    """Local paths and keys for the mix (each list non-empty, except downloads before any ``srkg export``)."""

    cases: list[str]  # /id/case/<key>
    countries: list[str]  # /vocab/country/<key>
    technologies: list[str]
    pollutants: list[str]
    downloads: list[str]  # names under /downloads/
    graphs: list[str]  # named graph IRIs (GSP GET)


def _get(host: str, path: str, accept: str, timeout: float = 60) -> bytes:
    request = urllib.request.Request(host.rstrip("/") + path, headers={"Accept": accept})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.read()
    except OSError as e:  # URLError and HTTPError are OSErrors
        raise DiscoveryError(f"GET {path}: {e}") from e


def select_column(host: str, query: str) -> list[str]:
    """The first column of a SELECT, as strings, sorted (deterministic choice order)."""
    path = "/sparql?" + urllib.parse.urlencode({"query": PREFIXES + query})
    body = json.loads(_get(host, path, "application/sparql-results+json"))
    name = body["head"]["vars"][0]
    return sorted(row[name]["value"] for row in body["results"]["bindings"] if name in row)


def local(iri: str) -> str:
    """``https://w3id.org/srkg/vocab/country/CHE`` → ``/vocab/country/CHE`` (the server's own path)."""
    if not iri.startswith(BASE):
        raise DiscoveryError(f"{iri} is not under {BASE}")
    return "/" + iri[len(BASE):]


def download_names(host: str) -> list[str]:
    """Files of the latest export (empty if the server has none yet)."""
    try:
        manifest = json.loads(_get(host, "/downloads/manifest.json", "application/json"))
    except DiscoveryError as e:
        if "404" in str(e):
            return []
        raise
    return sorted(item["name"] for item in manifest["files"])


def discover(host: str) -> Targets:
    found = {kind: [local(iri) for iri in select_column(host, q)] for kind, q in CONCEPT_QUERIES.items()}
    empty = [kind for kind, paths in found.items() if not paths]
    if empty:
        raise DiscoveryError(f"the server at {host} has no {', '.join(empty)} to load-test with")
    graphs = select_column(host, "SELECT DISTINCT ?x WHERE { GRAPH ?x { ?s ?p ?o } }")
    return Targets(cases=found["case"], countries=found["country"], technologies=found["technology"],
                   pollutants=found["pollutant"], downloads=download_names(host),
                   graphs=[g for g in graphs if g != SCRATCH_GRAPH])
