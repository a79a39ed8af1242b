"""Technology comparison (sparql_api/analysis): hand-checked results on real rows, and the rules one by one.

The fixture (tests/fixtures/comparison/, README there with the hand calculation) is read by the real ingest
readers into a real Oxigraph store; the expected rankings and numbers below are the README's.
"""

from __future__ import annotations

import csv
import gc
import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from ingest.pipeline import ingest_file
from sparql_api.analysis.comparison import Comparison, TechnologyResult, compare
from sparql_api.analysis.cost_measures import normalise
from sparql_api.analysis.evidence import (
    QUERY_NAMES,
    Filters,
    bound_query,
    fetch,
    query_text,
    runnable_query,
    with_pollutants,
)
from sparql_api.analysis.formats import render
from sparql_api.analysis.money import default_tables
from sparql_api.analysis.outcome_measures import MetricResult, StatedOutcome, by_metric, reduction
from sparql_api.analysis.pillar_scores import Weights, by_pillar
from sparql_api.analysis.report import comparison_json
from sparql_api.analysis.resolve import FilterError, resolve_pollutant
from sparql_api.analysis.rows import AssessmentRow, CaseRow, CostRow, Evidence, OutcomeRow
from sparql_api.analysis.service import CompareRequest, run
from sparql_api.analysis.stats import strength
from sparql_api.store.base import Store
from sparql_api.store.oxigraph_store import OxigraphStore

REPO = Path(__file__).resolve().parents[1]
FIXTURE = REPO / "tests" / "fixtures" / "comparison"
ECONOMICS = REPO / "ontology" / "external" / "economics"
CASE = "https://w3id.org/srkg/id/case/"
VOCAB = "https://w3id.org/srkg/vocab/"
QUDT = "http://qudt.org/vocab/unit/"


def load_data(store: Store) -> None:
    """Vocabularies, countries, one hand-modelled example and the real readers' output of the fixture rows."""
    graphs = {"vocab": sorted((REPO / "ontology" / "vocab").glob("*.ttl")),
              "countries": [REPO / "ontology" / "external" / "countries.ttl"],
              "examples": [FIXTURE / "rou-straulesti-oil-storage.ttl"]}
    for name, files in graphs.items():
        for path in files:
            store.add_graph(f"https://w3id.org/srkg/graph/{name}", path.read_bytes(), "text/turtle")
    for key, kind, name in (("field-trials", "field-trials", "field-trials-subset.csv"),
                            ("literature-cases", "literature", "literature-subset.csv")):
        result = ingest_file(FIXTURE / name, submitter="test", submission_key=key, kind=kind)
        data = result.load_graph.serialize(format="nt", encoding="utf-8")
        store.replace_graph(f"https://w3id.org/srkg/graph/submission/{key}", data, "application/n-triples")


def build_store(folder: Path) -> None:
    store = OxigraphStore(folder)
    try:
        load_data(store)
    finally:
        store.close()
        del store
        gc.collect()  # the store object sits in a reference cycle; its lock goes only when it is collected


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OxigraphStore]:
    folder = tmp_path_factory.mktemp("comparison") / "store"
    build_store(folder)
    opened = OxigraphStore(folder)
    yield opened
    opened.close()


def compared(store: OxigraphStore, pollutant: str, **kwargs: str) -> Comparison:
    return run(store, CompareRequest(pollutant, **kwargs)).comparison


def by_label(comparison: Comparison) -> dict[str, TechnologyResult]:
    return {t.label: t for t in comparison.technologies}


def metric(t: TechnologyResult, notation: str) -> MetricResult:
    return next(m for m in t.outcomes if m.metric == VOCAB + "outcome-metric/" + notation)


# ------------------------------------------------------------------------------------------ hand-checked fixture


