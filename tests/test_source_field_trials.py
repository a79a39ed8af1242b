"""The real field-trial table (examples/sources/field-trials.csv) → cases with measured outcomes and costs."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from functools import cache
from pathlib import Path

from rdflib import RDF, XSD, Literal, URIRef

from ingest.namespaces import QUDT_UNIT, SRKG, concept_iri, data_iri
from ingest.provenance import slug
from ingest.reconcile import default_reconciler
from ingest.records import MappingResult
from ingest.sources.common import REJECTED, rejected_rows
from ingest.sources.field_trials import COLUMNS, map_field_trials
from ingest.validation import validate_graph

TABLE = Path(__file__).resolve().parent.parent / "examples" / "sources" / "field-trials.csv"


@cache
def mapped() -> MappingResult:
    return map_field_trials(TABLE, default_reconciler())


def outcome_of(result: MappingResult, row: int) -> URIRef:
    resources = next(r for location, r in result.row_resources.items() if location.row == row)
    return next(r for r in resources if "/outcome/" in str(r))


def facts(result: MappingResult, subject: URIRef) -> dict[str, set]:
    found: dict[str, set] = {}
    for predicate, obj in result.graph.predicate_objects(subject):
        found.setdefault(str(predicate).rsplit("#", 1)[-1].rsplit("/", 1)[-1], set()).add(obj)
    return found


def test_every_row_gives_resources_or_is_rejected_with_reasons() -> None:
    result = mapped()
    produced = {location.row for location in result.row_resources}
    rejected = rejected_rows(result)
    assert result.rows_read == 136
    assert produced | set(rejected) == set(range(2, 138))
    assert produced.isdisjoint(rejected)
    assert len(result.case_rows) == 64  # of 94 cases (case_title + country)
    assert len(rejected) == 51
    reasons = Counter(p.location.column for problems in rejected.values() for p in problems)
    assert reasons == {"country": 51, "technology": 9}
    for row, problems in rejected.items():
        for problem in problems:
            assert (problem.severity, problem.location.file, problem.location.row) == ("Violation", TABLE.name, row)
            assert problem.message.startswith(REJECTED) and problem.location.column in COLUMNS


def test_counts_of_outcomes_and_costs() -> None:
    result = mapped()
    assert len(set(result.graph.subjects(RDF.type, SRKG.Outcome))) == 79
    assert len(set(result.graph.subjects(RDF.type, SRKG.Cost))) == 5


def test_blank_country_is_never_guessed() -> None:
    problems = rejected_rows(mapped())[2]
    assert [(p.location.column, p.message) for p in problems] == [
        ("country", f"{REJECTED}: the country is blank (a site needs its country).")]


def test_outcome_with_values_unit_reduction_and_target() -> None:
    result = mapped()
    key = "trial-usa-" + slug("EnviroMag stabilisation of Pb soil at a former mill, Massachusetts (vendor case)")
    assert key == "trial-usa-enviromag-stabilisation-of-pb-soil-at-a-former-mill-massachu"  # slug ≤ 60
    outcome = outcome_of(result, 29)
    assert outcome == data_iri("outcome", f"{key}-1")
    assert facts(result, outcome) == {
        "type": {SRKG.Outcome},
        "pollutant": {concept_iri("pollutant", "lead")},
        "metric": {concept_iri("outcome-metric", "leachable-concentration")},
        "medium": {concept_iri("medium", "soil")},
        "valueBefore": {Literal(Decimal("651"), datatype=XSD.decimal)},
        "valueAfter": {Literal(Decimal("0.71"), datatype=XSD.decimal)},
        "unit": {QUDT_UNIT["MilliGM-PER-L"]},
        "reductionAsStated": {Literal("99.9")},
        "reductionPercent": {Literal(Decimal("99.9"), datatype=XSD.decimal)},
        "targetAsStated": {Literal("0.75 mg/L (UTS TCLP)")},
        "targetValue": {Literal(Decimal("0.75"), datatype=XSD.decimal)},
        "targetMet": {Literal(True, datatype=XSD.boolean)},
        "statedAs": {Literal("pollutant: Pb; medium: soil; metric: leachable (TCLP) Pb, worst-case sample 02; "
                             "value_before: 651; value_after: 0.71; unit: mg/L; reduction_pct: 99.9; "
                             "target_value: 0.75 mg/L (UTS TCLP); target_met: yes")},
    }
    assert (data_iri("case", key), SRKG.outcome, outcome) in result.graph


def test_qualified_values_keep_their_qualifier_and_ranges_stay_text() -> None:
    result = mapped()
    after = facts(result, outcome_of(result, 116))  # value_after "<175" ppm; value_before "up to 86,000 (…)"
    assert after["valueAfter"] == {Literal(Decimal("175"), datatype=XSD.decimal)}
    assert after["valueAfterQualifier"] == {Literal("<")}
    assert "valueBefore" not in after and after["unit"] == {QUDT_UNIT.PPM}
    kennedy = facts(result, outcome_of(result, 48))  # reduction ">99.6", pollutant "TPH (diesel, as TRPH)"
    assert kennedy["reductionAsStated"] == {Literal(">99.6")} and "reductionPercent" not in kennedy
    assert kennedy["pollutant"] == {concept_iri("pollutant", "tph")}


def test_a_unit_that_does_not_fit_the_metric_keeps_the_values_as_text() -> None:
    result = mapped()
    eielson = facts(result, outcome_of(result, 57))  # metric "estimated time to remediate", unit mg/kg
    assert eielson["metric"] == {concept_iri("outcome-metric", "treatment-time")}
    assert "valueBefore" not in eielson and "unit" not in eielson
    warnings = [p for p in result.problems if p.location.row == 57 and p.location.column == "unit"]
    assert [(p.severity, p.value) for p in warnings] == [("Warning", "mg/kg")]


def test_costs_need_amount_currency_and_year() -> None:
    result = mapped()
    key = "trial-tza-" + slug("Excavation and export for high-temperature destruction of DDT-contaminated soil, "
                              "former DDT plant Morogoro (Africa Stockpiles Programme)")
    cost = data_iri("cost", f"{key}-1")
    assert facts(result, cost) == {
        "type": {SRKG.Cost},
        "amount": {Literal(Decimal("4000"), datatype=XSD.decimal)},
        "currency": {concept_iri("currency", "usd")},
        "priceYear": {Literal(2012, datatype=XSD.integer)},
        "costBasis": {concept_iri("cost-basis", "per-tonne")},
        "costType": {concept_iri("cost-type", "budget")},
        "costCovers": {Literal("per tonne contaminated soil (digging, packing, transport; field manager estimate)")},
        "statedAs": {Literal("4000 USD 2012 per tonne contaminated soil (digging, packing, transport; field manager "
                             "estimate)")},
    }
    no_year = [p for p in result.problems if p.location.row == 41 and p.location.column == "cost_year"]
    assert [(p.severity, p.message) for p in no_year] == [("Info", "the cost lacks a price year; kept as text only")]


def test_mapped_cases_pass_the_shapes() -> None:
    report = validate_graph(mapped().graph)
    assert [f.message for f in report.findings if f.severity == "Violation"] == []
