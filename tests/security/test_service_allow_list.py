"""SERVICE may call only allow-listed endpoints, in queries *and* updates, in every way SERVICE can be written.

A recording stub SPARQL endpoint listens on loopback; the server's allow-list names one path on it
(``/allowed``). Calls to the allowed path reach the stub (the control); every way of writing a call to another
path on the same stub (lower case, SILENT, prefixed names, a BASE-relative IRI, comments, nesting, escapes, a
prefix declared again between update operations) is refused before anything runs: the stub never sees it and
the store is unchanged.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar
from urllib.parse import urlencode

import pytest
from server.live_server import LiveServer, Reply

from .conftest import ALLOWED_SERVICE, SERVICE_PORT

STUB = f"http://127.0.0.1:{SERVICE_PORT}/"
FORBIDDEN = STUB + "forbidden"
GRAPH = "http://sec.example/service"
ANSWER = {"head": {"vars": ["x"]}, "results": {"bindings": [{"x": {"type": "literal", "value": "from-stub"}}]}}

# (prologue, graph pattern) pairs that all call FORBIDDEN (or an endpoint that cannot be checked).
FORMS = {
    "plain": ("", f"SERVICE <{FORBIDDEN}> {{ ?s ?p ?x }}"),
    "lower case": ("", f"service <{FORBIDDEN}> {{ ?s ?p ?x }}"),
    "mixed case": ("", f"SeRvIcE <{FORBIDDEN}> {{ ?s ?p ?x }}"),
    "silent": ("", f"SERVICE SILENT <{FORBIDDEN}> {{ ?s ?p ?x }}"),
    "silent, lower case": ("", f"service silent <{FORBIDDEN}> {{ ?s ?p ?x }}"),
    "prefixed name": (f"PREFIX ev: <{STUB}>", "SERVICE ev:forbidden { ?s ?p ?x }"),
    "default prefix": (f"PREFIX : <{STUB}>", "SERVICE :forbidden { ?s ?p ?x }"),
    "relative to BASE": (f"BASE <{STUB}>", "SERVICE <forbidden> { ?s ?p ?x }"),
    "comment in between": ("", f"SERVICE # the endpoint:\n <{FORBIDDEN}> {{ ?s ?p ?x }}"),
    "newlines and tabs": ("", f"SERVICE\n\t<{FORBIDDEN}>\n{{ ?s ?p ?x }}"),
    "nested": ("", f"OPTIONAL {{ {{ SELECT ?x WHERE {{ SERVICE <{FORBIDDEN}> {{ ?s ?p ?x }} }} }} }}"),
    "in FILTER EXISTS": ("", f"?s ?p ?x FILTER EXISTS {{ SERVICE <{FORBIDDEN}> {{ ?s ?p ?x }} }}"),
    "escape in the IRI": ("", f"SERVICE <{STUB}forbid\\u0064en> {{ ?s ?p ?x }}"),
    "variable": ("", f"VALUES ?e {{ <{FORBIDDEN}> }} SERVICE ?e {{ ?s ?p ?x }}"),
    "lookalike of the allowed": ("", f"SERVICE <{ALLOWED_SERVICE}/../forbidden> {{ ?s ?p ?x }}"),
    "allowed plus a fragment": ("", f"SERVICE <{ALLOWED_SERVICE}#x> {{ ?s ?p ?x }}"),
}
INSERT = f"INSERT {{ GRAPH <{GRAPH}> {{ <http://sec.example/s> <http://sec.example/p> ?x }} }}"


class _Stub(BaseHTTPRequestHandler):
    seen: ClassVar[list[str]] = []  # request paths, in order

    def _answer(self) -> None:
        self.seen.append(self.path.split("?")[0])
        length = int(self.headers.get("content-length") or 0)
        self.rfile.read(length)
        body = json.dumps(ANSWER).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _answer

    def log_message(self, *args: object) -> None:  # quiet
        pass


@pytest.fixture(scope="module")
def stub() -> Iterator[list[str]]:
    server = ThreadingHTTPServer(("127.0.0.1", SERVICE_PORT), _Stub)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Stub.seen = []
    yield _Stub.seen
    server.shutdown()
    server.server_close()


def counts(server: LiveServer) -> list[str]:
    reply = server.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g "
                         f"# {uuid.uuid4().hex}", "text/csv")
    assert reply.status == 200
    return sorted(reply.text.splitlines())


def send_update(server: LiveServer, text: str, form: bool) -> Reply:
    if form:
        return server.request("POST", "/sparql", urlencode({"update": text}),
                              {"Content-Type": "application/x-www-form-urlencoded", **server.auth()})
    return server.update(text)


def refused(reply: Reply, what: str) -> None:
    assert reply.status in (400, 403), f"{what}: {reply.status} {reply.text[:300]}"
    if reply.status == 403:
        assert "allow-list" in reply.text, reply.text
    else:
        assert "SERVICE" in reply.text, f"{what}: refused for another reason: {reply.text[:300]}"


def test_the_allowed_endpoint_is_called_by_queries_and_updates(secured: LiveServer, stub: list[str]) -> None:
    """Control: the stub does record calls, and updates can call SERVICE (so refusing them matters)."""
    reply = secured.query(f"SELECT ?x WHERE {{ SERVICE <{ALLOWED_SERVICE}> {{ ?s ?p ?x }} }}")
    assert reply.status == 200 and "from-stub" in reply.text, reply.text
    assert stub.count("/allowed") == 1
    update = f"{INSERT} WHERE {{ SERVICE <{ALLOWED_SERVICE}> {{ ?s ?p ?x }} }}"
    assert secured.update(update).status == 204
    assert stub.count("/allowed") == 2
    assert secured.query(f'ASK {{ GRAPH <{GRAPH}> {{ ?s ?p "from-stub" }} }}').text.find("true") > 0
    assert secured.update(f"DROP GRAPH <{GRAPH}>").status == 204


@pytest.mark.parametrize("form", list(FORMS))
def test_every_form_of_service_is_checked_in_queries_and_updates(
    secured: LiveServer, stub: list[str], form: str
) -> None:
    prologue, pattern = FORMS[form]
    before = counts(secured)
    seen = len(stub)
    for text in (f"{prologue} SELECT ?x WHERE {{ {pattern} }}", f"{prologue} ASK {{ {pattern} }}",
                 f"{prologue} CONSTRUCT {{ ?s ?p ?x }} WHERE {{ {pattern} }}"):
        refused(secured.query(text), f"query ({form})")
        refused(secured.request("POST", "/sparql", text, {"Content-Type": "application/sparql-query"}),
                f"POSTed query ({form})")
    for text in (f"{prologue} {INSERT} WHERE {{ {pattern} }}",
                 f"{prologue} WITH <{GRAPH}> DELETE {{ ?s ?p ?x }} INSERT {{ ?s ?p 'x' }} WHERE {{ {pattern} }}"):
        refused(send_update(secured, text, form=False), f"update ({form})")
        refused(send_update(secured, text, form=True), f"form update ({form})")
    assert len(stub) == seen, f"the stub was called: {stub[seen:]}"
    assert "/forbidden" not in stub
    assert counts(secured) == before


def test_a_prefix_declared_again_between_update_operations_is_resolved_where_it_is_used(
    secured: LiveServer, stub: list[str]
) -> None:
    """The first operation's ``ev:allowed`` means ``…/evil-allowed``; only the second one's means the allowed
    endpoint. Reading the last declaration for both would let the first call through."""
    text = (f"PREFIX ev: <{STUB}evil-> {INSERT} WHERE {{ SERVICE ev:allowed {{ ?s ?p ?x }} }} ;\n"
            f"PREFIX ev: <{STUB}> {INSERT} WHERE {{ SERVICE ev:allowed {{ ?s ?p ?x }} }}")
    before = counts(secured)
    reply = secured.update(text)
    assert reply.status == 403 and f"{STUB}evil-allowed" in reply.text, reply.text
    assert "/evil-allowed" not in stub
    assert counts(secured) == before


@pytest.mark.parametrize("load", [
    f"LOAD <{FORBIDDEN}>",
    f"LOAD SILENT <{FORBIDDEN}> INTO GRAPH <{GRAPH}>",
    f"load <{ALLOWED_SERVICE}>",  # SERVICE's allow-list does not open LOAD: LOAD has its own (empty by default)
    f"PREFIX ev: <{STUB}> LOAD ev:forbidden",
    f"INSERT DATA {{ GRAPH <{GRAPH}> {{ <http://sec.example/s> <http://sec.example/p> 1 }} }} ; LOAD <{FORBIDDEN}>",
])
def test_load_never_makes_the_server_fetch_a_url_it_was_not_allowed(
    secured: LiveServer, stub: list[str], load: str
) -> None:
    """Even an admin's ``LOAD <url>`` would make this server fetch any URL (SSRF); only SRKG_LOAD_ALLOW opens it."""
    before = counts(secured)
    seen = len(stub)
    for form in (False, True):
        reply = send_update(secured, load, form=form)
        assert reply.status == 403 and "LOAD" in reply.text and "SRKG_LOAD_ALLOW" in reply.text, reply.text
    assert len(stub) == seen, f"the stub was called: {stub[seen:]}"
    assert counts(secured) == before
