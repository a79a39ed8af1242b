"""Hostile text in every place a user can put some: never a 5xx, nothing leaked, nothing changed.

User text reaches SPARQL only as bound parameters (``Store.select(sparql, bindings)``), never pasted into a
query. This file checks that from the outside: quotes, braces, ``>``, NUL, newlines, ``#``, SPARQL fragments
such as ``} ; DROP ALL ; {`` and ``" . ?s ?p ?o . FILTER("``, very long strings and invalid language tags go into
/search and /search.json (q and every facet the schema lists), the filter pages (compare, checklist, coverage,
analytics, definitions), resource paths, ``?lang=``, the SPARQL protocol's dataset parameters, the Graph Store's
``?graph=`` and the login form's user name. A canary triple that no page shows must never appear (an injected
``?s ?p ?o`` would dump it), and the store's per-graph counts must be the same afterwards (no DROP happened).
"""

from __future__ import annotations

import json
import uuid
from urllib.parse import quote, urlencode

import pytest
from server.live_server import LiveServer, Reply

from sparql_api.analysis.pillar_scores import PILLARS
from sparql_api.server.auth import CSRF_COOKIE
from sparql_api.web.compare_views import TEXT_PARAMS as COMPARE_PARAMS

CANARY = "CANARY-" + uuid.uuid4().hex[:12]
CANARY_GRAPH = "http://sec.example/canary"
HOSTILE = [
    "'", '"', "}", "{", ">", "<", "\\", "#", "\u0000", "a\nb", "a\r\nb\tc",
    "} ; DROP ALL ; {",
    '" . ?s ?p ?o . FILTER("',
    "' . ?s ?p ?o . FILTER('",
    "\"\"\") } ; DROP ALL ; #",
    "<http://evil.example/x> } ; CLEAR ALL ; INSERT DATA { <a:b> <a:c> <a:d> } #",
    "?s ?p ?o } UNION { ?s ?p ?o",
    "\") } SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } #",
    "%00%3E%7D", "\u202e\u0000\ufeff", "x" * 5000, "🙂" * 1000,
    "en-", "x@y", "zz-ZZ-🙂", "en@fr",
]
# The sharpest of them, for the slower pages (each page request runs real queries; the file keeps under a minute).
CORE = ["'", '"', "}", ">", "\u0000", "a\nb", "#", "} ; DROP ALL ; {", '" . ?s ?p ?o . FILTER("',
        "<http://evil.example/x> } ; CLEAR ALL ; INSERT DATA { <a:b> <a:c> <a:d> } #", "x" * 5000, "zz-ZZ-🙂"]
assert set(CORE) <= set(HOSTILE)
LANG_TAGS = ["en-", "x@y", "zz-ZZ-🙂", "en\"", "en>", "en}", "", "e" * 300]
# Pages that take filters, with the parameters they read (search's facets come from the OpenAPI schema).
FILTER_PAGES = {
    "/compare": [*COMPARE_PARAMS, *(f"w_{p}" for p in PILLARS)],
    "/compare.json": [*COMPARE_PARAMS, *(f"w_{p}" for p in PILLARS)],
    "/checklist": ["pollutant", "land_use", "site_type", "country", "format"],
    "/analytics/barriers": ["by", "group", "source"],
    "/analytics/barriers.json": ["by", "group", "source"],
    "/analytics/barriers.csv": ["by", "group", "source"],
    "/coverage": ["format"],
    "/coverage.json": ["lang"],
    "/definitions": ["format"],
    "/checklist/plans": ["format"],
}
# Filters that make a page run its queries (so the hostile value is combined with a real one).
BASELINE = {"/compare": {"pollutant": "cadmium"}, "/compare.json": {"pollutant": "cadmium"},
            "/checklist": {"pollutant": "cadmium"}}
RESOURCE_PATHS = ["/id/", "/id/case/", "/vocab/pollutant/", "/ontology/", "/graph/", "/checklist/plans/",
                  "/submissions/"]


@pytest.fixture(scope="module")
def canary(secured: LiveServer) -> dict[str, list[str]]:
    """The canary in its own graph; returns the store's per-graph counts with it in place."""
    data = f'<http://sec.example/secret> <http://sec.example/says> "{CANARY}" .'
    put = secured.request("PUT", f"/rdf-graph-store?graph={quote(CANARY_GRAPH, safe='')}", data,
                          {**secured.auth(), "Content-Type": "text/turtle"})
    assert put.status == 201, put.text
    return counts(secured)


def counts(server: LiveServer) -> dict[str, list[str]]:
    reply = server.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g "
                         f"# {uuid.uuid4().hex}", "text/csv")  # the comment defeats any result cache
    default = server.request("GET", "/rdf-graph-store?default", headers={"Accept": "application/n-triples"})
    assert reply.status == 200 and default.status == 200
    return {"graphs": sorted(reply.text.splitlines()), "default": sorted(default.text.splitlines())}


def check(reply: Reply, what: str) -> None:
    assert reply.status < 500, f"{what}: {reply.status} {reply.body[:300]!r}"
    assert reply.status >= 200, what
    if 300 <= reply.status < 400:  # a redirect may only stay on this site
        location = reply.headers.get("location", "")
        assert location.startswith("/") and not location.startswith("//"), f"{what}: redirect to {location!r}"
    assert CANARY.encode() not in reply.body, f"{what}: the canary leaked"


