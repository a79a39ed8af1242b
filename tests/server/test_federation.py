"""Federation (issue #5): SERVICE from our endpoint to other endpoints, and our endpoint as a SERVICE target.

A second SRKG instance holding only the AGROVOC extract stands in for AGROVOC's endpoint; the main instance
holds the pollutant vocabulary and the example cases but no AGROVOC, so AGROVOC's hierarchy and Arabic labels
can only come through SERVICE. The answers are checked against rdflib running the same query on the same
files with the SERVICE clause dissolved. Remotes that are down, hang, or are not allowed give errors that
name the endpoint; Virtuoso 7 on loopback is tried as a target (its known hang on direct-POST queries)."""

from __future__ import annotations

import json
import re
import shutil
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest
from rdflib import Graph

from server.live_server import FIXTURES, REPO, LiveServer, free_port, start_server

AGROVOC_ENDPOINT = "https://agrovoc.fao.org/sparql"
FEDERATION = REPO / "examples" / "queries" / "federation"
TIMEOUT_S = 3.0
CASE_FILES = sorted((REPO / "examples" / "cases").glob("*.ttl"))
LOCAL_FILES = [REPO / "ontology" / "vocab" / "pollutants.ttl", REPO / "ontology" / "vocab" / "technologies.ttl",
               *CASE_FILES]
AGROVOC_FILE = REPO / "ontology" / "external" / "agrovoc-subset.ttl"


def agrovoc_only(root: Path) -> Path:
    (root / "ontology" / "external").mkdir(parents=True)
    shutil.copy(AGROVOC_FILE, root / "ontology" / "external")
    return root


def local_only(root: Path) -> Path:
    (root / "ontology" / "vocab").mkdir(parents=True)
    (root / "examples" / "cases").mkdir(parents=True)
    shutil.copy(FIXTURES / "srkg-mini.ttl", root / "ontology" / "srkg.ttl")
    for path in LOCAL_FILES[:2]:
        shutil.copy(path, root / "ontology" / "vocab")
    for path in CASE_FILES:
        shutil.copy(path, root / "examples" / "cases")
    return root


