"""Kept comparison answers follow writes by pollutant (issue #6): a write drops only the answers whose pollutants
its graphs' case studies had before or have after it (a vocabulary write, or one whose earlier content is not
known, drops all); the answers dropped are computed again in the background; an answer is never stale."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Hashable
from pathlib import Path
from urllib.parse import urlencode

import pytest
from server.live_server import LiveServer
from waiting import wait_for

from sparql_api.store.oxigraph_store import OxigraphStore
from sparql_api.summaries.contribution import Contribution
from sparql_api.summaries.store import ContributionChanges, SummarisingStore
from sparql_api.web import compare_answers
from sparql_api.web.compare_answers import Answer, AnswerCache, pollutants_of, touched

BASE = "https://w3id.org/srkg/"
POL = BASE + "vocab/pollutant/"
CADMIUM, LEAD = POL + "cadmium", POL + "lead"
PREFIXES = """PREFIX srkg: <https://w3id.org/srkg/ontology#>
PREFIX dcterms: <http://purl.org/dc/terms/>
"""


def case_ttl(name: str, pollutant: str, reduction: int = 60) -> str:
    case, site_iri, step, outcome = (f"<{BASE}id/{kind}/{name}>" for kind in ("case", "site", "step", "outcome"))
    return f"""{case} a srkg:CaseStudy ; dcterms:title "Selective {name}"@en ; srkg:pollutant <{pollutant}> ;
      srkg:site {site_iri} ; srkg:technologyApplication {step} ; srkg:outcome {outcome} .
    {site_iri} a srkg:Site ; srkg:country <{BASE}vocab/country/FRA> .
    {step} a srkg:TechnologyApplication ; srkg:technology <{BASE}vocab/technology/phytoextraction> .
    {outcome} a srkg:Outcome ; srkg:pollutant <{pollutant}> ;
      srkg:metric <{BASE}vocab/outcome-metric/total-concentration> ; srkg:reductionPercent {reduction} ."""


# --- what the summaries tell about each write --------------------------------------------------------------------
def test_the_summaries_tell_each_graphs_pollutants_before_and_after_a_write(tmp_path: Path) -> None:
    store = SummarisingStore(OxigraphStore(tmp_path / "store", query_workers=1))
    seen: list[ContributionChanges | None] = []
    store.watch_contributions(seen.append)
    graph = "urn:x-test:selective"

    def pollutants(changes: ContributionChanges | None) -> tuple[set[str], set[str]]:
        assert changes is not None and set(changes) == {graph}
        before, after = changes[graph]
        assert before is not None
        return pollutants_of(before), pollutants_of(after)

    store.replace_graph(graph, (PREFIXES + case_ttl("w1", CADMIUM)).encode(), "text/turtle")
    assert pollutants(seen[-1]) == (set(), {CADMIUM})
    store.update(PREFIXES + f"""DELETE {{ GRAPH <{graph}> {{ ?x srkg:pollutant <{CADMIUM}> }} }}
                               INSERT {{ GRAPH <{graph}> {{ ?x srkg:pollutant <{LEAD}> }} }}
                               WHERE {{ GRAPH <{graph}> {{ ?x srkg:pollutant <{CADMIUM}> }} }}""")
    assert pollutants(seen[-1]) == ({CADMIUM}, {LEAD})
    store.drop_graph(graph)
    assert pollutants(seen[-1]) == ({LEAD}, set())
    told = len(seen)
    store.update("CLEAR ALL")  # graphs not named: any answer may have changed
    assert None in seen[told:]
    store.close()


def test_touched_is_none_for_writes_to_graphs_without_case_studies() -> None:
    empty = Contribution((), {})
    cadmium = Contribution(({"facet": compare_answers.POLLUTANT, "value": CADMIUM, "cases": 1},), {})
    lead_outcome = Contribution((), {("tech", LEAD, "metric", None): None})  # type: ignore[dict-item]
    assert touched({"g": (empty, cadmium)}) == {CADMIUM}
    assert touched({"g": (cadmium, lead_outcome), "h": (empty, cadmium)}) == {CADMIUM, LEAD}
    assert touched({"g": (cadmium, cadmium), "vocab": (empty, empty)}) is None  # labels, hierarchies
    assert touched({"g": (None, cadmium)}) is None  # what the graph held before is not known
    assert touched(None) is None


# --- the cache on its own ----------------------------------------------------------------------------------------
class Computations:
    def __init__(self) -> None:
        self.version = 0
        self.calls: list[Hashable] = []

    def __call__(self, key: Hashable) -> Answer:
        self.calls.append(key)
        pollutant = str(key)
        return Answer(f"{pollutant} v{self.version}".encode(), frozenset({pollutant}))


def test_a_write_drops_the_answers_of_its_pollutants_and_they_are_computed_again(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(compare_answers, "REFRESH_DELAY_S", 0.05)
    compute = Computations()
    cache = AnswerCache(compute)
    assert cache.answer(CADMIUM).body == cache.answer(CADMIUM).body == f"{CADMIUM} v0".encode()
    cache.answer(LEAD)
    assert (cache.hits, cache.misses) == (1, 2)
    compute.version = 1
    lead_case = Contribution(({"facet": compare_answers.POLLUTANT, "value": LEAD, "cases": 1},), {})
    cache.changed({"g": (Contribution((), {}), lead_case)})  # a lead case published
    assert cache.answer(CADMIUM).body == f"{CADMIUM} v0".encode()  # kept
    assert wait_for(lambda: cache.recomputed == 1)  # lead, computed again in the background
    calls = len(compute.calls)
    assert cache.answer(LEAD).body == f"{LEAD} v1".encode() and len(compute.calls) == calls  # ready
    compute.version = 2
    cache.changed(None)  # a write of unknown graphs: everything goes
    assert cache.answer(CADMIUM).body == f"{CADMIUM} v2".encode()  # never the old answer
    assert wait_for(lambda: cache.recomputed == 3)


def test_an_answer_computed_across_a_write_is_not_kept() -> None:
    started, release = threading.Event(), threading.Event()
    cadmium_case = Contribution(({"facet": compare_answers.POLLUTANT, "value": CADMIUM, "cases": 1},), {})

    def slow(key: Hashable) -> Answer:
        started.set()
        assert release.wait(10)
        return Answer(b"old", frozenset({CADMIUM}))

    cache = AnswerCache(slow)
    reader = threading.Thread(target=cache.answer, args=(CADMIUM,))
    reader.start()
    assert started.wait(10)
    cache.changed({"g": (Contribution((), {}), cadmium_case)})  # the write lands while it is computed
    release.set()
    reader.join(10)
    assert len(cache) == 0


# --- through HTTP on the real data ------------------------------------------------------------------------------
GRAPH = "urn:x-test:compare-selective"


def compare(site: LiveServer, pollutant: str) -> dict:
    reply = site.request("GET", "/compare.json?" + urlencode({"pollutant": pollutant, "lang": "ru"}))
    assert reply.status == 200, reply.text
    return json.loads(reply.body)


def hits(site: LiveServer) -> int:
    text = site.request("GET", "/metrics").text
    found = re.search(r'^srkg_data_cache_hits_total{cache="compare.answers"} (\d+)$', text, re.MULTILINE)
    return int(found.group(1)) if found else 0


def case_count(data: dict) -> int:
    return sum(t["cases"]["n"] for t in data["technologies"])


def test_publishing_a_lead_case_keeps_the_cadmium_answers_and_the_lead_answer_is_never_stale(
        site: LiveServer) -> None:
    cadmium, lead = compare(site, "Cd"), compare(site, "Pb")  # lang=ru: requests no other test makes
    before = hits(site)
    reply = site.update(PREFIXES + f"INSERT DATA {{ GRAPH <{GRAPH}> {{ {case_ttl('selective-pb', LEAD)} }} }}")
    assert reply.status in (200, 204), reply.text
    try:
        assert compare(site, "Cd") == cadmium and hits(site) == before + 1  # kept: the write was about lead
        assert case_count(compare(site, "Pb")) == case_count(lead) + 1  # dropped, computed again with the case
    finally:
        assert site.update(f"DROP SILENT GRAPH <{GRAPH}>").status in (200, 204)
    assert case_count(compare(site, "Pb")) == case_count(lead)
