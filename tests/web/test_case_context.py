"""The case page's context query (submission, submitter, country codes, graphs) does not grow with the data."""

from __future__ import annotations

from pathlib import Path

from rdflib import URIRef

from sparql_api.store.oxigraph_store import OxigraphStore
from sparql_api.web.resource_data import CASE_CONTEXT, case_context

BASE = "https://w3id.org/srkg/"


def _submission_graph(n: int) -> bytes:
    """One published submission of one case; every submission names the same submitter (as real ones do)."""
    return f"""@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix srkg: <https://w3id.org/srkg/ontology#> .
<{BASE}id/case/c{n}> a srkg:CaseStudy ; prov:wasGeneratedBy <{BASE}id/submission/s{n}> .
<{BASE}id/submission/s{n}> a prov:Activity ; rdfs:label "submission {n}" ;
    prov:wasAssociatedWith <{BASE}id/agent/network> .
<{BASE}id/agent/network> a prov:Agent ; rdfs:label "A partner network" .
""".encode()


def test_a_submitter_described_in_many_graphs_is_read_once(tmp_path: Path) -> None:
    store = OxigraphStore(tmp_path / "store", query_workers=0)
    try:
        for n in range(50):
            store.replace_graph(f"{BASE}graph/submission/s{n}", _submission_graph(n), "text/turtle")
        case = URIRef(f"{BASE}id/case/c7")
        # the union default graph repeats the agent's triples once per graph; the query must not (cost ∝ data)
        assert len(store.select(CASE_CONTEXT, {"root": case})) == 3 + 2 + 1
        context = case_context(store, case)
        agent = URIRef(f"{BASE}id/agent/network")
        assert len(list(context.facts)) == 3 + 2  # the submission's three triples, the agent's two
        assert [str(o) for o in context.facts.values(agent, URIRef("http://www.w3.org/2000/01/rdf-schema#label"))] \
            == ["A partner network"]
        assert context.graphs == [URIRef(f"{BASE}graph/submission/s7")]
    finally:
        store.close()
