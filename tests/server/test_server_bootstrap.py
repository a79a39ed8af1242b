"""First-start loading: idempotent, replaces changed graphs, stops on a bad file with file and line."""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from ingest.provenance import slug
from ingest.sources.field_trials import COLUMNS as TRIAL_COLUMNS
from server.live_server import FIXTURES, REPO, make_resources
from sparql_api.server.bootstrap import (
    BootstrapError,
    bootstrap,
    combined_trial_rows,
    default_sources,
    state_path,
)
from sparql_api.store.oxigraph_store import OxigraphStore

BASE = "https://w3id.org/srkg/"
VOCAB = "https://w3id.org/srkg/graph/vocab"
EXAMPLES = "https://w3id.org/srkg/graph/examples"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[OxigraphStore]:
    opened = OxigraphStore(tmp_path / "data" / "store")
    yield opened
    opened.close()


def run(store: OxigraphStore, resources: Path, data_dir: Path) -> dict[str, str]:
    reports = bootstrap(store, state_path(data_dir), default_sources(resources), progress=lambda _: None)
    return {r.graph.rsplit("/", 1)[1]: r.action for r in reports}


def test_loads_once_then_skips_unchanged(store: OxigraphStore, tmp_path: Path) -> None:
    resources = make_resources(tmp_path / "res", with_agrovoc=False)
    first = run(store, resources, tmp_path / "data")
    assert first == {"ontology": "loaded", "vocab": "loaded", "examples": "loaded"}  # no countries file: skipped
    sizes = store.stats()
    assert run(store, resources, tmp_path / "data") == {k: "unchanged" for k in first}
    assert store.stats() == sizes


def test_changed_file_replaces_its_graph(store: OxigraphStore, tmp_path: Path) -> None:
    resources = make_resources(tmp_path / "res", with_agrovoc=False)
    run(store, resources, tmp_path / "data")
    vocab = resources / "ontology" / "vocab" / "mini.ttl"
    vocab.write_text(vocab.read_text().replace('"thermal desorption"@en', '"thermal desorption (ex situ)"@en'))
    assert run(store, resources, tmp_path / "data")["vocab"] == "replaced"
    rows = store.select(
        "SELECT ?l WHERE { <https://w3id.org/srkg/vocab/technology/thermal-desorption> "
        "<http://www.w3.org/2004/02/skos/core#prefLabel> ?l }"
    )
    labels = {str(row["l"]) for row in rows}
    assert "thermal desorption (ex situ)" in labels and "thermal desorption" not in labels


def test_graph_missing_from_store_is_reloaded(store: OxigraphStore, tmp_path: Path) -> None:
    resources = make_resources(tmp_path / "res", with_agrovoc=False)
    run(store, resources, tmp_path / "data")
    store.drop_graph(VOCAB)
    assert run(store, resources, tmp_path / "data")["vocab"] == "loaded"


def test_blank_nodes_of_different_files_stay_apart(store: OxigraphStore, tmp_path: Path) -> None:
    resources = make_resources(tmp_path / "res", with_agrovoc=False)
    cases = resources / "examples" / "cases"
    for name in ("a", "b"):
        (cases / f"bnode-{name}.ttl").write_text(f'_:b0 <http://test.example/from> "{name}" .\n')
    run(store, resources, tmp_path / "data")
    rows = store.select("SELECT ?x ?v WHERE { ?x <http://test.example/from> ?v }")
    assert len(rows) == 2 and rows[0]["x"] != rows[1]["x"]


def test_bad_file_stops_with_file_and_line_and_keeps_old_content(store: OxigraphStore, tmp_path: Path) -> None:
    resources = make_resources(tmp_path / "res", with_agrovoc=False)
    run(store, resources, tmp_path / "data")
    before = store.stats()[EXAMPLES]
    bad = resources / "examples" / "cases" / "broken.ttl"
    bad.write_text("@prefix ex: <http://test.example/> .\nex:a ex:b ex:c .\nex:a ex:b .\n")
    with pytest.raises(BootstrapError) as error:
        run(store, resources, tmp_path / "data")
    assert f"{bad}:3:" in str(error.value) and "Turtle syntax error" in str(error.value)
    assert store.stats()[EXAMPLES] == before


