"""/statistics/cases.json and /statistics/outcomes.json (totals from the graph summaries) on live servers.

On the shared real-data server the numbers are checked against independent aggregates sent to /sparql; on a small
server of our own, writes through the Graph Store Protocol and SPARQL Update must show in the very next answer,
and the summary graphs must refuse clients' writes.
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Iterator
from urllib.parse import urlencode

import pytest
from server.live_server import REPO, LiveServer, make_resources, start_server

from sparql_api.summaries.naming import summary_graph

PREFIXES = "PREFIX srkg: <https://w3id.org/srkg/ontology#>\n"
VOCAB = "https://w3id.org/srkg/vocab/"


def get_json(site: LiveServer, path: str, **params: str) -> dict:
    reply = site.request("GET", path + ("?" + urlencode(params) if params else ""))
    assert reply.status == 200, reply.text
    return json.loads(reply.body)


def sparql_rows(site: LiveServer, sparql: str) -> list[dict[str, str]]:
    reply = site.query(sparql, accept="application/sparql-results+json")
    assert reply.status == 200, reply.text
    return [{k: v["value"] for k, v in b.items()} for b in json.loads(reply.body)["results"]["bindings"]]


def test_case_counts_equal_an_independent_count(site: LiveServer) -> None:
    served = get_json(site, "/statistics/cases.json", facet="technology")
    live = sparql_rows(site, PREFIXES + """SELECT ?t (COUNT(DISTINCT ?case) AS ?n) WHERE {
        ?case a srkg:CaseStudy ; srkg:technologyApplication/srkg:technology ?t } GROUP BY ?t""")
    assert {v["iri"]: v["cases"] for v in served["values"]} == {r["t"]: int(r["n"]) for r in live}
    assert served["total_cases"] == 264
    counts = [v["cases"] for v in served["values"]]
    assert counts == sorted(counts, reverse=True)
    phyto = next(v for v in served["values"] if v["iri"] == VOCAB + "technology/phytoextraction")
    assert phyto["label"] == "phytoextraction" and phyto["page"] == "/vocab/technology/phytoextraction"
    # the query the answer shows runs on /sparql and gives the same numbers
    text = served["query"].replace("?facet", "<https://w3id.org/srkg/ontology#technology>")
    assert {r["value"]: int(r["cases"]) for r in sparql_rows(site, text)} == {
        v["iri"]: v["cases"] for v in served["values"]}


def test_outcome_statistics_for_a_pollutant(site: LiveServer) -> None:
    served = get_json(site, "/statistics/outcomes.json", pollutant="cadmium")
    assert served["filters"] == {"pollutant": VOCAB + "pollutant/cadmium"}
    assert served["rows"] and {row["pollutant"]["iri"] for row in served["rows"]} == {VOCAB + "pollutant/cadmium"}
    live = sparql_rows(site, PREFIXES + f"""SELECT ?t ?m (COUNT(?r) AS ?n) (MIN(?r) AS ?low) (MAX(?r) AS ?high)
        WHERE {{ {{ SELECT DISTINCT ?outcome ?t ?m ?r WHERE {{
          ?case a srkg:CaseStudy ; srkg:outcome ?outcome ; srkg:technologyApplication/srkg:technology ?t .
          ?outcome srkg:pollutant <{VOCAB}pollutant/cadmium> ; srkg:metric ?m ; srkg:reductionPercent ?r .
          FILTER NOT EXISTS {{ ?outcome srkg:technologyStep ?s }} }} }} }} GROUP BY ?t ?m""")
    by_key: dict[tuple[str, str], list[dict]] = {}
    for row in served["rows"]:
        by_key.setdefault((row["technology"]["iri"], row["metric"]["iri"]), []).append(row)
    for r in live:  # outcomes that name no step: credited to every technology of the case, across units
        rows = by_key[(r["t"], r["m"])]
        assert sum(row["reductions"] for row in rows) >= int(r["n"])
        assert min(row["reduction_min"] for row in rows if row["reductions"]) <= float(r["low"])
        assert max(row["reduction_max"] for row in rows if row["reductions"]) >= float(r["high"])
    for row in served["rows"]:
        if row["reductions"]:
            assert row["reduction_min"] <= row["reduction_mean"] <= row["reduction_max"]
        else:
            assert row["reduction_mean"] is None


@pytest.mark.parametrize(("path", "params", "phrase"), [
    ("/statistics/cases.json", {"facet": "colour"}, "not one of"),
    ("/statistics/outcomes.json", {"pollutant": "kryptonite-xyz"}, "not a pollutant"),
    ("/statistics/outcomes.json", {"pollutant": "metals and metalloids"}, "pollutant class"),
    ("/statistics/outcomes.json", {"technology": "'} ; DROP ALL"}, "technology"),
])
def test_bad_parameters_are_named(site: LiveServer, path: str, params: dict[str, str], phrase: str) -> None:
    reply = site.request("GET", path + "?" + urlencode(params))
    assert reply.status == 400 and phrase in reply.text


@pytest.fixture(scope="module")
def small_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    root = make_resources(tmp_path_factory.mktemp("statistics-resources"))
    shutil.copy(REPO / "ontology" / "external" / "countries.ttl", root / "ontology" / "external")
    live = start_server(tmp_path_factory.mktemp("statistics-site"), resources=root, wait_s=120)
    yield live
    live.stop()


GRAPH = "https://w3id.org/srkg/graph/submission/statistics-test"
CASE = """@prefix srkg: <https://w3id.org/srkg/ontology#> .
<https://w3id.org/srkg/id/case/stat-{n}> a srkg:CaseStudy ; srkg:site <https://w3id.org/srkg/id/site/stat-{n}> .
<https://w3id.org/srkg/id/site/stat-{n}> srkg:country <https://w3id.org/srkg/vocab/country/{iso3}> .
"""


def countries(site: LiveServer) -> dict[str, int]:
    served = get_json(site, "/statistics/cases.json", facet="country")
    return {v["iri"].rsplit("/", 1)[1]: v["cases"] for v in served["values"]}


def test_writes_show_in_the_next_answer(small_site: LiveServer) -> None:
    site = small_site
    before = countries(site)
    headers = site.auth() | {"Content-Type": "text/turtle"}
    assert before.get("URY") is None
    put = site.request("PUT", "/rdf-graph-store?" + urlencode({"graph": GRAPH}),
                       CASE.format(n=1, iso3="URY") + CASE.format(n=2, iso3="URY"), headers)
    assert put.status in (200, 201, 204), put.text
    assert countries(site) == before | {"URY": 2}
    post = site.request("POST", "/rdf-graph-store?" + urlencode({"graph": GRAPH}), CASE.format(n=3, iso3="MNG"),
                        headers)
    assert post.status in (200, 204), post.text
    assert countries(site) == before | {"URY": 2, "MNG": 1}
    assert site.update(f"DROP GRAPH <{GRAPH}>").status == 204
    assert countries(site) == before
    assert get_json(site, "/coverage.json")["un_members"]["covered"] == len(
        [iso for iso in before if iso not in ("XKX",)])  # coverage reads the same summaries


def test_summary_graphs_refuse_clients_writes(small_site: LiveServer) -> None:
    site = small_site
    target = summary_graph("https://w3id.org/srkg/graph/examples")
    assert site.request("GET", "/rdf-graph-store?" + urlencode({"graph": target})).status == 200
    headers = site.auth() | {"Content-Type": "application/n-triples"}
    for method in ("PUT", "POST", "DELETE"):
        reply = site.request(method, "/rdf-graph-store?" + urlencode({"graph": target}),
                             "<urn:a> <urn:b> <urn:c> .\n" if method != "DELETE" else None, headers)
        assert reply.status == 403 and "summary graph" in reply.text, (method, reply.status, reply.text)
    reply = site.update(f"INSERT DATA {{ GRAPH <{target}> {{ <urn:a> <urn:b> <urn:c> }} }}")
    assert reply.status == 403 and "summary graph" in reply.text
    assert b"urn:a" not in site.request("GET", "/rdf-graph-store?" + urlencode({"graph": target})).body


def test_computed_at_is_when_the_numbers_were_computed(small_site: LiveServer) -> None:
    first = get_json(small_site, "/statistics/cases.json", facet="scale")
    time.sleep(1.1)
    again = get_json(small_site, "/statistics/cases.json", facet="scale")
    assert again["computed_at"] == first["computed_at"]  # kept: the data did not change
    assert small_site.update(f"DROP SILENT GRAPH <{GRAPH}-none>").status == 204  # a write drops the kept numbers
    assert get_json(small_site, "/statistics/cases.json", facet="scale")["computed_at"] > first["computed_at"]
