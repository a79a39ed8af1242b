"""Fast unit tests of the search index: text analysis, BM25 ranking, facets and the build from a real store."""

from __future__ import annotations

import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from waiting import wait_for

from sparql_api.store.oxigraph_store import OxigraphStore
from sparql_api.web import search_index
from sparql_api.web.search_index import (
    NBS_NO,
    NBS_PARTIAL,
    NBS_YES,
    CaseDoc,
    Concept,
    QueryWord,
    SearchIndex,
    SearchRequest,
    TextIndex,
    UnknownFacetValue,
    analyse,
    bit_ids,
    bitmask,
    build_index,
    index_for,
    normalise,
    parse_query,
    snippet,
)

V = "https://w3id.org/srkg/vocab/"
CASE = "https://w3id.org/srkg/id/case/"


# --- normalisation and tokens ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Phytoremédiation", "phytoremediation"),
        ("ÉCHELLE Über straße", "echelle uber strasse"),
        ("Fitodecontaminación", "fitodecontaminacion"),
        ("КАДМИЙ", normalise("кадмий")),
        ("معالجة نباتيّة", "معالجة نباتية"),  # shadda dropped
        ("أرض", "ارض"),  # hamza on alef dropped
        ("مستـــوى", "مستوي"),  # tatweel dropped, alef maqsura read as yeh
        ("镉污染", "镉污染"),
        ("ＣＤ１２", "cd12"),  # full-width forms
    ],
)
def test_normalise(text: str, expected: str) -> None:
    assert normalise(text) == expected


def test_normalise_keeps_non_latin_letters() -> None:
    assert normalise("Кадмий") == "кадмии"  # the breve of й is a combining mark: dropped on both sides alike
    assert all("\u0400" <= ch <= "\u04ff" for ch in normalise("Кадмий"))


def test_cjk_runs_give_characters_and_bigrams() -> None:
    assert analyse("植物修复") == ["植", "物", "修", "复", "植物", "物修", "修复"]
    assert analyse("镉Cd污染") == ["镉", "cd", "污", "染", "污染"]


def test_words_for_alphabetic_scripts() -> None:
    assert analyse("Cd-contaminated soil, Mae Sot (2012)") == ["cd", "contaminated", "soil", "mae", "sot", "2012"]
    assert analyse("загрязнение почвы") == ["загрязнение", "почвы"]


def test_arabic_definite_article_is_removed() -> None:
    assert analyse("الكادميوم والرصاص") == ["كادميوم", "رصاص"]
    assert analyse("ال") == ["ال"]  # too short to be an article on a word


def test_parse_query_marks_the_last_word_as_prefix() -> None:
    assert parse_query("lead sme") == [QueryWord(("lead",)), QueryWord(("sme",), prefix=True)]
    assert parse_query("lead smelter ") == [QueryWord(("lead",)), QueryWord(("smelter",))]
    assert parse_query("lead x") == [QueryWord(("lead",)), QueryWord(("x",))]  # too short for a prefix
    assert parse_query("植物修复") == [QueryWord(("植物", "物修", "修复"))]
    assert parse_query("镉") == [QueryWord(("镉",))]
    assert parse_query("lead Lead") == [QueryWord(("lead",))]  # a repeated word counts once, as exact
    assert parse_query("  <script> ") == [QueryWord(("script",))]
    assert parse_query("") == []


def test_bitsets_round_trip() -> None:
    ids = [0, 3, 7, 8, 64, 999]
    assert bit_ids(bitmask(ids, 1000)) == ids
    assert bit_ids(0) == []


def test_snippet_marks_matching_words_around_the_first_match() -> None:
    text = "A long introduction. " * 20 + "Cadmium fell by 14 % in the topsoil; cadmium uptake stayed low."
    parts = snippet(text, parse_query("cadmium "), limit=120)
    assert parts[0] == ("…", False) or parts[0][0].startswith("…")
    marked = [t for t, hit in parts if hit]
    assert marked == ["Cadmium", "cadmium"]
    assert sum(len(t) for t, _ in parts) <= 120 + 2 * len("…") + 40
    assert snippet("no match here", parse_query("zinc")) == [("no match here", False)]


