"""The definitions page (/definitions): every cited definition of sustainable remediation beside the criteria of
the framework that issued it, checked against SPARQL sent to the shared ``site`` server (real data, read only)."""

from __future__ import annotations

from html.parser import HTMLParser

import httpx
import pytest
from server.live_server import LiveServer

VOCAB = "https://w3id.org/srkg/vocab/"
PREFIXES = """PREFIX srkg: <https://w3id.org/srkg/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
"""


def sparql(site: LiveServer, query: str) -> list[dict[str, str]]:
    reply = httpx.get(f"{site.url}/sparql", params={"query": PREFIXES + query},
                      headers={"Accept": "application/sparql-results+json"}, timeout=60)
    assert reply.status_code == 200, reply.text
    return [{k: v["value"] for k, v in b.items()} for b in reply.json()["results"]["bindings"]]


@pytest.fixture(scope="module")
def page(site: LiveServer) -> dict:
    reply = httpx.get(f"{site.url}/definitions", params={"format": "json"}, timeout=60)
    assert reply.status_code == 200 and reply.headers["content-type"] == "application/json"
    return reply.json()


def test_every_cited_definition_is_shown_with_its_sources_and_framework(site: LiveServer, page: dict) -> None:
    rows = sparql(site, """SELECT ?d ?source ?framework WHERE { ?d a srkg:SustainableRemediationDefinition ;
        dcterms:source ?source . OPTIONAL { ?d srkg:definedByFramework ?framework } }""")
    sources: dict[str, set[str]] = {}
    frameworks: dict[str, str | None] = {}
    for row in rows:
        sources.setdefault(row["d"], set()).add(row["source"])
        frameworks[row["d"]] = row.get("framework")
    shown = {d["iri"]: d for d in page["definitions"]}
    assert set(shown) == set(sources) and len(shown) == 12
    for iri, definition in shown.items():
        assert set(definition["sources"]) == sources[iri]
        assert (definition["framework"] or {}).get("iri") == frameworks[iri]
        assert definition["text"] and definition["creator"]
        assert any("paraphrase" in note for note in definition["notes"])
    years = [d["issued"] for d in page["definitions"] if d["issued"]]
    assert years == sorted(years)  # oldest first, undated last


def test_each_framework_shows_its_criteria_by_pillar(site: LiveServer, page: dict) -> None:
    by_framework = {d["framework"]["iri"]: d["framework"] for d in page["definitions"] if d["framework"]}
    surf = by_framework[VOCAB + "framework/surf-uk"]
    assert [g["pillars"] for g in surf["pillar_groups"]] == [["Environmental"], ["Social"], ["Economic"]]
    assert [[c["notation"] for c in g["criteria"]] for g in surf["pillar_groups"]] == [
        [f"ENV{n}" for n in range(1, 6)], [f"SOC{n}" for n in range(1, 6)], [f"ECON{n}" for n in range(1, 6)]]
    epa = by_framework[VOCAB + "framework/us-epa-greener-cleanups"]
    (group,) = epa["pillar_groups"]
    core = {c["notation"]: c for c in group["criteria"]}
    assert set(core) == {"energy", "air-atmosphere", "water", "materials-waste", "land-ecosystems"}
    metrics = sparql(site, """SELECT ?m WHERE { ?m a srkg:Criterion ;
        skos:broader <https://w3id.org/srkg/vocab/criterion/energy> }""")
    assert {c["iri"] for c in core["energy"]["narrower"]} == {r["m"] for r in metrics} != set()
    assert core["land-ecosystems"]["narrower"] == []
    iso = by_framework[VOCAB + "framework/iso-18504"]
    assert iso["pillar_groups"] == [] and "no list of criteria" in iso["scoring"]
    counts = sparql(site, """SELECT ?f (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c a srkg:Criterion ; srkg:inFramework ?f }
        GROUP BY ?f""")
    every = by_framework | {f["iri"]: f for f in page["other_frameworks"]}
    assert {f: every[f]["criteria_count"] for f in (r["f"] for r in counts)} == {r["f"]: int(r["n"]) for r in counts}
    ncp = next(f for f in page["other_frameworks"] if f["iri"] == VOCAB + "framework/us-ncp")
    assert ncp["criteria_count"] == 9  # the NCP nine criteria


class Page(HTMLParser):
    def __init__(self, html: str) -> None:
        super().__init__()
        self.rows: list[str] = []
        self.loaded: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "section" and a.get("data-definition"):
            self.rows.append(a["data-definition"] or "")
        if tag in ("script", "img", "iframe") and a.get("src"):
            self.loaded.append(a["src"] or "")
        if tag == "link" and "stylesheet" in (a.get("rel") or ""):
            self.loaded.append(a.get("href") or "")


def test_the_page_sets_each_definition_beside_its_framework(site: LiveServer, page: dict) -> None:
    reply = httpx.get(f"{site.url}/definitions", timeout=60)
    assert reply.status_code == 200 and reply.headers["content-type"].startswith("text/html")
    assert "default-src 'self'" in reply.headers["content-security-policy"]
    scan = Page(reply.text)
    assert scan.rows == [d["iri"] for d in page["definitions"]]
    assert scan.loaded and all(u.startswith("/") and not u.startswith("//") for u in scan.loaded)
    assert "style=" not in reply.text
    assert reply.text.count('class="framework"') == (sum(1 for d in page["definitions"] if d["framework"])
                                                     + len(page["other_frameworks"]))
    assert httpx.get(f"{site.url}/static/definitions.css", timeout=30).status_code == 200


def test_labels_in_the_readers_language_with_english_fallback(site: LiveServer) -> None:
    reply = httpx.get(f"{site.url}/definitions", params={"lang": "es"}, timeout=60)
    assert reply.status_code == 200 and reply.headers["content-language"] == "es"
    assert "Definiciones de remediación sostenible" in reply.text  # interface words in Spanish
    assert "Sustainable remediation (ISO 18504:2017)" in reply.text  # the vocabulary has English labels only
    assert httpx.get(f"{site.url}/definitions", params={"format": "xml"}, timeout=60).status_code == 400
