"""Crash safety: a killed server leaves every submission fully in or fully out, and a stopped one finishes first.

Real ``srkg serve`` subprocesses are SIGKILLed in the middle of an ingest, a publish and the first-start
bootstrap, then restarted on the same data directory; SIGTERM is sent in the middle of a large Graph Store PUT.
The start-up reconciliation (``SubmissionService.reconcile``) is also driven in-process through each crash
point it settles, with a real on-disk store, and against a real Virtuoso for the remote backend.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from fixtures.submissions.workbooks import fixed_workbook
from rdflib import URIRef
from server.live_server import REPO, LiveServer, free_port, make_resources, start_server
from store.virtuoso_server import ADMIN_PASSWORD, ADMIN_USER, VirtuosoServer, virtuoso_binary

from bench.bench_ingest import write_survey
from ingest.namespaces import data_iri, graph_iri
from ingest.pipeline import IngestResult, ingest_file
from ingest.provenance import submission_graph_iri
from sparql_api.accounts.users import AccountStore, account_store_path
from sparql_api.server.bootstrap import bootstrap, default_sources
from sparql_api.server.tokens import TokenStore, token_store_path
from sparql_api.store.oxigraph_store import OxigraphStore
from sparql_api.store.remote_store import RemoteStore
from sparql_api.submissions import publish as publishing
from sparql_api.submissions import workflow as wf
from sparql_api.submissions.registry import Incoming, Operation, Registry, now
from sparql_api.submissions.report import build_review
from sparql_api.submissions.runner import LOAD_GRAPH, REVIEW
from sparql_api.submissions.service import SubmissionService, submissions_dir
from sparql_api.summaries.naming import summary_graph
from sparql_api.summaries.store import SummarisingStore

PASSWORD = "a long enough password"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PEOPLE = {"alice": "contributor", "rita": "reviewer"}
SURVEY_CASES = 60  # the ingest runs several seconds: long enough to be killed in the middle
BOOTSTRAP_TRIPLES = 25_000  # the bootstrap's last graph: seconds of parsing and writing
PUT_TRIPLES = 25_000  # the PUT: seconds of parsing and writing


@dataclass(frozen=True)
class Person:
    username: str
    role: str


ALICE, RITA = Person("alice", "contributor"), Person("rita", "reviewer")


class Killed(BaseException):
    """Stands for SIGKILL at an exact point inside the process (nothing after it runs)."""


# --- helpers: live servers ----------------------------------------------------------------------------------
def sigkill(server: LiveServer | subprocess.Popen) -> None:
    """SIGKILL by process id, and reap it."""
    proc = server.proc if isinstance(server, LiveServer) else server
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)


def clients(server: LiveServer, tokens: dict[str, str]) -> dict[str, httpx.Client]:
    return {name: httpx.Client(base_url=server.url, timeout=120, headers={"Authorization": f"Bearer {token}"})
            for name, token in tokens.items()}


def add_people(server: LiveServer) -> dict[str, str]:
    """The contributor and the reviewer, with API tokens that stay valid across restarts."""
    accounts = AccountStore(account_store_path(server.data_dir))
    for name, role in PEOPLE.items():
        accounts.add(name, PASSWORD, role)
    return {name: server.tokens.create(f"{name}-api", name) for name in PEOPLE}


def count(server: LiveServer, graph: str) -> int:
    reply = httpx.get(f"{server.url}/sparql", timeout=60, headers={"Accept": "application/sparql-results+json"},
                      params={"query": f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"})
    assert reply.status_code == 200, reply.text
    return int(reply.json()["results"]["bindings"][0]["n"]["value"])


def described_anywhere(server: LiveServer, prefix: str) -> int:
    """Triples in any graph about resources whose IRI starts with ``prefix``."""
    query = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER STRSTARTS(STR(?s), \"{prefix}\") }}"
    reply = httpx.get(f"{server.url}/sparql", params={"query": query}, timeout=60,
                      headers={"Accept": "application/sparql-results+json"})
    assert reply.status_code == 200, reply.text
    return int(reply.json()["results"]["bindings"][0]["n"]["value"])


def graph_counts(server: LiveServer) -> dict[str, int]:
    query = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
    reply = httpx.get(f"{server.url}/sparql", params={"query": query}, timeout=60,
                      headers={"Accept": "application/sparql-results+json"})
    assert reply.status_code == 200, reply.text
    return {row["g"]["value"]: int(row["n"]["value"]) for row in reply.json()["results"]["bindings"]}


def wait_for(what: str, ready: Callable[[], bool], timeout: float = 120, step: float = 0.05) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if ready():
            return
        time.sleep(step)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def settled(client: httpx.Client, key: str, timeout: float = 120) -> dict:
    doc: dict = {}

    def done() -> bool:
        nonlocal doc
        doc = client.get(f"/submissions/{key}.json").json()
        # The page reads the submission and its revision in two registry reads: right at the end of an ingest it
        # can show the revision done and the submission still received (a known race, see the issue note).
        return doc["ingest"] != wf.PENDING and not (doc["ingest"] == wf.DONE and doc["state"] == wf.RECEIVED)

    wait_for(f"the ingest of {key}", done, timeout, step=0.3)
    return doc


def publication_size(registry: Registry, key: str, revision: int = 1, reviewer: str = "rita") -> int:
    """Triples publishing the revision writes (the timestamp does not change the count)."""
    load = registry.read_artifact(key, revision, LOAD_GRAPH)
    assert load is not None
    return publishing.triple_count(publishing.published_graph(load, key, revision, reviewer, now()))


@pytest.fixture(scope="module")
def survey(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_survey(tmp_path_factory.mktemp("survey") / "large-survey.xlsx", SURVEY_CASES)


@pytest.fixture(scope="module")
def resources(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project's ontology, vocabularies and shapes (what an ingest needs), without the example cases and
    source tables, whose loading through the pipeline would make each start slow."""
    root = tmp_path_factory.mktemp("resources")
    for name in ("ontology", "shapes"):
        (root / name).symlink_to(REPO / name, target_is_directory=True)
    (root / "examples" / "cases").mkdir(parents=True)
    return root


