"""The bad-input corpus (tests/bad_inputs/manifest.toml) against every entry point, on one real server.

Each case is sent to each entry point its manifest row names. The answer must be the expected 4xx (or CLI exit
status) with a message containing the phrase that names the problem; never a 5xx. After every case the server
still answers /healthz, the triple count of every graph is as it was before the first case (server store, and
the CLI's own store), no byte of /etc/passwd appears anywhere, and the socket the hostile files point at was
never contacted (no remote context, entity, SERVICE or LOAD fetch). Rows with ``known_bug`` are strict xfails:
they turn red once the bug is fixed, so that the marker is removed. See tests/bad_inputs/README.md.
"""

from __future__ import annotations

import contextlib
import io
import json
import select
import shutil
import socket
import threading
import time
import tomllib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlencode

import httpx
import pytest
from bad_inputs.generate import GENERATORS, LISTENER
from server.live_server import REPO, LiveServer, Reply, make_resources, start_server

from sparql_api.accounts.users import AccountStore, account_store_path
from sparql_api.cli import main as srkg

CORPUS = Path(__file__).parent / "bad_inputs"
MANIFEST = tomllib.loads((CORPUS / "manifest.toml").read_text(encoding="utf-8"))
LIMIT = 12 * 1024 * 1024  # request/upload limit: a 10 MB literal fits, a 60 MB body does not
GRAPH = "http://bad-inputs.test/target"
BASELINE = "http://bad-inputs.test/baseline"
PASSWD = "root:x:0:0"
MEDIA = {".ttl": "text/turtle", ".nt": "application/n-triples", ".nq": "application/n-quads",
         ".trig": "application/trig", ".jsonld": "application/ld+json", ".rdf": "application/rdf+xml",
         ".rq": "application/sparql-query", ".ru": "application/sparql-update", ".csv": "text/csv",
         ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".zip": "application/zip",
         ".txt": "application/x-www-form-urlencoded"}


def _params() -> list:
    params = []
    for case in MANIFEST["case"]:
        for entry, expected in case["expect"].items():
            marks = [pytest.mark.xfail(strict=True, reason=case["known_bug"])] if "known_bug" in case else []
            params.append(pytest.param(case, entry, expected, id=f"{case['id']}-{entry}", marks=marks))
    return params


