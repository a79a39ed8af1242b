"""The coverage dashboard (/coverage, /coverage.json) on real servers, and the offline world map it draws.

The shared ``site`` server holds the project's real data: its numbers are checked against independent SPARQL
aggregates sent to /sparql. A small server of our own (two fixture cases, in China and France, plus the real
countries graph) is written to, to see the numbers follow the data.
"""

from __future__ import annotations

import json
import re
import shutil
import threading
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from html import unescape as html_unescape
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode

import pytest
from server.live_server import REPO, LiveServer, make_resources, start_server

from sparql_api.server.data_cache import DataCache
from sparql_api.web import worldmap
from sparql_api.web.accept import prefers_json as wants_json
from sparql_api.web.coverage import Coverage, Tally
from sparql_api.web.worldmap import HEIGHT, WIDTH, MapPoint, render_world_map

SVG = "{http://www.w3.org/2000/svg}"
PREFIXES = """PREFIX srkg: <https://w3id.org/srkg/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""
HAS_CASE = "EXISTS { ?case a srkg:CaseStudy ; srkg:site ?site . ?site srkg:country ?s }"


# --- helpers -------------------------------------------------------------------------------------------------


class PageScan(HTMLParser):
    """Every src/href, the <html> attributes, and the attributes of the paths of the world map."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.html: dict[str, str | None] = {}
        self.map_paths: list[dict[str, str | None]] = []
        self.map_dots: list[dict[str, str | None]] = []
        self._in_map = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        self.links += [v for k, v in attrs if k in ("src", "href") and v is not None]
        if tag == "html":
            self.html = a
        if tag == "svg" and "worldmap" in (a.get("class") or "").split():
            self._in_map = True
        if tag == "path" and self._in_map:
            self.map_paths.append(a)
        if tag == "circle" and self._in_map and a.get("data-m49"):
            self.map_dots.append(a)

    def handle_endtag(self, tag: str) -> None:
        if tag == "svg":
            self._in_map = False


def scan(html: str) -> PageScan:
    parser = PageScan()
    parser.feed(html)
    return parser


def rows(site: LiveServer, sparql: str) -> list[dict[str, str]]:
    reply = site.query(PREFIXES + sparql, accept="application/sparql-results+json")
    assert reply.status == 200, reply.text
    return [{k: v["value"] for k, v in b.items()} for b in json.loads(reply.body)["results"]["bindings"]]


def coverage_json(site: LiveServer, **params: str) -> dict:
    reply = site.request("GET", "/coverage.json?" + urlencode(params))
    assert reply.status == 200, reply.text
    assert reply.media_type == "application/json"
    return json.loads(reply.body)


def page(site: LiveServer, path: str = "/coverage", **headers: str) -> str:
    reply = site.request("GET", path, headers={"Accept": "text/html", **headers})
    assert reply.status == 200, reply.text
    assert reply.media_type == "text/html"
    return reply.text


def independent_tallies(site: LiveServer, scope: str, area: str | None) -> dict[str, tuple[int, int]]:
    """(covered, total) per area code ("" = world) for ``scope`` (a pattern on ?s), counted in SPARQL."""
    group = f"?s srkg:{area} ?a . ?a skos:notation ?code ." if area else 'BIND ("" AS ?code)'
    found = rows(site, f"""SELECT ?code (COUNT(DISTINCT ?s) AS ?total) (SUM(?hit) AS ?covered) WHERE {{
        ?s a srkg:Country . {scope} {group}
        BIND (IF({HAS_CASE}, 1, 0) AS ?hit)
    }} GROUP BY ?code""")
    return {r["code"]: (int(r["covered"]), int(r["total"])) for r in found}


UN_SCOPE = "?s srkg:isUNMember true ."
M49_SCOPE = "?s srkg:m49Code ?m49 ."


def as_pair(tally: dict) -> tuple[int, int]:
    return tally["covered"], tally["total"]


# --- the world map (no server) ---------------------------------------------------------------------------------


def parse_svg(markup: str) -> ET.Element:
    return ET.fromstring(str(markup))


def bbox(d: str) -> tuple[float, float, float, float]:
    numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", d)]
    xs, ys = numbers[0::2], numbers[1::2]
    return min(xs), min(ys), max(xs), max(ys)