# --- (a) + (b): SIGKILL during an ingest, then during a publish -----------------------------------------------
def test_killed_during_ingest_then_during_publish(tmp_path: Path, survey: Path, resources: Path) -> None:
    server = start_server(tmp_path, resources=resources)
    try:
        tokens = add_people(server)
        alice = clients(server, tokens)["alice"]
        reply = alice.post("/submissions", files={"file": (survey.name, survey.read_bytes(), XLSX)})
        assert reply.status_code == 202, reply.text
        key = reply.json()["id"]
        time.sleep(1.5)  # the one ingest worker has started on it
        assert alice.get(f"/submissions/{key}.json").json()["ingest"] == wf.PENDING
    finally:
        sigkill(server)
    assert not (submissions_dir(server.data_dir) / key / "r1" / REVIEW).exists()  # killed before it finished

    # restart: nothing of the submission is in the store; its ingest is resumed and ends as an uninterrupted one
    reference: list[IngestResult] = []
    uninterrupted = threading.Thread(target=lambda: reference.append(
        ingest_file(survey, submitter="alice", submission_key=key)))
    uninterrupted.start()
    server = restart(server, resources)
    try:
        people = clients(server, tokens)
        alice, rita = people["alice"], people["rita"]
        graph = str(submission_graph_iri(key))
        assert count(server, graph) == 0 and described_anywhere(server, data_iri("case", f"{key}-")) == 0
        doc = settled(alice, key)
        uninterrupted.join()
        assert (doc["state"], doc["ingest"]) == (wf.VALIDATED, wf.DONE)
        assert doc["report"]["summary"] == build_review(reference[0])["summary"]
        load = Registry(submissions_dir(server.data_dir)).read_artifact(key, 1, LOAD_GRAPH)
        assert publishing.triple_count(load) == len(reference[0].load_graph)
        assert [h["action"] for h in alice.get(f"/submissions/{key}/history").json()["history"]] == \
            ["upload", "validate"]
        assert count(server, graph) == 0  # validated, not published

        # (b) accept, publish, and SIGKILL once the store write has been announced
        assert alice.post(f"/submissions/{key}/accept").status_code == 200
        registry = Registry(submissions_dir(server.data_dir))
        expected = publication_size(registry, key)
        answered: list[int] = []
        publishing_thread = threading.Thread(target=lambda: _post_quietly(rita, f"/submissions/{key}/publish",
                                                                           answered))
        publishing_thread.start()
        wait_for("the publish to reach its store write", lambda: bool(registry.operations()), timeout=120,
                 step=0.01)
    finally:
        sigkill(server)
    publishing_thread.join(timeout=30)
    assert answered == [], "the publish finished before the kill: nothing was interrupted"

    # restart: entirely there and published, or entirely absent and accepted — then publishing again works
    server = restart(server, resources)
    try:
        rita = clients(server, tokens)["rita"]
        assert registry.operations() == []
        state = rita.get(f"/submissions/{key}.json").json()["state"]
        triples = count(server, graph)
        assert (state, triples) in ((wf.PUBLISHED, expected), (wf.ACCEPTED, 0)), (state, triples)
        if state == wf.ACCEPTED:
            retried = rita.post(f"/submissions/{key}/publish")
            assert retried.status_code == 200, retried.text
        assert rita.get(f"/submissions/{key}.json").json()["state"] == wf.PUBLISHED
        assert count(server, graph) == expected
        assert described_anywhere(server, data_iri("case", f"{key}-")) > 0  # the check above can see cases
        actions = [h["action"] for h in rita.get(f"/submissions/{key}/history").json()["history"]]
        assert actions == ["upload", "validate", "accept", "publish"]
    finally:
        server.stop()
    assert server.proc.returncode == 0


