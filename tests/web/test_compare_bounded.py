"""The comparison at scale (issue #6): every per-case list is cut at ``case_limit`` (default 20) while counts and
medians keep every case, and identical requests are answered from memory until the next write, never after it.

Runs on the shared ``site`` server (the project's real data) with MANY test cases for cadmium under phytoextraction
added in a graph of their own, removed at the end."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import pytest
from server.live_server import LiveServer

BASE = "https://w3id.org/srkg/"
GRAPH = "urn:x-test:compare-bounded"
TECHNOLOGY = BASE + "vocab/technology/phytoextraction"
PREFIXES = """PREFIX srkg: <https://w3id.org/srkg/ontology#>
PREFIX dcterms: <http://purl.org/dc/terms/>
"""
MANY = 30
DEFAULT_LIMIT = 20


def case_triples(name: str, reduction: int) -> str:
    case, site_iri, step, outcome = (f"<{BASE}id/{kind}/{name}>" for kind in ("case", "site", "step", "outcome"))
    return f"""{case} a srkg:CaseStudy ; dcterms:title "Bounded comparison {name}"@en ;
      srkg:pollutant <{BASE}vocab/pollutant/cadmium> ; srkg:site {site_iri} ; srkg:technologyApplication {step} ;
      srkg:durationMonths {12 + reduction % 7} ; srkg:outcome {outcome} .
    {site_iri} a srkg:Site ; srkg:country <{BASE}vocab/country/FRA> .
    {step} a srkg:TechnologyApplication ; srkg:technology <{TECHNOLOGY}> .
    {outcome} a srkg:Outcome ; srkg:pollutant <{BASE}vocab/pollutant/cadmium> ;
      srkg:metric <{BASE}vocab/outcome-metric/total-concentration> ; srkg:reductionPercent {reduction} ."""


@pytest.fixture(scope="module")
def many(site: LiveServer) -> Iterator[LiveServer]:
    triples = " ".join(case_triples(f"bounded-{i:03d}", 20 + i) for i in range(MANY))
    reply = site.update(PREFIXES + f"INSERT DATA {{ GRAPH <{GRAPH}> {{ {triples} }} }}")
    assert reply.status in (200, 204), reply.text
    yield site
    reply = site.update(f"DROP SILENT GRAPH <{GRAPH}>")
    assert reply.status in (200, 204), reply.text


def compare(site: LiveServer, **params: str) -> dict[str, Any]:
    reply = site.request("GET", "/compare.json?" + urlencode({"pollutant": "Cd", **params}))
    assert reply.status == 200, reply.text
    return json.loads(reply.body)


def technology(data: dict[str, Any]) -> dict[str, Any]:
    return next(t for t in data["technologies"] if t["technology"] == TECHNOLOGY)


def check_cut(full: Any, cut: Any, limit: int, where: str = "") -> int:
    """``cut`` is ``full`` with every list that ``cut`` marks ``<name>_not_listed`` shortened to its first
    ``limit`` entries and that mark giving how many were left; every other value equal. Returns the cut lists."""
    if isinstance(full, list):
        assert isinstance(cut, list) and len(cut) == len(full), where
        return sum(check_cut(f, c, limit, f"{where}[{i}]") for i, (f, c) in enumerate(zip(full, cut, strict=True)))
    if not isinstance(full, dict):
        assert cut == full, where
        return 0
    marks = {key for key in cut if key.endswith("_not_listed")}
    assert set(cut) - marks == set(full), where
    found = 0
    for key, value in full.items():
        mark = f"{key}_not_listed"
        if mark in cut:
            assert len(value) > limit and cut[mark] == len(value) - limit, f"{where}.{key}"
            found += 1 + check_cut(value[:limit], cut[key], limit, f"{where}.{key}")
        else:
            assert not (isinstance(value, list) and isinstance(cut[key], list) and len(cut[key]) > len(value)), where
            found += check_cut(value, cut[key], limit, f"{where}.{key}")
    return found


def test_lists_are_cut_at_the_limit_and_every_number_still_counts_every_case(many: LiveServer) -> None:
    full, bounded = compare(many, case_limit="all"), compare(many)
    assert (full["case_limit"], bounded["case_limit"]) == (None, DEFAULT_LIMIT)
    full["case_limit"] = DEFAULT_LIMIT
    assert check_cut(full, bounded, DEFAULT_LIMIT) >= 4  # cases, reduction values, durations, metric cases
    tech = technology(bounded)
    n = tech["cases"]["n"]
    assert n >= MANY and len(technology(full)["cases"]["items"]) == n
    assert len(tech["cases"]["items"]) == DEFAULT_LIMIT and tech["cases"]["items_not_listed"] == n - DEFAULT_LIMIT
    reductions = tech["outcomes"][0]["reduction_percent"]
    assert reductions["n"] >= MANY and len(reductions["values"]) == DEFAULT_LIMIT
    assert reductions["values_not_listed"] == reductions["n"] - DEFAULT_LIMIT
    three = compare(many, case_limit="3")
    assert technology(three)["cases"]["items"] == tech["cases"]["items"][:3]
    assert technology(three)["cases"]["items_not_listed"] == n - 3


def test_the_page_says_how_many_are_not_listed_and_links_to_every_case(many: LiveServer) -> None:
    n = technology(compare(many))["cases"]["n"]
    page = many.request("GET", "/compare?pollutant=Cd&lang=en", headers={"Accept": "text/html"})
    assert page.status == 200
    assert f'data-not-listed="{n - DEFAULT_LIMIT}"' in page.text
    links = set(re.findall(r'<p class="more"[^>]*>[^<]*<a href="([^"]+)"', page.text))
    assert links == {"/compare?pollutant=Cd&amp;lang=en&amp;case_limit=all"}
    every = many.request("GET", "/compare?pollutant=Cd&lang=en&case_limit=all")
    assert every.status == 200 and 'class="more"' not in every.text
    assert all(f"/id/case/bounded-{i:03d}?" in every.text for i in range(MANY))
    assert sum(f"/id/case/bounded-{i:03d}?" in page.text for i in range(MANY)) < MANY


@pytest.mark.parametrize("bad", ["0", "-1", "x", "1.5", "２"])
def test_a_bad_case_limit_is_a_400_naming_it(site: LiveServer, bad: str) -> None:
    reply = site.request("GET", "/compare.json?" + urlencode({"pollutant": "Cd", "case_limit": bad}))
    assert reply.status == 400 and "case_limit" in reply.text
    page = site.request("GET", "/compare?" + urlencode({"pollutant": "Cd", "case_limit": bad}),
                        headers={"Accept": "text/html"})
    assert page.status == 400 and "text/html" in page.headers["content-type"]  # the form, with the message on it
    assert "case_limit" in page.text and "<form" in page.text and 'value="Cd"' in page.text


def cache_count(site: LiveServer, kind: str) -> int:
    text = site.request("GET", "/metrics").text
    found = re.search(rf'^srkg_data_cache_{kind}_total{{cache="compare.answers"}} (\d+)$', text, re.MULTILINE)
    return int(found.group(1)) if found else 0


def test_an_identical_request_is_answered_from_memory_and_never_after_a_write(many: LiveServer) -> None:
    params = {"medium": "soil", "lang": "es"}  # a request no other test makes
    hits, misses = cache_count(many, "hits"), cache_count(many, "misses")
    first = compare(many, **params)
    assert (cache_count(many, "hits"), cache_count(many, "misses")) == (hits, misses + 1)
    assert compare(many, **params) == first
    assert (cache_count(many, "hits"), cache_count(many, "misses")) == (hits + 1, misses + 1)
    n = technology(first)["cases"]["n"]
    added = case_triples("bounded-late", 99)
    assert many.update(PREFIXES + f"INSERT DATA {{ GRAPH <{GRAPH}> {{ {added} }} }}").status in (200, 204)
    after = compare(many, **params)
    assert technology(after)["cases"]["n"] == n + 1  # the write dropped the kept answer
    assert cache_count(many, "misses") >= misses + 2  # this request's, or the background's computing it again
    assert many.update(f"DELETE WHERE {{ GRAPH <{GRAPH}> {{ <{BASE}id/case/bounded-late> ?p ?o }} }}").status in (
        200, 204)
    assert technology(compare(many, **params))["cases"]["n"] == n
