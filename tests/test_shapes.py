"""Every kind of constraint in shapes/ has an invalid fixture that yields exactly its expected finding.

Each file in tests/fixtures/invalid/ is the valid fixture with one thing broken; its header lists the findings
(severity | focus node | message) the validator must report — no more, no fewer (Info advice aside).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.rdf_files import read_graph
from ingest.validation import validate_graph

FIXTURES = Path(__file__).parent / "fixtures"
INVALID = sorted((FIXTURES / "invalid").glob("*.ttl"))


def expected_findings(path: Path) -> set[tuple[str, str, str]]:
    expected = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# expect: "):
            severity, focus, message = (part.strip() for part in line[len("# expect: ") :].split(" | ", 2))
            expected.add((severity, focus, message))
    assert expected, f"{path.name} declares no expected finding"
    return expected


def test_valid_fixture_has_no_findings_at_all() -> None:
    report = validate_graph(read_graph(FIXTURES / "valid" / "complete-case.ttl"))
    assert [(f.severity, f.where, f.message) for f in report.findings] == []
    assert report.conforms


def test_there_is_a_fixture_for_each_kind_of_constraint() -> None:
    assert len(INVALID) >= 50


@pytest.mark.parametrize("path", INVALID, ids=[p.stem for p in INVALID])
def test_invalid_fixture_yields_exactly_its_expected_findings(path: Path) -> None:
    report = validate_graph(read_graph(path), str(path))
    found = {(f.severity, f.focus_node, f.message) for f in report.findings if f.severity != "Info"}
    assert found == expected_findings(path)
    has_violation = any(severity == "Violation" for severity, _, _ in expected_findings(path))
    assert report.conforms is not has_violation


def test_findings_are_grouped_under_their_case_study_with_a_readable_place() -> None:
    report = validate_graph(read_graph(FIXTURES / "invalid" / "outcome-unit-missing.ttl"))
    (finding,) = report.findings
    assert finding.case == "https://w3id.org/srkg/id/case/fixture"
    assert finding.case_title == "Fixture: phytoextraction of cadmium on farmland"
    assert finding.where.startswith("Outcome (cadmium, ")


def test_a_submission_cannot_smuggle_a_term_into_a_scheme() -> None:
    """Declaring a made-up pollutant 'inScheme pollutant' in the submission does not make it valid."""
    path = FIXTURES / "invalid" / "case-pollutant-unknown.ttl"
    graph = read_graph(path)
    from rdflib import URIRef
    from rdflib.namespace import SKOS

    made_up = URIRef("https://w3id.org/srkg/vocab/pollutant/unobtainium")
    cadmium = URIRef("https://w3id.org/srkg/vocab/pollutant/cadmium")
    graph.add((made_up, SKOS.inScheme, URIRef("https://w3id.org/srkg/vocab/pollutant")))
    graph.add((cadmium, SKOS.inScheme, URIRef("https://w3id.org/srkg/vocab/technology")))
    report = validate_graph(graph)
    # The made-up term is still refused; redefining cadmium's scheme is ignored (it stays a pollutant).
    messages = [f.message for f in report.findings if f.severity == "Violation"]
    assert messages == [
        "This pollutant is not in the SRKG pollutant list. Use a pollutant from the list "
        "(names, symbols such as 'Cd' and CAS numbers are recognised)."
    ]