def _post_quietly(client: httpx.Client, path: str, answered: list[int]) -> None:
    """POST; record the status if an answer comes (none does when the server is killed meanwhile)."""
    with contextlib.suppress(httpx.HTTPError):
        answered.append(client.post(path).status_code)


# --- (c): SIGKILL during the first start's bootstrap ------------------------------------------------------------
def big_turtle(path: Path, triples: int) -> Path:
    with path.open("w", encoding="utf-8") as out:
        for n in range(triples):
            out.write(f'<https://example.org/bulk/s{n // 4}> <https://example.org/bulk/p{n % 4}> "value {n}" .\n')
    return path


def launch(data_dir: Path, resources: Path, log: Path, env: dict[str, str] | None = None,
           ) -> tuple[subprocess.Popen, int]:
    """``srkg serve`` on ``data_dir`` as start_server runs it, without waiting for it to answer."""
    port = free_port()
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("SRKG_")}
    full_env.update({"SRKG_DATA_DIR": str(data_dir), "SRKG_RESOURCES": str(resources), "PYTHONUNBUFFERED": "1"})
    full_env.update(env or {})
    with log.open("wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "sparql_api.cli", "serve", "--host", "127.0.0.1", "--port",
                                 str(port)], stdout=out, stderr=subprocess.STDOUT, env=full_env, cwd=REPO)
    return proc, port


def restart(previous: LiveServer, resources: Path, env: dict[str, str] | None = None) -> LiveServer:
    """The server again on the same data directory (its tokens stay valid), once it answers."""
    log = previous.log.with_name(f"restart-{time.monotonic_ns()}.log")
    proc, port = launch(previous.data_dir, resources, log, env)
    server = LiveServer("127.0.0.1", port, previous.token, previous.data_dir, proc, log, previous.tokens)

    def healthy() -> bool:
        if proc.poll() is not None:
            raise AssertionError(f"srkg serve exited with {proc.returncode}:\n{log.read_text()}")
        try:
            return server.request("GET", "/healthz", timeout=5).status == 200
        except OSError:
            return False

    try:
        wait_for("the restarted server", healthy, timeout=120, step=0.1)
    except AssertionError:
        server.stop()
        raise
    return server