# --- ranking --------------------------------------------------------------------------------------------------
def test_bm25_ranks_rarer_terms_and_denser_documents_higher() -> None:
    index = TextIndex([
        {"cadmium": 1, "soil": 1},  # 0
        {"cadmium": 3, "soil": 1},  # 1: more cadmium
        {"soil": 1, "lead": 1},  # 2
        {"soil": 2},  # 3
    ])
    cadmium = index.search(parse_query("cadmium "))
    assert set(cadmium) == {0, 1}
    assert cadmium[1] > cadmium[0]
    both = index.search(parse_query("cadmium soil "))
    assert set(both) == {0, 1}  # every word must match
    assert index.search(parse_query("cadmium lead ")) == {}
    # "cadmium" (in 2 of 4 documents) weighs more than "soil" (in all 4).
    assert index.posting("cadmium")[0] > index.posting("soil")[0]


def test_prefix_matches_count_less_than_exact_words() -> None:
    index = TextIndex([{"lead": 1}, {"leaders": 1}, {"zinc": 1}])
    assert set(index.search(parse_query("lea"))) == {0, 1}
    exact = index.search(parse_query("lead"))
    assert set(exact) == {0, 1}  # "lead" typed as the last word also matches "leaders"…
    assert exact[0] > exact[1]  # …but the exact word ranks first
    assert set(index.search(parse_query("lead "))) == {0}  # a finished word is only itself


def _case(key: str, title: str, *, summary: str = "", country: str | None = None, pollutants: tuple[str, ...] = (),
          technologies: tuple[str, ...] = (), year: int | None = None, nbs: str | None = None) -> CaseDoc:
    values = {
        "country": (V + "country/" + country,) if country else (),
        "pollutant": tuple(V + "pollutant/" + p for p in pollutants),
        "technology": tuple(V + "technology/" + t for t in technologies),
        "nature_based": (nbs,) if nbs else (),
        "year": (str(year),) if year else (),
    }
    fields = [("title", "en", title)] + ([("summary", "", summary)] if summary else [])
    return CaseDoc(CASE + key, {"en": title}, tuple(fields), values, values["pollutant"], values["technology"], year)


def _concept(kind: str, scheme: str, key: str, **labels: str) -> Concept:
    return Concept(V + f"{scheme}/{key}", kind, labels, (), key)


CONCEPTS = {c.iri: c for c in [
    _concept("pollutant", "pollutant", "cadmium", en="cadmium", es="Cadmio", ru="кадмий", zh="镉"),
    _concept("pollutant", "pollutant", "lead", en="lead", fr="plomb"),
    _concept("technology", "technology", "phytoextraction", en="phytoextraction"),
    _concept("technology", "technology", "soil-washing", en="soil washing"),
    _concept("country", "country", "THA", en="Thailand", fr="Thaïlande"),
    _concept("country", "country", "FRA", en="France"),
]}


@pytest.fixture(scope="module")
def tiny() -> SearchIndex:
    cases = [
        _case("a", "Cadmium phytoextraction in rice paddies", country="THA", pollutants=("cadmium",),
              technologies=("phytoextraction",), year=2010, nbs=NBS_YES),
        _case("b", "Smelter clean-up", summary="Lead and some cadmium in garden soil", country="FRA",
              pollutants=("lead", "cadmium"), technologies=("soil-washing",), year=2012, nbs=NBS_NO),
        _case("c", "Lead in a playground", country="FRA", pollutants=("lead",), technologies=("soil-washing",),
              year=2012, nbs=NBS_NO),
        _case("d", "Arsenic ferns", country="THA", technologies=("phytoextraction",), nbs=NBS_PARTIAL),
    ]
    return SearchIndex(cases, CONCEPTS)


def _iris(result) -> list[str]:
    return [hit.case.iri.removeprefix(CASE) for hit in result.hits]


def test_title_matches_rank_above_summary_matches(tiny: SearchIndex) -> None:
    result = tiny.search(SearchRequest("cadmium "))
    assert _iris(result) == ["a", "b"]  # a: title and pollutant label; b: summary and pollutant label


def test_labels_in_every_language_find_the_case(tiny: SearchIndex) -> None:
    for text in ("cadmio", "КАДМИЙ", "镉", "Cadmium"):
        assert sorted(_iris(tiny.search(SearchRequest(text)))) == ["a", "b"], text
    assert sorted(_iris(tiny.search(SearchRequest("Thaïlande")))) == ["a", "d"]
    assert sorted(_iris(tiny.search(SearchRequest("thailande")))) == ["a", "d"]


def test_browsing_lists_every_case_in_title_order(tiny: SearchIndex) -> None:
    result = tiny.search(SearchRequest(""))
    assert result.total == 4
    assert [h.case.title("en") for h in result.hits] == sorted(h.case.title("en") for h in result.hits)
    assert all(h.score is None for h in result.hits)


