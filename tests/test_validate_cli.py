"""``srkg validate`` as a user runs it: exit codes, report formats, located syntax errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import rdflib

FIXTURES = Path(__file__).parent / "fixtures"
VALID = FIXTURES / "valid" / "complete-case.ttl"
INVALID = FIXTURES / "invalid" / "cost-currency-missing.ttl"


def srkg(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sparql_api.cli", *map(str, args)], capture_output=True, text=True, timeout=120
    )


def test_valid_file_exits_0_and_says_it_conforms() -> None:
    result = srkg("validate", VALID)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{VALID}: conforms (0 violations, 0 warnings, 0 infos" in result.stdout


def test_violation_exits_1_with_the_message_under_its_case_study() -> None:
    result = srkg("validate", VALID, INVALID)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert f"{INVALID}: does NOT conform (1 violation, 0 warnings, 0 infos; " in result.stdout
    header = lines.index('  Case study "Fixture: phytoextraction of cadmium on farmland" '
                         "<https://w3id.org/srkg/id/case/fixture>")
    assert lines[header + 1].strip().startswith("✗ Violation Cost (120000) › currency")
    assert lines[header + 2].strip() == "The currency of the cost is missing. Add its ISO 4217 code (e.g. USD, EUR)."


def test_json_report_lists_findings_with_focus_node_and_case() -> None:
    result = srkg("validate", "--format", "json", INVALID)
    assert result.returncode == 1
    (report,) = json.loads(result.stdout)
    assert report["conforms"] is False
    assert report["counts"] == {"violation": 1, "warning": 0, "info": 0}
    (finding,) = report["findings"]
    assert finding["focus_node"] == "https://w3id.org/srkg/id/cost/fixture"
    assert finding["case"] == "https://w3id.org/srkg/id/case/fixture"
    assert finding["path"] == "https://w3id.org/srkg/ontology#currency"


def test_turtle_report_is_a_standard_shacl_validation_report() -> None:
    result = srkg("validate", "--format", "turtle", INVALID)
    graph = rdflib.Graph().parse(data=result.stdout, format="turtle")
    sh = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    (report,) = graph.subjects(rdflib.RDF.type, sh.ValidationReport)
    assert graph.value(report, sh.conforms) == rdflib.Literal(False)
    (focus,) = {graph.value(r, sh.focusNode) for r in graph.objects(report, sh.result)}
    assert focus == rdflib.URIRef("https://w3id.org/srkg/id/cost/fixture")


def test_syntax_error_exits_2_naming_file_and_line(tmp_path: Path) -> None:
    broken = tmp_path / "broken.ttl"
    broken.write_text('@prefix ex: <http://example.org/> .\nex:a ex:b "ok" .\nex:c ex:d "unterminated .\n')
    result = srkg("validate", broken)
    assert result.returncode == 2
    assert result.stderr.startswith(f"srkg validate: cannot read {broken}:3:")
    assert result.stdout == ""


def test_unknown_file_type_and_missing_file_exit_2(tmp_path: Path) -> None:
    other = tmp_path / "cases.docx"
    other.write_bytes(b"PK\x03\x04")
    result = srkg("validate", other)
    assert result.returncode == 2 and "unknown RDF file type '.docx'" in result.stderr
    result = srkg("validate", tmp_path / "absent.ttl")
    assert result.returncode == 2 and "absent.ttl" in result.stderr


def test_json_ld_and_n_triples_are_read_too(tmp_path: Path) -> None:
    graph = rdflib.Graph().parse(VALID)
    jsonld = tmp_path / "case.jsonld"
    jsonld.write_text(graph.serialize(format="json-ld"))
    ntriples = tmp_path / "case.nt"
    ntriples.write_text(graph.serialize(format="nt"))
    rdfxml = tmp_path / "case.rdf"
    rdfxml.write_text(graph.serialize(format="xml"))
    result = srkg("validate", jsonld, ntriples, rdfxml)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count(": conforms (0 violations") == 3