def test_killed_during_bootstrap_completes_on_restart(tmp_path: Path) -> None:
    res = make_resources(tmp_path / "res", with_agrovoc=False)
    big_turtle(res / "examples" / "cases" / "zz-bulk.ttl", BOOTSTRAP_TRIPLES)
    examples = f"{graph_iri('examples')}: loaded"
    log = tmp_path / "first-start.log"
    proc, _ = launch(tmp_path / "data", res, log)
    try:
        wait_for("the first graphs to load", lambda: f"{graph_iri('vocab')}: loaded" in log.read_text(), timeout=60)
        time.sleep(0.3)  # now in the examples graph: parsing, then one large store write
    finally:
        sigkill(proc)
    assert examples not in log.read_text(), "the bootstrap finished before the kill: nothing was interrupted"

    tokens = TokenStore(token_store_path(tmp_path / "data"))
    server = restart(LiveServer("127.0.0.1", 0, tokens.create("curator"), tmp_path / "data", proc, log, tokens), res)
    try:
        restarted = server.log.read_text()
        assert f"{graph_iri('ontology')}: unchanged" in restarted and examples in restarted
        clean = SummarisingStore(OxigraphStore(None))  # as the server writes: each graph with its summary
        bootstrap(clean, tmp_path / "clean-state.json", default_sources(res), progress=lambda _: None)
        assert graph_counts(server) == clean.stats()
        assert summary_graph(str(graph_iri("examples"))) in clean.stats()
        assert clean.stats()[str(graph_iri("examples"))] > BOOTSTRAP_TRIPLES
    finally:
        server.stop()


# --- graceful shutdown: SIGTERM in the middle of a large PUT ----------------------------------------------------
def send_put(server: LiveServer, graph: str, data: bytes) -> socket.socket:
    """Send a whole Graph Store PUT on a raw connection and return it without reading the answer."""
    head = (f"PUT /rdf-graph-store?graph={quote(graph, safe='')} HTTP/1.1\r\nHost: {server.authority}\r\n"
            f"Authorization: Bearer {server.token}\r\nContent-Type: application/n-triples\r\n"
            f"Content-Length: {len(data)}\r\nConnection: close\r\n\r\n")
    connection = socket.create_connection((server.host, server.port), timeout=120)
    connection.sendall(head.encode("ascii") + data)
    return connection


def status_of(connection: socket.socket) -> int:
    """The status of the answer on ``connection`` (read to its end)."""
    answer = b""
    while chunk := connection.recv(65536):
        answer += chunk
    connection.close()
    assert answer.startswith(b"HTTP/1.1 "), answer[:200]
    return int(answer.split(b" ", 2)[1])


def test_sigterm_lets_a_large_put_finish_then_exits_0(tmp_path: Path) -> None:
    resources = make_resources(tmp_path / "res", with_agrovoc=False)
    data = big_turtle(tmp_path / "bulk.nt", PUT_TRIPLES).read_bytes()
    graph = "https://example.org/graph/bulk"
    server = start_server(tmp_path, resources=resources)
    try:
        connection = send_put(server, graph, data)
        time.sleep(0.3)  # the server has read the request and is parsing and writing it
        assert select.select([connection], [], [], 0)[0] == [], "the PUT was answered before SIGTERM"
        stopped_at = time.monotonic()
        server.proc.send_signal(signal.SIGTERM)
        time.sleep(0.3)
        with pytest.raises(httpx.ConnectError):  # no longer accepting
            httpx.get(f"{server.url}/healthz", timeout=5)
        assert status_of(connection) in (200, 201, 204)
        assert server.proc.wait(timeout=60) == 0
        assert time.monotonic() - stopped_at < 60
    finally:
        server.stop()
    assert "store closed" in server.log.read_text()

    server = restart(server, resources)
    try:
        assert count(server, graph) == PUT_TRIPLES
    finally:
        server.stop()
    assert server.proc.returncode == 0