def test_facet_counts_are_disjunctive(tiny: SearchIndex) -> None:
    fra = tiny.resolve("country", "FRA")
    result = tiny.search(SearchRequest("", {"country": frozenset({fra})}))
    assert result.total == 2
    countries = {v.value.rsplit("/", 1)[1]: (v.count, v.selected) for v in result.facets["country"]}
    assert countries == {"FRA": (2, True), "THA": (2, False)}  # other values keep their counts
    years = {v.value: v.count for v in result.facets["year"]}
    assert years == {"2012": 2}  # other facets are narrowed by the filter
    assert [v.value for v in tiny.search(SearchRequest("")).facets["year"]] == ["2012", "2010"]  # newest first
    tha = tiny.search(SearchRequest("", {"country": frozenset({tiny.resolve("country", "THA")}),
                                         "year": frozenset({"2010"})}))
    assert [v.value for v in tha.facets["year"]] == ["2010"]  # selected first
    assert [(v.value.rsplit("/", 1)[1], v.selected) for v in tha.facets["country"]] == [("THA", True)]


def test_values_of_one_facet_are_alternatives_and_facets_combine(tiny: SearchIndex) -> None:
    both = frozenset({tiny.resolve("country", "FRA"), tiny.resolve("country", "THA")})
    assert tiny.search(SearchRequest("", {"country": both})).total == 4
    lead = frozenset({tiny.resolve("pollutant", "lead")})
    result = tiny.search(SearchRequest("", {"country": both, "pollutant": lead, "year": frozenset({"2012"})}))
    assert sorted(_iris(result)) == ["b", "c"]
    assert tiny.search(SearchRequest("cadmium", {"pollutant": lead})).total == 1


def test_resolve_accepts_keys_and_iris_and_rejects_unknown_values(tiny: SearchIndex) -> None:
    assert tiny.resolve("country", "THA") == V + "country/THA"
    assert tiny.resolve("country", V + "country/THA") == V + "country/THA"
    assert tiny.resolve("year", "0990") == "990"
    for facet, value in [("country", "XYZ"), ("year", "20x0"), ("year", "12345"), ("colour", "red")]:
        with pytest.raises(UnknownFacetValue):
            tiny.resolve(facet, value)


def test_pages_do_not_overlap_and_keep_their_order(tiny: SearchIndex) -> None:
    pages = [_iris(tiny.search(SearchRequest("", page=p, page_size=3))) for p in (1, 2, 3)]
    assert pages[0] + pages[1] == _iris(tiny.search(SearchRequest("", page_size=10)))
    assert pages[2] == []
    ranked = [_iris(tiny.search(SearchRequest("soil", page=p, page_size=1))) for p in (1, 2)]
    assert ranked[0] + ranked[1] == _iris(tiny.search(SearchRequest("soil", page_size=5)))


def test_concepts_are_a_second_kind_of_result(tiny: SearchIndex) -> None:
    result = tiny.search(SearchRequest("cadm"))
    assert [(c.concept.key, c.cases) for c in result.concepts] == [("cadmium", 2)]
    assert tiny.search(SearchRequest("")).concepts == []


# --- building from a real store, and the cache ----------------------------------------------------------------
VOCAB_TTL = f"""
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix srkg: <https://w3id.org/srkg/ontology#> .
<{V}pollutant/cadmium> skos:inScheme <{V}pollutant> ; skos:prefLabel "cadmium"@en, "镉"@zh ;
    skos:altLabel "Cd"@en ; srkg:pollutantClass <{V}pollutant-class/metals> .
<{V}pollutant/cd-oxide> skos:inScheme <{V}pollutant> ; skos:prefLabel "cadmium oxide"@en ;
    skos:broader <{V}pollutant/cadmium> .
<{V}pollutant-class/metals> skos:inScheme <{V}pollutant-class> ; skos:prefLabel "metals"@en .
<{V}technology/phytoremediation> skos:inScheme <{V}technology> ; skos:prefLabel "phytoremediation"@en ;
    srkg:natureBasedCategory <{V}nbs-category/yes> .
<{V}technology/phytoextraction> skos:inScheme <{V}technology> ; skos:prefLabel "phytoextraction"@en ;
    skos:broader <{V}technology/phytoremediation> ; srkg:natureBasedCategory <{V}nbs-category/yes> .
<{V}technology/biopile> skos:inScheme <{V}technology> ; skos:prefLabel "biopile"@en ;
    srkg:natureBasedCategory <{V}nbs-category/partial> .
<{V}technology/capping> skos:inScheme <{V}technology> ; skos:prefLabel "capping"@en ;
    srkg:natureBasedCategory <{V}nbs-category/no> .
<{V}country/THA> skos:inScheme <{V}country> ; skos:prefLabel "Thailand"@en, "泰国"@zh ;
    srkg:m49Region <{V}m49-region/142> ; srkg:m49SubRegion <{V}m49-region/035> .
<{V}m49-region/142> skos:inScheme <{V}m49-region> ; skos:prefLabel "Asia"@en .
<{V}m49-region/035> skos:inScheme <{V}m49-region> ; skos:prefLabel "South-eastern Asia"@en .
"""

