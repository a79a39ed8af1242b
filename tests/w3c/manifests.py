"""Read the W3C test manifests (copied here from w3c/rdf-tests) into plain Python records.

The protocol manifest is machine-readable (``ht:Request`` / ``ht:Response`` in RDF). The old Graph Store
Protocol manifest (``http-rdf-update``) describes each test as an HTTP exchange in Markdown inside
``rdfs:comment``; ``gsp_tests`` parses that text (request line, headers, body; status line, headers, body).
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import RDF, RDFS, Graph, Namespace, URIRef
from rdflib.collection import Collection

HERE = Path(__file__).parent
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
HTS = Namespace("http://www.w3.org/2011/http-statusCodes#")
CNT = Namespace("http://www.w3.org/2011/content#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")


@dataclass
class Expected:
    statuses: set[str]  # "2xx", "3xx", "4xx" or exact codes such as "201"
    format: str | None = None  # "boolean" | "tabular" | "RDF"
    boolean: bool | None = None


@dataclass
class HttpRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None
    expected: Expected


@dataclass
class ProtocolTest:
    name: str  # local name, e.g. "query_post_form"
    title: str
    graph_data: list[tuple[Path, str]]  # (file, graph IRI)
    requests: list[HttpRequest]


def _status(term: URIRef) -> str:
    local = str(term).rsplit("#", 1)[1]
    match = re.fullmatch(r"StatusCode(\dxx)", local)
    if match:
        return match.group(1)
    codes = {"OK": "200", "Created": "201", "NoContent": "204", "NotFound": "404"}
    return codes[local]


def _list(graph: Graph, head: object) -> list:
    return list(Collection(graph, head))


def protocol_tests(manifest: Path = HERE / "protocol" / "manifest.ttl") -> list[ProtocolTest]:
    g = Graph().parse(manifest, format="turtle")
    root = next(g.subjects(RDF.type, MF.Manifest))
    tests = []
    for test in _list(g, g.value(root, MF.entries)):
        graph_data = [
            (HERE / "protocol" / Path(str(g.value(node, UT.graph))).name, str(g.value(node, RDFS.label)))
            for node in g.objects(test, UT.graphData)
        ]
        action = g.value(test, MF.action)
        requests = []
        for req in _list(g, g.value(action, HT.requests)):
            headers = {
                str(g.value(h, HT.fieldName)): str(g.value(h, HT.fieldValue))
                for h in (_list(g, g.value(req, HT.headers)) if g.value(req, HT.headers) else [])
            }
            body = None
            body_node = g.value(req, HT.body)
            if body_node is not None:
                encoding = str(g.value(body_node, CNT.characterEncoding) or "UTF-8")
                body = str(g.value(body_node, CNT.chars)).encode(encoding)
            resp = g.value(req, HT.resp)
            boolean = g.value(resp, MF.expectedBoolean)
            fmt = g.value(resp, MF.expectedFormat)
            expected = Expected(
                statuses={_status(s) for s in g.objects(resp, MF.expectedStatus)},
                format=str(fmt) if fmt is not None else None,
                boolean=boolean.toPython() if boolean is not None else None,
            )
            requests.append(
                HttpRequest(
                    str(g.value(req, HT.methodName)), str(g.value(req, HT.absolutePath)), headers, body, expected
                )
            )
        tests.append(ProtocolTest(str(test).rsplit("#", 1)[1], str(g.value(test, MF.name)), graph_data, requests))
    return tests


def service_description_tests(manifest: Path = HERE / "service-description" / "manifest.ttl") -> list[tuple[str, str]]:
    g = Graph().parse(manifest, format="turtle")
    root = next(g.subjects(RDF.type, MF.Manifest))
    return [(str(t).rsplit("#", 1)[1], str(g.value(t, MF.name))) for t in _list(g, g.value(root, MF.entries))]


# --- Graph Store Protocol (prose manifest) -------------------------------------------------------------
@dataclass
class GspExchange:
    method: str
    target: str  # as written, with $GRAPHSTORE$ / $HOST$ / $NEWPATH$ placeholders
    headers: dict[str, str]
    body: str
    status: str  # "201"
    response_headers: dict[str, str] = field(default_factory=dict)
    response_body: str = ""


@dataclass
class GspTest:
    name: str
    title: str
    exchange: GspExchange


def _block(markdown: str, heading: str) -> str:
    match = re.search(rf"#### {heading}\n(.*?)(?=\n#### |\Z)", markdown, re.S)
    assert match, f"no '{heading}' section"
    return textwrap.dedent(match.group(1).strip("\n"))


def _message(text: str) -> tuple[str, dict[str, str], str]:
    head, _, body = text.strip("\n").partition("\n\n")
    first, *header_lines = head.splitlines()
    headers = {}
    for line in header_lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return first.strip(), headers, body.strip("\n")


def gsp_tests(manifest: Path = HERE / "http-rdf-update" / "manifest.ttl") -> list[GspTest]:
    g = Graph().parse(manifest, format="turtle")
    root = next(g.subjects(RDF.type, MF.Manifest))
    tests = []
    for test in _list(g, g.value(root, MF.entries)):
        markdown = next(str(c) for c in g.objects(test, RDFS.comment) if "#### Request" in str(c))
        request_line, headers, body = _message(_block(markdown, "Request"))
        method, target, _version = request_line.split()
        status_line, response_headers, response_body = _message(_block(markdown, "Response"))
        exchange = GspExchange(method, target, headers, body, status_line.split()[0], response_headers, response_body)
        tests.append(GspTest(str(test).rsplit("#", 1)[1], str(g.value(test, MF.name)), exchange))
    return tests
