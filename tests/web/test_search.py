"""Search and browse over HTTP on the project's real data; expected sets come from SPARQL, not from guesses."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlencode

import pytest
from server.live_server import LiveServer

BASE = "https://w3id.org/srkg/"
POL = BASE + "vocab/pollutant/"
PREFIXES = """PREFIX srkg: <https://w3id.org/srkg/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""
# Where a case's own searchable text lives (search-case-text.rq), as a property path from the case.
TEXT_PATH = ("dcterms:title|dcterms:description|dcterms:abstract|srkg:outcomeSummary|srkg:lessonsLearned|"
             "srkg:pollutantAsStated|srkg:site/(rdfs:label|srkg:locationDescription|srkg:siteTypeAsStated)|"
             "srkg:technologyApplication/(srkg:applicationDescription|srkg:organismName|srkg:amendment)")


# --- helpers --------------------------------------------------------------------------------------------------
def sparql_column(site: LiveServer, query: str, variable: str = "case") -> set[str]:
    reply = site.query(PREFIXES + query, accept="application/sparql-results+json")
    assert reply.status == 200, reply.text
    return {row[variable]["value"] for row in json.loads(reply.body)["results"]["bindings"] if variable in row}


def search_json(site: LiveServer, headers: dict[str, str] | None = None, **params: Any) -> dict[str, Any]:
    reply = site.request("GET", "/search.json?" + urlencode(params, doseq=True), headers=headers)
    assert reply.status == 200, reply.text
    assert reply.media_type == "application/json"
    return json.loads(reply.body)


def all_results(site: LiveServer, **params: Any) -> list[str]:
    """Every result IRI, page after page, in order."""
    first = search_json(site, **params)
    iris = [r["iri"] for r in first["results"]]
    for page in range(2, first["pages"] + 1):
        iris += [r["iri"] for r in search_json(site, page=page, **params)["results"]]
    assert len(iris) == first["total"]
    return iris


def mentions(site: LiveServer, cases: set[str], word: str) -> set[str]:
    """The cases among ``cases`` whose own text contains ``word`` (case-insensitive)."""
    if not cases:
        return set()
    values = " ".join(f"<{iri}>" for iri in sorted(cases))
    return sparql_column(site, f"""SELECT DISTINCT ?case WHERE {{
        VALUES ?case {{ {values} }} ?case {TEXT_PATH} ?text .
        FILTER (CONTAINS(LCASE(STR(?text)), LCASE({json.dumps(word)}))) }}""")


