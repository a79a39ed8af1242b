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


def test_a_submission_cannot_redefine_vocabulary_terms_or_the_model() -> None:
    """Statements about SRKG terms or model axioms are violations and never count as vocabulary."""
    from rdflib import OWL, Literal, URIRef
    from rdflib.namespace import SKOS

    from ingest.namespaces import SRKG

    graph = read_graph(FIXTURES / "invalid" / "case-pollutant-unknown.ttl")
    made_up = URIRef("https://w3id.org/srkg/vocab/pollutant/unobtainium")
    excavation = URIRef("https://w3id.org/srkg/vocab/technology/excavation-and-off-site-disposal")
    graph.add((made_up, SKOS.inScheme, URIRef("https://w3id.org/srkg/vocab/pollutant")))
    graph.add((excavation, SRKG.isNatureBased, Literal(True)))
    graph.add((SRKG.Outcome, OWL.equivalentClass, SRKG.Cost))
    case = URIRef("https://w3id.org/srkg/id/case/fixture")
    graph.add((case, OWL.sameAs, URIRef("https://w3id.org/srkg/id/case/someone-elses")))
    report = validate_graph(graph)
    violations = sorted((f.focus_node, f.message) for f in report.findings if f.severity == "Violation")
    expected_starts = sorted([
        (str(case), "The submission states model axioms (sameAs) about <https://w3id.org/srkg/id/case/fixture>."),
        (str(case), "This pollutant is not in the SRKG pollutant list."),
        (str(excavation), "The submission makes statements about 'excavation and off-site disposal' "
                          f"<{excavation}> (isNatureBased), which is defined by SRKG's vocabularies"),
        (str(made_up), f"The submission makes statements about <{made_up}> (inScheme)"),
        (str(SRKG.Outcome), f"The submission makes statements about 'outcome' <{SRKG.Outcome}> (equivalentClass)"),
    ])
    assert len(violations) == len(expected_starts)
    for (focus, message), (want_focus, want_start) in zip(violations, expected_starts, strict=True):
        assert focus == want_focus and message.startswith(want_start), (focus, message)
    sh = "http://www.w3.org/ns/shacl#"
    own = URIRef("https://w3id.org/srkg/shapes#OwnRecordsOnly")
    assert len(set(report.report_graph.subjects(URIRef(sh + "sourceShape"), own))) == 4


def test_cycles_in_the_data_do_not_hang_the_validator() -> None:
    from rdflib import RDF, Graph, URIRef

    from ingest.namespaces import SRKG

    a, b = URIRef("https://w3id.org/srkg/id/quantity/a"), URIRef("https://w3id.org/srkg/id/quantity/b")
    graph = Graph()
    graph.add((a, SRKG.quantity, b))
    graph.add((b, SRKG.quantity, a))
    graph.add((a, RDF.type, SRKG.IndicatorResult))
    report = validate_graph(graph)
    assert not report.conforms


def test_a_finding_on_a_shared_site_is_reported_under_each_case() -> None:
    graph = read_graph(FIXTURES / "invalid" / "site-country-missing.ttl")
    from rdflib import RDF, URIRef
    from rdflib.namespace import DCTERMS

    from ingest.namespaces import SRKG

    other = URIRef("https://w3id.org/srkg/id/case/fixture-2")
    for p, o in graph.predicate_objects(URIRef("https://w3id.org/srkg/id/case/fixture")):
        graph.add((other, p, o))
    graph.set((other, DCTERMS.title, __import__("rdflib").Literal("Second case on the same site")))
    graph.add((other, RDF.type, SRKG.CaseStudy))
    report = validate_graph(graph)
    country = [f for f in report.findings if f.message.startswith("The site needs exactly one country")]
    assert sorted(f.case for f in country) == [
        "https://w3id.org/srkg/id/case/fixture", "https://w3id.org/srkg/id/case/fixture-2"
    ]
    assert {f.where for f in country} == {"Site › country"}


def _surf_uk_tier1(categories: list[str], partial: bool | None = None) -> str:
    """Turtle of the valid fixture whose assessment is a tier-1 SuRF-UK one over ``categories``."""
    text = (FIXTURES / "valid" / "complete-case.ttl").read_text(encoding="utf-8")
    flag = "" if partial is None else f"    srkg:isPartial {str(partial).lower()} ;\n"
    text = text.replace("    srkg:isPartial true ;\n", flag)
    results = "".join(
        "<https://w3id.org/srkg/id/assessment/fixture> srkg:indicatorResult "
        f"<https://w3id.org/srkg/id/result/fx-{c}> .\n"
        f"<https://w3id.org/srkg/id/result/fx-{c}> a srkg:IndicatorResult ; "
        f"srkg:criterion <https://w3id.org/srkg/vocab/criterion/{c}> ; srkg:textValue \"Assessed.\"@en .\n"
        for c in categories)
    return text + results


def _findings(turtle: str) -> list[tuple[str, str]]:
    from rdflib import Graph

    report = validate_graph(Graph().parse(data=turtle, format="turtle"))
    return [(f.severity, f.message) for f in report.findings]


def test_surf_uk_tier1_coverage_rule_lists_exactly_the_15_headline_categories_of_the_vocabulary() -> None:
    from rdflib import Graph, URIRef
    from rdflib.namespace import SKOS

    from ingest import paths
    from ingest.namespaces import SRKG

    vocab = Graph().parse(paths.vocab_dir() / "sustainability.ttl")
    surf_uk = URIRef("https://w3id.org/srkg/vocab/framework/surf-uk")
    expected = {(str(c), str(vocab.value(c, SKOS.notation))) for c in vocab.subjects(SRKG.inFramework, surf_uk)}
    shapes = (Path(__file__).parents[1] / "shapes" / "assessment.ttl").read_text(encoding="utf-8")
    import re

    listed = set(re.findall(r'BIND \(<([^>]+)> AS \?category\) BIND \("([A-Z0-9]+)" AS \?notation\)', shapes))
    assert len(expected) == 15 and listed == expected


def test_a_tier1_surf_uk_assessment_of_all_15_categories_or_marked_partial_is_not_flagged() -> None:
    every = [f"{p}{n}" for p in ("env", "soc", "econ") for n in range(1, 6)]
    assert _findings(_surf_uk_tier1(every)) == []
    assert _findings(_surf_uk_tier1(["soc1"], partial=True)) == []
    flagged = _findings(_surf_uk_tier1(every[:14], partial=False))
    assert flagged == [("Warning", "This tier-1 SuRF-UK assessment covers 14 of the 15 headline categories. Mark it "
                        "partial (srkg:isPartial true, 'partial' in the survey) or add the missing ones: ECON5.")]
