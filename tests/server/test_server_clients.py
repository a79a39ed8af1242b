"""Real SPARQL clients against the live server: SPARQLWrapper, rdflib's SPARQL stores, curl and pandas."""

from __future__ import annotations

import io
import json
import subprocess
from urllib.parse import urlencode

import pandas as pd
import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.plugins.stores.sparqlstore import SPARQLStore, SPARQLUpdateStore
from SPARQLWrapper import GET, JSON, POST, POSTDIRECTLY, TURTLE, SPARQLWrapper

from server.live_server import REPO, LiveServer

TECH_QUERY = """PREFIX srkg: <https://w3id.org/srkg/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?tech ?label WHERE {
  ?tech srkg:applicablePollutantClass <https://w3id.org/srkg/vocab/pollutant-class/pahs> ;
        skos:prefLabel ?label .
} ORDER BY ?label"""
PAH_TECHS = {"bioremediation", "thermal desorption"}


def _labels(bindings: list[dict]) -> set[str]:
    return {b["label"]["value"] for b in bindings}


def test_sparqlwrapper_get(server: LiveServer) -> None:
    client = SPARQLWrapper(server.url + "/sparql")
    client.setMethod(GET)
    client.setQuery(TECH_QUERY)
    client.setReturnFormat(JSON)
    result = client.query().convert()
    assert _labels(result["results"]["bindings"]) == PAH_TECHS


def test_sparqlwrapper_post_form_and_direct(server: LiveServer) -> None:
    for request_method in (None, POSTDIRECTLY):
        client = SPARQLWrapper(server.url + "/sparql")
        client.setMethod(POST)
        if request_method:
            client.setRequestMethod(request_method)
        client.setQuery(TECH_QUERY)
        client.setReturnFormat(JSON)
        assert _labels(client.query().convert()["results"]["bindings"]) == PAH_TECHS


def test_sparqlwrapper_construct_as_turtle(server: LiveServer) -> None:
    client = SPARQLWrapper(server.url + "/sparql")
    client.setQuery(
        "CONSTRUCT { ?s <http://www.w3.org/2004/02/skos/core#prefLabel> ?l } "
        "WHERE { ?s <http://www.w3.org/2004/02/skos/core#prefLabel> ?l FILTER(?l = 'cadmium'@en) }"
    )
    client.setReturnFormat(TURTLE)
    graph = Graph().parse(data=client.query().convert(), format="turtle")
    assert (URIRef("https://w3id.org/srkg/vocab/pollutant/cadmium"), None, Literal("cadmium", lang="en")) in graph


def test_sparqlwrapper_update_with_bearer_token(server: LiveServer) -> None:
    client = SPARQLWrapper(server.url + "/sparql", updateEndpoint=server.url + "/sparql")
    client.addCustomHttpHeader("Authorization", f"Bearer {server.token}")
    client.setMethod(POST)
    client.setQuery(
        "INSERT DATA { GRAPH <http://test.example/wrapper> { <http://test.example/a> <http://test.example/p> 1 } }"
    )
    client.query()
    reply = server.query("ASK { GRAPH <http://test.example/wrapper> { <http://test.example/a> ?p 1 } }")
    assert json.loads(reply.body)["boolean"] is True
    assert server.update("DROP GRAPH <http://test.example/wrapper>").status == 204


def test_rdflib_sparqlstore_query(server: LiveServer) -> None:
    graph = Graph(store=SPARQLStore(server.url + "/sparql"))
    rows = list(graph.query(TECH_QUERY))
    assert {str(row.label) for row in rows} == PAH_TECHS


def test_rdflib_update_store_with_token_header(server: LiveServer) -> None:
    store = SPARQLUpdateStore(
        query_endpoint=server.url + "/sparql",
        update_endpoint=server.url + "/sparql",
        headers={"Authorization": f"Bearer {server.token}"},
    )
    store.update(
        "INSERT DATA { GRAPH <http://test.example/rdflib> { <http://test.example/s> <http://test.example/p> 'x' } }"
    )
    rows = list(store.query("SELECT ?o WHERE { GRAPH <http://test.example/rdflib> { ?s ?p ?o } }"))
    assert [str(row[0]) for row in rows] == ["x"]
    store.update("DROP GRAPH <http://test.example/rdflib>")