# --- fixtures ---------------------------------------------------------------------------------------------------
class Listener:
    """A loopback socket standing in for a remote server: hostile files point here; nothing may connect."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.hits: list[bytes] = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        with contextlib.suppress(OSError):
            while True:
                conn, _ = self.sock.accept()
                self.hits.append(b"(connected)")
                with conn:
                    conn.settimeout(1)
                    with contextlib.suppress(OSError):
                        self.hits.append(conn.recv(4096))


@dataclass
class Setup:
    server: LiveServer
    client: httpx.Client  # a contributor's API client (uploads)
    cli_dir: Path
    listener: Listener
    inputs: Path
    server_baseline: dict[str, int]  # triples per graph before any case; every case must leave it so
    made: dict[str, Path] = field(default_factory=dict)  # case id → its input file


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Setup]:
    work = tmp_path_factory.mktemp("bad-inputs")
    resources = make_resources(work / "resources")  # two small cases, and the real vocabularies (for workbooks)
    shutil.rmtree(resources / "ontology")
    shutil.copytree(REPO / "ontology", resources / "ontology")
    live = start_server(work, resources=resources,
                        env={"SRKG_MAX_REQUEST_BYTES": str(LIMIT), "SRKG_QUERY_TIMEOUT": "10"})
    accounts = AccountStore(account_store_path(live.data_dir))
    accounts.add("mallory", "a long enough password", "contributor")
    token = live.tokens.create("mallory-api", "mallory")
    client = httpx.Client(base_url=live.url, timeout=120, headers={"Authorization": f"Bearer {token}"})
    assert live.request("PUT", f"/rdf-graph-store?graph={BASELINE}", '<urn:x:a> <urn:x:p> "baseline" .',
                        {**live.auth(), "Content-Type": "application/n-triples"}).status == 201
    cli_dir = work / "cli-data"
    baseline = work / "baseline.nt"
    baseline.write_text('<urn:x:a> <urn:x:p> "baseline" .\n', encoding="utf-8")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("SRKG_DATA_DIR", str(cli_dir))
        assert _cli(["load", "-q", str(baseline), "--graph", BASELINE])[0] == 0
    inputs = work / "inputs"
    inputs.mkdir()
    yield Setup(live, client, cli_dir, Listener(), inputs, server_counts(live))
    client.close()
    live.stop()


def materialise(setup: Setup, case: dict) -> Path:
    """The case's input file: committed (with the listener's URL filled in) or generated once per module."""
    if case["id"] in setup.made:
        return setup.made[case["id"]]
    target = setup.inputs / case["id"]
    target.mkdir()
    if "generator" in case:
        path = GENERATORS[case["generator"]](target)
    else:
        source = CORPUS / case["file"]
        path = target / source.name
        path.write_bytes(source.read_bytes().replace(LISTENER.encode(), setup.listener.url.encode()))
    setup.made[case["id"]] = path
    return path


# --- outcomes ---------------------------------------------------------------------------------------------------
@dataclass
class Outcome:
    status: int  # HTTP status, or the CLI's exit status
    message: str  # what the client or operator is told (the submission's report, for uploads)


def _cli(argv: list[str]) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            status = srkg(argv)
        except SystemExit as exit_:  # argparse
            status = int(exit_.code or 0)
    return status, out.getvalue() + err.getvalue()


def _reply(reply: Reply | httpx.Response) -> Outcome:
    if isinstance(reply, httpx.Response):
        return Outcome(reply.status_code, reply.text)
    return Outcome(reply.status, reply.body.decode("utf-8", errors="replace"))


def _media(case: dict, path: Path) -> str:
    return case.get("media", MEDIA.get(path.suffix, "application/octet-stream"))


def _settled(client: httpx.Client, key: str, timeout: float = 60) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        doc = client.get(f"/submissions/{quote(key)}.json").json()
        if doc["ingest"] != "pending":
            return doc
        time.sleep(0.1)
    raise AssertionError(f"submission {key} still pending after {timeout} s")


def _submission(client: httpx.Client, reply: httpx.Response) -> Outcome:
    """202: the upload became a submission; its report must say what is wrong, and it must not be acceptable."""
    if reply.status_code != 202:
        return _reply(reply)
    doc = _settled(client, reply.json()["id"])
    assert "accept" not in doc["actions"], f"a bad file became acceptable: {doc['actions']}"
    assert doc["ingest"] in ("unreadable", "done"), f"ingest {doc['ingest']}: {doc.get('unreadable')}"
    told = json.dumps({"unreadable": doc.get("unreadable"), "report": doc.get("report")}, ensure_ascii=False)
    return Outcome(202, told)


def upload(s: Setup, case: dict, path: Path) -> Outcome:
    name = case.get("name", path.name)
    files = {"file": (name, path.read_bytes(), _media(case, path))}
    return _submission(s.client, s.client.post("/submissions", files=files))


def upload_raw(s: Setup, case: dict, path: Path) -> Outcome:
    query = case.get("query", "")
    reply = s.client.post(f"/submissions{'?' + query if query else ''}", content=path.read_bytes(),
                          headers={"Content-Type": _media(case, path)})
    return _submission(s.client, reply)


def upload_oversized(s: Setup, case: dict, path: Path) -> Outcome:
    return _oversized(s, "/submissions", path, _media(case, path), declared=True, auth=dict(s.client.headers))


def upload_oversized_chunked(s: Setup, case: dict, path: Path) -> Outcome:
    return _oversized(s, "/submissions?filename=big.xlsx", path, _media(case, path), declared=False,
                      auth=dict(s.client.headers))


def gsp_oversized(s: Setup, case: dict, path: Path) -> Outcome:
    return _oversized(s, f"/rdf-graph-store?graph={GRAPH}", path, "text/turtle", declared=True, auth=s.server.auth())


def gsp_oversized_chunked(s: Setup, case: dict, path: Path) -> Outcome:
    return _oversized(s, f"/rdf-graph-store?graph={GRAPH}", path, "text/turtle", declared=False,
                      auth=s.server.auth())


def query_oversized(s: Setup, case: dict, path: Path) -> Outcome:
    return _oversized(s, "/sparql", path, "application/sparql-query", declared=True, auth={})


def _oversized(s: Setup, target: str, path: Path, media: str, *, declared: bool, auth: dict) -> Outcome:
    """Stream a body bigger than the limit until the server answers (it must not wait for all of it)."""
    headers = {"Host": s.server.authority, "Content-Type": media, "Connection": "close"}
    if token := auth.get("Authorization") or auth.get("authorization"):
        headers["Authorization"] = token
    if declared:
        headers["Content-Length"] = str(path.stat().st_size)
    else:
        headers["Transfer-Encoding"] = "chunked"
    head = f"PUT {target} HTTP/1.1\r\n" if target.startswith("/rdf") else f"POST {target} HTTP/1.1\r\n"
    head += "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
    answer, sent = b"", 0
    with socket.create_connection((s.server.host, s.server.port), timeout=60) as sock, path.open("rb") as body:
        sock.sendall(head.encode("latin-1"))
        with contextlib.suppress(OSError):  # the server may close the connection while we are still sending
            while chunk := body.read(256 * 1024):
                if select.select([sock], [], [], 0)[0]:
                    break  # the server has answered
                sock.sendall(chunk if declared else b"%x\r\n%s\r\n" % (len(chunk), chunk))
                sent += len(chunk)
        with contextlib.suppress(OSError):
            while data := sock.recv(65536):
                answer += data
    status_line, _, rest = answer.partition(b"\r\n")
    assert status_line, "the server sent no answer to an oversized body"
    assert sent < path.stat().st_size, "the server read the whole oversized body before refusing it"
    return Outcome(int(status_line.split()[1]), rest.decode("utf-8", errors="replace"))


def cli_ingest(s: Setup, case: dict, path: Path) -> Outcome:
    return Outcome(*_cli(["ingest", "--quiet", str(path)]))


def cli_validate(s: Setup, case: dict, path: Path) -> Outcome:
    return Outcome(*_cli(["validate", str(path)]))


def cli_load(s: Setup, case: dict, path: Path) -> Outcome:
    return Outcome(*_cli(["load", "-q", str(path), "--graph", GRAPH]))


def _gsp(method: str, token: bool = True) -> Callable[[Setup, dict, Path], Outcome]:
    def send(s: Setup, case: dict, path: Path) -> Outcome:
        headers = {"Content-Type": _media(case, path), **(s.server.auth() if token else {})}
        target = "/rdf-graph-store?" + case.get("query", f"graph={GRAPH}")
        return _reply(s.server.request(method, target, path.read_bytes(), headers))

    return send


def query_get(s: Setup, case: dict, path: Path) -> Outcome:
    return _reply(s.server.request("GET", "/sparql?query=" + quote(path.read_bytes())))


def query_form(s: Setup, case: dict, path: Path) -> Outcome:
    body = "query=" + quote(path.read_bytes())
    return _reply(s.server.request("POST", "/sparql", body, {"Content-Type": "application/x-www-form-urlencoded"}))


def query_direct(s: Setup, case: dict, path: Path) -> Outcome:
    return _reply(s.server.request("POST", "/sparql", path.read_bytes(),
                                   {"Content-Type": "application/sparql-query"}))


def update(s: Setup, case: dict, path: Path) -> Outcome:
    return _reply(s.server.request("POST", "/sparql", path.read_bytes(),
                                   {"Content-Type": "application/sparql-update", **s.server.auth()}))


def update_anonymous(s: Setup, case: dict, path: Path) -> Outcome:
    body = "update=" + quote(path.read_bytes())
    return _reply(s.server.request("POST", "/sparql", body, {"Content-Type": "application/x-www-form-urlencoded"}))


def _accept(target: str) -> Callable[[Setup, dict, Path], Outcome]:
    def send(s: Setup, case: dict, path: Path) -> Outcome:
        return _reply(s.server.request("GET", target, headers={"Accept": path.read_text(encoding="utf-8")}))

    return send


def login(s: Setup, case: dict, path: Path) -> Outcome:
    return _reply(s.server.request("POST", "/login", path.read_bytes(), {"Content-Type": _media(case, path)}))


RUNNERS: dict[str, Callable[[Setup, dict, Path], Outcome]] = {
    "upload": upload, "upload-raw": upload_raw, "upload-oversized": upload_oversized,
    "upload-oversized-chunked": upload_oversized_chunked,
    "ingest": cli_ingest, "validate": cli_validate, "load": cli_load,
    "gsp-put": _gsp("PUT"), "gsp-post": _gsp("POST"), "gsp-anonymous": _gsp("PUT", token=False),
    "gsp-oversized": gsp_oversized, "gsp-oversized-chunked": gsp_oversized_chunked, "query-oversized": query_oversized,
    "query-get": query_get, "query-form": query_form, "query-direct": query_direct,
    "update": update, "update-anonymous": update_anonymous,
    "accept-sparql": _accept("/sparql?" + urlencode({"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 1"})),
    "accept-graph": _accept("/sparql?" + urlencode({"query": "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 1"})),
    "accept-gsp": _accept(f"/rdf-graph-store?graph={BASELINE}"),
    "accept-page": _accept("/id/case/test-cadmium"),
    "login": login,
}


# --- what must not change ---------------------------------------------------------------------------------------
def server_counts(server: LiveServer) -> dict[str, int]:
    query = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
    reply = server.query(query, accept="application/sparql-results+json")
    assert reply.status == 200, reply.text
    rows = json.loads(reply.body)["results"]["bindings"]
    return {row["g"]["value"]: int(row["n"]["value"]) for row in rows}


def cli_counts() -> dict[str, int]:
    status, text = _cli(["stats", "--json"])
    assert status == 0, text
    return json.loads(text[text.index("{"):])["graphs"]


# --- the test ---------------------------------------------------------------------------------------------------
def test_manifest_names_known_entry_points_and_existing_inputs() -> None:
    ids = [case["id"] for case in MANIFEST["case"]]
    assert len(ids) == len(set(ids)), "case ids must be unique"
    for case in MANIFEST["case"]:
        assert ("file" in case) != ("generator" in case), case["id"]
        assert "file" not in case or (CORPUS / case["file"]).is_file(), case["file"]
        assert "generator" not in case or case["generator"] in GENERATORS, case["generator"]
        assert set(case["expect"]) <= set(RUNNERS), (case["id"], set(case["expect"]) - set(RUNNERS))
        assert case["phrase"].strip(), case["id"]
    files = {p.relative_to(CORPUS).as_posix() for p in CORPUS.rglob("*") if p.is_file()
             and p.parent != CORPUS and "__pycache__" not in p.parts}
    used = {case["file"] for case in MANIFEST["case"] if "file" in case}
    assert files <= used, f"files in the corpus that no case uses: {sorted(files - used)}"
    assert len(used) + len({c["generator"] for c in MANIFEST["case"] if "generator" in c}) >= 100


@pytest.mark.parametrize(("case", "entry", "expected"), _params())
def test_bad_input(setup: Setup, monkeypatch: pytest.MonkeyPatch, case: dict, entry: str, expected: int) -> None:
    monkeypatch.setenv("SRKG_DATA_DIR", str(setup.cli_dir))
    path = materialise(setup, case)
    hits = len(setup.listener.hits)

    outcome = RUNNERS[entry](setup, case, path)

    phrase = case.get("phrases", {}).get(entry, case["phrase"])
    assert outcome.status < 500, f"server error {outcome.status}: {outcome.message[:500]}"
    assert outcome.status == expected, f"{outcome.status} (expected {expected}): {outcome.message[:800]}"
    assert phrase.lower() in outcome.message.lower(), f"{phrase!r} not in: {outcome.message[:800]}"
    assert PASSWD not in outcome.message
    assert "must_not_exist" not in case or not Path(case["must_not_exist"]).exists(), "a file escaped its folder"
    assert setup.listener.hits[hits:] == [], "the server contacted the address the hostile input named"
    assert setup.server.request("GET", "/healthz", timeout=10).status == 200
    if entry in ("ingest", "load"):  # (validate never opens a store)
        assert cli_counts() == {BASELINE: 1}, "the command line's store changed"
    else:
        assert server_counts(setup.server) == setup.server_baseline, "the server's store changed"