class Tags(HTMLParser):
    """Collects start tags with their attributes, and the concatenated text."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def tags(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = Tags()
    parser.feed(html)
    return parser.tags


def result_iris(html: str) -> list[str]:
    return [str(attrs["data-iri"]) for tag, attrs in tags(html) if tag == "li" and "result" in str(attrs.get("class"))]


# --- multilingual search --------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def cadmium_cases(site: LiveServer) -> set[str]:
    cases = sparql_column(site, f"SELECT DISTINCT ?case WHERE {{ ?case a srkg:CaseStudy ; "
                                f"srkg:pollutant/skos:broader* <{POL}cadmium> }}")
    assert len(cases) >= 5  # the real data has many cadmium cases; the test means something
    return cases


@pytest.mark.parametrize("word", ["cadmio", "кадмий", "Кадмий", "镉", "كادميوم", "الكادميوم"])
def test_cadmium_in_other_languages_finds_the_cadmium_cases(site: LiveServer, cadmium_cases: set[str],
                                                           word: str) -> None:
    found = set(all_results(site, q=word))
    assert cadmium_cases <= found
    # Anything else found mentions the word in its own text (none of the case texts is in these languages).
    assert found - cadmium_cases == mentions(site, found - cadmium_cases, word.removeprefix("ال"))


def test_cadmium_in_english_finds_the_same_cases_plus_texts_that_say_cadmium(
        site: LiveServer, cadmium_cases: set[str]) -> None:
    found = set(all_results(site, q="cadmium "))
    assert cadmium_cases <= found
    extra = found - cadmium_cases
    assert extra == mentions(site, extra, "cadmium")
    assert set(all_results(site, q="cadmio")) - mentions(site, cadmium_cases, "cadmio") == cadmium_cases


def test_chinese_technology_label_finds_the_phytoremediation_family(site: LiveServer) -> None:
    expected = sparql_column(site, """SELECT DISTINCT ?case WHERE { ?case a srkg:CaseStudy ;
        srkg:technologyApplication/srkg:technology/skos:broader*
            <https://w3id.org/srkg/vocab/technology/phytoremediation> }""")
    assert expected
    assert set(all_results(site, q="植物修复")) == expected


def test_a_search_also_lists_matching_concepts(site: LiveServer, cadmium_cases: set[str]) -> None:
    body = search_json(site, q="cadmium")
    cadmium = [c for c in body["concepts"] if c["iri"] == POL + "cadmium"]
    assert cadmium and cadmium[0]["url"] == "/vocab/pollutant/cadmium" and cadmium[0]["kind"] == "pollutant"
    assert cadmium[0]["cases"] == len(cadmium_cases)
    assert search_json(site)["concepts"] == []


def test_prefix_of_the_last_word_matches_as_you_type(site: LiveServer, cadmium_cases: set[str]) -> None:
    assert cadmium_cases <= set(all_results(site, q="cadm"))
    assert set(all_results(site, q="phytoremédiation")) == set(all_results(site, q="Phytoremediation"))


# --- facets ---------------------------------------------------------------------------------------------------
def test_browse_lists_every_case_with_facet_counts_that_add_up(site: LiveServer) -> None:
    cases = sparql_column(site, "SELECT ?case WHERE { ?case a srkg:CaseStudy }")
    body = search_json(site)
    assert body["total"] == len(cases) and body["order"] == "title"
    with_country = sparql_column(site, "SELECT ?case WHERE { ?case a srkg:CaseStudy ; srkg:site/srkg:country [] }")
    assert sum(v["count"] for v in body["facets"]["country"]) == len(with_country)
    with_region = sparql_column(site, """SELECT DISTINCT ?case WHERE { ?case a srkg:CaseStudy ;
        srkg:site/srkg:country/srkg:m49Region [] }""")
    assert sum(v["count"] for v in body["facets"]["region"]) == len(with_region)
    with_scale = sparql_column(site, "SELECT ?case WHERE { ?case a srkg:CaseStudy ; srkg:scale [] }")
    assert sum(v["count"] for v in body["facets"]["scale"]) == len(with_scale)


def test_a_facet_value_narrows_to_its_count(site: LiveServer) -> None:
    body = search_json(site, q="lead")
    top = body["facets"]["country"][0]
    narrowed = search_json(site, q="lead", country=top["key"])
    assert narrowed["total"] == top["count"] < body["total"]
    assert {r["country"]["key"] for r in narrowed["results"]} == {top["key"]}
    assert narrowed["filters"]["country"][0]["value"] == top["value"]
    # The facet being filtered keeps its other values (disjunctive); picking two adds their counts.
    others = [v for v in narrowed["facets"]["country"] if not v["selected"]]
    assert others, "other countries stay listed"
    both = search_json(site, q="lead", country=[top["key"], others[0]["key"]])
    assert both["total"] == top["count"] + others[0]["count"]
    # Another facet's counts now count only that country's cases.
    assert sum(v["count"] for v in narrowed["facets"]["scale"]) <= narrowed["total"]


def test_region_and_year_filters(site: LiveServer) -> None:
    region = search_json(site)["facets"]["region"][0]
    expected = sparql_column(site, f"""SELECT DISTINCT ?case WHERE {{ ?case a srkg:CaseStudy ;
        srkg:site/srkg:country/srkg:m49Region <{region['value']}> }}""")
    assert set(all_results(site, region=region["key"])) == expected
    year = search_json(site)["facets"]["year"][0]
    results = search_json(site, year=year["key"])
    assert results["total"] == year["count"] and {r["year"] for r in results["results"]} == {int(year["key"])}


def test_nature_based_facet_returns_cases_whose_technologies_are_nature_based(site: LiveServer) -> None:
    expected = sparql_column(site, """SELECT ?case WHERE { ?case a srkg:CaseStudy .
        FILTER EXISTS { ?case srkg:technologyApplication/srkg:technology ?any }
        FILTER NOT EXISTS { ?case srkg:technologyApplication/srkg:technology ?t .
                            FILTER NOT EXISTS { ?t srkg:isNatureBased true } } }""")
    assert expected
    found = all_results(site, nature_based="yes")
    assert set(found) == expected
    values = {v["key"]: v for v in search_json(site, nature_based="yes")["facets"]["nature_based"]}
    assert values["yes"]["selected"] and values["yes"]["count"] == len(expected)
    assert {"no", "partial"} <= set(values)


def test_unknown_filter_values_are_400_and_known_values_without_cases_are_empty(site: LiveServer) -> None:
    reply = site.request("GET", "/search?country=NOWHERE")
    assert reply.status == 400 and reply.media_type == "text/plain"
    assert "country" in reply.text and "NOWHERE" in reply.text
    without_cases = sorted(sparql_column(site, """SELECT ?c WHERE { ?c a srkg:Country .
        FILTER NOT EXISTS { ?case srkg:site/srkg:country ?c } }""", "c"))
    assert without_cases
    body = search_json(site, country=without_cases[0].rsplit("/", 1)[1])
    assert body["total"] == 0 and body["results"] == []


# --- formats, pages, errors -----------------------------------------------------------------------------------
def test_json_and_html_agree(site: LiveServer) -> None:
    params = {"q": "soil", "page": "2"}
    body = search_json(site, **params)
    assert body["page"] == 2 and len(body["results"]) == 20
    html = site.request("GET", "/search?" + urlencode(params), headers={"Accept": "text/html"})
    assert html.status == 200 and html.media_type == "text/html"
    assert result_iris(html.text) == [r["iri"] for r in body["results"]]
    assert f"Case studies found: {body['total']}</h2>" in html.text
    hrefs = [attrs.get("href") for tag, attrs in tags(html.text) if tag == "a"]
    assert all(r["url"] in hrefs for r in body["results"])
    assert all(r["url"] == r["iri"].removeprefix(BASE[:-1]) for r in body["results"])
    for headers, query in [({"Accept": "application/json"}, ""), ({"Accept": "text/html"}, "&format=json")]:
        reply = site.request("GET", "/search?" + urlencode(params) + query, headers=headers)
        assert reply.media_type == "application/json"
        assert json.loads(reply.body)["results"] == body["results"]


def test_pagination_is_stable_and_complete(site: LiveServer) -> None:
    first = all_results(site)
    assert first == all_results(site)
    assert len(first) == len(set(first))
    assert len(search_json(site)["results"]) == 20
    beyond = search_json(site, page=search_json(site)["pages"] + 1)
    assert beyond["results"] == [] and beyond["total"] == len(first)
    ranked = all_results(site, q="lead")
    assert ranked == all_results(site, q="lead") and len(ranked) == len(set(ranked))
    scores = [r["score"] for page in (1, 2) for r in search_json(site, q="lead", page=page)["results"]]
    assert scores == sorted(scores, reverse=True)


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ("page=0", "page"),
        ("page=abc", "page"),
        ("page=-1", "page"),
        ("q=" + "x" * 501, "501"),
        ("year=20x4", "year"),
        ("pollutant_class=metals", "pollutant_class"),
        ("format=xml", "format"),
    ],
)
def test_bad_parameters_are_400_with_a_sentence(site: LiveServer, query: str, words: str) -> None:
    for path in ("/search?", "/search.json?"):
        reply = site.request("GET", path + query)
        assert reply.status == 400, (path, query, reply.text)
        assert reply.media_type == "text/plain"
        assert words in reply.text


