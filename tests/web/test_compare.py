"""The technology comparison on the live ``site`` server (the project's real data, field trials included):
/compare.json and /compare, checked against independent SPARQL sent to /sparql, and ``srkg compare`` run against
the same server through the remote-store backend."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
from collections import defaultdict
from decimal import Decimal
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlencode

from server.live_server import REPO, LiveServer

PREFIXES = """PREFIX srkg: <https://w3id.org/srkg/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX pol:  <https://w3id.org/srkg/vocab/pollutant/>
"""


def compare_json(site: LiveServer, **params: str) -> dict[str, Any]:
    reply = site.request("GET", "/compare.json?" + urlencode(params))
    assert reply.status == 200, reply.text
    assert reply.media_type == "application/json"
    return json.loads(reply.body)


def select(site: LiveServer, query: str) -> list[dict[str, str]]:
    reply = site.query(PREFIXES + query, accept="application/sparql-results+json")
    assert reply.status == 200, reply.text
    return [{k: v["value"] for k, v in b.items()} for b in json.loads(reply.body)["results"]["bindings"]]


def test_field_trials_are_loaded_in_their_own_graph(site: LiveServer) -> None:
    rows = select(site, "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { GRAPH <https://w3id.org/srkg/graph/submission/"
                        "field-trials> { ?c a srkg:CaseStudy } }")
    assert int(rows[0]["n"]) > 40
    page = site.request("GET", "/id/case/trial-pol-liming-cd-contaminated-soil-microfield-experiment-skierniewi.html")
    assert page.status == 200 and "Liming" in page.text


def test_every_case_and_item_link_of_the_cadmium_comparison_resolves(site: LiveServer) -> None:
    data = compare_json(site, pollutant="Cd")
    assert data["query"]["pollutant"]["iri"] == "https://w3id.org/srkg/vocab/pollutant/cadmium"
    assert len(data["technologies"]) >= 5
    pages: set[str] = set()
    for tech in data["technologies"]:
        pages |= {c["page"] for c in tech["cases"]["items"]}
        for result in tech["outcomes"]:
            pages |= {i["page"] for v in result["reduction_percent"]["values"] for i in v["items"]}
            pages |= {s["page"] for s in result["kept_as_stated"]}
        pages.add(tech["page"])
    assert all(p.startswith(("/id/", "/vocab/")) for p in pages)
    failing = [p for p in sorted(pages) if final_status(site, p) >= 400]
    assert failing == []


def final_status(site: LiveServer, path: str) -> int:
    """The status of ``path`` for a browser, following one 303 (a resource → its page)."""
    reply = site.request("GET", path, headers={"Accept": "text/html"})
    if reply.status == 303:
        reply = site.request("GET", reply.headers["location"], headers={"Accept": "text/html"})
    return reply.status


def test_the_queries_shown_run_at_the_endpoint(site: LiveServer) -> None:
    data = compare_json(site, pollutant="Pb", medium="soil")
    cases = {c["case"] for t in data["technologies"] for c in t["cases"]["items"]}
    for query in data["queries"]:
        reply = site.request("GET", query["link"])
        assert reply.status == 200, (query["name"], reply.text)
        rows = json.loads(reply.body)["results"]["bindings"]
        if query["name"] == "evidence-cases":
            assert {r["case"]["value"] for r in rows} == cases


def test_case_counts_agree_with_an_independent_query(site: LiveServer) -> None:
    data = compare_json(site, pollutant="cadmium")
    rows = select(site, """
        SELECT ?technology (COUNT(DISTINCT ?case) AS ?n) WHERE {
          ?case a srkg:CaseStudy ; srkg:pollutant ?p ; srkg:technologyApplication ?step .
          ?p skos:broader* pol:cadmium .
          ?step srkg:technology ?technology .
        } GROUP BY ?technology""")
    assert {t["technology"]: t["cases"]["n"] for t in data["technologies"]} == {r["technology"]: int(r["n"])
                                                                                for r in rows}
    assert data["cases"] == len({c["case"] for t in data["technologies"] for c in t["cases"]["items"]})


def _independent_reductions(site: LiveServer) -> dict[tuple[str, str], tuple[float, int]]:
    """(technology, metric) → (median over cases of each case's median reduction, n cases), computed here."""
    rows = select(site, """
        SELECT DISTINCT ?technology ?metric ?case ?outcome ?pct ?before ?after ?bq ?aq WHERE {
          ?case a srkg:CaseStudy ; srkg:technologyApplication/srkg:technology ?technology ; srkg:outcome ?outcome .
          ?outcome srkg:pollutant/skos:broader* pol:cadmium ; srkg:metric ?metric .
          OPTIONAL { ?outcome srkg:reductionPercent ?pct }
          OPTIONAL { ?outcome srkg:valueBefore ?before } OPTIONAL { ?outcome srkg:valueAfter ?after }
          OPTIONAL { ?outcome srkg:valueBeforeQualifier ?bq } OPTIONAL { ?outcome srkg:valueAfterQualifier ?aq }
        }""")
    per_case: dict[tuple[str, str], dict[str, list[Decimal]]] = defaultdict(lambda: defaultdict(list))
    for r in rows:
        if "pct" in r:
            value = Decimal(r["pct"])
        elif "before" in r and "after" in r and "bq" not in r and "aq" not in r and Decimal(r["before"]) > 0:
            value = 100 * (Decimal(r["before"]) - Decimal(r["after"])) / Decimal(r["before"])
        else:
            continue
        per_case[(r["technology"], r["metric"])][r["case"]].append(value)
    return {key: (round(float(statistics.median(statistics.median(v) for v in cases.values())), 2), len(cases))
            for key, cases in per_case.items()}


def test_reductions_agree_with_an_independent_computation(site: LiveServer) -> None:
    data = compare_json(site, pollutant="Cd")
    reported = {(t["technology"], m["metric"]): (m["reduction_percent"]["median"], m["reduction_percent"]["n"])
                for t in data["technologies"] for m in data_metrics(t) if m["reduction_percent"]["n"]}
    expected = _independent_reductions(site)
    assert reported == expected and reported
    # Thin numbers are labelled: every median from fewer than 3 cases says so.
    for tech in data["technologies"]:
        for m in tech["outcomes"]:
            assert m["reduction_percent"]["thin"] == (m["reduction_percent"]["n"] < 3)
        assert tech["cases"]["strength"] == ("thin" if tech["cases"]["n"] < 3 else tech["cases"]["strength"])


def data_metrics(tech: dict[str, Any]) -> list[dict[str, Any]]:
    return list(tech["outcomes"])


def test_ranking_follows_the_stated_rule(site: LiveServer) -> None:
    data = compare_json(site, pollutant="TPH", medium="soil")
    order = ["lab", "pilot", "field", "full"]
    keys = [(t["cases"]["strength"] == "thin", -(order.index(t["scale"]["highest"]) if t["scale"]["highest"] else -1),
             -t["cases"]["n"]) for t in data["technologies"]]
    assert keys == sorted(keys)  # no sustainability score in the real data: thin, then scale, then cases decide
    assert [t["rank"] for t in data["technologies"]] == list(range(1, len(keys) + 1))
    assert data["query"]["medium"]["iri"] == "https://w3id.org/srkg/vocab/medium/soil"


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.rows: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.hrefs.append(a["href"] or "")
        if tag == "tr" and a.get("data-technology"):
            self.rows.append(a["data-technology"] or "")


def test_compare_page_shows_the_ranking_with_links(site: LiveServer) -> None:
    data = compare_json(site, pollutant="Cd")
    reply = site.request("GET", "/compare?pollutant=Cd&lang=en", headers={"Accept": "text/html"})
    assert reply.status == 200 and reply.media_type == "text/html"
    scan = Links()
    scan.feed(reply.text)
    assert scan.rows == [t["technology"] for t in data["technologies"]]
    case_links = {h.split("?")[0] for h in scan.hrefs if h.startswith("/id/case/")}
    assert case_links == {c["page"] for t in data["technologies"] for c in t["cases"]["items"]}
    assert any(h.startswith("/sparql?query=") for h in scan.hrefs)
    assert 'class="badge thin"' in reply.text and "European Central Bank" in reply.text
    assert reply.headers["content-security-policy"].startswith("default-src 'self'")
    assert '<link rel="stylesheet" href="/static/compare.css">' in reply.text
    assert site.request("GET", "/static/compare.css").status == 200


def test_compare_page_in_other_languages(site: LiveServer) -> None:
    french = site.request("GET", "/compare?pollutant=Pb&lang=fr")
    assert french.status == 200 and "Comparer les technologies" in french.text
    arabic = site.request("GET", "/compare?lang=ar")
    assert arabic.status == 200 and 'dir="rtl"' in arabic.text and "مقارنة التقنيات" in arabic.text


def test_weights_and_json_by_accept(site: LiveServer) -> None:
    reply = site.request("GET", "/compare?pollutant=Pb&w_environmental=2&w_economic=0.5",
                         headers={"Accept": "application/json"})
    assert reply.status == 200 and reply.media_type == "application/json"
    assert json.loads(reply.body)["weights"] == {"environmental": 2.0, "social": 1.0, "economic": 0.5}


def test_bad_input_is_a_400_naming_the_parameter(site: LiveServer) -> None:
    for query, words in (("pollutant=Xyzium", "pollutant: 'Xyzium'"), ("", "'pollutant' is required"),
                         ("pollutant=Cd&medium=lava", "medium: 'lava'"), ("pollutant=Cd&weights=green%3D1", "weights"),
                         ("pollutant=" + "x" * 201, "longer than 200")):
        reply = site.request("GET", "/compare.json?" + query)
        assert reply.status == 400 and words in reply.text, (query, reply.text)
    page = site.request("GET", "/compare?pollutant=Xyzium", headers={"Accept": "text/html"})
    assert page.status == 400 and 'id="compare-error"' in page.text and "compare-form" in page.text


def test_cli_against_the_site_gives_the_same_comparison(site: LiveServer) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SRKG_")}
    env.update({"SRKG_STORE": "sparql", "SRKG_REMOTE_QUERY_URL": f"{site.url}/sparql",
                "SRKG_DATA_DIR": str(site.data_dir.parent / "cli-data")})
    done = subprocess.run([sys.executable, "-m", "sparql_api.cli", "compare", "--pollutant", "Cd", "--format", "json"],
                          capture_output=True, text=True, env=env, cwd=REPO, timeout=180)
    assert done.returncode == 0, done.stderr
    cli = json.loads(done.stdout)
    web = compare_json(site, pollutant="Cd")

    def essentials(data: dict[str, Any]) -> list[tuple[Any, ...]]:
        return [(t["rank"], t["technology"], t["cases"]["n"], t["scale"]["highest"],
                 [(m["metric"], m["reduction_percent"]["median"], len(m["kept_as_stated"])) for m in t["outcomes"]])
                for t in data["technologies"]]

    assert essentials(cli) == essentials(web)
    assert "page" not in cli["technologies"][0]["cases"]["items"][0]  # the CLI has no server to link to