CASES_TTL = f"""
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix srkg: <https://w3id.org/srkg/ontology#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<{CASE}one> a srkg:CaseStudy ; dcterms:title "Rice paddy trial"@en ; srkg:endYear 2015 ;
    srkg:pollutant <{V}pollutant/cd-oxide> ; srkg:site <{CASE}one-site> ;
    srkg:technologyApplication [ srkg:technology <{V}technology/phytoextraction> ] .
<{CASE}one-site> srkg:country <{V}country/THA> ; srkg:locationDescription "Mae Sot" .
<{CASE}two> a srkg:CaseStudy ; dcterms:title "Depot clean-up"@en ; srkg:startYear 2001 ; srkg:endYear 2003 ;
    srkg:outcomeSummary "Oil reduced" ;
    srkg:technologyApplication [ srkg:technology <{V}technology/biopile> ] ,
                               [ srkg:technology <{V}technology/capping> ] .
<{CASE}three> a srkg:CaseStudy ; dcterms:title "Capped tip"@en ;
    srkg:technologyApplication [ srkg:technology <{V}technology/capping> ] .
"""


@pytest.fixture
def store(tmp_path: Path):
    store = OxigraphStore(tmp_path / "store")
    store.add_graph("https://w3id.org/srkg/graph/vocab", VOCAB_TTL.encode(), "text/turtle")
    store.add_graph("https://w3id.org/srkg/graph/examples", CASES_TTL.encode(), "text/turtle")
    yield store
    store.close()


def test_build_from_store_derives_the_facet_values(store: OxigraphStore) -> None:
    index = build_index(store)
    cases = {case.iri.removeprefix(CASE): case for case in index.cases}
    one, two, three = cases["one"], cases["two"], cases["three"]
    assert one.values["pollutant"] == (V + "pollutant/cd-oxide", V + "pollutant/cadmium")  # and broader ones
    assert one.pollutants == (V + "pollutant/cd-oxide",)
    assert one.values["pollutant_class"] == (V + "pollutant-class/metals",)  # through skos:broader
    assert one.values["technology"] == (V + "technology/phytoextraction", V + "technology/phytoremediation")
    assert one.values["region"] == (V + "m49-region/142",)
    assert one.values["subregion"] == (V + "m49-region/035",)
    assert one.year == 2015  # no start year: the end year
    assert two.year == 2001
    assert [c.values["nature_based"] for c in (one, two, three)] == [(NBS_YES,), (NBS_PARTIAL,), (NBS_NO,)]
    # Labels of linked concepts, in every language, are searchable; so are the site's words.
    assert [h.case.iri for h in index.search(SearchRequest("镉")).hits] == [one.iri]
    assert [h.case.iri for h in index.search(SearchRequest("泰国")).hits] == [one.iri]
    assert [h.case.iri for h in index.search(SearchRequest("mae sot")).hits] == [one.iri]
    assert [h.case.iri for h in index.search(SearchRequest("phytoremediation")).hits] == [one.iri]
    assert one.summary("en") == "" and two.summary("fr") == "Oil reduced"


