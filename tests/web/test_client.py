"""The data-science client against the live site (real data): dtypes, AGROVOC labels in Arabic, a case as
JSON-LD with the published context, and the two example scripts run as a user runs them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from rdflib import Graph
from rdflib.compare import isomorphic
from server.live_server import LiveServer

from sparql_api.client import SRKGClient, SRKGError, results_to_frame

REPO = Path(__file__).resolve().parents[2]
CASE = "https://w3id.org/srkg/id/case/tha-mae-sot-cadmium-phytoextraction"

DTYPES_QUERY = """PREFIX srkg: <https://w3id.org/srkg/ontology#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
SELECT ?outcome ?reduction ?met ?year ?title ?issued WHERE {
  { ?case srkg:outcome ?outcome . ?outcome srkg:reductionPercent ?reduction .
    OPTIONAL { ?outcome srkg:targetMet ?met } OPTIONAL { ?case srkg:startYear ?year }
    OPTIONAL { ?case dcterms:title ?title } }
  UNION { SELECT ?issued WHERE { ?d dcterms:modified ?issued FILTER(DATATYPE(?issued) = xsd:date) } LIMIT 3 }
}"""

ARABIC_QUERY = """PREFIX srkg: <https://w3id.org/srkg/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?pollutant ?agrovoc ?label_ar (COUNT(DISTINCT ?case) AS ?cases) WHERE {
  ?case a srkg:CaseStudy ; srkg:pollutant ?pollutant .
  ?pollutant skos:exactMatch ?agrovoc .
  ?agrovoc skos:prefLabel ?label_ar FILTER(LANG(?label_ar) = "ar")
} GROUP BY ?pollutant ?agrovoc ?label_ar ORDER BY DESC(?cases)"""


@pytest.fixture(scope="module")
def srkg(site: LiveServer) -> SRKGClient:
    return SRKGClient(site.url + "/sparql")


def test_dtypes_follow_the_datatypes(srkg: SRKGClient) -> None:
    df = srkg.query_df(DTYPES_QUERY, lang_columns=True)
    assert str(df["reduction"].dtype) == "float64"
    assert str(df["met"].dtype) == "boolean"
    assert str(df["year"].dtype) == "Int64"
    assert str(df["title"].dtype) == "string" and str(df["outcome"].dtype) == "string"
    assert pd.api.types.is_datetime64_any_dtype(df["issued"])
    assert df["title_lang"].dropna().eq("en").any()
    assert df["reduction"].notna().sum() >= 5 and df["reduction"].dropna().between(-1000, 100).all()
    assert df["met"].dropna().isin([True, False]).all() and df["year"].dropna().between(1900, 2100).all()
    assert df["issued"].notna().any()


def test_counts_are_integers_and_arabic_agrovoc_labels_come_through(srkg: SRKGClient) -> None:
    df = srkg.query_df(ARABIC_QUERY, lang_columns=True)
    assert len(df) > 3
    assert str(df["cases"].dtype) == "Int64" and (df["cases"] > 0).all()
    assert (df["label_ar_lang"] == "ar").all()
    arabic_script = df["label_ar"].str.contains(r"[\u0600-\u06FF]", regex=True)
    assert arabic_script.mean() > 0.8  # AGROVOC's own @ar labels include a few in Latin script ("caesium 137")
    assert df["agrovoc"].str.startswith("http://aims.fao.org/aos/agrovoc/c_").all()
    cadmium = df[df["pollutant"].str.endswith("/pollutant/cadmium")]
    assert not cadmium.empty and cadmium["label_ar"].iloc[0] == "كادميوم"


def test_results_to_frame_edge_cases() -> None:
    xsd = "http://www.w3.org/2001/XMLSchema#"
    doc = {"head": {"vars": ["n", "x", "when", "y"]}, "results": {"bindings": [
        {"n": {"type": "literal", "value": "2", "datatype": xsd + "integer"},
         "x": {"type": "literal", "value": "1.5", "datatype": xsd + "decimal"},
         "when": {"type": "literal", "value": "2020-01-02T10:00:00Z", "datatype": xsd + "dateTime"},
         "y": {"type": "literal", "value": "2005", "datatype": xsd + "gYear"}},
        {"x": {"type": "literal", "value": "3", "datatype": xsd + "integer"},
         "n": {"type": "uri", "value": "http://example.org/not-a-number"}},
    ]}}
    df = results_to_frame(doc)
    assert list(df["x"]) == [1.5, 3.0] and str(df["x"].dtype) == "float64"
    assert str(df["n"].dtype) == "string"  # numbers mixed with IRIs stay text
    assert pd.api.types.is_datetime64_any_dtype(df["when"]) and str(df["when"].dt.tz) == "UTC"
    assert df["when"].iloc[0] == pd.Timestamp("2020-01-02T10:00:00Z") and pd.isna(df["when"].iloc[1])
    assert df["y"].iloc[0] == 2005 and pd.isna(df["y"].iloc[1])
    with pytest.raises(SRKGError, match="ASK"):
        results_to_frame({"head": {}, "boolean": True})


def test_errors_name_the_endpoint(srkg: SRKGClient) -> None:
    with pytest.raises(SRKGError, match=r"/sparql answered 400"):
        srkg.query_df("SELECT * WHERE {")


def test_case_as_jsonld_with_the_published_context(site: LiveServer, srkg: SRKGClient) -> None:
    doc = srkg.case_jsonld(CASE)
    assert doc["@context"] == site.url + "/context.jsonld"
    text = json.dumps(doc)
    assert '"technologyApplication"' in text and '"pollutant"' in text
    turtle = site.request("GET", "/id/case/tha-mae-sot-cadmium-phytoextraction.ttl").body
    original = Graph().parse(data=turtle, format="turtle")
    assert isomorphic(Graph().parse(data=text, format="json-ld"), original)
    inline = srkg.case_jsonld("tha-mae-sot-cadmium-phytoextraction", inline_context=True)
    assert isinstance(inline["@context"], dict)
    assert isomorphic(Graph().parse(data=json.dumps(inline), format="json-ld"), original)


def run_script(name: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(REPO / "examples" / "scripts" / name), *args],
                          capture_output=True, text=True, timeout=120, cwd=REPO)


def test_coverage_script(site: LiveServer, srkg: SRKGClient) -> None:
    run = run_script("coverage_by_region.py", "--endpoint", site.url + "/sparql")
    assert run.returncode == 0, run.stderr
    assert "Africa" in run.stdout and "Europe" in run.stdout
    covered = srkg.query_df("""PREFIX srkg: <https://w3id.org/srkg/ontology#>
        SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s srkg:isUNMember true .
        ?c a srkg:CaseStudy ; srkg:site/srkg:country ?s }""")["n"].iloc[0]
    assert f"\n{covered} of 193 UN member states" in run.stdout
    # M49 areas carry English names only: other languages fall back to English, with the same numbers
    arabic = run_script("coverage_by_region.py", "--endpoint", site.url, "--lang", "ar")
    assert arabic.returncode == 0 and arabic.stdout == run.stdout


def test_cadmium_script(site: LiveServer) -> None:
    run = run_script("cadmium_technologies.py", "--endpoint", site.url + "/sparql")
    assert run.returncode == 0, run.stderr
    assert "phytoextraction" in run.stdout and "median_reduction_percent" in run.stdout
    refused = run_script("cadmium_technologies.py", "--endpoint", site.url, "--pollutant", "x> } DROP ALL")
    assert refused.returncode == 2 and "notation" in refused.stderr
