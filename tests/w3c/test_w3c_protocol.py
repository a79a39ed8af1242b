"""W3C SPARQL 1.1 Protocol tests (tests/w3c/protocol/manifest.ttl), all 34, against a live server.

Each test starts from an empty store (CLEAR ALL), loads its ``ut:graphData`` through the Graph Store Protocol,
then replays the manifest's requests in order. Paths ``/sparql/…`` map onto the endpoint ``/sparql…`` (the
manifest asks runners to substitute their endpoint). Every request carries the curator token, as a client
allowed to update would; the negative tests must fail for their own reason, not for lack of credentials.
"""

from __future__ import annotations

from urllib.parse import quote

import pytest
from server.live_server import LiveServer

from w3c.checks import check_response
from w3c.manifests import ProtocolTest, protocol_tests

TESTS = protocol_tests()


def test_manifest_has_all_34_tests() -> None:
    assert len(TESTS) == 34


def endpoint_path(path: str) -> str:
    assert path.startswith("/sparql/"), path
    return "/sparql" + path[len("/sparql/") :]


def prepare(server: LiveServer, test: ProtocolTest) -> None:
    assert server.update("CLEAR ALL").status == 204
    for data_file, graph in test.graph_data:
        reply = server.request(
            "PUT",
            "/rdf-graph-store?graph=" + quote(graph, safe=""),
            data_file.read_bytes(),
            {"Content-Type": "application/n-triples", **server.auth()},
        )
        assert reply.status in (201, 204), reply.text


@pytest.mark.parametrize("test", TESTS, ids=[t.name for t in TESTS])
def test_protocol(w3c_server: LiveServer, test: ProtocolTest) -> None:
    prepare(w3c_server, test)
    for index, request in enumerate(test.requests, start=1):
        headers = {**request.headers, **w3c_server.auth()}
        reply = w3c_server.request(request.method, endpoint_path(request.path), request.body, headers)
        check_response(reply, request.expected, f"{test.name} request {index} ({test.title})")
