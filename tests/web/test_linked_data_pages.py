"""Linked-data pages on a real server with the project's data: Cool URIs (303 + Vary), RDF documents by suffix,
HTML views of case studies, technologies, pollutants, countries, schemes, the ontology and named graphs, in the
reader's language, and real 404s.

The hand-modelled Da Nang case has no site point and no sustainability assessment in the sources, so a module
fixture adds both (and one Russian label) in a graph of its own through the SPARQL endpoint, and drops that
graph afterwards.
"""

from __future__ import annotations

import json
import re
import statistics
from collections.abc import Iterator
from html.parser import HTMLParser
from urllib.parse import quote, urlsplit

import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import SKOS
from server.live_server import LiveServer, Reply

BASE = "https://w3id.org/srkg/"
SRKG = Namespace(BASE + "ontology#")
UNIT = Namespace("http://qudt.org/vocab/unit/")
CASE_KEY = "vnm-da-nang-airport-dioxin"
CASE = URIRef(f"{BASE}id/case/{CASE_KEY}")
CASE_PATH = f"/id/case/{CASE_KEY}"
TEST_GRAPH = f"{BASE}graph/test-linked-data-pages"
ROLE = f"{BASE}vocab/technology-role/primary"
RU_LABEL = "основная обработка (тест)"
PREFIXES = """PREFIX srkg: <https://w3id.org/srkg/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX geo: <http://www.opengis.net/ont/geosparql#>
"""
RDF_DOCUMENTS = [
    ("ttl", "text/turtle", "turtle"),
    ("jsonld", "application/ld+json", "json-ld"),
    ("rdf", "application/rdf+xml", "xml"),
    ("nt", "application/n-triples", "nt"),
]


def select(site: LiveServer, query: str) -> list[dict[str, str]]:
    reply = site.query(PREFIXES + query, accept="application/sparql-results+json")
    assert reply.status == 200, reply.text
    return [{k: v["value"] for k, v in row.items()} for row in json.loads(reply.body)["results"]["bindings"]]


def get(site: LiveServer, path: str, **headers: str) -> Reply:
    return site.request("GET", path, headers={k.replace("_", "-"): v for k, v in headers.items()})


def main_of(html: str) -> str:
    return html[html.index("<main>"):html.index("</main>")]


class Links(HTMLParser):
    """Every href / src in a page, and the tags they sit on."""

    def __init__(self) -> None:
        super().__init__()
        self.refs: list[tuple[str, str, str]] = []  # (tag, attribute, value)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "src") and value is not None:
                self.refs.append((tag, name, value))


def refs(html: str) -> list[tuple[str, str, str]]:
    parser = Links()
    parser.feed(html)
    return parser.refs


@pytest.fixture(scope="module")
def extras(site: LiveServer) -> Iterator[None]:
    """A site point, a sustainability assessment and a Russian role label for the Da Nang case (own graph)."""
    data = f"""INSERT DATA {{ GRAPH <{TEST_GRAPH}> {{
  <{CASE}> srkg:assessment <{BASE}id/assessment/test-pages-vnm> .
  <{BASE}id/assessment/test-pages-vnm> a srkg:SustainabilityAssessment ;
      srkg:framework <{BASE}vocab/framework/surf-uk> ; srkg:tier <{BASE}vocab/assessment-tier/tier-1> ;
      srkg:assessor "Test assessor" ; srkg:indicatorResult <{BASE}id/result/test-pages-vnm-env1> .
  <{BASE}id/result/test-pages-vnm-env1> a srkg:IndicatorResult ;
      srkg:criterion <{BASE}vocab/criterion/env1> ; srkg:textValue "No heavy machinery after 2018."@en .
  <{BASE}id/site/{CASE_KEY}> geo:hasGeometry <{BASE}id/geometry/test-pages-vnm> .
  <{BASE}id/geometry/test-pages-vnm> a geo:Geometry ;
      geo:asWKT "POINT(108.199 16.044)"^^geo:wktLiteral .
  <{ROLE}> skos:prefLabel "{RU_LABEL}"@ru .
  <{BASE}id/note/café-ü> <http://www.w3.org/2000/01/rdf-schema#label> "Café <b>au lait</b>" .
}} }}"""
    reply = site.update(PREFIXES + data)
    assert reply.status in (200, 204), reply.text
    yield
    reply = site.update(f"DROP GRAPH <{TEST_GRAPH}>")
    assert reply.status in (200, 204), reply.text