@pytest.fixture(scope="module")
def agrovoc(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    work = tmp_path_factory.mktemp("fed-agrovoc")
    live = start_server(work, resources=agrovoc_only(work / "resources"))
    yield live
    live.stop()


@pytest.fixture(scope="module")
def hanging() -> Iterator[str]:
    """An endpoint that accepts connections and never answers."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/sparql"


@pytest.fixture(scope="module")
def down() -> str:
    return f"http://127.0.0.1:{free_port()}/sparql"  # nothing listens there


def main_server(work: Path, allowed: list[str], form_post: tuple[str, ...] = ()) -> LiveServer:
    return start_server(work, resources=local_only(work / "resources"),
                        env={"SRKG_SERVICE_ALLOW": " ".join(allowed), "SRKG_QUERY_TIMEOUT": "60",
                             "SRKG_SERVICE_TIMEOUT": str(TIMEOUT_S), "SRKG_SERVICE_FORM_POST": " ".join(form_post)})


@pytest.fixture(scope="module")
def main(tmp_path_factory: pytest.TempPathFactory, agrovoc: LiveServer, hanging: str, down: str,
         ) -> Iterator[LiveServer]:
    live = main_server(tmp_path_factory.mktemp("fed-main"), [agrovoc.url + "/sparql", hanging, down])
    yield live
    live.stop()


def bindings(reply_body: bytes) -> set[tuple[tuple[str, str], ...]]:
    rows = json.loads(reply_body)["results"]["bindings"]
    return {tuple(sorted((k, v["value"]) for k, v in row.items())) for row in rows}


def oracle(query: str) -> set[tuple[tuple[str, str], ...]]:
    """rdflib on the same files, every graph in one, with the SERVICE clause dissolved into the pattern."""
    g = Graph()
    for path in [*LOCAL_FILES, AGROVOC_FILE]:
        g.parse(path, format="turtle")
    local = re.sub(r"SERVICE\s+<[^>]+>\s*\{", "{", query)
    return {tuple(sorted((str(k), str(v)) for k, v in row.asdict().items())) for row in g.query(local)}


def federated(path: Path, endpoint: str) -> str:
    text = path.read_text(encoding="utf-8")
    assert f"SERVICE <{AGROVOC_ENDPOINT}>" in text
    return text.replace(AGROVOC_ENDPOINT, endpoint)


def test_cases_below_an_agrovoc_concept_with_arabic_labels(main: LiveServer, agrovoc: LiveServer) -> None:
    query = federated(FEDERATION / "fed01-cases-below-agrovoc-concept-ar.rq", agrovoc.url + "/sparql")
    reply = main.query(query, accept="application/sparql-results+json")
    assert reply.status == 200, reply.text
    got = bindings(reply.body)
    assert got == oracle(query)
    labels = {dict(row)["agrovocLabel"]: dict(row)["labelLang"] for row in got}
    assert labels.get("كادميوم") == "ar" and labels.get("رصاص") == "ar"  # cadmium, lead
    # without SERVICE the main instance knows nothing of AGROVOC's hierarchy
    alone = main.query(query.replace(f"SERVICE <{agrovoc.url}/sparql>", ""))
    assert alone.status == 200 and bindings(alone.body) == set()


def test_technologies_with_agrovoc_labels_in_six_languages(main: LiveServer, agrovoc: LiveServer) -> None:
    query = federated(FEDERATION / "fed02-technologies-agrovoc-labels.rq", agrovoc.url + "/sparql")
    reply = main.query(query, accept="application/sparql-results+json")
    assert reply.status == 200, reply.text
    got = bindings(reply.body)
    assert got == oracle(query) and got
    assert {dict(row)["lang"] for row in got} == {"en", "fr", "es", "ru", "zh", "ar"}


def test_endpoint_not_on_the_allow_list(main: LiveServer) -> None:
    reply = main.query("SELECT * WHERE { SERVICE <http://127.0.0.1:9999/sparql> { ?s ?p ?o } }")
    assert reply.status == 403
    assert "http://127.0.0.1:9999/sparql" in reply.text and "allow-list" in reply.text


def test_remote_down_names_the_endpoint(main: LiveServer, down: str) -> None:
    started = time.monotonic()
    reply = main.query(f"SELECT * WHERE {{ SERVICE <{down}> {{ ?s ?p ?o }} }}")
    assert reply.status == 502 and down in reply.text and "unreachable" in reply.text, reply.text
    assert time.monotonic() - started < TIMEOUT_S


def test_service_silent_keeps_the_local_answer(main: LiveServer, down: str) -> None:
    query = ("PREFIX srkg: <https://w3id.org/srkg/ontology#> SELECT ?case ?x WHERE { ?case a srkg:CaseStudy "
             f"OPTIONAL {{ SERVICE SILENT <{down}> {{ ?case ?p ?x }} }} }}")
    reply = main.query(query, accept="application/sparql-results+json")
    assert reply.status == 200, reply.text
    assert len(bindings(reply.body)) == len(CASE_FILES)


def test_hanging_remote_is_cut_off_by_the_per_call_time_limit(main: LiveServer, hanging: str) -> None:
    """SRKG_SERVICE_TIMEOUT (3 s here) stops a hanging remote long before the 60 s query limit."""
    started = time.monotonic()
    reply = main.query(f"SELECT * WHERE {{ SERVICE <{hanging}> {{ ?s ?p ?o }} }}", timeout=30)
    elapsed = time.monotonic() - started
    assert reply.status == 503 and hanging in reply.text and f"{TIMEOUT_S:g} s" in reply.text, reply.text
    assert TIMEOUT_S <= elapsed < TIMEOUT_S + 5


# The requests federating engines send to a SERVICE endpoint (platforms-research.md §5; observed headers).
TARGET_QUERY = ("PREFIX skos: <http://www.w3.org/2004/02/skos/core#> SELECT ?l WHERE { "
                "<http://aims.fao.org/aos/agrovoc/c_1178> skos:prefLabel ?l }")
ENGINE_REQUESTS = {
    "oxigraph (POST direct body)": ("POST", "/sparql", TARGET_QUERY, {
        "Content-Type": "application/sparql-query",
        "Accept": "application/sparql-results+json, application/sparql-results+xml;q=0.8"}),
    "comunica (POST form)": ("POST", "/sparql", urlencode({"query": TARGET_QUERY}), {
        "Content-Type": "application/x-www-form-urlencoded",
        "Accept": "application/sparql-results+json;q=1.0,application/sparql-results+xml;q=0.7"}),
    "jena (GET)": ("GET", "/sparql?" + urlencode({"query": TARGET_QUERY}), None, {
        "Accept": "application/sparql-results+json, application/sparql-results+xml;q=0.9, "
                  "text/tab-separated-values;q=0.7, text/csv;q=0.5, application/json;q=0.2, "
                  "application/xml;q=0.2, */*;q=0.1"}),
}


@pytest.mark.parametrize("engine", list(ENGINE_REQUESTS))
def test_our_endpoint_answers_service_calls_as_engines_make_them(agrovoc: LiveServer, engine: str) -> None:
    method, path, body, headers = ENGINE_REQUESTS[engine]
    reply = agrovoc.request(method, path, body, headers)
    assert reply.status == 200 and reply.media_type == "application/sparql-results+json", reply.text
    labels = {dict(row)["l"] for row in bindings(reply.body)}
    assert {"cadmium", "كادميوم"} <= labels


@pytest.mark.virtuoso
def test_virtuoso_as_service_target(tmp_path: Path) -> None:
    """Virtuoso hangs on a direct-POST query (test-infrastructure-notes.md), and Oxigraph's SERVICE client
    sends exactly that: unconfigured, the call ends at the per-call budget with an error naming Virtuoso's
    endpoint; listed in SRKG_SERVICE_FORM_POST, the call is forwarded as a form POST and federation works."""
    from store.virtuoso_server import VirtuosoServer, virtuoso_binary

    if virtuoso_binary() is None:
        pytest.skip("Virtuoso 7 (virtuoso-t) is not installed; scripts/install-virtuoso.sh installs it")
    virtuoso = VirtuosoServer(tmp_path / "virtuoso")
    virtuoso.db_dir.mkdir()
    virtuoso.start()
    live: LiveServer | None = None
    try:
        live = main_server(tmp_path / "main", [virtuoso.query_url])
        import httpx

        direct = httpx.post(virtuoso.query_url, data={"query": "ASK { }"},
                            headers={"Accept": "application/sparql-results+json"}, timeout=10)
        assert direct.status_code == 200 and json.loads(direct.content)["boolean"] is True
        started = time.monotonic()
        reply = live.query(f"SELECT * WHERE {{ SERVICE <{virtuoso.query_url}> {{ ?s ?p ?o }} }} LIMIT 1")
        assert time.monotonic() - started < TIMEOUT_S + 5
        # Virtuoso 7.2.5 (Debian) never answers the direct POST; a build that does would make this fail: then
        # Virtuoso becomes a working SERVICE target and this test should assert its answer instead.
        assert reply.status == 503 and virtuoso.query_url in reply.text, reply.text
        live.stop()
        live = main_server(tmp_path / "main-form-post", [virtuoso.query_url], form_post=(virtuoso.query_url,))
        federated = live.query(
            "PREFIX srkg: <https://w3id.org/srkg/ontology#> SELECT ?case ?answer WHERE { ?case a srkg:CaseStudy "
            f"SERVICE <{virtuoso.query_url}> {{ BIND (\"from Virtuoso\" AS ?answer) }} }}",
            accept="application/sparql-results+json")
        assert federated.status == 200, federated.text
        rows = json.loads(federated.body)["results"]["bindings"]
        assert rows and {r["answer"]["value"] for r in rows} == {"from Virtuoso"}
        forwarder = live.request("POST", "/service-proxy/0", "ASK {}", {"Content-Type": "application/sparql-query",
                                                                         "Host": "example.org"})
        assert forwarder.status == 200  # loopback only: this test client is on loopback too
    finally:
        if live is not None:
            live.stop()
        virtuoso.stop()