def test_map_has_one_path_per_shape_with_code_and_class() -> None:
    svg = parse_svg(render_world_map({"056": "covered", "250": "missing"}, title="Coverage"))
    assert svg.tag == f"{SVG}svg"
    assert svg.get("class") == "worldmap" and svg.get("role") == "img" and svg.get("aria-label") == "Coverage"
    assert svg.get("viewBox") == f"0 0 {WIDTH} {HEIGHT}"
    paths = list(svg.iter(f"{SVG}path"))
    assert len(paths) == len([s for s in worldmap.shapes() if s.d]) > 200
    by_code = {p.get("data-m49"): p for p in paths if p.get("data-m49")}
    assert by_code["056"].get("class") == "country covered"
    assert by_code["250"].get("class") == "country missing"
    assert by_code["276"].get("class") == "country"  # no fill given: default colour
    assert by_code["056"].find(f"{SVG}title").text == "Belgium"  # Natural Earth name when no label is given
    assert all(re.fullmatch(r"\d{3}", code) for code in by_code)


def test_map_contains_no_script_and_no_external_reference() -> None:
    markup = str(render_world_map({}, points=[MapPoint(0, 0, "x", href="/id/case/a")]))
    assert "<script" not in markup and "xlink" not in markup
    assert re.findall(r"https?://[^\"]+", markup) == ["http://www.w3.org/2000/svg"]  # the namespace only
    assert "style=" not in markup  # the pages' CSP forbids inline styles


def test_map_points_are_projected_inside_the_view_box() -> None:
    corners = [MapPoint(lat, lon, f"{lat},{lon}") for lat in (-90, -45, 0, 45, 90) for lon in (-180, -90, 0, 180)]
    odd = [MapPoint(123, 999, "out of range is clamped")]
    svg = parse_svg(render_world_map({}, points=[*corners, *odd]))
    circles = list(svg.find(f"{SVG}g[@class='points']").iter(f"{SVG}circle"))
    assert len(circles) == len(corners) + 1
    for c in circles:
        assert 0 <= float(c.get("cx")) <= WIDTH and 0 <= float(c.get("cy")) <= HEIGHT
    x0, y0 = worldmap.project(0, -180)
    x1, y1 = worldmap.project(0, 180)
    assert (round(x0), round(x1)) == (0, WIDTH) and y0 == y1 == HEIGHT / 2


def test_map_point_falls_inside_its_country() -> None:
    """Shapes and points share one projection: Brussels lands in Belgium's outline, Canberra in Australia's."""
    shapes = {s.m49: s for s in worldmap.shapes()}
    for (lat, lon), code in (((50.85, 4.35), "056"), ((-35.28, 149.13), "036"), ((-33.45, -70.67), "152")):
        x, y = worldmap.project(lat, lon)
        left, top, right, bottom = bbox(shapes[code].d)
        assert left <= x <= right and top <= y <= bottom, code


def test_map_escapes_labels_titles_and_links() -> None:
    nasty = '<script>alert("x")</script> & "quotes"'
    markup = str(render_world_map(
        {"056": 'covered" onload="x'},
        points=[MapPoint(50.8, 4.3, nasty, href='/id/case/a"b?x=1&y=<2>')],
        title=nasty,
        labels={"056": nasty},
    ))
    assert "<script>" not in markup and 'onload="' not in markup
    svg = parse_svg(markup)  # still well-formed XML
    assert svg.get("aria-label") == nasty
    belgium = next(p for p in svg.iter(f"{SVG}path") if p.get("data-m49") == "056")
    assert belgium.find(f"{SVG}title").text == nasty
    link = next(svg.iter(f"{SVG}a"))
    assert link.get("href") == '/id/case/a"b?x=1&y=<2>'
    assert link.find(f"{SVG}circle/{SVG}title").text == nasty


def test_small_states_also_get_a_dot() -> None:
    svg = parse_svg(render_world_map({"492": "covered", "798": "missing"}, labels={"798": "Tuvalu!"}))
    dots = {c.get("data-m49"): c for c in svg.iter(f"{SVG}circle")}
    assert dots["492"].get("class") == "dot covered"  # Monaco: an outline too small to see, and a dot
    assert dots["798"].get("class") == "dot missing"  # Tuvalu: no 1:50m outline at all, a dot only
    assert dots["798"].find(f"{SVG}title").text == "Tuvalu!"
    assert "798" not in {p.get("data-m49") for p in svg.iter(f"{SVG}path")}


