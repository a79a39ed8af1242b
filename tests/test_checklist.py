"""The action-plan checklist (sparql_api.analysis.checklist, checklist_plan, checklist_markdown) and the barrier
counts (sparql_api.analysis.barriers), on the project's real data loaded as the server loads it.

The expectations are checked against the vocabulary files (read with rdflib) and against SPARQL written here,
independently of the module's own queries. Competency question 5: a lead-contaminated urban garden.
"""

from __future__ import annotations

import gc
import re
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import RDF, SKOS, Graph, Namespace, URIRef
from rdflib.namespace import DCTERMS, PROV

from ingest import paths
from ingest.namespaces import SRKG
from sparql_api.analysis import barriers as ba
from sparql_api.analysis import checklist as ck
from sparql_api.analysis.checklist_markdown import render as markdown
from sparql_api.analysis.checklist_plan import (
    PlanError,
    draft_iri,
    plan_graph,
    plan_iri,
    read_plan,
    set_status,
)
from sparql_api.analysis.resolve import FilterError
from sparql_api.server.bootstrap import bootstrap
from sparql_api.store.oxigraph_store import OxigraphStore
from sparql_api.web import i18n

VOCAB = "https://w3id.org/srkg/vocab/"
BASE = "https://w3id.org/srkg/"
LEAD = VOCAB + "pollutant/lead"
URBAN_GARDEN = VOCAB + "land-use/urban-garden"
RESOIL = BASE + "id/case/svn-resoil-edta-soil-washing"  # the one documented lead case in urban gardens
PPLAN = Namespace("http://purl.org/net/p-plan#")
PREFIXES = """PREFIX srkg: <https://w3id.org/srkg/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OxigraphStore]:
    """An in-memory store with every graph the server bootstraps (ontology, vocabularies, countries, cases)."""
    memory = OxigraphStore(None)
    bootstrap(memory, tmp_path_factory.mktemp("checklist") / "state.json", progress=lambda _: None)
    yield memory
    memory.close()


def rows(store: OxigraphStore, sparql: str) -> list[dict[str, str]]:
    return [{k: str(v) for k, v in row.items() if v is not None} for row in store.select(PREFIXES + sparql)]


@pytest.fixture(scope="module")
def garden() -> ck.SiteDescription:
    return ck.describe_site(["Pb"], "allotment", "residential", "GBR")


@pytest.fixture(scope="module")
def garden_checklist(store: OxigraphStore, garden: ck.SiteDescription) -> ck.Checklist:
    return ck.build(store, garden, "en")


@pytest.fixture(scope="module")
def checklist_vocab() -> Graph:
    return Graph().parse(paths.vocab_dir() / "checklist.ttl")


# --- the site --------------------------------------------------------------------------------------------------


def test_the_users_words_resolve_to_vocabulary_concepts(garden: ck.SiteDescription) -> None:
    assert [p.iri for p in garden.pollutants] == [LEAD]
    assert garden.land_use and garden.land_use.iri == URBAN_GARDEN
    assert garden.site_type and garden.site_type.iri == VOCAB + "site-type/residential"
    assert garden.country and garden.country.iri == VOCAB + "country/GBR"
    assert [p.iri for p in ck.describe_site(["lead", "Pb"]).pollutants] == [LEAD]  # one concept, once
    both = ck.describe_site(["Pb, Cd"], "urban garden")
    assert [p.iri for p in both.pollutants] == [LEAD, VOCAB + "pollutant/cadmium"]
    assert both.land_use and both.land_use.iri == URBAN_GARDEN


@pytest.mark.parametrize(("pollutants", "country", "field"), [
    ([], None, "pollutant"), ([" , "], None, "pollutant"), (["unobtainium"], None, "pollutant"),
    (["Pb"], "Atlantis", "country"), ([f"p{i}" for i in range(11)], None, "pollutant"),
])
def test_words_that_name_nothing_are_refused_naming_the_field(pollutants: list[str], country: str | None,
                                                               field: str) -> None:
    with pytest.raises(FilterError) as error:
        ck.describe_site(pollutants, country=country)
    assert error.value.field == field


# --- stages and criteria ---------------------------------------------------------------------------------------


def test_the_sixteen_stages_come_in_order_with_the_vocabularys_guidance(garden_checklist: ck.Checklist,
                                                                        checklist_vocab: Graph) -> None:
    stages = garden_checklist.stages
    assert [s.notation for s in stages] == [f"RAP-{n:02d}" for n in range(1, 17)]
    assert [s.order for s in stages] == list(range(1, 17))
    ordered = Graph().parse(paths.vocab_dir() / "checklist.ttl")
    members = list(ordered.items(ordered.value(URIRef(VOCAB + "checklist-stage/ordered"), SKOS.memberList)))
    assert [s.iri for s in stages] == [str(m) for m in members]
    for stage in stages:
        iri = URIRef(stage.iri)
        assert stage.guidance == str(checklist_vocab.value(iri, SKOS.scopeNote))
        assert stage.label == str(checklist_vocab.value(iri, SKOS.prefLabel))
        assert set(stage.sources) == {str(s) for s in checklist_vocab.objects(iri, DCTERMS.source)}


def test_criteria_are_exactly_the_ones_the_vocabulary_links_to_each_stage(garden_checklist: ck.Checklist,
                                                                          checklist_vocab: Graph) -> None:
    linked = 0
    for stage in garden_checklist.stages:
        expected = {str(c) for c in checklist_vocab.objects(URIRef(stage.iri), SRKG.relevantCriterion)}
        assert {c.iri for c in stage.criteria} == expected
        linked += bool(expected)
    assert linked == 4  # RAP-02, RAP-08, RAP-09, RAP-12; the others say plainly that they have none
    framing = next(s for s in garden_checklist.stages if s.notation == "RAP-08")
    assert [c.notation for c in framing.criteria][:5] == ["ENV1", "ENV2", "ENV3", "ENV4", "ENV5"]
    assert {c.framework_label for c in framing.criteria} == {"SuRF-UK sustainability assessment framework"}
    appraisal = next(s for s in garden_checklist.stages if s.notation == "RAP-09")
    assert [c.notation for c in appraisal.criteria] == [f"NCP-{n}" for n in range(1, 10)]


def test_a_reader_in_another_language_gets_english_where_the_vocabulary_has_nothing_else(
        store: OxigraphStore, garden: ck.SiteDescription, garden_checklist: ck.Checklist) -> None:
    french = ck.build(store, garden, "fr")
    assert [s.guidance for s in french.stages] == [s.guidance for s in garden_checklist.stages]
    assert french.label(garden.pollutants[0]) == "plomb"  # the pollutant vocabulary has French labels
    assert garden_checklist.label(garden.pollutants[0]) == "lead"


# --- candidate technologies ------------------------------------------------------------------------------------


def lead_evidence(store: OxigraphStore) -> dict[str, int]:
    """Technology → published cases with lead (or a narrower pollutant), counted here independently."""
    found = rows(store, """SELECT ?technology (COUNT(DISTINCT ?case) AS ?n) WHERE {
      ?case a srkg:CaseStudy ; srkg:pollutant ?pollutant ; srkg:technologyApplication ?step .
      ?step srkg:technology ?technology .
      ?pollutant skos:broader* <https://w3id.org/srkg/vocab/pollutant/lead> .
    } GROUP BY ?technology""")
    return {r["technology"]: int(r["n"]) for r in found}


def test_candidates_are_the_technologies_of_the_published_lead_cases(store: OxigraphStore,
                                                                      garden_checklist: ck.Checklist) -> None:
    (lead,) = garden_checklist.candidates
    assert lead.pollutant.iri == LEAD
    assert {c.technology: c.n_cases for c in lead.candidates} == lead_evidence(store)
    assert [c.rank for c in lead.candidates] == list(range(1, len(lead.candidates) + 1))
    cases = rows(store, """SELECT (COUNT(DISTINCT ?case) AS ?n) WHERE {
      ?case a srkg:CaseStudy ; srkg:pollutant ?p ; srkg:technologyApplication ?step .
      ?p skos:broader* <https://w3id.org/srkg/vocab/pollutant/lead> }""")
    assert lead.evidence_cases == int(cases[0]["n"])


def test_the_lead_garden_gets_the_technologies_the_evidence_supports(garden_checklist: ck.Checklist) -> None:
    """What the real cases say for lead: removal (excavation, capping, soil washing), amendments and phytostabilisation
    each in at least three published cases; phytostabilisation is nature-based, excavation is not."""
    by_key = {c.technology.rsplit("/", 1)[-1]: c for c in garden_checklist.candidates[0].candidates}
    for key in ("phytostabilisation", "in-situ-stabilisation-with-amendments", "excavation", "capping",
                "excavation-and-off-site-disposal", "soil-washing", "compost-amendment", "phytoextraction"):
        assert key in by_key, key
        assert by_key[key].n_cases >= 3 and by_key[key].strength != "thin", key
    assert by_key["phytostabilisation"].nature_based == "yes"
    assert by_key["excavation"].nature_based == "no"
    thin = [c for c in garden_checklist.candidates[0].candidates if c.strength == "thin"]
    solid = [c for c in garden_checklist.candidates[0].candidates if c.strength != "thin"]
    assert max(c.rank for c in solid) < min(c.rank for c in thin)  # thin evidence is ranked after


def test_a_pollutant_class_gets_the_evidence_of_its_pollutants(store: OxigraphStore) -> None:
    metals = ck.build(store, ck.describe_site(["heavy metals"]), "en")
    (found,) = metals.candidates
    assert found.pollutant.iri == VOCAB + "pollutant-class/metals-metalloids"
    lead_cases = set().union(*(c.cases for c in ck.build(store, ck.describe_site(["Pb"]), "en").candidates[0]
                               .candidates))
    assert lead_cases <= set().union(*(c.cases for c in found.candidates))
    assert found.evidence_cases > len(lead_cases)


# --- similar cases ---------------------------------------------------------------------------------------------


def involves(store: OxigraphStore, case: str, pollutant: str = LEAD) -> bool:
    return bool(rows(store, f"""SELECT ?p WHERE {{ <{case}> srkg:pollutant ?p .
      ?p skos:broader* <{pollutant}> }} LIMIT 1"""))


def test_similar_cases_really_involve_lead_and_the_urban_garden_comes_first(store: OxigraphStore,
                                                                             garden_checklist: ck.Checklist) -> None:
    similar = garden_checklist.similar
    assert len(similar) == ck.SIMILAR_LIMIT
    assert all(involves(store, c.case) for c in similar)
    assert all(c.pollutant_points == 3 for c in similar)
    first = similar[0]
    assert first.case == RESOIL and first.land_use_match and first.site_type_match and first.place == "region"
    assert [c.rank_key() for c in similar] == sorted(c.rank_key() for c in similar)
    uk = next(c for c in similar if c.place == "country")  # the London Olympic Park case had lead
    assert uk.case == BASE + "id/case/gbr-london-olympic-park"
    garden_cases = rows(store, """SELECT DISTINCT ?case WHERE { ?case a srkg:CaseStudy ; srkg:site ?site .
      ?site srkg:landUseBefore|srkg:landUseAfter <https://w3id.org/srkg/vocab/land-use/urban-garden> }""")
    shown = {c.case for c in similar}
    assert {c.case for c in similar if c.land_use_match} == {r["case"] for r in garden_cases} & shown


def test_without_context_only_the_pollutants_count(store: OxigraphStore) -> None:
    similar = ck.similar_cases(store, ck.describe_site(["Pb", "Cd"]), "en", limit=200)
    assert all(c.context_points == 0 for c in similar)
    both = [c for c in similar if c.pollutant_points == 6]
    assert both and all(involves(store, c.case) and involves(store, c.case, VOCAB + "pollutant/cadmium")
                        for c in both)
    assert [c.pollutant_points for c in similar] == sorted((c.pollutant_points for c in similar), reverse=True)
    class_only = [c for c in similar if c.pollutant_points == 2]  # 1 + 1: another metal, for each of the two
    assert class_only and not any(involves(store, c.case) or involves(store, c.case, VOCAB + "pollutant/cadmium")
                                  for c in class_only)
    assert min(c.pollutant_points for c in similar) == 2


# --- the plan as RDF -------------------------------------------------------------------------------------------


def test_a_stored_plan_has_one_step_per_stage_all_not_started(garden_checklist: ck.Checklist) -> None:
    plan = plan_iri(BASE, "abc123")
    graph = plan_graph(garden_checklist, base=BASE, plan=plan, title="Garden", created="2025-01-02T03:04:05+00:00",
                       creator="alice")
    assert (plan, RDF.type, PROV.Plan) in graph and (plan, RDF.type, PPLAN.Plan) in graph
    steps = list(graph.subjects(PPLAN.isStepOfPlan, plan))
    assert len(steps) == 16
    assert {str(graph.value(s, SRKG.stageStatus)) for s in steps} == {VOCAB + "plan-stage-status/not-started"}
    assert str(graph.value(plan, PROV.wasAttributedTo)) == BASE + "id/agent/alice"
    preceded = {str(graph.value(s, SRKG.checklistStage)).rsplit("/", 1)[-1]:
                str(graph.value(graph.value(s, PPLAN.isPrecededBy), SRKG.checklistStage)).rsplit("/", 1)[-1]
                for s in steps if graph.value(s, PPLAN.isPrecededBy) is not None}
    assert preceded == {f"rap-{n:02d}": f"rap-{n - 1:02d}" for n in range(2, 17)}
    assert graph.value(plan, SRKG.candidateTechnology) is None  # a stored plan keeps its inputs, not the evidence

    stored = read_plan(graph, plan)
    assert (stored.title, stored.creator) == ("Garden", "alice")
    assert [p.iri for p in stored.site.pollutants] == [LEAD]
    assert stored.site.land_use and stored.site.land_use.iri == URBAN_GARDEN
    assert set(stored.statuses.values()) == {"not-started"} and len(stored.statuses) == 16
    assert stored.changes == ()


def test_status_changes_are_recorded_with_who_and_when_and_chained(garden_checklist: ck.Checklist) -> None:
    plan = plan_iri(BASE, "abc123")
    graph = plan_graph(garden_checklist, base=BASE, plan=plan, title="Garden", created="2025-01-02T03:04:05+00:00",
                       creator="alice")
    set_status(graph, plan, "rap-04", "in-progress", by="alice", at="2025-02-01T10:00:00+00:00", base=BASE)
    set_status(graph, plan, "rap-04", "done", by="bob", at="2025-03-01T10:00:00+00:00", base=BASE)
    set_status(graph, plan, "rap-01", "done", by="alice", at="2025-03-02T10:00:00+00:00", base=BASE)
    stored = read_plan(graph, plan)
    assert stored.statuses[VOCAB + "checklist-stage/rap-04"] == "done"
    assert stored.statuses[VOCAB + "checklist-stage/rap-01"] == "done"
    assert sum(s == "not-started" for s in stored.statuses.values()) == 14
    assert [(c.stage.rsplit("/", 1)[-1], c.status, c.by, c.at[:10]) for c in stored.changes] == [
        ("rap-04", "in-progress", "alice", "2025-02-01"), ("rap-04", "done", "bob", "2025-03-01"),
        ("rap-01", "done", "alice", "2025-03-02")]
    second = URIRef(f"{plan}/stage/rap-04/change/2")
    assert graph.value(second, PROV.wasRevisionOf) == URIRef(f"{plan}/stage/rap-04/change/1")
    assert graph.value(second, PROV.specializationOf) == URIRef(f"{plan}/stage/rap-04")
    assert str(graph.value(second, PROV.wasAttributedTo)) == BASE + "id/agent/bob"
    with pytest.raises(PlanError, match="unknown status"):
        set_status(graph, plan, "rap-04", "finished", by="bob", at="2025-03-03T00:00:00+00:00", base=BASE)
    with pytest.raises(PlanError, match="no stage"):
        set_status(graph, plan, "rap-17", "done", by="bob", at="2025-03-03T00:00:00+00:00", base=BASE)


def test_an_exported_checklist_is_named_after_its_url_and_carries_the_evidence(
        garden_checklist: ck.Checklist, garden: ck.SiteDescription) -> None:
    graph = plan_graph(garden_checklist, base=BASE, plan=None, title="Garden", created="2025-01-02T03:04:05+00:00",
                       evidence=True)
    plan = draft_iri(BASE, garden)
    assert str(plan) == (BASE + "checklist?pollutant=lead&land_use=urban-garden&site_type=residential&country=GBR"
                         "#plan")
    assert len(list(graph.subjects(PPLAN.isStepOfPlan, plan))) == 16
    assert {str(t) for t in graph.objects(plan, SRKG.candidateTechnology)} == {
        c.technology for c in garden_checklist.candidates[0].candidates}
    assert [str(c) for c in graph.objects(plan, SRKG.similarCase)] != []
    assert {str(c) for c in graph.objects(plan, SRKG.similarCase)} == {c.case for c in garden_checklist.similar}


# --- Markdown --------------------------------------------------------------------------------------------------


def test_markdown_lists_the_stages_in_order_and_says_where_the_vocabulary_has_nothing(
        garden_checklist: ck.Checklist) -> None:
    text = markdown(garden_checklist, i18n.translator("en"), lambda iri: iri, title="Garden",
                    statuses={VOCAB + "checklist-stage/rap-01": "done"})
    headings = re.findall(r"^### \[([ x])\] (\d+)\. (RAP-\d\d) ", text, flags=re.MULTILINE)
    assert [(int(n), code) for _, n, code in headings] == [(n, f"RAP-{n:02d}") for n in range(1, 17)]
    assert headings[0][0] == "x" and {h[0] for h in headings[1:]} == {" "}
    assert text.count("the vocabulary links no criterion to this stage") == 12
    rows_in_table = re.findall(r"^\| \d+ \| \[", text, flags=re.MULTILINE)
    assert len(rows_in_table) == len(garden_checklist.candidates[0].candidates)
    assert f"]({RESOIL})" in text


# --- barrier counts --------------------------------------------------------------------------------------------


def report(reporter: str, barrier: str, source: str = "survey", country: str | None = None,
           region: str | None = None, technology: str | None = None) -> ba.Report:
    return ba.Report(reporter, source, VOCAB + "barrier/" + barrier, country, region, technology)


def test_barriers_count_distinct_reporters_under_each_value_they_state() -> None:
    reports = [
        report("r1", "tim-01", country="FRA", technology="phyto"),
        report("r1", "tim-01", country="FRA", technology="wash"),
        report("r2", "tim-01", country="FRA", technology="phyto"), report("r3", "tim-01"),
        report("c1", "tim-01", "case", country="DEU", technology="phyto"), report("r2", "eco-01", country="FRA"),
    ]
    by_country = {(c.key, c.barrier.rsplit("/", 1)[-1]): (c.count, c.survey, c.cases)
                  for c in ba.tally(reports, "country")}
    assert by_country == {("FRA", "tim-01"): (2, 2, 0), ("FRA", "eco-01"): (1, 1, 0), ("DEU", "tim-01"): (1, 0, 1),
                          (None, "tim-01"): (1, 1, 0)}
    by_technology = {(c.key, c.barrier.rsplit("/", 1)[-1]): c.count for c in ba.tally(reports, "technology")}
    assert by_technology[("phyto", "tim-01")] == 3 and by_technology[("wash", "tim-01")] == 1
    assert by_technology[(None, "tim-01")] == 1 and by_technology[(None, "eco-01")] == 1
    overall = {c.barrier.rsplit("/", 1)[-1]: c.count for c in ba.tally(reports, None)}
    assert overall == {"tim-01": 4, "eco-01": 1}
    assert ba.reporters(reports) == {"survey": 3, "case": 1}
    with pytest.raises(ValueError, match="unknown dimension"):
        ba.tally(reports, "planet")


def test_barrier_groups_count_each_reporter_once(store: OxigraphStore) -> None:
    data = ba.fetch(store)
    assert len({g for g in data.groups.values()}) == 8 and len(data.groups) == 42
    reports = [report("r1", "tim-01"), report("r1", "tim-02"), report("r2", "tim"), report("r2", "eco-01")]
    groups = {data.notations[c.barrier]: c.count for c in ba.tally_groups(reports, data, None)}
    assert groups == {"TIM": 2, "ECO": 1}
    only_time = ba.BarrierData(tuple(reports), (), data.notations, data.groups, data.labels).filtered(group="TIM")
    assert {r.reporter for r in only_time} == {"r1", "r2"} and len(only_time) == 3
    assert data.label(VOCAB + "barrier/tim-01", "fr") == "Long treatment duration"  # English fallback
    assert data.reports == ()  # the real data has no barrier record yet (the page says so)


def test_barrier_queries_run_on_oxigraph() -> None:
    for name in ("reports", "success-factors", "vocabulary", "labels"):
        assert ox.Store().query(ba.query_text(name)) is not None


# --- the command line ------------------------------------------------------------------------------------------


def test_srkg_checklist_writes_the_checklist_from_the_configured_store(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from sparql_api.cli import main
    from sparql_api.server.bootstrap import default_sources

    disk = OxigraphStore(tmp_path / "store")  # the store the command opens: SRKG_DATA_DIR/store
    bootstrap(disk, tmp_path / "state.json", [s for s in default_sources() if s.build is None], lambda _: None)
    disk.close()
    del disk
    gc.collect()  # the store's lock goes with the last reference to it
    monkeypatch.setenv("SRKG_DATA_DIR", str(tmp_path))
    out = tmp_path / "plan.md"
    assert main(["checklist", "--pollutant", "Pb", "--land-use", "allotment", "--site-type", "residential",
                 "--country", "GBR", "--format", "md", "-o", str(out)]) == 0
    text = out.read_text("utf-8")
    assert re.findall(r"^### \[ \] \d+\. (RAP-\d\d)", text, re.MULTILINE) == [f"RAP-{n:02d}" for n in range(1, 17)]
    assert f"]({RESOIL})" in text  # the hand-modelled cases were loaded; the literature table was not
    page = tmp_path / "plan.html"
    assert main(["checklist", "--pollutant", "Pb", "--format", "html", "-o", str(page), "--lang", "fr"]) == 0
    html = page.read_text("utf-8")
    assert '<html lang="fr" dir="ltr">' in html and "@media print" in html and 'href="/static' not in html
    assert html.count('data-stage="RAP-') == 16
    ttl = tmp_path / "plan.ttl"
    assert main(["checklist", "--pollutant", "Pb", "--format", "ttl", "-o", str(ttl)]) == 0
    graph = Graph().parse(ttl)
    assert len(list(graph.subjects(PPLAN.isStepOfPlan, URIRef(BASE + "checklist?pollutant=lead#plan")))) == 16


def test_srkg_checklist_refuses_words_that_name_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    from sparql_api.cli import main

    assert main(["checklist", "--pollutant", "unobtainium"]) == 2
    assert "pollutant: 'unobtainium' is not a pollutant" in capsys.readouterr().err


# --- interface strings -----------------------------------------------------------------------------------------


def test_every_interface_string_of_these_pages_exists_in_the_six_languages() -> None:
    import json

    strings: dict[str, dict[str, str]] = {}
    for name in ("checklist", "analytics"):
        strings |= json.loads((i18n.STRINGS_DIR / f"{name}.json").read_text("utf-8"))
    assert all(set(texts) == set(i18n.LANGUAGES) and all(texts.values()) for texts in strings.values())
    assert all(key.split(".")[0] in ("checklist", "analytics", "definitions") for key in strings)
    templates = Path(i18n.__file__).parent / "templates"
    used: set[str] = set()
    for path in [*templates.glob("checklist*.html"), *templates.glob("analytics*.html"), templates / "definitions.html",
                 *(Path(ck.__file__).parent / name for name in ("checklist_markdown.py",))]:
        used |= set(re.findall(r"""_\(["']((?:checklist|analytics|definitions)\.[a-z_.\-]+[a-z_])["']""",
                                path.read_text("utf-8")))
    dynamic = {f"checklist.status.{s}" for s in ("not-started", "in-progress", "done")}
    dynamic |= {f"checklist.strength.{s}" for s in ("thin", "moderate", "substantial")}
    dynamic |= {f"checklist.nbs.{s}" for s in ("yes", "partial", "no")}
    dynamic |= {f"checklist.scale.{s}" for s in ("lab", "pilot", "field", "full")}
    dynamic |= {f"checklist.why.{s}" for s in ck.PLACE_POINTS}
    dynamic |= {f"analytics.{kind}.{d}" for d in ba.DIMENSIONS for kind in ("by", "by_heading")}
    dynamic |= {f"analytics.source.{s}" for s in ba.SOURCES} | {"analytics.not_stated", "checklist.plan_title"}
    missing = sorted((used | dynamic) - set(strings))
    assert missing == []
    assert len(used) > 60