# --- Cool URIs: 303 to a document chosen by Accept --------------------------------------------------------------

@pytest.mark.parametrize(
    ("accept", "suffix"),
    [
        (None, "html"),
        ("*/*", "html"),
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "html"),
        ("text/turtle", "ttl"),
        ("text/turtle, application/rdf+xml;q=0.9, */*;q=0.1", "ttl"),
        ("application/ld+json", "jsonld"),
        ("application/ld+json, application/json;q=0.9, */*;q=0.1", "jsonld"),
        ("application/rdf+xml", "rdf"),
        ("application/n-triples", "nt"),
        ("text/plain, */*;q=0.1", "nt"),
    ],
)
@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_the_thing_answers_303_to_the_document_the_client_accepts(
    site: LiveServer, method: str, accept: str | None, suffix: str
) -> None:
    reply = site.request(method, CASE_PATH, headers={"Accept": accept} if accept else {})
    assert reply.status == 303, reply.text
    assert reply.headers["location"] == f"{CASE_PATH}.{suffix}"
    assert "accept" in reply.headers["vary"].lower()
    assert f'<{CASE_PATH}.ttl>; rel="describedby"; type="text/turtle"' in reply.headers["link"]


def test_the_reader_s_language_survives_the_redirect(site: LiveServer) -> None:
    reply = get(site, CASE_PATH + "?lang=fr", Accept="text/html")
    assert reply.status == 303
    assert reply.headers["location"] == f"{CASE_PATH}.html?lang=fr"
    page = get(site, reply.headers["location"])
    assert page.status == 200 and '<html lang="fr"' in page.text


def test_an_accept_that_names_nothing_servable_gets_406_listing_the_formats(site: LiveServer) -> None:
    reply = get(site, CASE_PATH, Accept="image/png")
    assert reply.status == 406
    assert "text/turtle" in reply.text and ".jsonld" in reply.text


# --- RDF documents ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("suffix", "media_type", "rdflib_format"), RDF_DOCUMENTS)
def test_rdf_documents_hold_the_whole_case(site: LiveServer, suffix: str, media_type: str, rdflib_format: str) -> None:
    reply = get(site, f"{CASE_PATH}.{suffix}")
    assert reply.status == 200, reply.text
    assert reply.media_type == media_type
    assert "vary" not in reply.headers or "accept-language" not in reply.headers["vary"].lower()
    graph = Graph().parse(data=reply.body, format=rdflib_format)

    own = select(site, f"SELECT ?p ?o (isIRI(?o) AS ?iri) (DATATYPE(?o) AS ?dt) (LANG(?o) AS ?lang) "
                       f"WHERE {{ <{CASE}> ?p ?o }}")
    assert own
    for row in own:
        if row["iri"] == "true":
            obj = URIRef(row["o"])
        elif row.get("lang"):
            obj = Literal(row["o"], lang=row["lang"])
        elif row["dt"].endswith("#string"):
            obj = Literal(row["o"])
        else:
            obj = Literal(row["o"], datatype=URIRef(row["dt"]))
        assert (CASE, URIRef(row["p"]), obj) in graph, row

    outcomes = list(graph.objects(CASE, SRKG.outcome))
    assert outcomes and all((o, SRKG.unit, UNIT["NanoGM-PER-KiloGM"]) in graph for o in outcomes)
    costs = set(graph.objects(CASE, SRKG.cost))
    assert {graph.value(c, SRKG.amount).toPython() for c in costs} == {41000000, 35000000000}
    site_iri = graph.value(CASE, SRKG.site)
    assert graph.value(site_iri, SRKG.country) == URIRef(f"{BASE}vocab/country/VNM")
    record = graph.value(CASE, SRKG.derivedFromRecord)
    assert graph.value(record, SRKG.rowNumber).toPython() == 3
    links = reply.headers["link"]
    assert f"<{CASE_PATH}.html>" in links and 'rel="alternate"' in links and f"<{CASE_PATH}.{suffix}>" not in links