# --- pure pieces ----------------------------------------------------------------------------------------------


def test_share_is_rounded_half_up_to_one_decimal() -> None:
    assert Tally(27, 48).share == 56.3  # 56.25: SPARQL's ROUND(562.5) / 10
    assert Tally(138, 193).share == 71.5
    assert Tally(1, 3).share == 33.3
    assert Tally(0, 0).share is None


@pytest.mark.parametrize(("accept", "expected"), [
    ("application/json", True),
    ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", False),
    ("application/json;q=0.5, text/html", False),
    ("text/html;q=0.5, application/json", True),
    ("*/*", False),
    (None, False),
])
def test_json_negotiation(accept: str | None, expected: bool) -> None:
    assert wants_json(accept) is expected


def test_cache_drops_a_result_computed_while_the_data_changed() -> None:
    cache: DataCache[Coverage] = DataCache()
    made: list[int] = []
    started, release = threading.Event(), threading.Event()

    def slow() -> Coverage:
        made.append(1)
        started.set()
        release.wait(5)
        return Coverage((), {}, {})

    worker = threading.Thread(target=cache.get, args=(slow,))
    worker.start()
    started.wait(5)
    cache.forget()  # a write lands while the numbers are being computed
    release.set()
    worker.join(5)
    cache.get(lambda: (made.append(2), Coverage((), {}, {}))[1])
    assert made == [1, 2]  # the stale result was not kept
    cache.get(slow)
    assert made == [1, 2]  # the fresh one is
    assert cache.get(lambda: Coverage((), {}, {}), key="other") is not cache.get(slow)  # one value per key


# --- the real data (shared server) -------------------------------------------------------------------------


def test_json_numbers_equal_an_independent_sparql_computation(site: LiveServer) -> None:
    data = coverage_json(site)
    assert as_pair(data["un_members"]) == independent_tallies(site, UN_SCOPE, None)[""]
    assert as_pair(data["m49_areas"]) == independent_tallies(site, M49_SCOPE, None)[""]
    for key, area in (("regions", "m49Region"), ("sub_regions", "m49SubRegion")):
        un = independent_tallies(site, UN_SCOPE, area)
        every = independent_tallies(site, M49_SCOPE, area)
        assert {a["m49"]: as_pair(a["un_members"]) for a in data[key]} == {
            code: un.get(code, (0, 0)) for code in every}
        assert {a["m49"]: as_pair(a["m49_areas"]) for a in data[key]} == every
    cases = rows(site, """SELECT ?iso3 (COUNT(DISTINCT ?case) AS ?n) WHERE {
        ?case a srkg:CaseStudy ; srkg:site ?site . ?site srkg:country ?s . ?s srkg:iso3Code ?iso3 } GROUP BY ?iso3""")
    assert {c["iso3"]: c["cases"] for c in data["covered"]} == {r["iso3"]: int(r["n"]) for r in cases}
    without = rows(site, f"SELECT ?iso3 WHERE {{ ?s srkg:m49Code ?m ; srkg:iso3Code ?iso3 FILTER NOT {HAS_CASE} }}")
    assert sorted(m["iso3"] for m in data["missing"]) == sorted(r["iso3"] for r in without)


def test_json_numbers_are_plausible_and_consistent(site: LiveServer) -> None:
    data = coverage_json(site)
    un = data["un_members"]
    assert un["total"] == 193  # the UN DGACM list
    assert 100 <= un["covered"] <= 193  # the project reports 138 today; the literature table adds cases
    assert un["share_percent"] == round(100 * un["covered"] / un["total"] + 1e-9, 1)
    assert isinstance(un["share_percent"], float)
    assert data["target_percent"] == 60.0 and data["target_met"] is (un["share_percent"] >= 60)
    assert data["m49_areas"]["total"] >= 249
    assert len(data["regions"]) == 5 and {r["m49"] for r in data["regions"]} == {"002", "009", "019", "142", "150"}
    assert len(data["sub_regions"]) == 17
    assert sum(r["un_members"]["total"] for r in data["regions"]) == 193
    assert sum(r["un_members"]["covered"] for r in data["regions"]) == un["covered"]
    missing_members = [m for m in data["missing"] if m["un_member"]]
    assert len(missing_members) == un["total"] - un["covered"]
    assert all(m["page"] == "/vocab/country/" + m["iso3"] for m in data["missing"])
    assert "SELECT" in data["query"] and data["language"] == "en"