def test_index_is_cached_and_forgotten_when_data_changes(store: OxigraphStore) -> None:
    calls = []
    original = store.select_text

    def counting(*args, **kwargs):
        calls.append(1)
        return original(*args, **kwargs)

    store.select_text = counting  # type: ignore[method-assign]
    ctx = SimpleNamespace(store=store, extras={}, on_data_changed=[], settings=SimpleNamespace(query_timeout_s=None))
    first = index_for(ctx)  # type: ignore[arg-type]
    assert index_for(ctx) is first  # type: ignore[arg-type]
    queries = len(calls)
    assert queries == 8  # a few SELECTs per 1,000 cases, not one per case
    assert len(ctx.on_data_changed) == 1
    store.update('INSERT DATA { <https://w3id.org/srkg/id/case/four> a <https://w3id.org/srkg/ontology#CaseStudy> ;'
                 ' <http://purl.org/dc/terms/title> "Fresh zeolite trial"@en }')
    for forget in ctx.on_data_changed:
        forget()
    second = index_for(ctx)  # type: ignore[arg-type]
    assert second is not first and len(calls) == 2 * queries
    assert [h.case.iri for h in second.search(SearchRequest("zeolite")).hits] == [CASE + "four"]
    index_for(ctx)  # type: ignore[arg-type]
    assert len(ctx.on_data_changed) == 1  # registered once


# --- rebuilding after writes -------------------------------------------------------------------------------------
def _counting_cache(monkeypatch: pytest.MonkeyPatch) -> tuple[search_index._Cache, list[int]]:
    monkeypatch.setattr(search_index, "WARM_DELAY_S", 0.05)
    builds: list[int] = []

    def build() -> SearchIndex:
        builds.append(len(builds) + 1)
        return SearchIndex([], {}, {})

    return search_index._Cache(build), builds


def test_after_a_burst_of_writes_the_index_is_rebuilt_once_in_the_background(monkeypatch: pytest.MonkeyPatch) -> None:
    cache, builds = _counting_cache(monkeypatch)
    first = cache.current()
    for _ in range(5):
        cache.forget()  # five writes in a row
    assert cache.index is None  # never the old index after a write
    assert wait_for(lambda: cache.index is not None)
    time.sleep(0.2)
    assert builds == [1, 2] and cache.index is not first
    assert cache.current() is cache.index and builds == [1, 2]  # the next search finds it ready


def test_no_background_build_for_an_index_nobody_asked_for(monkeypatch: pytest.MonkeyPatch) -> None:
    cache, builds = _counting_cache(monkeypatch)
    cache.forget()
    time.sleep(0.3)
    assert builds == [] and cache.index is None


# --- updating after writes that name their graphs ----------------------------------------------------------------
NEW_GRAPH = "https://w3id.org/srkg/graph/submission/search-update"
NEW_CASE_TTL = """@prefix srkg: <https://w3id.org/srkg/ontology#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
<https://w3id.org/srkg/id/case/zeolite-trial> a srkg:CaseStudy ;
  dcterms:title "Zeolite trial on cadmium soil"@en ; srkg:pollutant <https://w3id.org/srkg/vocab/pollutant/cadmium> ;
  srkg:site <https://w3id.org/srkg/id/site/zeolite-trial> ;
  srkg:technologyApplication <https://w3id.org/srkg/id/step/zeolite-trial> .
<https://w3id.org/srkg/id/site/zeolite-trial> srkg:country <https://w3id.org/srkg/vocab/country/ITA> ;
  <http://www.w3.org/2000/01/rdf-schema#label> "Po valley field" .
<https://w3id.org/srkg/id/step/zeolite-trial> srkg:technology <https://w3id.org/srkg/vocab/technology/phytoextraction> .
"""


def assert_same_index(updated: SearchIndex, built: SearchIndex) -> None:
    """Two indexes answer alike: the same documents in the same order, facets, and ranked hits."""
    assert [case.iri for case in updated.cases] == [case.iri for case in built.cases]
    assert updated.cases == built.cases and updated.masks == built.masks
    for text in ("", "cadmium", "phyto", "zeolite", "soil washing", "Italy", "lead"):
        for filters in ({}, {"country": frozenset({V + "country/ITA"})}):
            request = SearchRequest(text, filters)
            one, two = updated.search(request), built.search(request)
            assert one.total == two.total and one.facets == two.facets, text
            assert [(h.case.iri, h.score) for h in one.hits] == [(h.case.iri, h.score) for h in two.hits], text


