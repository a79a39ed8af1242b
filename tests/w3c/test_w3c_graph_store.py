"""W3C Graph Store HTTP Protocol tests (tests/w3c/http-rdf-update/manifest.ttl), all 18, against a live server.

The manifest describes each test in prose as one HTTP exchange, and the tests build on each other (run them
in manifest order, as a whole module). ``$GRAPHSTORE$`` is ``rdf-graph-store``, ``$HOST$`` the server's
authority, ``$NEWPATH$`` the Location returned by "POST - create new graph". Checked for each exchange: the
exact status code; the Content-Type (media type and charset) and the presence of Location / Content-Length
where the manifest shows them; and the body, as an RDF graph isomorphic to the manifest's.

Two things the prose leaves implicit are made explicit here:
* "DELETE - existing graph" needs ``person/2.ttl`` to exist; the runner creates it first (PRECONDITIONS).
* "GET of POST - existing graph" shows the John Doe graph, which contradicts the exchanges before it (PUT
  replaced John with Jane, then POST merged ``foaf:name "Jane Doe"``) and the next test (which shows both).
  It is a known copy-paste erratum; the successor suite (graph-store-protocol/) expects the merged graph.
  The runner checks against the merged graph (ERRATA).
* The Turtle sent by "POST - existing graph" and both parts of "POST - multipart/form-data" lack the final
  ``.`` that the Turtle grammar requires, so a conforming parser rejects them (the server answers 400 with
  the line and column). The successor suite sends the same triples with the dot; so does this runner
  (BODY_FIXES adds it to the last statement of each Turtle document and nothing else).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote, urlsplit

import pytest
from rdflib import Graph
from rdflib.compare import isomorphic
from server.live_server import LiveServer, Reply

from w3c.manifests import GspTest, gsp_tests

TESTS = gsp_tests()
GRAPHSTORE = "rdf-graph-store"

PRECONDITIONS = {
    "delete__existing_graph": (
        "PUT",
        "$GRAPHSTORE$/person/2.ttl",
        '<http://$HOST$/$GRAPHSTORE$/person/2> <http://xmlns.com/foaf/0.1/name> "Person Two" .',
    )
}
ERRATA = {
    "get_of_post__existing_graph": """
        @prefix foaf: <http://xmlns.com/foaf/0.1/> .
        @prefix v: <http://www.w3.org/2006/vcard/ns#> .
        <http://$HOST$/$GRAPHSTORE$/person/1> a foaf:Person;
            foaf:name "Jane Doe";
            foaf:businessCard [ a v:VCard; v:fn "Jane Doe" ] .
    """
}


BODY_FIXES = {"post__existing_graph", "post__multipart_formdata"}


def _final_dot(turtle: str) -> str:
    stripped = turtle.rstrip()
    return turtle if not stripped or stripped.endswith(".") else stripped + " .\n"


def add_final_dots(body: str, content_type: str) -> str:
    """Terminate the last statement of each Turtle document (each part of a multipart body)."""
    if not content_type.startswith("multipart/"):
        return _final_dot(body)
    boundary = "--" + content_type.split("boundary=", 1)[1].strip()
    pieces = body.split(boundary)
    for i, piece in enumerate(pieces):
        head, sep, turtle = piece.partition("\n\n")
        if sep and "Content-Type: text/turtle" in head:
            pieces[i] = head + sep + _final_dot(turtle) + "\n"
    return boundary.join(pieces)


@dataclass
class State:
    new_path: str | None = None


STATE = State()


def test_manifest_has_18_tests() -> None:
    assert len(TESTS) == 18


def substitute(text: str, server: LiveServer) -> str:
    text = text.replace("$HOST$", server.authority).replace("$GRAPHSTORE$", GRAPHSTORE)
    if "$NEWPATH$" in text:
        assert STATE.new_path, "no $NEWPATH$ yet: run the module in manifest order"
        text = text.replace("$NEWPATH$", STATE.new_path)
    return text


def request_target(target: str, server: LiveServer) -> str:
    target = substitute(target, server)
    if target.startswith("/"):
        return target
    path, sep, query = target.partition("?")
    if query.startswith("graph="):
        query = "graph=" + quote(query[len("graph=") :], safe="")
    return "/" + path + sep + query


def send(server: LiveServer, method: str, target: str, headers: dict[str, str], body: str) -> Reply:
    headers = {name: substitute(value, server) for name, value in headers.items()}
    payload = substitute(body, server)
    if headers.get("content-type", "").startswith("multipart/"):
        payload = payload.replace("\r\n", "\n").replace("\n", "\r\n")  # multipart lines end with CRLF
    headers["Authorization"] = f"Bearer {server.token}"
    return server.request(method, request_target(target, server), payload.encode("utf-8") if payload else None, headers)


def _graph(text: str | bytes) -> Graph:
    return Graph().parse(data=text, format="turtle")


@pytest.fixture(scope="module")
def gsp_server(w3c_server: LiveServer) -> LiveServer:
    assert w3c_server.update("CLEAR ALL").status == 204
    return w3c_server


@pytest.mark.parametrize("test", TESTS, ids=[t.name for t in TESTS])
def test_graph_store(gsp_server: LiveServer, test: GspTest) -> None:
    server, ex = gsp_server, test.exchange
    if test.name in PRECONDITIONS:
        method, target, body = PRECONDITIONS[test.name]
        setup = send(server, method, target, {"content-type": "text/turtle"}, body)
        assert setup.status in (201, 204), setup.text

    body = add_final_dots(ex.body, ex.headers.get("content-type", "")) if test.name in BODY_FIXES else ex.body
    reply = send(server, ex.method, ex.target, ex.headers, body)
    what = f"{test.name} ({test.title})"
    assert str(reply.status) == ex.status, f"{what}: HTTP {reply.status}, expected {ex.status}: {reply.body[:300]!r}"

    expected_type = ex.response_headers.get("content-type")
    if expected_type:
        got = reply.headers.get("content-type", "").replace(" ", "").lower()
        assert got == expected_type.replace(" ", "").lower(), f"{what}: Content-Type {got!r}"
    if "content-length" in ex.response_headers:
        assert reply.headers.get("content-length", "").isdigit(), f"{what}: no Content-Length"
    if "location" in ex.response_headers:
        location = reply.headers.get("location")
        assert location, f"{what}: no Location header"
        STATE.new_path = urlsplit(location).path
        assert STATE.new_path.startswith(f"/{GRAPHSTORE}/")

    expected_body = ERRATA.get(test.name, ex.response_body)
    if expected_body.strip():
        expected = _graph(substitute(expected_body, server))
        actual = _graph(reply.body)
        assert isomorphic(actual, expected), (
            f"{what}: graph differs\n--- got ---\n{reply.text}\n--- expected ---\n{expected.serialize(format='nt')}"
        )
    if ex.method == "HEAD":
        assert reply.body == b""
        get = server.request("GET", request_target(ex.target, server))
        assert reply.headers.get("content-length") == str(len(get.body)), f"{what}: HEAD length differs from GET"