def test_longest_allowed_query_is_fine(site: LiveServer) -> None:
    assert site.request("GET", "/search?q=" + "x" * 500).status == 200


# --- the page -------------------------------------------------------------------------------------------------
def test_user_text_is_escaped(site: LiveServer) -> None:
    reply = site.request("GET", "/search?" + urlencode({"q": '<script>alert("x")</script>'}))
    assert reply.status == 200
    assert "<script" not in reply.text.lower()
    assert "&lt;script&gt;" in reply.text


def test_page_loads_nothing_from_another_origin(site: LiveServer) -> None:
    reply = site.request("GET", "/search?q=cadmium&lang=ar")
    assert "default-src 'self'" in reply.headers["content-security-policy"]
    loaded = [attrs.get("src") or attrs.get("href") for tag, attrs in tags(reply.text)
              if tag in ("script", "img", "iframe", "link", "source", "video", "audio", "embed", "object")]
    assert loaded and all(str(url).startswith("/") and not str(url).startswith("//") for url in loaded)
    assert not any(tag == "script" and not attrs.get("src") for tag, attrs in tags(reply.text))  # nothing inline
    assert not re.search(r"\sstyle=", reply.text)
    assert "/static/search.css" in loaded
    css = site.request("GET", "/static/search.css")
    assert css.status == 200 and css.media_type == "text/css"