def test_cadmium_ranking_and_numbers(store: OxigraphStore) -> None:
    c = compared(store, "Cd")
    assert c.cases == 4 and c.rank_metric_label == "plant uptake"
    assert [t.label for t in c.technologies] == ["liming", "phytoextraction"]
    liming, phyto = c.technologies
    assert (liming.n_cases, liming.strength, liming.highest_scale, liming.nature_based) == (2, "thin", "field",
                                                                                           "partial")
    uptake = metric(liming, "plant-uptake")
    assert (uptake.reductions.median, uptake.reductions.n) == (Decimal("81.35"), 1)
    assert sorted(i.value for i in uptake.reductions.values[0].items) == [Decimal("73.5"), Decimal("89.2")]
    assert sorted(s.text for s in uptake.stated) == ["reduction 21-63 %", "reduction 5-38 %"]
    bioavailable = metric(liming, "bioavailable-concentration")
    assert bioavailable.reductions.n == 0 and [s.text for s in bioavailable.stated] == ["reduction 20-54 %"]
    assert (liming.duration.median, liming.duration.n) == (Decimal(27), 1)
    uptake = metric(phyto, "plant-uptake")
    assert (uptake.reductions.median, uptake.reductions.minimum, uptake.reductions.maximum, uptake.reductions.n) == (
        Decimal("27.65"), Decimal("8.3"), Decimal(47), 2)
    assert uptake.reductions.thin
    assert metric(phyto, "total-concentration").reductions.median == Decimal(38)
    assert (phyto.nature_based, phyto.highest_scale, phyto.duration.median) == ("yes", "field", Decimal(24))


def test_lead_ranking_and_numbers(store: OxigraphStore) -> None:
    c = compared(store, "Pb")
    assert c.cases == 6 and c.rank_metric_label == "leachable concentration"
    assert [t.label for t in c.technologies] == [
        "in-situ stabilisation with soil amendments", "excavation of contaminated soil", "compost amendment"]
    stabilisation, excavation, compost = c.technologies
    assert (stabilisation.n_cases, stabilisation.strength, stabilisation.highest_scale) == (3, "moderate", "full")
    leach = metric(stabilisation, "leachable-concentration")
    r = leach.reductions
    assert (r.median, r.minimum, r.maximum, r.n, r.thin) == (Decimal("99.8"), Decimal("99.7"), Decimal("99.9"), 2, True)
    assert len(leach.stated) == 1 and "<5.0" in leach.stated[0].text
    assert [i.reason for i in excavation.costs_not_normalised] == [
        "a project total, and the case states no area, mass or volume treated to divide it by"]
    assert (compost.n_cases, compost.highest_scale) == (2, "field")
    bioaccessible = metric(compost, "bioaccessible-concentration")
    assert (bioaccessible.reductions.median, bioaccessible.reductions.n) == (Decimal(59), 1)
    stated = {s.text for m in compost.outcomes for s in m.stated}
    assert stated == {"reduction 96.5-97.5 %", "reduction 95.0-97.1 %", "reduction 45.5-90.1 %"}


def test_tph_ranking_and_numbers(store: OxigraphStore) -> None:
    c = compared(store, "TPH")
    assert c.cases == 7 and c.rank_metric_label == "removal percentage"
    assert [t.label for t in c.technologies] == [
        "air sparging", "landfarming", "biopiles", "bioremediation", "monitored natural attenuation", "pump and treat",
        "phytoremediation", "conductive heating", "biostimulation", "bioaugmentation", "bioventing"]
    assert {t.strength for t in c.technologies} == {"thin"}
    tech = by_label(c)
    assert tech["conductive heating"].rank_reduction == Decimal("98.23")
    assert [s.text for s in metric(tech["biopiles"], "total-concentration").stated] == ["reduction >99.6 %"]
    assert [s.text for s in metric(tech["biostimulation"], "removal-percent").stated] == ["reduction 50-95 %"]
    assert metric(tech["bioventing"], "total-concentration").reductions.median == Decimal("94.17")
    # Straulesti: EUR 10 M (2007) budget for 20 ha → 1,063,981.38 USD (2025) per ha, shown but not in the median.
    for label in ("bioremediation", "pump and treat", "air sparging"):
        (per_ha,) = tech[label].costs
        assert per_ha.basis == "per-hectare" and per_ha.usd.n == 0
        (item,) = per_ha.items
        assert round(item.usd, 2) == Decimal("1063981.38")
        assert item.reason == "a budget or estimate, not a reported cost"
        assert "0.729672 EUR/USD" in item.steps[1] and "321.943" in item.steps[2]


