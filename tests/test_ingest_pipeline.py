"""The ingest pipeline and ``srkg ingest`` end to end: real files in, store written (or not), reports out."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import RDF, URIRef

from ingest.namespaces import SRKG
from ingest.pipeline import detect_kind, ingest_file, summary
from ingest.records import SourceError
from tests.survey_support import complete_case, fill_xlsx, template_copy

CASE_IRI = "https://w3id.org/srkg/id/case/{key}-c{n}"


def two_cases(lang: str, second_reduction: object = 33) -> dict:
    """Two complete cases C1 and C2; C2's outcome reduction is ``second_reduction``."""
    rows = complete_case(lang)
    for sheet in ("cases", "technologies", "outcomes", "costs", "barriers", "checklist", "assessment"):
        extra = []
        for record in rows[sheet]:
            twin = copy.deepcopy(record)
            twin["case_id"] = "C2"
            if sheet == "cases":
                twin["title"] = f"{record['title']} (2)"
                twin["site_name"] = "Site C2"
            if sheet == "outcomes":
                twin["reduction_percent"] = second_reduction
            extra.append(twin)
        rows[sheet] = rows[sheet] + extra
    return rows


def survey_file(tmp_path: Path, name: str, second_reduction: object = 33) -> Path:
    path = template_copy(tmp_path, "fr", name)
    return fill_xlsx(path, "fr", two_cases("fr", second_reduction))


def test_detects_each_kind_of_source(tmp_path: Path) -> None:
    sources = Path(__file__).parent.parent / "examples" / "sources"
    assert detect_kind(sources / "literature-cases.csv") == "literature"
    assert detect_kind(sources / "field-trials.csv") == "field-trials"
    assert detect_kind(Path(__file__).parent / "fixtures" / "valid" / "complete-case.ttl") == "rdf"
    assert detect_kind(survey_file(tmp_path, "s.xlsx")) == "survey"
    odd = tmp_path / "notes.docx"
    odd.write_bytes(b"PK")
    with pytest.raises(SourceError, match=r"notes\.docx: unknown kind of file '\.docx'"):
        detect_kind(odd)


def test_survey_ingest_accepts_both_cases_with_row_level_provenance(tmp_path: Path) -> None:
    result = ingest_file(survey_file(tmp_path, "partner.xlsx"), submitter="Test curator", submission_key="partner")
    assert summary(result)["cases_accepted"] == 2 and not result.anything_rejected
    graph = result.load_graph
    case = URIRef(CASE_IRI.format(key="partner", n=1))
    assert (case, RDF.type, SRKG.CaseStudy) in graph
    record = graph.value(case, SRKG.derivedFromRecord)
    assert graph.value(record, SRKG.rowNumber).toPython() == 4
    assert graph.value(graph.value(record, SRKG.inFile), SRKG.sha256).toPython() == result.info.sha256
    submission = URIRef("https://w3id.org/srkg/id/submission/partner")
    assert (case, URIRef("http://www.w3.org/ns/prov#wasGeneratedBy"), submission) in graph
    assert graph.value(submission, SRKG.namedGraph) == URIRef("https://w3id.org/srkg/graph/submission/partner")


def test_a_bad_cell_on_a_child_sheet_rejects_only_its_case(tmp_path: Path) -> None:
    result = ingest_file(survey_file(tmp_path, "partner.xlsx", second_reduction=140), submission_key="partner")
    second = CASE_IRI.format(key="partner", n=2)
    assert list(result.rejected_cases) == [second]
    assert any("Résultats" in reason and "row 5" in reason for reason in result.rejected_cases[second])
    assert [str(c) for c in result.accepted_cases] == [CASE_IRI.format(key="partner", n=1)]
    loaded_subjects = {str(s) for s in result.load_graph.subjects()}
    assert second not in loaded_subjects
    assert not any(s.startswith("https://w3id.org/srkg/id/outcome/partner-c2") for s in loaded_subjects)
    assert result.anything_rejected


def test_statements_about_vocabulary_terms_refuse_the_whole_file(tmp_path: Path) -> None:
    fixture = (Path(__file__).parent / "fixtures" / "valid" / "complete-case.ttl").read_text()
    spoof = tmp_path / "spoof.ttl"
    spoof.write_text(fixture + "\n<https://w3id.org/srkg/vocab/technology/excavation-and-off-site-disposal> "
                     "<https://w3id.org/srkg/ontology#isNatureBased> true .\n")
    result = ingest_file(spoof)
    assert result.rejected_whole and len(result.load_graph) == 0