def test_writes_naming_their_graphs_update_the_index_instead_of_building_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:


    builds: list[int] = []
    whole = search_index.build_index

    def counting_build(*args, **kwargs):
        builds.append(1)
        return whole(*args, **kwargs)

    monkeypatch.setattr(search_index, "build_index", counting_build)
    monkeypatch.setattr(search_index, "WARM_DELAY_S", 60.0)  # no background work: the test asks
    raw, store, ctx = summarised_test_data(tmp_path)
    cache = ctx.extras[search_index.EXTRAS_KEY]

    def check() -> SearchIndex:
        index = index_for(ctx)  # type: ignore[arg-type]
        assert_same_index(index, whole(store))
        return index

    store.replace_graph(NEW_GRAPH, NEW_CASE_TTL.encode(), "text/turtle")  # publishing
    assert [h.case.iri for h in check().search(SearchRequest("zeolite")).hits] == [CASE + "zeolite-trial"]
    store.update(f"""DELETE DATA {{ GRAPH <{NEW_GRAPH}> {{ <{CASE}zeolite-trial>
                       <http://purl.org/dc/terms/title> "Zeolite trial on cadmium soil"@en }} }};
                     INSERT DATA {{ GRAPH <{NEW_GRAPH}> {{ <{CASE}zeolite-trial>
                       <http://purl.org/dc/terms/title> "Clinoptilolite trial on cadmium soil"@en }} }}""")
    index = check()  # a correction over SPARQL Update
    assert not index.search(SearchRequest("zeolite")).hits and index.search(SearchRequest("clinoptilolite")).hits
    literature = "https://w3id.org/srkg/graph/submission/literature-cases"
    some_case = next(iter(cache._last.case_graphs[literature]))
    store.update(f'INSERT DATA {{ GRAPH <{literature}> {{ <{some_case}> '
                 f'<http://purl.org/dc/terms/title> "Essai de vétiver"@fr }} }}')  # a case of a large graph
    assert check().search(SearchRequest("vetiver")).total >= 1
    store.drop_graph(NEW_GRAPH)  # withdrawing
    assert not check().search(SearchRequest("clinoptilolite")).hits
    assert builds == [1] and cache.updates == 4
    store.update('INSERT DATA { GRAPH <https://w3id.org/srkg/graph/vocab> { <https://w3id.org/srkg/vocab/pollutant/'
                 'cadmium> <http://www.w3.org/2004/02/skos/core#altLabel> "kadmio"@eo } }')  # a vocabulary
    assert check().search(SearchRequest("kadmio")).total >= 1
    assert builds == [1, 1]  # the whole index built again
    raw.close()


def summarised_test_data(tmp_path: Path):
    """The comparison tests' data in a store whose summaries say which graphs each write changed, and a
    context whose search index is made."""
    from test_comparison import load_data

    from sparql_api.summaries.store import SummarisingStore

    raw = OxigraphStore(tmp_path / "store")
    load_data(raw)
    store = SummarisingStore(raw)
    store.ensure()
    ctx = SimpleNamespace(store=store, extras={}, on_data_changed=[], settings=SimpleNamespace(query_timeout_s=None))
    index_for(ctx)  # type: ignore[arg-type]
    return raw, store, ctx


def record_queries(store: OxigraphStore) -> list[str]:
    """The text of every SELECT ``store`` answers from now on."""
    queries: list[str] = []
    original = store.select_text

    def recording(query: str, *args, **kwargs):
        queries.append(query)
        return original(query, *args, **kwargs)

    store.select_text = recording  # type: ignore[method-assign]
    return queries


def _read_whole(store: OxigraphStore) -> SearchIndex:
    """The index from the five queries over every case at once (what ``build_index`` did before it read cases in
    chunks, and still does when a case study is a blank node)."""
    index = search_index.index_from_rows(search_index.fetch_rows(store))
    index.case_graphs, index.concept_graphs = search_index._graphs(store, None)
    return index