def test_pollutant_class_includes_its_members(store: OxigraphStore) -> None:
    c = compared(store, "petroleum hydrocarbons")
    assert c.cases == 8
    tech = by_label(c)
    assert [t.label for t in c.technologies][:3] == ["air sparging", "bioremediation", "landfarming"]
    (per_ha,) = tech["bioremediation"].costs
    assert (round(per_ha.usd.median, 2), per_ha.usd.n) == (Decimal("77259.40"), 1)
    assert per_ha.usd.cases == (CASE + "lit-aze-absheron-oil-contaminated-land-reclamation-incl-ekol-bioreme",)
    assert tech["revegetation"].rank == 7
    assert "revegetation" not in by_label(compared(store, "TPH"))  # petroleum oil is not narrower than TPH


def test_filters_narrow_the_evidence(store: OxigraphStore) -> None:
    assert compared(store, "Cd", country="POL").cases == 1
    assert compared(store, "Cd", region="142").cases == 3  # Asia: China ×2, Japan
    assert compared(store, "Pb", medium="groundwater").cases == 0


def test_report_links_every_number_to_its_cases(store: OxigraphStore) -> None:
    result = run(store, CompareRequest("Cd"))
    data = comparison_json(result, default_tables(), link=lambda iri: "/" + iri.split("/srkg/", 1)[1])
    liming = data["technologies"][0]
    assert liming["cases"]["strength"] == "thin"
    reduction_json = liming["outcomes"][0]["reduction_percent"]
    assert reduction_json["median"] == 81.35 and reduction_json["n"] == 1
    assert reduction_json["values"][0]["page"].startswith("/id/case/trial-pol-liming")
    assert {o["page"] for o in reduction_json["values"][0]["items"]} <= {
        f"/id/outcome/{p}" for p in ("trial-pol-liming-cd-contaminated-soil-microfield-experiment-skierniewi-1",
                                     "trial-pol-liming-cd-contaminated-soil-microfield-experiment-skierniewi-2")}
    assert [q["name"] for q in data["queries"]] == list(QUERY_NAMES)
    assert "pollutant/cadmium" in data["queries"][0]["text"]
    assert data["sources"]["exchange_rates"]["attribution"].startswith("Source: European Central Bank")