def test_turtle_uses_readable_prefixes(site: LiveServer) -> None:
    text = get(site, f"{CASE_PATH}.ttl").text
    for prefix in ("srkg:", "dcterms:", "unit:", "case:", "pollutant:", "technology:"):
        assert f"@prefix {prefix}" in text, prefix
    assert f"case:{CASE_KEY} a srkg:CaseStudy" in text
    assert "unit:NanoGM-PER-KiloGM" in text


def test_head_on_a_document_sends_headers_only(site: LiveServer) -> None:
    reply = site.request("HEAD", f"{CASE_PATH}.ttl")
    assert reply.status == 200 and reply.media_type == "text/turtle" and reply.body == b""


# --- the case page ----------------------------------------------------------------------------------------------

def test_case_page_shows_the_whole_case(site: LiveServer, extras: None) -> None:
    reply = get(site, f"{CASE_PATH}.html")
    assert reply.status == 200 and reply.media_type == "text/html"
    page = main_of(reply.text)
    title = select(site, f"SELECT ?t WHERE {{ <{CASE}> dcterms:title ?t }}")[0]["t"]
    assert f"<h1>{title}</h1>" in page
    labels = select(site, f"""SELECT ?kind ?label WHERE {{
      {{ <{CASE}> srkg:pollutant ?x BIND("pollutant" AS ?kind) }}
      UNION {{ <{CASE}> srkg:technologyApplication/srkg:technology ?x BIND("technology" AS ?kind) }}
      ?x skos:prefLabel ?label FILTER(lang(?label) = "en") }}""")
    assert {r["kind"] for r in labels} == {"pollutant", "technology"}
    for row in labels:
        assert f">{row['label']}</a>" in page, row
    # outcome with its unit, a cost with currency, the sources, the provenance
    outcomes = page[page.index('id="outcomes"'):page.index('id="costs"')]
    assert "150 ng/kg" in outcomes and ">ng/kg</a>" in outcomes and "target met" in outcomes
    costs = page[page.index('id="costs"'):page.index('id="assessment"')]
    assert "41\u202f000\u202f000" in costs and ">USD</a>" in costs and "2012" in costs
    assert '<a href="https://www.usaid.gov/vietnam/key-facts-about-danang-remediation"' in page
    provenance = page[page.index('id="provenance"'):]
    assert "literature-cases.csv" in provenance and "row 3" in provenance
    assert 'href="/id/record/2648aa7a787514f0-r3"' in provenance
    assert 'href="/graph/examples"' in provenance
    # the assessment and the site point added by the fixture
    framework = select(site, f"SELECT ?l WHERE {{ <{BASE}vocab/framework/surf-uk> skos:prefLabel ?l "
                             f"FILTER(lang(?l) = 'en') }}")[0]["l"]
    assessment = page[page.index('id="assessment"'):page.index('id="sources"')]
    assert framework in assessment and "No heavy machinery after 2018." in assessment
    assert "Test assessor" in assessment
    assert re.search(r'<circle class="point" cx="[\d.]+" cy="[\d.]+"', page)
    assert 'data-m49="704" class="country case-country"' in page
    assert "16.0440, 108.1990" in page


def test_case_page_draws_its_country_over_the_shared_base_map(site: LiveServer) -> None:
    """Only the case's country is inline; the grey outlines of the world are one cached SVG file."""
    import xml.etree.ElementTree as ET

    page = get(site, f"{CASE_PATH}.html").text
    svg = page[page.index('<svg class="worldmap"'):page.index("</svg>", page.index('<svg class="worldmap"'))]
    assert '<image href="/maps/world.svg"' in svg
    assert re.findall(r'data-m49="(\d+)"', svg) == ["704"]  # Viet Nam, nothing else inline
    assert len(page) < 60_000  # it was ~230 kB with every outline inline
    base = get(site, "/maps/world.svg")
    assert base.media_type == "image/svg+xml" and "max-age" in base.headers["cache-control"]
    root = ET.fromstring(base.body)
    paths = root.findall(".//{http://www.w3.org/2000/svg}path")
    assert len(paths) > 200 and {p.get("class") for p in paths} <= {"country", "country no-code"}
    again = get(site, "/maps/world.svg", if_none_match=base.headers["etag"])
    assert again.status == 304 and again.body == b""