def test_reading_cases_in_chunks_builds_the_index_the_whole_queries_give(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """build_index reads the cases CASE_CHUNK at a time (at 1M cases the whole text in one answer went over a
    query worker's memory limit); chunk borders must not change a document, and a blank-node case study makes it
    read everything at once."""
    from test_comparison import load_data

    store = OxigraphStore(tmp_path / "store")
    load_data(store)
    expected = _read_whole(store)
    assert len(expected.cases) > 10
    calls = record_queries(store)
    monkeypatch.setattr(search_index, "CASE_CHUNK", 4)
    chunked = search_index.build_index(store)
    assert sum("VALUES ?case" in query for query in calls) == 3 * -(-len(expected.cases) // 4)
    assert_same_index(chunked, expected)
    assert chunked.case_graphs == expected.case_graphs and chunked.concept_graphs == expected.concept_graphs
    store.update('INSERT DATA { GRAPH <urn:x-test:blank> { [] a <https://w3id.org/srkg/ontology#CaseStudy> ; '
                 '<http://purl.org/dc/terms/title> "Anonymous zeolite case"@en } }')
    calls.clear()
    with_blank = search_index.build_index(store)
    assert not any("VALUES ?case" in query for query in calls)
    assert_same_index(with_blank, _read_whole(store))
    assert with_blank.search(SearchRequest("anonymous")).total == 1
    store.close()


# --- appending the cases a write changed (large indexes) ----------------------------------------------------------
REQUESTS = [SearchRequest(text, filters, page, size)
            for text in ("", "cadmium", "lead", "phyto", "soil washing", "playground", "zeolite")
            for filters in ({}, {"country": frozenset({V + "country/FRA"})}, {"year": frozenset({"2012"})})
            for page, size in ((1, 20), (2, 2))]


def assert_same_answers(changed: SearchIndex, whole: SearchIndex) -> None:
    """The same live cases, totals, facet counts and pages; text hits the same cases (the scores of cases kept
    from before a write keep that time's statistics, so close scores may swap)."""
    assert [c.iri for c in changed.live_cases()] == [c.iri for c in whole.cases]
    assert changed.case_count == len(whole.cases)
    for request in REQUESTS:
        one, two = changed.search(request), whole.search(request)
        assert (one.total, one.facets, one.concepts) == (two.total, two.facets, two.concepts), request
        if request.text:
            assert sorted(_iris(changed.search(SearchRequest(request.text, request.filters)))) == \
                sorted(_iris(whole.search(SearchRequest(request.text, request.filters)))), request
        else:
            assert _iris(one) == _iris(two), request


def test_with_changes_answers_like_a_whole_index_and_compacts_to_one() -> None:
    a, b, c, d = (_case(k, t, country=co, pollutants=p, technologies=t2, year=y) for k, t, co, p, t2, y in [
        ("a", "Cadmium phytoextraction in rice paddies", "THA", ("cadmium",), ("phytoextraction",), 2010),
        ("b", "Smelter clean-up", "FRA", ("lead", "cadmium"), ("soil-washing",), 2012),
        ("c", "Lead in a playground", "FRA", ("lead",), ("soil-washing",), 2012),
        ("d", "Arsenic ferns", "THA", (), ("phytoextraction",), None)])
    b2 = _case("b", "Smelter zeolite trial", country="THA", pollutants=("cadmium",), year=2014)  # b read again
    e = _case("e", "Allotment lead survey", country="FRA", pollutants=("lead",), year=2012)  # first in title order
    f = _case("f", "Zinc and lead phytoextraction", country="FRA", pollutants=("lead",),
              technologies=("phytoextraction",), year=2012)  # last
    before = SearchIndex([a, b, c, d], CONCEPTS)
    changed = before.with_changes({b.iri, c.iri}, [b2, e, f])  # b updated, c withdrawn, e and f published
    assert changed.order is not None and len(changed.case_text.parts) == 2 and changed.base_size == 4
    assert before.search(SearchRequest("playground")).total == 1  # the earlier index is left as it was
    whole = SearchIndex([a, b2, d, e, f], CONCEPTS)
    assert_same_answers(changed, whole)
    assert _iris(changed.search(SearchRequest(""))) == ["e", "d", "a", "b", "f"]  # appended ones in title order
    assert changed.search(SearchRequest("playground")).total == 0  # the withdrawn case's text is gone
    assert changed.resolve("year", "2014") == "2014" and "2014" in changed.masks["year"]
    g = _case("g", "Lead playground revisited", country="FRA", pollutants=("lead",), year=2012)
    twice = changed.with_changes({e.iri}, [g])  # a case of the appended segment withdrawn, another added
    assert len(twice.case_text.parts) == 3
    assert_same_answers(twice, SearchIndex([a, b2, d, f, g], CONCEPTS))
    compact = twice.compact()
    assert compact.order is None and len(compact.case_text.parts) == 1
    assert_same_index(compact, SearchIndex([a, b2, d, f, g], CONCEPTS))


def test_appended_segments_are_merged_past_max_segments(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search_index, "MAX_SEGMENTS", 2)
    index = SearchIndex([_case("a", "Cadmium in rice", pollutants=("cadmium",))], CONCEPTS)
    expected = [index.cases[0]]
    for n in range(5):
        fresh = _case(f"n{n}", f"Lead case {n}", pollutants=("lead",), year=2000 + n)
        index = index.with_changes({CASE + f"n{n - 1}"} if n % 2 else set(), [fresh])
        expected = [case for case in expected if not (n % 2 and case.iri == CASE + f"n{n - 1}")] + [fresh]
        assert len(index.case_text.parts) <= 3
    assert_same_answers(index, SearchIndex(expected, CONCEPTS))
    assert index.search(SearchRequest("lead")).total == 3


def test_large_indexes_append_the_changed_cases_then_compact_in_the_background(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Past SEGMENT_MIN_CASES a write reads only its graphs' cases and asks only about its graphs; searches get
    the appended index at once, and once writes pause the index is made whole again (exact scores)."""


    monkeypatch.setattr(search_index, "SEGMENT_MIN_CASES", 1)
    monkeypatch.setattr(search_index, "WARM_DELAY_S", 60.0)  # no background update: the test asks
    monkeypatch.setattr(search_index, "COMPACT_DELAY_S", 60.0)
    raw, store, ctx = summarised_test_data(tmp_path)
    cache = ctx.extras[search_index.EXTRAS_KEY]
    queries = record_queries(raw)
    store.replace_graph(NEW_GRAPH, NEW_CASE_TTL.encode(), "text/turtle")  # publishing
    index = index_for(ctx)  # type: ignore[arg-type]
    graph_queries = [q for q in queries if "GRAPH ?g" in q]
    assert len(graph_queries) == 2 and all(f"VALUES ?g {{ <{NEW_GRAPH}> }}" in q for q in graph_queries)
    assert index.order is not None and cache.updates == 1
    assert_same_answers(index, build_index(store))
    assert [h.case.iri for h in index.search(SearchRequest("zeolite")).hits] == [CASE + "zeolite-trial"]
    store.drop_graph(NEW_GRAPH)  # withdrawing
    index = index_for(ctx)  # type: ignore[arg-type]
    assert index.order is not None and not index.search(SearchRequest("zeolite")).hits
    assert_same_answers(index, build_index(store))
    monkeypatch.setattr(search_index, "COMPACT_DELAY_S", 0.05)
    cache._compaction.poke()
    assert wait_for(lambda: cache.compactions == 1)
    assert cache.index.order is None and cache.index is cache.current()
    assert_same_index(cache.index, build_index(store))
    raw.close()


@pytest.mark.parametrize("ids", [[], [0], [7, 8], [3, 64, 65, 1000, 4095], list(range(0, 300, 3))])
def test_first_bit_ids_are_the_lowest_set_bits(ids: list[int]) -> None:
    mask = bitmask(ids, 4096)
    for count in (0, 1, 2, 5, 1000):
        assert search_index.first_bit_ids(mask, count) == ids[:count]


def test_prefix_expansions_count_only_live_cases() -> None:
    """More than MAX_EXPANSIONS terms start with the prefix: a term only removed cases hold takes no slot."""
    live = [_case(f"l{i:02d}", f"ab{i:02d} report") for i in range(31)]
    gone = [_case(f"d{i}", "abzz abzz") for i in range(3)]
    changed = SearchIndex(live + gone, CONCEPTS).with_changes({c.iri for c in gone}, [])
    whole = SearchIndex(live, CONCEPTS)
    assert "abzz" not in changed.case_text.expansions("ab")
    assert changed.search(SearchRequest("ab", {}, 1, 100)).total == whole.search(SearchRequest("ab", {}, 1, 100)).total


def test_a_write_to_the_default_graph_builds_the_whole_index(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The default graph cannot be named in GRAPH ?g: a write to it is followed by a whole build, not an update
    that would read none of its cases."""
    from sparql_api.summaries.store import SummarisingStore

    monkeypatch.setattr(search_index, "WARM_DELAY_S", 60.0)
    monkeypatch.setattr(search_index, "SEGMENT_MIN_CASES", 1)
    raw = OxigraphStore(tmp_path / "store")
    raw.add_graph("https://w3id.org/srkg/graph/vocab", VOCAB_TTL.encode(), "text/turtle")
    raw.add_graph("https://w3id.org/srkg/graph/examples", CASES_TTL.encode(), "text/turtle")
    store = SummarisingStore(raw)
    store.ensure()
    ctx = SimpleNamespace(store=store, extras={}, on_data_changed=[], settings=SimpleNamespace(query_timeout_s=None))
    index_for(ctx)  # type: ignore[arg-type]
    store.update(f'INSERT DATA {{ <{CASE}vermiculite> a <https://w3id.org/srkg/ontology#CaseStudy> ; '
                 '<http://purl.org/dc/terms/title> "Vermiculite trial"@en }')
    assert index_for(ctx).search(SearchRequest("vermiculite")).total == 1  # type: ignore[arg-type]
    raw.close()
