"""Validating in batches of root records gives exactly the findings of validating the whole graph."""

from __future__ import annotations

from pathlib import Path

from rdflib import URIRef

from ingest.batched_validation import validate_in_batches
from ingest.namespaces import SRKG
from ingest.rdf_files import read_graph
from ingest.validation import ValidationReport, validate_graph
from ingest.vocabulary import default_vocabulary

ROOT = Path(__file__).resolve().parent.parent


def key(report: ValidationReport) -> set[tuple]:
    return {(f.severity, f.focus_node, f.path, f.message, f.case) for f in report.findings}


def test_batches_find_what_the_whole_graph_finds_including_cross_batch_owners() -> None:
    graph = read_graph(ROOT / "tests" / "fixtures" / "valid" / "complete-case.ttl")
    for path in sorted((ROOT / "examples" / "cases").glob("*.ttl")):
        graph += read_graph(path)
    # One outcome owned by two cases that land in different batches: the backward check must still see both.
    first = URIRef("https://w3id.org/srkg/id/case/arg-phy2climate-la-planta")
    last = URIRef("https://w3id.org/srkg/id/case/vnm-da-nang-airport-dioxin")
    shared = next(graph.objects(last, SRKG.outcome))
    graph.add((first, SRKG.outcome, shared))
    progress: list[tuple[int, int]] = []
    batched = validate_in_batches(graph, "all", default_vocabulary(), lambda d, t: progress.append((d, t)),
                                  batch_roots=5)
    whole = validate_graph(graph, "all")
    assert key(batched) == key(whole)
    assert any(f.message.startswith("This outcome is attached to more than one case study") for f in batched.findings)
    assert progress[-1] == (28, 28) and len(progress) == 6