def test_case_page_escapes_the_data(site: LiveServer) -> None:
    page = main_of(get(site, f"{CASE_PATH}.html").text)
    assert "residual dioxin &lt;1 ppt" in page
    assert "<1 ppt" not in page and "&gt;90,000 m3" in page


def test_case_page_loads_nothing_from_another_origin(site: LiveServer) -> None:
    reply = get(site, f"{CASE_PATH}.html")
    assert "default-src 'self'" in reply.headers["content-security-policy"]
    assets = [(tag, value) for tag, attr, value in refs(reply.text) if attr == "src" or tag == "link"]
    assert assets and all(value.startswith("/") and not value.startswith("//") for _, value in assets), assets
    assert 'href="/static/pages.css"' in reply.text
    assert get(site, "/static/pages.css").status == 200


def test_every_local_link_on_a_case_page_answers(site: LiveServer, extras: None) -> None:
    html = get(site, f"{CASE_PATH}.html").text
    local = sorted({urlsplit(value)._replace(fragment="").geturl() for _, attr, value in refs(html)
                    if attr == "href" and value.startswith("/") and not value.startswith("//")})
    assert len(local) > 20
    failures = {}
    for path in local:
        status = site.request("GET", path).status
        if status >= 400:
            failures[path] = status
    assert not failures


# --- languages --------------------------------------------------------------------------------------------------

def test_labels_follow_lang_parameter_with_english_fallback_marked(site: LiveServer) -> None:
    page = get(site, "/id/case/fra-metaleurop-phytener.html?lang=fr").text
    assert '<html lang="fr" dir="ltr">' in page
    assert ">plomb</a>" in page and ">Polluants</h2>" in page
    # phytostabilisation has only an English label: shown, marked as English
    assert re.search(r'<a href="/vocab/technology/phytostabilisation\?lang=fr" lang="en" class="fallback">'
                     r"phytostabilisation</a>", page)


def test_arabic_by_accept_language_is_right_to_left(site: LiveServer) -> None:
    page = get(site, "/id/case/fra-metaleurop-phytener.html", Accept_Language="ar, en;q=0.5").text
    assert '<html lang="ar" dir="rtl">' in page
    lead_ar = select(site, "SELECT ?l WHERE { <https://w3id.org/srkg/vocab/pollutant/lead> skos:prefLabel ?l "
                           "FILTER(lang(?l) = 'ar') }")[0]["l"]
    assert f'<a href="/vocab/pollutant/lead">{lead_ar}</a>' in page
    assert 'lang="en" class="fallback"' in page


def test_label_cache_follows_data_changes(site: LiveServer, extras: None) -> None:
    before = get(site, f"{CASE_PATH}.html?lang=ru").text  # labels are cached from here on
    assert f">{RU_LABEL}</a>" in before
    role = f"{BASE}vocab/technology-role/containment"
    assert 'href="/vocab/technology-role/containment?lang=ru" lang="en" class="fallback"' in before
    label = '"удержание (тест)"@ru'
    reply = site.update(f"INSERT DATA {{ GRAPH <{TEST_GRAPH}> {{ <{role}> <{SKOS.prefLabel}> {label} }} }}")
    assert reply.status in (200, 204), reply.text
    after = get(site, f"{CASE_PATH}.html?lang=ru").text
    assert '<a href="/vocab/technology-role/containment?lang=ru">удержание (тест)</a>' in after


# --- technology, pollutant, country -----------------------------------------------------------------------------

def test_technology_page_lists_the_cases_that_used_it(site: LiveServer) -> None:
    technology = f"{BASE}vocab/technology/phytostabilisation"
    reply = get(site, "/vocab/technology/phytostabilisation.html")
    assert reply.status == 200
    page = main_of(reply.text)
    cases = {r["case"] for r in select(site, f"""SELECT DISTINCT ?case WHERE {{
      ?case a srkg:CaseStudy ; srkg:technologyApplication/srkg:technology <{technology}> }}""")}
    assert len(cases) >= 3
    listed = set(re.findall(r'<tr><td><a href="(/id/case/[^"?]+)"', page[page.index('id="cases"'):]))
    assert listed == {c.removeprefix(BASE[:-1]) for c in cases}
    assert f"({len(cases)})" in page
    assert 'href="/vocab/nbs-category/yes"' in page  # facets
    assert 'href="/vocab/technology/phytoremediation"' in page  # broader