# --- the reconciliation, crash point by crash point, on a real store --------------------------------------------
@pytest.fixture(scope="module")
def accepted_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A registry with one ingested, accepted submission, copied by each test."""
    root = tmp_path_factory.mktemp("template")
    registry = Registry(root / "subs")
    workbook = fixed_workbook(root)
    data = workbook.read_bytes()
    folder = registry.new_incoming()
    (folder / workbook.name).write_bytes(data)
    key = registry.create("alice", Incoming(folder, workbook.name, len(data), hashlib.sha256(data).hexdigest(),
                                            None)).id
    service = SubmissionService(root / "subs", OxigraphStore(None), lambda: None)
    assert service.runner.run(key, 1) == wf.DONE
    service.accept(ALICE, key)
    service.close()
    return root / "subs", key


@pytest.fixture
def restartable(tmp_path: Path, accepted_template: tuple[Path, str]) -> Iterator[Callable[[], SubmissionService]]:
    """A fresh service (what a restarted server makes) on a copy of the template and one on-disk store whose
    content outlives the services, as the store's files outlive a killed process."""
    template, _ = accepted_template
    shutil.copytree(template, tmp_path / "subs")
    store = OxigraphStore(tmp_path / "store", query_workers=1)
    opened: list[SubmissionService] = []

    def restart() -> SubmissionService:
        if opened:
            opened[-1].close(0)
        service = SubmissionService(tmp_path / "subs", store, lambda: None)
        opened.append(service)
        service.start()
        return service

    yield restart
    opened[-1].close(0)
    store.close()