def test_serve_refuses_to_start_on_a_bad_file(tmp_path: Path) -> None:
    resources = make_resources(tmp_path / "res", with_agrovoc=False)
    bad = resources / "ontology" / "vocab" / "broken.ttl"
    shutil.copy(FIXTURES / "vocab-mini.ttl", bad)
    bad.write_text(bad.read_text() + "\ntech:x skos:prefLabel 'unterminated .\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("SRKG_")}
    env.update({"SRKG_RESOURCES": str(resources), "SRKG_DATA_DIR": str(tmp_path / "data")})
    done = subprocess.run(
        [sys.executable, "-m", "sparql_api.cli", "serve", "--port", "9"],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert done.returncode == 1
    assert "cannot start" in done.stderr and f"{bad}:" in done.stderr


def test_the_repository_data_files_load(store: OxigraphStore, tmp_path: Path) -> None:
    """Integration: whatever ontology, vocabulary, external and example files the repository holds load."""
    sources = default_sources()
    reports = bootstrap(store, state_path(tmp_path / "data"), sources, progress=lambda _: None)
    loaded = {r.graph: r.triples for r in reports}
    for source in sources:
        if source.files:
            assert loaded.get(source.graph, 0) > 0, source.graph
    assert (REPO / "ontology" / "external" / "agrovoc-subset.ttl").is_file()
    assert store.stats()["https://w3id.org/srkg/graph/agrovoc"] > 5000
    _field_trials_loaded_apart(store)
    _project_tables_are_published(store)


def _project_tables_are_published(store: OxigraphStore) -> None:
    """The project's own tables are published submissions (what CQ08/CQ10 and the coverage page count)."""
    rows = store.select("SELECT ?key ?status WHERE { ?s a <https://w3id.org/srkg/ontology#Submission> ; "
                        "<https://w3id.org/srkg/ontology#submissionStatus> ?status BIND(STRAFTER(STR(?s), "
                        "'/id/submission/') AS ?key) }")
    assert {(str(r["key"]), str(r["status"]).rsplit("/", 1)[1]) for r in rows} == {
        ("literature-cases", "published"), ("field-trials", "published")}


def _field_trials_loaded_apart(store: OxigraphStore) -> None:
    """The field-trial table has its own graph; its IRIs are its own (only the submitting agent is shared), and
    the cases that an example combines by hand are left out."""
    graph = f"{BASE}graph/submission/field-trials"
    cases = {str(r["c"]) for r in store.select(
        f"SELECT ?c WHERE {{ GRAPH <{graph}> {{ ?c a <https://w3id.org/srkg/ontology#CaseStudy> }} }}")}
    assert len(cases) > 40 and all(c.startswith(f"{BASE}id/case/trial-") for c in cases)
    shared = {str(r["s"]) for r in store.select(
        f"SELECT DISTINCT ?s WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} GRAPH ?other {{ ?s ?q ?v }} "
        f"FILTER (?other != <{graph}>) }}")}
    assert shared == {f"{BASE}id/agent/srkg-project"}
    table = REPO / "examples" / "sources" / "field-trials.csv"
    combined = combined_trial_rows(table, tuple(sorted((REPO / "examples" / "cases").glob("*.ttl"))))
    assert set(combined) >= {39, 50, 58, 118}  # Hunan Pteris, Casey biopiles, KERP, LIFE ReSoil
    with table.open(encoding="utf-8", newline="") as handle:
        rows = {n: row for n, row in enumerate(csv.DictReader(handle), start=2)}
    left_out = {f"{BASE}id/case/trial-{rows[n]['country'].lower()}-{slug(rows[n]['case_title'])}" for n in combined}
    assert not left_out & cases


def test_combined_trial_rows_name_whole_cases(tmp_path: Path) -> None:
    """An example that combines some rows of a field-trial case supersedes the whole case (by its first row)."""
    table = tmp_path / "trials.csv"
    with table.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, TRIAL_COLUMNS)
        writer.writeheader()
        for title, country in (("A", "FRA"), ("A", "FRA"), ("B", "FRA"), ("C", "BEL"), ("C", "BEL"), ("D", "BEL")):
            writer.writerow({"case_title": title, "country": country})
    example = tmp_path / "example.ttl"
    example.write_text(
        "# SRKG example case study, modelled by hand from literature-cases.csv row 9, combined with\n"
        "# field-trials.csv rows 3-4 (same site, MEED 2014) and 6 (same source).\n"
        f"<{BASE}id/case/x> a <https://w3id.org/srkg/ontology#CaseStudy> .\n"
    )
    unrelated = tmp_path / "other.ttl"
    unrelated.write_text(f"# field-trials.csv is not cited here\n<{BASE}id/case/y> a <http://test.example/C> .\n")
    assert combined_trial_rows(table, (example, unrelated)) == {2: f"{BASE}id/case/x", 4: f"{BASE}id/case/x",
                                                                5: f"{BASE}id/case/x"}
    assert combined_trial_rows(table, (unrelated,)) == {}