def test_technology_page_summarises_outcomes_by_pollutant(site: LiveServer) -> None:
    technology = f"{BASE}vocab/technology/soil-washing"
    rows = select(site, f"""SELECT ?o ?p ?pct WHERE {{
      ?case srkg:technologyApplication/srkg:technology <{technology}> ; srkg:outcome ?o .
      ?o srkg:pollutant ?p ; srkg:metric <{BASE}vocab/outcome-metric/removal-percent> ;
         srkg:reductionPercent ?pct }}""")
    assert rows
    page = main_of(get(site, "/vocab/technology/soil-washing.html").text)
    table = page[page.index('id="outcomes-by-pollutant"'):]
    for pollutant in {r["p"] for r in rows}:
        values = [float(r["pct"]) for r in rows if r["p"] == pollutant]
        path = pollutant.removeprefix(BASE[:-1])
        row = re.search(rf'<tr><td><a href="{path}">[^<]+</a></td>'
                        r'<td><a href="/vocab/outcome-metric/removal-percent">[^<]+</a></td>'
                        r'<td class="num">(\d+)</td><td class="num">(\d+)</td><td class="num">([^<]*)</td>', table)
        assert row, pollutant
        assert (int(row.group(1)), int(row.group(2))) == (len(values), len(values))
        assert row.group(3) == f"{statistics.median(values):.1f} %"


def test_pollutant_page_links_its_identifiers(site: LiveServer) -> None:
    page = main_of(get(site, "/vocab/pollutant/lead.html").text)
    assert '<a href="http://purl.obolibrary.org/obo/CHEBI_25016" rel="external nofollow">CHEBI:25016</a>' in page
    assert "<code>7439-92-1</code>" in page
    assert 'href="http://aims.fao.org/aos/agrovoc/c_4235"' in page
    assert 'href="http://www.wikidata.org/entity/Q708"' in page
    assert 'href="/vocab/pollutant-class/metals-metalloids"' in page
    assert 'href="/id/case/fra-metaleurop-phytener"' in page


def test_country_page_lists_its_cases_and_coverage(site: LiveServer) -> None:
    cases = {r["case"] for r in select(site, f"""SELECT DISTINCT ?case WHERE {{
      ?case a srkg:CaseStudy ; srkg:site/srkg:country <{BASE}vocab/country/FRA> }}""")}
    page = main_of(get(site, "/vocab/country/FRA.html?lang=es").text)
    listed = set(re.findall(r'<tr><td><a href="(/id/case/[^"?]+)\?lang=es"', page))
    assert listed == {c.removeprefix(BASE[:-1]) for c in cases} and listed
    assert 'id="coverage-status" class="coverage covered"' in page
    for code in ("FRA", "FR", "250"):
        assert f"<span>{code}</span>" in page
    assert '<li lang="zh">' in page and "Francia" in page
    assert 'data-m49="250" class="country case-country"' in page


def test_a_country_without_cases_says_it_is_not_covered(site: LiveServer) -> None:
    uncovered = select(site, """SELECT ?c WHERE { ?c a srkg:Country ; srkg:m49Code ?m
      FILTER NOT EXISTS { ?case srkg:site/srkg:country ?c } } ORDER BY ?c LIMIT 1""")[0]["c"]
    page = main_of(get(site, uncovered.removeprefix(BASE[:-1]) + ".html").text)
    assert 'class="coverage not-covered"' in page and "No case study refers to it yet." in page


# --- schemes, concepts, ontology, graphs, home ------------------------------------------------------------------

def test_vocabulary_concepts_and_schemes_dereference(site: LiveServer) -> None:
    for path in ("/vocab/technology", "/vocab/medium/soil", "/vocab/m49-region/019"):
        reply = get(site, path)
        assert reply.status == 303 and reply.headers["location"] == path + ".html", path
        assert get(site, path + ".html").status == 200
    members = {r["c"] for r in select(site, f"SELECT ?c WHERE {{ ?c skos:inScheme <{BASE}vocab/technology> }}")}
    page = main_of(get(site, "/vocab/technology.html").text)
    assert f"({len(members)})" in page
    assert all(f'href="{m.removeprefix(BASE[:-1])}"' in page for m in members)
    concept = Graph().parse(data=get(site, "/vocab/medium/soil.ttl").body, format="turtle")
    assert (URIRef(f"{BASE}vocab/medium/soil"), SKOS.prefLabel, Literal("soil", lang="en")) in concept


