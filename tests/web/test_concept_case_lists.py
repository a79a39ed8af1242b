"""Concept pages list a bounded number of cases (resource_data.CASE_LIST_LIMIT) and link to search for all of them.

At 100k cases a pollutant such as cadmium has ~9,400 cases: the page listed every one (3.8 s, 1.5 MB). A module
fixture publishes 105 small cases for a pollutant, a technology and a country that the project's data does not
use, through the SPARQL endpoint in a graph of its own, and drops the graph afterwards.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest
from server.live_server import LiveServer

from sparql_api.web.resource_data import CASE_LIST_LIMIT

BASE = "https://w3id.org/srkg/"
GRAPH = f"{BASE}graph/test-concept-case-lists"
MANY = CASE_LIST_LIMIT + 5
PREFIXES = """PREFIX srkg: <https://w3id.org/srkg/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
"""


def select(site: LiveServer, query: str) -> list[dict[str, str]]:
    reply = site.query(PREFIXES + query, accept="application/sparql-results+json")
    assert reply.status == 200, reply.text
    return [{k: v["value"] for k, v in row.items()} for row in json.loads(reply.body)["results"]["bindings"]]


def unused(site: LiveServer, scheme: str, link: str) -> str:
    """A concept of the scheme that no case refers to through ``link`` (a property path)."""
    rows = select(site, f"""SELECT ?c WHERE {{ ?c skos:inScheme <{BASE}vocab/{scheme}>
      FILTER NOT EXISTS {{ ?case {link} ?c }} FILTER NOT EXISTS {{ ?n skos:broader ?c }} }} ORDER BY ?c LIMIT 1""")
    assert rows, scheme
    return rows[0]["c"]


@pytest.fixture(scope="module")
def concepts(site: LiveServer) -> Iterator[dict[str, str]]:
    chosen = {
        "pollutant": unused(site, "pollutant", "srkg:pollutant|srkg:outcome/srkg:pollutant"),
        "technology": unused(site, "technology", "srkg:technologyApplication/srkg:technology"),
        "country": unused(site, "country", "srkg:site/srkg:country"),
    }
    triples = []
    for i in range(MANY):
        case, site_iri, step = (f"<{BASE}id/{kind}/test-list-{i:03d}>" for kind in ("case", "site", "step"))
        triples.append(f"""{case} a srkg:CaseStudy ; dcterms:title "List test case {i:03d}"@en ;
          srkg:pollutant <{chosen['pollutant']}> ; srkg:site {site_iri} ; srkg:technologyApplication {step} .
          {site_iri} a srkg:Site ; srkg:country <{chosen['country']}> .
          {step} a srkg:TechnologyApplication ; srkg:technology <{chosen['technology']}> .""")
    reply = site.update(PREFIXES + f"INSERT DATA {{ GRAPH <{GRAPH}> {{ {' '.join(triples)} }} }}")
    assert reply.status in (200, 204), reply.text
    yield chosen
    reply = site.update(f"DROP GRAPH <{GRAPH}>")
    assert reply.status in (200, 204), reply.text


def listed_cases(html: str) -> list[str]:
    section = html[html.index('id="cases"'):]
    return re.findall(r'<tr><td><a href="/id/case/(test-list-\d{3})', section)


@pytest.mark.parametrize("kind", ["pollutant", "technology", "country"])
def test_a_concept_with_many_cases_lists_the_limit_and_links_to_search_for_all(
        site: LiveServer, concepts: dict[str, str], kind: str) -> None:
    iri = concepts[kind]
    path = iri.removeprefix(BASE[:-1])
    reply = site.request("GET", path + ".html")
    assert reply.status == 200, reply.text
    listed = listed_cases(reply.text)
    assert len(listed) == len(set(listed)) == CASE_LIST_LIMIT
    # a country's number comes from the summaries; a pollutant's or technology's is not known without a count
    count = MANY if kind == "country" else f"{CASE_LIST_LIMIT}+"
    assert f'<span class="count">({count})</span>' in reply.text
    key = iri.rsplit("/", 1)[1]
    link = re.search(rf'<p class="more-cases">Showing {CASE_LIST_LIMIT} of them\.\s*<a href="([^"]+)">', reply.text)
    assert link and link.group(1) == f"/search?{kind}={key}"
    found = json.loads(site.request("GET", f"/search.json?{kind}={key}&page_size=1").body)
    assert found["total"] == MANY


def test_the_search_link_keeps_the_readers_language(site: LiveServer, concepts: dict[str, str]) -> None:
    path = concepts["pollutant"].removeprefix(BASE[:-1])
    page = site.request("GET", path + ".html?lang=fr").text
    key = path.rsplit("/", 1)[1]
    assert f'<a href="/search?pollutant={key}&amp;lang=fr">Toutes, avec des filtres, dans la recherche' in page


def test_a_country_with_many_cases_says_how_many(site: LiveServer, concepts: dict[str, str]) -> None:
    page = site.request("GET", concepts["country"].removeprefix(BASE[:-1]) + ".html").text
    assert f"Covered: {MANY} case studies." in page


def test_a_concept_with_few_cases_lists_them_all_without_a_search_link(site: LiveServer) -> None:
    page = site.request("GET", "/vocab/pollutant/lead.html").text
    listed = re.findall(r'<tr><td><a href="/id/case/', page[page.index('id="cases"'):])
    assert 0 < len(listed) <= CASE_LIST_LIMIT
    assert f'<span class="count">({len(listed)})</span>' in page
    assert 'class="more-cases"' not in page