def test_coverage_with_accept_json_is_the_same_document(site: LiveServer) -> None:
    reply = site.request("GET", "/coverage", headers={"Accept": "application/json"})
    assert reply.status == 200 and reply.media_type == "application/json"
    assert json.loads(reply.body) | {"computed_at": ""} == coverage_json(site) | {"computed_at": ""}


def test_page_shows_headline_target_regions_and_countries(site: LiveServer) -> None:
    data = coverage_json(site)
    html = page(site)
    un = data["un_members"]
    assert f'{un["share_percent"]:.1f} %' in html
    assert f'{un["covered"]} of {un["total"]} UN member states' in html
    assert "Target: 60 %" in html
    assert 'x1="60.0" x2="60.0"' in html  # the target line on the bar
    for region in data["regions"] + data["sub_regions"]:
        assert f'<tr data-m49="{region["m49"]}">' in html and region["name"] in html
    absent = next(m for m in data["missing"] if m["un_member"])
    assert not has_case(site, absent["iso3"])
    assert f'<li data-m49="{absent["m49"]}"><a href="/vocab/country/{absent["iso3"]}?lang=en"' in html
    assert absent["name"] in html
    present = next(c for c in data["covered"] if c["m49"])
    assert has_case(site, present["iso3"])
    assert f'href="/vocab/country/{present["iso3"]}?lang=en" data-iso3="{present["iso3"]}">{present["name"]}' in html
    assert "<pre class=\"sparql\"><code>" in html and "srkg:isUNMember" in html
    assert 'href="/coverage.json?lang=en"' in html


def has_case(site: LiveServer, iso3: str) -> bool:
    reply = site.query(PREFIXES + f'ASK {{ ?s srkg:iso3Code "{iso3}" FILTER {HAS_CASE} }}',
                       accept="application/sparql-results+json")
    assert reply.status == 200, reply.text
    return json.loads(reply.body)["boolean"]


def test_page_runs_exactly_the_query_it_shows(site: LiveServer) -> None:
    html = page(site)
    shown = re.search(r'<pre class="sparql"><code>(.*?)</code></pre>', html, re.S)
    assert shown
    text = html_unescape(shown.group(1))
    run = next(link for link in scan(html).links if link.startswith("/sparql?") and "format=json" in link)
    reply = site.request("GET", run)
    assert reply.status == 200, reply.text
    assert len(json.loads(reply.body)["results"]["bindings"]) >= 250
    assert text == (REPO / "sparql_api" / "web" / "queries" / "coverage.rq").read_text("utf-8")


def test_map_classes_agree_with_the_json(site: LiveServer) -> None:
    data = coverage_json(site)
    found = scan(page(site))
    assert len(found.map_paths) == len([s for s in worldmap.shapes() if s.d])
    covered = {c["m49"] for c in data["covered"] if c["m49"]}
    missing = {m["m49"] for m in data["missing"]}
    for shapes in (found.map_paths, found.map_dots):
        classes = {p["data-m49"]: set((p.get("class") or "").split()) for p in shapes if p.get("data-m49")}
        assert len(classes) > 50, "no country shapes"
        for code, css in classes.items():
            assert ("covered" in css) == (code in covered), code
            assert ("missing" in css) == (code in missing), code
    no_code = [p for p in found.map_paths if not p.get("data-m49")]
    assert no_code and all(p.get("class") == "country no-code" for p in no_code)  # Kosovo, Siachen…


def test_page_loads_nothing_from_another_origin(site: LiveServer) -> None:
    reply = site.request("GET", "/coverage", headers={"Accept": "text/html"})
    links = scan(reply.text).links
    assert links
    assert all(link.startswith(("/", "#", "?")) for link in links), [x for x in links if not x.startswith("/")]
    assert "default-src 'self'" in reply.headers["content-security-policy"]
    assert 'href="/static/coverage.css"' in reply.text
    css = site.request("GET", "/static/coverage.css")
    assert css.status == 200 and "url(" not in css.text and "@import" not in css.text