def test_rdflib_update_store_with_basic_auth_carrying_the_token(server: LiveServer) -> None:
    store = SPARQLUpdateStore(
        query_endpoint=server.url + "/sparql", update_endpoint=server.url + "/sparql", auth=("curator", server.token)
    )
    store.update(
        "INSERT DATA { GRAPH <http://test.example/basic> { <http://test.example/s> <http://test.example/p> 2 } }"
    )
    assert json.loads(server.query("ASK { GRAPH <http://test.example/basic> { ?s ?p 2 } }").body)["boolean"]
    store.update("DROP GRAPH <http://test.example/basic>")


def test_curl_get_post_form_and_direct(server: LiveServer) -> None:
    endpoint = server.url + "/sparql"
    get = subprocess.run(
        ["curl", "-sS", "-G", endpoint, "--data-urlencode", f"query={TECH_QUERY}", "-H", "Accept: text/csv"],
        capture_output=True,
        check=True,
        timeout=30,
    )
    frame = pd.read_csv(io.BytesIO(get.stdout))
    assert set(frame["label"]) == PAH_TECHS
    form = subprocess.run(
        [
            "curl",
            "-sS",
            endpoint,
            "--data-urlencode",
            f"query={TECH_QUERY}",
            "-H",
            "Accept: text/tab-separated-values",
            "-w",
            "\\n%{content_type}",
        ],
        capture_output=True,
        check=True,
        timeout=30,
        text=True,
    )
    body, content_type = form.stdout.rsplit("\n", 1)
    assert content_type == "text/tab-separated-values; charset=utf-8"
    assert body.splitlines()[0] == "?tech\t?label"
    direct = subprocess.run(
        [
            "curl",
            "-sS",
            "-X",
            "POST",
            endpoint,
            "-H",
            "Content-Type: application/sparql-query",
            "--data-binary",
            "ASK { ?s ?p ?o }",
        ],
        capture_output=True,
        check=True,
        timeout=30,
    )
    assert json.loads(direct.stdout) == {"head": {}, "boolean": True}


def test_curl_update_needs_token(server: LiveServer) -> None:
    endpoint = server.url + "/sparql"
    update = "INSERT DATA { GRAPH <http://test.example/curl> { <http://test.example/s> <http://test.example/p> 3 } }"
    refused = subprocess.run(
        [
            "curl",
            "-sS",
            "-o",
            "/dev/null",
            "-w",
            "%{http_code}",
            "-X",
            "POST",
            endpoint,
            "-H",
            "Content-Type: application/sparql-update",
            "--data-binary",
            update,
        ],
        capture_output=True,
        check=True,
        timeout=30,
        text=True,
    )
    assert refused.stdout == "401"
    accepted = subprocess.run(
        [
            "curl",
            "-sS",
            "-o",
            "/dev/null",
            "-w",
            "%{http_code}",
            "-X",
            "POST",
            endpoint,
            "-H",
            "Content-Type: application/sparql-update",
            "-H",
            f"Authorization: Bearer {server.token}",
            "--data-binary",
            update,
        ],
        capture_output=True,
        check=True,
        timeout=30,
        text=True,
    )
    assert accepted.stdout == "204"
    assert server.update("DROP GRAPH <http://test.example/curl>").status == 204


def test_pandas_reads_a_csv_result_url(server: LiveServer) -> None:
    query = """PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
    SELECT ?concept ?english ?arabic WHERE {
      ?concept skos:prefLabel ?english , ?arabic .
      FILTER (lang(?english) = "en" && lang(?arabic) = "ar")
      FILTER (STRSTARTS(STR(?concept), "http://aims.fao.org/aos/agrovoc/"))
    } ORDER BY ?english LIMIT 50"""
    frame = pd.read_csv(server.url + "/sparql?" + urlencode({"query": query, "format": "csv"}))
    assert list(frame.columns) == ["concept", "english", "arabic"]
    assert len(frame) == 50
    assert frame["concept"].str.startswith("http://aims.fao.org/aos/agrovoc/c_").all()
    # Same rows, same Unicode text as pyoxigraph gives in-process on the same file.
    local = ox.Store()
    local.load(path=str(REPO / "ontology" / "external" / "agrovoc-subset.ttl"), format=ox.RdfFormat.TURTLE)
    expected = [(s["concept"].value, s["english"].value, s["arabic"].value) for s in local.query(query)]
    assert list(frame.itertuples(index=False, name=None)) == expected
    assert frame["arabic"].str.contains(r"[\u0600-\u06FF]").any()