def srkg(*args: str | Path, data_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SRKG_DATA_DIR": str(data_dir)}
    return subprocess.run([sys.executable, "-m", "sparql_api.cli", *map(str, args)], capture_output=True,
                          text=True, timeout=300, env=env)


def graph_triples(data_dir: Path, graph: str) -> int:
    store = ox.Store.read_only(str(data_dir / "store"))
    return sum(1 for _ in store.quads_for_pattern(None, None, None, ox.NamedNode(graph)))


def test_cli_ingest_loads_replaces_and_dry_runs(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    graph = "https://w3id.org/srkg/graph/submission/partner"
    good = survey_file(tmp_path, "partner.xlsx")

    dry = srkg("ingest", "--dry-run", "--quiet", "--submission", "partner", good, data_dir=data_dir)
    assert dry.returncode == 0, dry.stderr
    assert "2 of 2 cases accepted" in dry.stdout and "dry run, nothing written" in dry.stdout
    assert not (data_dir / "store").exists() or graph_triples(data_dir, graph) == 0

    report = tmp_path / "report.json"
    first = srkg("ingest", "--quiet", "--submission", "partner", "--report", report, good, data_dir=data_dir)
    assert first.returncode == 0, first.stdout + first.stderr
    full = graph_triples(data_dir, graph)
    assert full > 100
    assert json.loads(report.read_text())["summary"]["cases_accepted"] == 2

    again = srkg("ingest", "--quiet", "--submission", "partner", good, data_dir=data_dir)
    assert again.returncode == 0 and graph_triples(data_dir, graph) == full  # same file: no duplicates

    (tmp_path / "v2").mkdir()
    corrected = survey_file(tmp_path / "v2", "partner.xlsx", second_reduction=140)
    html = tmp_path / "report.html"
    partial = srkg("ingest", "--quiet", "--submission", "partner", "--report", html, corrected, data_dir=data_dir)
    assert partial.returncode == 1
    assert "1 of 2 cases accepted" in partial.stdout
    assert "case not accepted: https://w3id.org/srkg/id/case/partner-c2" in partial.stdout
    assert 0 < graph_triples(data_dir, graph) < full  # replaced, not merged
    page = html.read_text()
    assert "Case studies not accepted" in page and "<script" not in page


def test_cli_ingest_unreadable_file_exits_2_and_writes_nothing(tmp_path: Path) -> None:
    broken = tmp_path / "broken.ttl"
    broken.write_text("<https://w3id.org/srkg/id/case/x> a <https://w3id.org/srkg/ontology#CaseStudy\n")
    result = srkg("ingest", "--quiet", broken, data_dir=tmp_path / "data")
    assert result.returncode == 2
    assert result.stderr.startswith("srkg ingest: cannot read broken.ttl")
    assert not (tmp_path / "data" / "store").exists()


def test_cli_ingests_a_whole_register_and_counts_its_sites(tmp_path: Path) -> None:
    register = Path(__file__).parent.parent / "data-sources" / "registers" / "swiss-vbs-contaminated-sites"
    (source,) = register.glob("*.json")
    result = srkg("ingest", "--quiet", "--submission", "ch-vbs", source, data_dir=tmp_path / "data")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1843 rows read; 1843 sites;" in result.stdout
    assert graph_triples(tmp_path / "data", "https://w3id.org/srkg/graph/submission/ch-vbs") > 1843 * 5


def test_superseded_rows_leave_no_trace_of_their_automatic_case(tmp_path: Path) -> None:
    """A row modelled by hand elsewhere: its automatically mapped case leaves not even a provenance triple."""
    source = Path(__file__).resolve().parents[1] / "examples" / "sources" / "literature-cases.csv"
    excerpt = tmp_path / "literature-cases.csv"
    excerpt.write_text("".join(source.read_text("utf-8").splitlines(keepends=True)[:4]), "utf-8")
    first = ingest_file(excerpt, kind="literature")
    case, location = next(iter(first.mapping.case_rows.items()))
    assert (case, None, None) in first.load_graph
    again = ingest_file(excerpt, kind="literature", superseded_rows={location.row: "https://w3id.org/srkg/id/case/x"})
    assert case not in set(again.load_graph.subjects()) | set(again.load_graph.objects())
    assert len(again.cases) == len(first.cases) - 1