def get(server: LiveServer, path: str, params: dict[str, str] | list[tuple[str, str]], accept: str = "*/*") -> Reply:
    return server.request("GET", f"{path}?{urlencode(params)}", headers={"Accept": accept}, timeout=30)


def test_the_canary_is_reachable_by_a_real_query(secured: LiveServer, canary: dict[str, list[str]]) -> None:
    """Control: the canary is in the store, so an injected ``?s ?p ?o`` would surface it."""
    reply = secured.query(f'ASK {{ ?s ?p "{CANARY}" }}')
    assert json.loads(reply.body)["boolean"] is True


def test_search_q_and_every_facet(secured: LiveServer, canary: dict[str, list[str]]) -> None:
    schema = json.loads(secured.request("GET", "/openapi.json").body)
    params = [p["name"] for p in schema["paths"]["/search.json"]["get"]["parameters"] if p["in"] == "query"]
    assert {"q", "pollutant", "country", "technology"} <= set(params)
    baseline = json.loads(get(secured, "/search.json", {"q": ""}).body)["total"]
    assert baseline >= 1
    for name in params:
        for value in HOSTILE:
            for path in ("/search.json", "/search") if value in CORE else ("/search.json",):
                reply = get(secured, path, {name: value})
                check(reply, f"{path}?{name}={value[:40]!r}")
                if path == "/search.json" and reply.status == 200 and name not in ("page", "format", "lang"):
                    found = json.loads(reply.body)["total"]
                    assert found <= baseline, f"{name}={value[:40]!r} found {found} of {baseline} cases"
    assert counts(secured) == canary


def test_filter_pages(secured: LiveServer, canary: dict[str, list[str]]) -> None:
    for path, names in FILTER_PAGES.items():
        for name in names:
            for value in CORE:
                params = {**BASELINE.get(path, {}), name: value}
                check(get(secured, path, params), f"{path}?{name}={value[:40]!r}")
    # Several values of one filter at once, and a hostile value next to a real one.
    check(get(secured, "/checklist", [("pollutant", "cadmium"), ("pollutant", HOSTILE[12])]), "checklist, two")
    assert counts(secured) == canary


def test_resource_paths(secured: LiveServer, canary: dict[str, list[str]]) -> None:
    for prefix in RESOURCE_PATHS:
        for value in HOSTILE:
            path = prefix + quote(value, safe="")
            for accept in ("text/html", "text/turtle", "application/ld+json"):
                reply = secured.request("GET", path, headers={"Accept": accept})
                check(reply, f"GET {path[:60]} ({accept})")
                assert reply.status != 200 or prefix in ("/id/", "/graph/", "/ontology/"), path[:80]
    for raw in ("/id/%FF%FE", "/id/case/%ED%A0%80", "/id/%00", "/vocab/pollutant/%3E%20%7D"):
        check(secured.request("GET", raw), raw)
    assert counts(secured) == canary


def test_language_tags(secured: LiveServer, canary: dict[str, list[str]]) -> None:
    case = json.loads(get(secured, "/search.json", {"q": ""}).body)["results"][0]["url"]
    pages = ["/", "/search", "/search.json", "/definitions", "/coverage", "/compare", "/checklist", case,
             "/analytics/barriers", "/dataset"]
    for page in pages:
        for tag in LANG_TAGS + CORE[:6]:
            params = {**BASELINE.get(page, {}), "lang": tag}
            check(get(secured, page, params), f"{page}?lang={tag[:30]!r}")
        check(secured.request("GET", page, headers={"Accept-Language": "zz-ZZ-x@y, en-;q=oops, \"}"}),
              f"{page} with a hostile Accept-Language")
    assert counts(secured) == canary


def test_protocol_dataset_parameters_and_graph_names(secured: LiveServer, canary: dict[str, list[str]]) -> None:
    for value in HOSTILE:
        for param in ("default-graph-uri", "named-graph-uri"):
            check(get(secured, "/sparql", {"query": "SELECT * { ?s ?p ?o } LIMIT 1", param: value}),
                  f"/sparql {param}={value[:40]!r}")
        check(get(secured, "/rdf-graph-store", {"graph": value}), f"GSP graph={value[:40]!r}")
        check(get(secured, "/sparql", {"query": "ASK {}", "format": value}), f"/sparql format={value[:40]!r}")
    assert counts(secured) == canary


def test_login_user_names(secured: LiveServer, canary: dict[str, list[str]]) -> None:
    csrf = "injection-csrf-0123456789abcdef"
    for value in [*CORE[:9], "admin' --", "sec-adam\u0000", "sec-adam' OR '1'='1"]:  # each costs a password hash
        body = urlencode({"username": value, "password": value or "x", "csrf_token": csrf, "next": "/"})
        reply = secured.request("POST", "/login", body, {"Content-Type": "application/x-www-form-urlencoded",
                                                         "Cookie": f"{CSRF_COOKIE}={csrf}"})
        check(reply, f"login as {value[:40]!r}")
        assert reply.status in (400, 401, 429), (value[:40], reply.status)
        assert "srkg_session" not in reply.headers.get("set-cookie", "")
    assert counts(secured) == canary