def test_labels_follow_the_readers_language(site: LiveServer) -> None:
    case = "https://w3id.org/srkg/id/case/tha-mae-sot-cadmium-phytoextraction"
    for headers, params, country, pollutant in [
        ({}, {"lang": "fr"}, "Thaïlande", "cadmium"),
        ({"Accept-Language": "es-MX,es;q=0.9"}, {}, "Tailandia", "Cadmio"),
        ({"Accept-Language": "ru"}, {}, "Таиланд", "кадмий"),
        ({"Cookie": "srkg_lang=zh"}, {}, "泰国", "镉"),
    ]:
        body = search_json(site, headers=headers, q="Mae Sot cadmium", **params)
        hit = next(r for r in body["results"] if r["iri"] == case)
        assert hit["country"]["label"] == country
        assert [p["label"] for p in hit["pollutants"]] == [pollutant]
    page = site.request("GET", "/search?q=cadmium&lang=ar")
    assert '<html lang="ar" dir="rtl">' in page.text and "تايلند" in page.text
    assert page.headers["content-language"] == "ar"
    assert "البحث في دراسات الحالة" in page.text  # the interface string, not just the data


def test_html_marks_the_matched_words_and_links_facets(site: LiveServer) -> None:
    page = site.request("GET", "/search?q=cadmium")
    marked = {m.lower() for m in re.findall(r"<mark>([^<]*)</mark>", page.text)}
    assert marked and marked <= {"cadmium", "cd"}  # the word, or a one-word label of the concept it found
    hrefs = [str(attrs.get("href")) for tag, attrs in tags(page.text) if tag == "a"]
    assert any(h.startswith("/search?q=cadmium&") and "country=" in h for h in hrefs)
    selected = site.request("GET", "/search?q=cadmium&country=THA")
    assert 'href="/search?q=cadmium"' in selected.text  # removing the only filter
    # A filter given as an IRI is removed on its own, the other one stays.
    thailand = "https://w3id.org/srkg/vocab/country/THA"
    two = site.request("GET", "/search?" + urlencode([("q", "cadmium"), ("country", thailand), ("country", "POL")]))
    active = re.search(r'<section class="active-filters">(.*?)</section>', two.text, re.S)
    assert active is not None
    removals = [attrs["href"] for tag, attrs in tags(active.group(1)) if tag == "a"]
    assert "/search?q=cadmium&country=POL" in removals
    assert "/search?" + urlencode([("q", "cadmium"), ("country", thailand)]) in removals


def test_a_data_change_rebuilds_the_index(site: LiveServer) -> None:
    graph = "https://w3id.org/srkg/graph/test-search-rebuild"
    case = "https://w3id.org/srkg/id/case/test-search-rebuild"
    assert search_json(site, q="zqxwvy")["total"] == 0
    inserted = site.update(f"""INSERT DATA {{ GRAPH <{graph}> {{
        <{case}> a <https://w3id.org/srkg/ontology#CaseStudy> ;
            <http://purl.org/dc/terms/title> "Zqxwvy trial of something new"@en ;
            <https://w3id.org/srkg/ontology#pollutant> <{POL}cadmium> . }} }}""")
    try:
        assert inserted.status in (200, 204), inserted.text
        assert [r["iri"] for r in search_json(site, q="zqxwvy")["results"]] == [case]
        assert case in all_results(site, q="镉")
    finally:
        dropped = site.update(f"DROP SILENT GRAPH <{graph}>")
    assert dropped.status in (200, 204), dropped.text
    assert search_json(site, q="zqxwvy")["total"] == 0