def test_page_in_french_and_arabic(site: LiveServer) -> None:
    data = coverage_json(site, lang="fr")
    absent = next(m for m in data["missing"] if m["un_member"])
    labels = rows(site, f"""SELECT ?lang ?label WHERE {{ ?s srkg:iso3Code "{absent['iso3']}" ; skos:prefLabel ?label .
        BIND (LANG(?label) AS ?lang) }}""")
    names = {r["lang"]: r["label"] for r in labels}
    assert data["language"] == "fr" and absent["name"] == names["fr"]
    html = page(site, "/coverage?lang=fr")
    assert scan(html).html.get("lang") == "fr"
    assert "Objectif : 60 %" in html and names["fr"] in html
    assert f'{data["un_members"]["share_percent"]:.1f} %'.replace(".", ",") in html  # French decimal comma
    arabic = page(site, "/coverage", **{"Accept-Language": "ar, en;q=0.5"})
    attrs = scan(arabic).html
    assert attrs.get("lang") == "ar" and attrs.get("dir") == "rtl"
    assert names["ar"] in arabic and "الهدف: 60٪" in arabic
    ar_json = coverage_json(site, lang="ar")
    assert next(m for m in ar_json["missing"] if m["iso3"] == absent["iso3"])["name"] == names["ar"]


# --- numbers follow the data (a server of our own) ---------------------------------------------------------


@pytest.fixture(scope="module")
def small_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """Two fixture cases (China, France) and the real countries graph; no world-atlas under its resources."""
    root = make_resources(tmp_path_factory.mktemp("coverage-resources"))
    shutil.copy(REPO / "ontology" / "external" / "countries.ttl", root / "ontology" / "external")
    live = start_server(tmp_path_factory.mktemp("coverage-site"), resources=root, wait_s=120)
    yield live
    live.stop()


NEW_CASE = """PREFIX srkg: <https://w3id.org/srkg/ontology#>
INSERT DATA { GRAPH <urn:x-test:coverage> {
  <https://w3id.org/srkg/id/case/test-coverage-bel> a srkg:CaseStudy ;
      srkg:site <https://w3id.org/srkg/id/site/test-coverage-bel> .
  <https://w3id.org/srkg/id/site/test-coverage-bel> srkg:country <https://w3id.org/srkg/vocab/country/BEL> .
} }"""


def test_numbers_follow_published_changes(small_site: LiveServer) -> None:
    before = coverage_json(small_site)
    assert as_pair(before["un_members"]) == (2, 193)
    assert {c["iso3"]: c["cases"] for c in before["covered"]} == {"CHN": 1, "FRA": 1}
    europe = next(r for r in before["regions"] if r["m49"] == "150")
    assert as_pair(europe["un_members"]) == (1, 43)
    assert "BEL" in {m["iso3"] for m in before["missing"]}
    assert 'data-m49="056" class="country missing"' in page(small_site)  # map from the packaged copy

    assert small_site.update(NEW_CASE).status == 204
    after = coverage_json(small_site)
    assert as_pair(after["un_members"]) == (3, 193)
    assert after["un_members"]["share_percent"] == 1.6
    assert next(r for r in after["regions"] if r["m49"] == "150")["un_members"]["covered"] == 2
    assert "BEL" not in {m["iso3"] for m in after["missing"]}
    assert {c["iso3"]: c["cases"] for c in after["covered"]}["BEL"] == 1
    html = page(small_site)
    assert 'data-m49="056" class="country covered"' in html and "3 of 193 UN member states" in html

    assert small_site.update("DROP GRAPH <urn:x-test:coverage>").status == 204
    assert as_pair(coverage_json(small_site)["un_members"]) == (2, 193)


def test_world_map_file_is_found_without_the_resources_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from ingest import paths

    (tmp_path / "ontology" / "external").mkdir(parents=True)
    monkeypatch.setenv("SRKG_RESOURCES", str(tmp_path))
    paths.resource_root.cache_clear()
    try:
        assert worldmap.map_file() == REPO / "ontology" / "external" / "world-atlas" / "world-map.json"
    finally:
        monkeypatch.undo()
        paths.resource_root.cache_clear()
