"""``srkg export`` on a small real store: the files, their checksums, an isomorphic N-Quads round trip, the
tables' columns and contents, and the ``exports/latest`` link the server reads."""

from __future__ import annotations

import csv
import gzip
import hashlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Dataset, Graph, URIRef
from rdflib.compare import isomorphic

from sparql_api.dataset.export import graph_file_name, latest_export, point_latest, write_export
from sparql_api.dataset.tables import TABLES
from sparql_api.store.oxigraph_store import OxigraphStore

REPO = Path(__file__).resolve().parents[1]
BASE = "https://w3id.org/srkg/"
SOURCES = {
    f"{BASE}graph/examples": [REPO / "examples/cases/tha-mae-sot-cadmium-phytoextraction.ttl",
                              REPO / "examples/cases/ata-casey-station-biopiles.ttl"],
    f"{BASE}graph/vocab": [REPO / "ontology/vocab/technologies.ttl"],
    f"{BASE}graph/agrovoc": [REPO / "ontology/external/agrovoc-subset.ttl"],
}


def source_graph(graph: str) -> Graph:
    g = Graph()
    for path in SOURCES[graph]:
        g.parse(path, format="turtle")
    return g


STORED: dict[str, Graph] = {}


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, dict]]:
    root = tmp_path_factory.mktemp("export")
    store = OxigraphStore(root / "store")
    for graph in SOURCES:
        store.add_graph(graph, source_graph(graph).serialize(format="nt", encoding="utf-8"), "application/n-triples")
        # What the store holds (Oxigraph canonicalises e.g. xsd:positiveInteger to xsd:integer on load).
        STORED[graph] = Graph().parse(data=store.get_graph(graph, "application/n-triples"), format="nt")
    manifest = write_export(store, root / "out", base=BASE)
    store.close()
    yield root / "out", manifest


def test_every_file_is_there_and_listed(exported: tuple[Path, dict]) -> None:
    out, manifest = exported
    expected = {"everything.nq.gz", "cases.csv", "outcomes.csv", "technologies.csv",
                *(graph_file_name(g, BASE) for g in SOURCES)}
    assert {f["name"] for f in manifest["files"]} == expected
    assert {p.name for p in out.iterdir()} == expected | {"SHA256SUMS", "manifest.json"}
    assert json.loads((out / "manifest.json").read_text()) == manifest
    assert manifest["graphs"] == {g: len(source_graph(g)) for g in SOURCES}
    assert manifest["total_triples"] == sum(manifest["graphs"].values()) == manifest["quads"]
    assert not list(out.parent.glob("*.partial"))


def test_checksums_verify(exported: tuple[Path, dict]) -> None:
    out, manifest = exported
    lines = (out / "SHA256SUMS").read_text().splitlines()
    assert len(lines) == len(manifest["files"])
    for line in lines:
        digest, name = line.split("  ", 1)
        assert hashlib.sha256((out / name).read_bytes()).hexdigest() == digest, name
    # the format `sha256sum -c` reads
    result = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=out, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_nquads_round_trip_is_isomorphic_to_the_store(exported: tuple[Path, dict]) -> None:
    out, _ = exported
    dataset = Dataset()
    with gzip.open(out / "everything.nq.gz", "rb") as handle:
        dataset.parse(data=handle.read(), format="nquads")
    names = {str(g.identifier) for g in dataset.graphs() if len(g)}
    assert names == set(SOURCES)
    for graph in SOURCES:
        assert len(STORED[graph]) == len(source_graph(graph))
        assert isomorphic(dataset.graph(URIRef(graph)), STORED[graph]), graph
        turtle = Graph().parse(out / graph_file_name(graph, BASE), format="turtle")
        assert isomorphic(turtle, STORED[graph]), graph


def _rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def test_tables_have_their_documented_columns(exported: tuple[Path, dict]) -> None:
    out, manifest = exported
    for table in TABLES:
        header, _ = _rows(out / table.name)
        assert header == table.header == list(manifest["tables"][table.name])


def test_table_contents(exported: tuple[Path, dict]) -> None:
    out, _ = exported
    _, cases = _rows(out / "cases.csv")
    by_case = {row["case"]: row for row in cases}
    assert len(cases) == 2
    thai = by_case[f"{BASE}id/case/tha-mae-sot-cadmium-phytoextraction"]
    assert thai["pollutants"] == "cadmium" and thai["technologies"] == "phytoextraction"
    assert thai["country"] == "THA" and thai["scale"] == "field"
    _, outcomes = _rows(out / "outcomes.csv")
    assert len({r["outcome"] for r in outcomes}) == len(outcomes)  # one row per outcome
    casey = [r for r in outcomes if r["case"].endswith("ata-casey-station-biopiles")]
    assert casey and casey[0]["value_before"] == "5000" and casey[0]["unit"].endswith("MilliGM-PER-KiloGM")
    _, technologies = _rows(out / "technologies.csv")
    phyto = next(r for r in technologies if r["notation"] == "phytoextraction")
    assert phyto["cases"] == "1" and phyto["nature_based"] == "true"


def test_existing_directory_is_refused(exported: tuple[Path, dict]) -> None:
    out, _ = exported
    with pytest.raises(FileExistsError):
        write_export(OxigraphStore(out.parent / "store2"), out, base=BASE)


def test_latest_link_moves_to_the_newest_export(tmp_path: Path, exported: tuple[Path, dict]) -> None:
    out, _ = exported
    assert latest_export(tmp_path) is None
    point_latest(tmp_path, out)
    assert latest_export(tmp_path) == out.resolve()


def test_cli_exports_and_points_latest(tmp_path: Path) -> None:
    data = tmp_path / "data"
    env = {k: v for k, v in os.environ.items() if not k.startswith("SRKG_")}
    env["SRKG_DATA_DIR"] = str(data)
    load = subprocess.run([sys.executable, "-m", "sparql_api.cli", "load", "--graph", f"{BASE}graph/examples",
                           str(SOURCES[f"{BASE}graph/examples"][0]), "-q"], env=env, capture_output=True, text=True)
    assert load.returncode == 0, load.stderr
    run = subprocess.run([sys.executable, "-m", "sparql_api.cli", "export", "-q"], env=env,
                         capture_output=True, text=True, cwd=REPO)
    assert run.returncode == 0, run.stderr
    made = Path(run.stdout.strip())
    assert made.parent == data / "exports" and latest_export(data) == made.resolve()
    again = subprocess.run([sys.executable, "-m", "sparql_api.cli", "export", "--out", str(made)], env=env,
                           capture_output=True, text=True, cwd=REPO)
    assert again.returncode == 2 and "already exists" in again.stderr


def test_graphs_whose_file_names_coincide_are_both_exported(tmp_path: Path) -> None:
    store = OxigraphStore(tmp_path / "store")
    try:
        for graph, text in (("http://x.example/a", "first"), ("http://x.example-a", "second")):
            store.add_graph(graph, f'<urn:x:s> <urn:x:p> "{text}" .\n'.encode(), "application/n-triples")
        manifest = write_export(store, tmp_path / "out", base=BASE)
    finally:
        store.close()
    turtle = {f["name"] for f in manifest["files"] if f["name"].endswith(".ttl")}
    assert len(turtle) == 2
    contents = {(tmp_path / "out" / name).read_text("utf-8").strip().split()[-2] for name in turtle}
    assert contents == {'"first"', '"second"'}