def test_ontology_dereferences_with_anchors_for_its_terms(site: LiveServer) -> None:
    assert get(site, "/ontology").headers["location"] == "/ontology.html"
    page = get(site, "/ontology.html").text
    for term in ("CaseStudy", "Outcome", "site", "valueBefore"):
        assert f'id="{term}"' in page, term
    graph = Graph().parse(data=get(site, "/ontology.ttl").body, format="turtle")
    assert (SRKG.CaseStudy, URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
            URIRef("http://www.w3.org/2002/07/owl#Class")) in graph
    assert get(site, "/ontology/0.1.0", Accept="text/turtle").headers["location"] == "/ontology/0.1.0.ttl"


def test_named_graphs_dereference_to_a_summary_and_their_content(site: LiveServer) -> None:
    graph_iri = f"{BASE}graph/examples"
    count = int(select(site, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph_iri}> {{ ?s ?p ?o }} }}")[0]["n"])
    assert get(site, "/graph/examples", Accept="text/turtle").headers["location"] == "/graph/examples.ttl"
    page = get(site, "/graph/examples.html").text
    assert f'<dd id="triple-count">{count}</dd>' in page
    assert f'href="/rdf-graph-store?graph={quote(graph_iri, safe="")}"' in page
    content = Graph().parse(data=get(site, "/graph/examples.nt").body, format="nt")
    assert len(content) == count


def test_unknown_iris_are_real_404s(site: LiveServer) -> None:
    browser = get(site, "/id/case/no-such-case", Accept="text/html")
    assert browser.status == 404 and browser.media_type == "text/html" and 'id="not-found"' in browser.text
    machine = get(site, "/id/case/no-such-case", Accept="text/turtle")
    assert machine.status == 404 and machine.media_type == "text/plain"
    for path in ("/id/case/no-such-case.ttl", "/vocab/technology/no-such-technology", "/graph/no-such-graph",
                 "/ontologyx", "/id/case/a%20b"):
        assert get(site, path, Accept="text/turtle").status == 404, path
    unknown_suffix = get(site, f"{CASE_PATH}.txt", Accept="text/plain")
    assert unknown_suffix.status == 404 and ".ttl" in unknown_suffix.text and ".jsonld" in unknown_suffix.text


def test_iris_with_non_ascii_characters_dereference(site: LiveServer, extras: None) -> None:
    reply = get(site, "/id/note/caf%C3%A9-%C3%BC")
    assert reply.status == 303, reply.text
    assert reply.headers["location"] == "/id/note/caf%C3%A9-%C3%BC.html"
    page = get(site, reply.headers["location"]).text
    assert "<h1>Café &lt;b&gt;au lait&lt;/b&gt;</h1>" in page
    assert "<b>" not in main_of(page)


def test_generic_resources_show_their_properties_and_incoming_links(site: LiveServer) -> None:
    page = main_of(get(site, f"/id/site/{CASE_KEY}.html").text)
    assert 'href="/vocab/country/VNM"' in page
    assert f'href="{CASE_PATH}"' in page[page.index('id="incoming"'):]


def test_home_counts_what_the_graph_holds(site: LiveServer) -> None:
    cases = select(site, "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c a srkg:CaseStudy }")[0]["n"]
    page = get(site, "/home").text
    assert f'<strong id="count-cases">{cases}</strong>' in page
    for target in ("/search", "/coverage", "/query", "/submissions"):
        assert f'href="{target}"' in page


def test_titles_in_another_language_are_chosen_for_the_reader(site: LiveServer) -> None:
    # A language-tagged title: the English one is the fallback on a French page, marked as English.
    titles = select(site, f"SELECT ?t (LANG(?t) AS ?l) WHERE {{ <{CASE}> dcterms:title ?t }}")
    assert {r["l"] for r in titles} == {"en"}
    page = get(site, f"{CASE_PATH}.html?lang=fr").text
    assert f'<h1 lang="en" class="fallback">{titles[0]["t"]}</h1>' in page