def _killed_at(target: object, name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    def kill(*_: object, **__: object) -> None:
        raise Killed()

    monkeypatch.setattr(target, name, kill)


def test_publish_killed_after_the_store_write_is_completed_at_start(
        restartable: Callable[[], SubmissionService], accepted_template: tuple[Path, str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    _, key = accepted_template
    service = restartable()
    _killed_at(service.registry, "transition", monkeypatch)  # the store has it, the registry does not yet
    with pytest.raises(Killed):
        service.publish(RITA, key)
    graph = str(submission_graph_iri(key))
    written = service.store.stats()[graph]
    assert service.registry.get(key).state == wf.ACCEPTED and service.registry.operations()
    monkeypatch.undo()

    service = restartable()
    submission = service.registry.get(key)
    assert (submission.state, submission.published_revision) == (wf.PUBLISHED, 1)
    assert service.store.stats()[graph] == written == publication_size(service.registry, key)
    assert service.registry.operations() == []
    last = service.registry.history(key)[-1]
    assert (last.who, last.action, last.to_state) == ("rita", "publish", wf.PUBLISHED)
    assert "completed at start-up" in (last.note or "")


def test_publish_killed_before_the_store_write_stays_accepted_and_can_be_retried(
        restartable: Callable[[], SubmissionService], accepted_template: tuple[Path, str]) -> None:
    _, key = accepted_template
    service = restartable()
    service.registry.begin_operation(Operation(key, wf.PUBLISH, 1, "rita", now(), None))  # then the kill
    service = restartable()
    assert service.registry.get(key).state == wf.ACCEPTED and service.registry.operations() == []
    assert not service.store.has_graph(str(submission_graph_iri(key)))
    triples = service.publish(RITA, key)
    assert service.store.stats()[str(submission_graph_iri(key))] == triples


def test_partly_written_graph_is_dropped_and_the_publish_can_be_retried(
        restartable: Callable[[], SubmissionService], accepted_template: tuple[Path, str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """What a non-atomic remote store can leave: the record is there but not all the triples."""
    _, key = accepted_template
    service = restartable()
    _killed_at(service.registry, "transition", monkeypatch)
    with pytest.raises(Killed):
        service.publish(RITA, key)
    monkeypatch.undo()
    graph = str(submission_graph_iri(key))
    service.store.update(f"DELETE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }} WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} "
                         f"FILTER (!CONTAINS(STR(?p), 'prov#')) }}")
    service = restartable()
    assert service.registry.get(key).state == wf.ACCEPTED
    assert not service.store.has_graph(graph)
    assert service.publish(RITA, key) == service.store.stats()[graph]


def test_withdraw_killed_after_the_drop_is_completed_at_start(
        restartable: Callable[[], SubmissionService], accepted_template: tuple[Path, str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    _, key = accepted_template
    service = restartable()
    service.publish(RITA, key)
    _killed_at(service.registry, "transition", monkeypatch)
    with pytest.raises(Killed):
        service.withdraw(RITA, key, "The source was retracted.")
    monkeypatch.undo()
    service = restartable()
    submission = service.registry.get(key)
    assert (submission.state, submission.published_revision) == (wf.REJECTED, None)
    assert service.registry.history(key)[-1].note.startswith("The source was retracted.")


def test_store_that_lost_its_last_writes_is_repaired_from_the_registry(
        restartable: Callable[[], SubmissionService], accepted_template: tuple[Path, str]) -> None:
    """A power cut can lose the store's last writes while the registry (SQLite, synced) kept its commit."""
    _, key = accepted_template
    service = restartable()
    triples = service.publish(RITA, key)
    graph = str(submission_graph_iri(key))
    service.store.drop_graph(graph)  # the publication the store lost
    service = restartable()
    assert service.registry.get(key).state == wf.PUBLISHED
    assert service.store.stats()[graph] == triples


def test_runner_closed_mid_ingest_records_nothing_and_resumes(tmp_path: Path) -> None:
    """Graceful shutdown does not wait for a long ingest: it stays pending and runs again at the next start."""
    registry = Registry(tmp_path / "subs")
    workbook = fixed_workbook(tmp_path)
    data = workbook.read_bytes()
    folder = registry.new_incoming()
    (folder / workbook.name).write_bytes(data)
    key = registry.create("alice", Incoming(folder, workbook.name, len(data), hashlib.sha256(data).hexdigest(),
                                            None)).id
    started, release = threading.Event(), threading.Event()

    def slow_ingest(*args: object, **kwargs: object) -> IngestResult:
        started.set()
        release.wait(30)
        return ingest_file(*args, **kwargs)  # type: ignore[arg-type]

    service = SubmissionService(tmp_path / "subs", OxigraphStore(None), lambda: None, ingest=slow_ingest)
    assert service.start() == 1 and started.wait(30)
    begun = time.monotonic()
    assert service.close(grace=0.5) is False  # bounded: it does not wait for the ingest
    assert time.monotonic() - begun < 5
    release.set()
    assert service.runner.join(60)  # the ingest ran to its end, then recorded nothing
    assert registry.revision(key, 1).ingest == wf.PENDING and registry.get(key).state == wf.RECEIVED
    assert not list(registry.revision_dir(key, 1).glob(".*.tmp"))

    again = SubmissionService(tmp_path / "subs", OxigraphStore(None), lambda: None)
    assert again.start() == 1
    wait_for("the resumed ingest", lambda: registry.revision(key, 1).ingest == wf.DONE)
    again.close()
    assert registry.get(key).state == wf.VALIDATED


# --- the remote backend: SRKG killed while its Graph Store PUT to Virtuoso is in flight --------------------------
@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VirtuosoServer]:
    if virtuoso_binary() is None:
        if os.environ.get("CI") == "true":
            pytest.fail("Virtuoso 7 (virtuoso-t) is not installed; CI must run the remote-store tests")
        pytest.skip("Virtuoso 7 (virtuoso-t) is not installed; scripts/install-virtuoso.sh installs it")
    server = VirtuosoServer(tmp_path_factory.mktemp("virtuoso"), result_set_max_rows=10_000)
    server.start()
    yield server
    server.stop()
    for name in ("virtuoso.db", "virtuoso-temp.db", "virtuoso.trx", "virtuoso-temp.trx"):
        (server.db_dir / name).unlink(missing_ok=True)


PUBLISHER = """
import sys
from pathlib import Path

from sparql_api.store.remote_store import RemoteStore
from sparql_api.submissions.service import SubmissionService


class Reviewer:
    username, role = "rita", "reviewer"


root, key, query, update, gsp, user, password = sys.argv[1:]
store = RemoteStore(query, update, gsp, user=user, password=password)
print("published", SubmissionService(Path(root), store, lambda: None).publish(Reviewer(), key), flush=True)
"""


def open_remote(virtuoso: VirtuosoServer) -> RemoteStore:
    return RemoteStore(virtuoso.query_url, virtuoso.update_url, virtuoso.gsp_url, user=ADMIN_USER,
                       password=ADMIN_PASSWORD)


class Relay:
    """A TCP relay to Virtuoso that counts the bytes sent to it, to kill the client once a whole request body
    is on its way to Virtuoso. A closed side is passed on, as the network would when a process dies."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.sent = 0
        self.threshold = 0
        self.passed = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        with contextlib.suppress(OSError):
            while True:
                client, _ = self.listener.accept()
                upstream = socket.create_connection(("127.0.0.1", self.target_port))
                threading.Thread(target=self._pump, args=(client, upstream, True), daemon=True).start()
                threading.Thread(target=self._pump, args=(upstream, client, False), daemon=True).start()

    def _pump(self, source: socket.socket, target: socket.socket, counted: bool) -> None:
        with contextlib.suppress(OSError):
            while chunk := source.recv(65536):
                target.sendall(chunk)
                if counted:
                    self.sent += len(chunk)
                    if self.threshold and self.sent >= self.threshold:
                        self.passed.set()
        with contextlib.suppress(OSError):
            target.shutdown(socket.SHUT_WR)

    def close(self) -> None:
        self.listener.close()


def triples_in(store: RemoteStore, graph: str) -> int:
    rows = store.select("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }", {"g": URIRef(graph)})
    return int(rows[0]["n"])


def settled_count(store: RemoteStore, graph: str) -> int:
    """The graph's triple count once Virtuoso has stopped changing it (a PUT it received runs to its end)."""
    counts: list[int] = []

    def stable() -> bool:
        counts.append(triples_in(store, graph))
        return len(counts) >= 4 and len(set(counts[-4:])) == 1

    wait_for("Virtuoso to finish the write it received", stable, timeout=60, step=0.5)
    return counts[-1]


@pytest.mark.virtuoso
def test_virtuoso_publisher_killed_mid_put_is_consistent_after_restart(
        tmp_path: Path, accepted_template: tuple[Path, str], virtuoso: VirtuosoServer) -> None:
    """SRKG killed while its Graph Store PUT to Virtuoso is in flight; the restarted service settles it."""
    template, key = accepted_template
    shutil.copytree(template, tmp_path / "subs")
    registry = Registry(tmp_path / "subs")
    # A large publication (records are shared resources: no ownership round trip each), so the PUT lasts.
    with (registry.revision_dir(key, 1) / LOAD_GRAPH).open("a", encoding="utf-8") as load:
        for n in range(PUT_TRIPLES):
            load.write(f"<{data_iri('record', f'{key}-bulk-{n // 5}')}> <https://example.org/bulk/p{n % 5}> "
                       f'"value {n}" .\n')
    expected = publication_size(registry, key)
    remote = open_remote(virtuoso)
    graph = str(submission_graph_iri(key))
    remote.drop_graph(graph)
    relay = Relay(virtuoso.http_port)
    relay.threshold = len(publishing.published_graph(registry.read_artifact(key, 1, LOAD_GRAPH) or b"", key, 1,
                                                     "rita", now()))
    publisher = subprocess.Popen(
        [sys.executable, "-c", PUBLISHER, str(tmp_path / "subs"), key, virtuoso.query_url, virtuoso.update_url,
         f"http://127.0.0.1:{relay.port}/sparql-graph-crud-auth", ADMIN_USER, ADMIN_PASSWORD], cwd=REPO,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        # Killed once the whole PUT body has gone to Virtuoso: Virtuoso loads it, SRKG has not recorded it.
        assert relay.passed.wait(60), "the PUT body never reached Virtuoso"
        assert registry.operations(), "the publish was not announced before its store write"
    finally:
        sigkill(publisher)
        relay.close()
    output = publisher.stdout.read().decode() if publisher.stdout else ""
    assert "published" not in output, f"the publish finished before the kill: {output}"
    before_restart = settled_count(remote, graph)

    service = SubmissionService(tmp_path / "subs", remote, lambda: None)
    try:
        service.start()
        state, triples = registry.get(key).state, triples_in(remote, graph)
        assert (state, triples) in ((wf.PUBLISHED, expected), (wf.ACCEPTED, 0)), (state, triples, before_restart)
        assert registry.operations() == []
        if state == wf.ACCEPTED:
            assert service.publish(RITA, key) == expected
        assert registry.get(key).state == wf.PUBLISHED and triples_in(remote, graph) == expected
    finally:
        service.close(0)
        remote.drop_graph(graph)
        remote.close()