def test_cli_prints_the_comparison(tmp_path: Path) -> None:
    build_store(tmp_path / "data" / "store")
    env = {k: v for k, v in os.environ.items() if not k.startswith("SRKG_")} | {"SRKG_DATA_DIR": str(tmp_path / "data")}

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "sparql_api.cli", "compare", *args], capture_output=True,
                              text=True, env=env, cwd=REPO, timeout=120)

    done = cli("--pollutant", "Pb", "--format", "json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["technologies"][0]["label"] == "in-situ stabilisation with soil amendments"
    assert data["technologies"][0]["outcomes"][0]["reduction_percent"]["median"] == 99.8
    table = cli("--pollutant", "Cd").stdout
    assert re.search(r"^1\s+liming\s+partial\s+2\s+thin\s+field\s+81\.35 \(n=1\) thin\s+2 as stated", table, re.M)
    rows = list(csv.reader(cli("--pollutant", "Cd", "--format", "csv").stdout.splitlines()))
    assert rows[0][:2] == ["rank", "technology"] and [r[1] for r in rows[1:]] == ["liming", "phytoextraction"]
    assert "| 2 | phytoextraction | yes | 2 | thin | field | 27.65 (8.3–47, n=2) thin |" in cli(
        "--pollutant", "cadmium", "--format", "markdown").stdout
    bad = cli("--pollutant", "Xyzium")
    assert bad.returncode == 2 and "not a pollutant or pollutant class" in bad.stderr
    assert cli("--pollutant", "Cd", "--country", "POL", "--region", "150").returncode == 2  # one place only


# ------------------------------------------------------------------------------------------ rules, one by one


def outcome(case: str, metric_notation: str = "total-concentration", **values: object) -> OutcomeRow:
    fields = {"outcome": f"{case}-o{len(values)}-{sorted(values.items())!r}"} | values
    return OutcomeRow(case=case, metric=VOCAB + "outcome-metric/" + metric_notation, **fields)  # type: ignore[arg-type]


def test_ranges_and_qualifiers_are_kept_apart_never_parsed() -> None:
    assert reduction(outcome("a", reduction_percent=Decimal(40))) == (Decimal(40), "stated")
    assert reduction(outcome("a", value_before=Decimal(200), value_after=Decimal(50))) == (Decimal(75), "computed")
    for stated in ("32.0-52.5", "> 90", "~90"):
        read = reduction(outcome("a", reduction_as_stated=stated))
        assert isinstance(read, StatedOutcome) and stated in read.text
    censored = reduction(outcome("a", value_before=Decimal(3000), value_after=Decimal(10), after_qualifier="<"))
    assert isinstance(censored, StatedOutcome) and censored.text.startswith("3000 → <10")
    results = by_metric([outcome("a", reduction_as_stated="32.0-52.5"), outcome("b", reduction_percent=Decimal(20))])
    (only,) = results
    assert (only.reductions.n, only.reductions.median, len(only.stated), only.outcomes) == (1, Decimal(20), 1, 2)


def test_metrics_are_never_mixed_and_a_case_counts_once() -> None:
    results = {m.metric.rsplit("/", 1)[-1]: m for m in by_metric([
        outcome("a", "total-concentration", reduction_percent=Decimal(10)),
        outcome("a", "total-concentration", reduction_percent=Decimal(30)),
        outcome("b", "total-concentration", reduction_percent=Decimal(90)),
        outcome("a", "plant-uptake", reduction_percent=Decimal(50)),
    ])}
    total, uptake = results["total-concentration"], results["plant-uptake"]
    assert [(v.case, v.value) for v in total.reductions.values] == [("a", Decimal(20)), ("b", Decimal(90))]
    assert total.reductions.median == Decimal(55) and total.reductions.n == 2
    assert (uptake.reductions.median, uptake.reductions.n) == (Decimal(50), 1)


def test_money_conversion_uses_the_ecb_annual_average() -> None:
    money = default_tables()
    # ECB annual average 2007: 1.3705 USD per EUR (published by the ECB; the table keeps 1.37048).
    assert money.per_eur[("USD", 2007)].quantize(Decimal("0.0001")) == Decimal("1.3705")
    assert money.rates[("EUR", 2007)] == Decimal("0.729672")
    same_year = money.convert(Decimal(1000), "EUR", 2007, price_year=2007)
    assert round(same_year.usd, 2) == Decimal("1370.48") and len(same_year.steps) == 1  # type: ignore[arg-type]
    deflated = money.convert(Decimal(1000), "USD", 2007)
    assert money.price_year == 2025
    assert deflated.usd == Decimal(1000) * Decimal("321.943") / Decimal("207.342")
    for currency, year, reason in (("VND", 2012, "do not cover VND"), ("DEM", 1995, "do not cover DEM"),
                                   ("EUR", 1998, "no full-year ECB rate for EUR in 1998"),
                                   ("RUB", 2023, "covered: 2006–2021")):
        converted = money.convert(Decimal(1), currency, year)
        assert converted.usd is None and reason in converted.reason


def test_economics_readme_names_every_uncovered_srkg_currency() -> None:
    from rdflib import Graph, URIRef

    units = Graph().parse(REPO / "ontology" / "vocab" / "units.ttl")
    scheme = URIRef(VOCAB + "currency")
    codes = {str(units.value(c, URIRef("http://www.w3.org/2004/02/skos/core#notation")))
             for c in units.subjects(URIRef("http://www.w3.org/2004/02/skos/core#inScheme"), scheme)}
    with (ECONOMICS / "exchange-rates-usd.csv").open(encoding="utf-8") as handle:
        covered = {row["currency"] for row in csv.DictReader(handle)}
    readme = (ECONOMICS / "README.md").read_text("utf-8")
    listed = readme.split("stay unconverted**", 1)[1].split("- **Years", 1)[0]
    assert {code for code in codes if code not in covered} == set(re.findall(r"\b[A-Z]{3}\b", listed)) - {"ECB", "SRKG"}


def test_cost_normalisation_per_basis() -> None:
    money = default_tables()
    project = CostRow("a", "c1", Decimal(1_000_000), "USD", 2025, "project", area=(Decimal(50_000), QUDT + "M2"),
                      mass=(Decimal(2000), QUDT + "TONNE"))
    items = {i.basis: i for i in normalise(project, money)}
    assert items["per-hectare"].usd == Decimal(200_000) and items["per-tonne"].usd == Decimal(500)
    stated = normalise(CostRow("a", "c2", Decimal(35), "USD", 2025, "per-tonne"), money)
    assert [(i.basis, i.usd) for i in stated] == [("per-tonne", Decimal(35))]
    (missing,) = normalise(CostRow("a", "c3", Decimal(5), "USD", 2025, "project"), money)
    assert missing.usd is None and "no area" in missing.reason


def case_rows(technology: str, cases: list[str], scale: str = "full") -> list[CaseRow]:
    return [CaseRow(case=c, technology=VOCAB + "technology/" + technology, technology_label=technology, scale=scale)
            for c in cases]


def test_thin_evidence_label() -> None:
    assert [strength(n) for n in (0, 1, 2, 3, 9, 10)] == ["thin", "thin", "thin", "moderate", "moderate",
                                                         "substantial"]
    evidence = Evidence(cases=(*case_rows("two", ["a", "b"]), *case_rows("three", ["c", "d", "e"], scale="lab")))
    ranked = compare(evidence, default_tables()).technologies
    # three cases at lab scale rank before two cases at full scale: thin evidence comes last.
    assert [(t.label, t.strength) for t in ranked] == [("three", "moderate"), ("two", "thin")]


def ratings(case: str, pillar: str, value: int) -> AssessmentRow:
    return AssessmentRow(case=case, assessment=f"{case}-a", result=f"{case}-{pillar}", criterion=f"crit-{pillar}",
                         pillar=pillar, rating_value=value, rating_min=1, rating_max=4, framework_label="IUCN NbS")


def test_pillar_weights_change_the_order() -> None:
    """Synthetic assessments (the real data hold none): A is strong on the environment, B on the economy."""
    green, cheap = ["a1", "a2", "a3"], ["b1", "b2", "b3"]
    evidence = Evidence(
        cases=(*case_rows("green", green), *case_rows("cheap", cheap)),
        assessments=(*(ratings(c, "environmental", 4) for c in green), *(ratings(c, "economic", 2) for c in green),
                     *(ratings(c, "environmental", 2) for c in cheap), *(ratings(c, "economic", 4) for c in cheap)),
    )
    money = default_tables()
    env_first = compare(evidence, money, Weights.parse("environmental=3,social=1,economic=1"))
    econ_first = compare(evidence, money, Weights.parse("environmental=1,economic=3"))
    assert [t.label for t in env_first.technologies] == ["green", "cheap"]
    assert [t.label for t in econ_first.technologies] == ["cheap", "green"]
    green_result = env_first.technologies[0]
    # s_env = (4 − 1) ÷ 3 = 1, s_econ = (2 − 1) ÷ 3; S = (3·1 + 1·⅓) ÷ (3 + 1) = 5/6 (social has no score).
    assert green_result.sustainability == (Decimal(3) + Decimal(1) / 3) / 4
    assert [p.pillar for p in green_result.pillars] == ["environmental", "economic"]


def test_raw_scores_without_a_scale_stay_out_of_the_pillar_score() -> None:
    (pillar,) = by_pillar([AssessmentRow("a", "x", "r", "ENV1", pillar="environmental", score=Decimal(2))])
    assert pillar.score is None and [r.score for r in pillar.raw] == [Decimal(2)]


def test_weights_are_checked() -> None:
    assert Weights.parse(None) == Weights()
    for bad in ("environmental", "green=1", "social=-1", "social=x", "environmental=0,social=0,economic=0"):
        with pytest.raises(ValueError):
            Weights.parse(bad)


def test_pollutant_words_resolve_to_concepts() -> None:
    read = {text: (r.iri.rsplit("/", 2)[-2:], r.scheme) for text in ("Cd", "cadmium", "TPH", "Pb", "heavy metals")
            for r in [resolve_pollutant(text)]}
    assert read == {
        "Cd": (["pollutant", "cadmium"], "pollutant"), "cadmium": (["pollutant", "cadmium"], "pollutant"),
        "TPH": (["pollutant", "tph"], "pollutant"), "Pb": (["pollutant", "lead"], "pollutant"),
        "heavy metals": (["pollutant-class", "metals-metalloids"], "pollutant-class"),
    }
    with pytest.raises(FilterError) as error:
        resolve_pollutant("Xyzium")
    assert error.value.field == "pollutant"


# ------------------------------------------------------------------------------------------ queries


def test_every_evidence_query_selects_the_same_cases() -> None:
    blocks = {name: re.search(r"# --- cases of the comparison.*?# --- end of the cases block ---", query_text(name),
                              re.S).group(0) for name in QUERY_NAMES}  # type: ignore[union-attr]
    assert len(set(blocks.values())) == 1


EXAMPLES = {
    "evidence-cases": "cq06b-compare-technologies-cases.rq",
    "evidence-outcomes": "cq06c-compare-technologies-outcomes.rq",
    "evidence-costs": "cq06d-compare-technologies-costs.rq",
    "evidence-assessments": "cq06e-compare-technologies-assessments.rq",
}


@pytest.mark.parametrize("name", QUERY_NAMES)
def test_example_query_is_the_application_query_with_its_values_row(name: str) -> None:
    example = (REPO / "examples" / "queries" / EXAMPLES[name]).read_text("utf-8")
    filters = Filters(VOCAB + "pollutant/cadmium", medium=VOCAB + "medium/soil")
    assert example.split("PREFIX", 1)[1] == runnable_query(name, filters).split("PREFIX", 1)[1]
    assert EXAMPLES[name] in (REPO / "examples" / "queries" / "README.md").read_text("utf-8")


def test_runnable_query_gives_what_the_bound_query_gives(store: OxigraphStore) -> None:
    filters = with_pollutants(store, Filters(VOCAB + "pollutant-class/metals-metalloids", medium=VOCAB + "medium/soil"))
    assert len(filters.pollutants) > 3 and VOCAB + "pollutant/lead" in filters.pollutants
    for name in QUERY_NAMES:
        bound = store.select(bound_query(name, filters), filters.bindings())
        written = store.select(runnable_query(name, filters))
        assert len(bound) == len(written) and (name != "evidence-cases" or bound)


def test_text_formats_agree_with_json(store: OxigraphStore) -> None:
    data = comparison_json(run(store, CompareRequest("Pb")), default_tables())
    assert json.loads(render(data, "json")) == data
    header, *rows = list(csv.reader(render(data, "csv").splitlines()))
    assert [r[1] for r in rows] == [t["label"] for t in data["technologies"]]
    assert rows[0][header.index("leachable concentration: % reduction")] == "99.8 (99.7–99.9, n=2) thin"


def test_evidence_rows_carry_labels_and_notations_in_the_readers_language(store: OxigraphStore) -> None:
    """The evidence queries return IRIs; labels, notations and nature-based categories come from one lookup."""
    english = fetch(store, Filters(VOCAB + "pollutant/lead"))
    french = fetch(store, Filters(VOCAB + "pollutant/lead", lang="fr"))
    technologies = {c.technology.rsplit("/", 1)[1]: (c.technology_label, c.technology_nbs) for c in english.cases}
    assert technologies == {"compost-amendment": ("compost amendment", "yes"),
                            "excavation": ("excavation of contaminated soil", "no"),
                            "in-situ-stabilisation-with-amendments": ("in-situ stabilisation with soil amendments",
                                                                      "partial")}
    assert {(c.country_label, c.scale, c.case_nbs) for c in english.cases} == {
        ("United States of America", "field", "partial"), ("United States of America", "full", "no"),
        ("United States of America", None, "no")}
    assert {c.country_label for c in french.cases} == {"États-Unis d’Amérique"}
    # No French label for these technologies: English is the fallback.
    assert {c.technology_label for c in french.cases} == {label for label, _ in technologies.values()}
    assert {o.pollutant_label for o in english.outcomes} == {"lead"}
    assert {o.pollutant_label for o in french.outcomes} == {"plomb"}
    assert "leachable concentration" in {o.metric_label for o in english.outcomes}
    assert {o.unit_label for o in english.outcomes if o.unit} == {"milligram per litre"}
