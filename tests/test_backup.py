"""``srkg backup`` / ``srkg restore ARCHIVE``: the round trip gives back the same server, and a bad archive or a
non-empty target is refused with nothing changed.

One data dir is built once per module with real content: the bootstrap of real files (the AGROVOC subset, two
example cases), a graph with blank nodes and default-graph triples, three users, three tokens, and a survey
submission taken through ingest, accept and publish. Every restore then goes into a fresh data dir through the
real command line (``sparql_api.cli.main``), configured by SRKG_* as operators do.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import http.client
import io
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tarfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import pytest
from fixtures.submissions.workbooks import fixed_workbook
from rdflib import BNode, Graph
from rdflib.compare import isomorphic
from server.live_server import free_port
from store.conftest import open_remote, virtuoso, wipe  # noqa: F401 - virtuoso is a fixture
from store.virtuoso_server import ADMIN_PASSWORD, ADMIN_USER, VirtuosoServer

from sparql_api.accounts.sessions import SessionStore
from sparql_api.accounts.users import AccountStore, account_store_path
from sparql_api.backup import BackupError
from sparql_api.backup.swap import replace_entries
from sparql_api.cli import main
from sparql_api.server.bootstrap import bootstrap, default_sources, state_path
from sparql_api.server.tokens import TokenStore, token_store_path
from sparql_api.store.base import DEFAULT_GRAPH, Store
from sparql_api.store.oxigraph_store import OxigraphStore, from_ox
from sparql_api.submissions.registry import Incoming, Registry
from sparql_api.submissions.service import SubmissionService, submissions_dir
from sparql_api.summaries.naming import is_summary_graph
from sparql_api.summaries.revisions import FILE_NAME as REVISION_LOG
from sparql_api.summaries.revisions import RevisionLog

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent
CASES = ("ata-casey-station-biopiles.ttl", "chn-hunan-pteris-vittata-arsenic.ttl",
         "tha-mae-sot-cadmium-phytoextraction.ttl")
PASSWORD = "correct horse battery"
BLANK_GRAPH = "https://w3id.org/srkg/graph/test-blank-nodes"
BLANK_TTL = b"""@prefix ex: <http://example.org/> .
ex:site ex:measured [ ex:value 12.5 ; ex:unit ex:mgPerKg ; ex:at [ ex:depth "0-20 cm"@en ] ] ,
                    [ ex:value 3.1 ; ex:unit ex:mgPerKg ] .
ex:site ex:label "Site \\u00e9t\\u00e9"@fr , "line\\nbreak" .
"""
DEFAULT_NT = (b'<http://example.org/a> <http://example.org/p> _:x .\n'
              b'_:x <http://example.org/q> "in the default graph" .\n')


Run = Callable[..., tuple[int, str]]


@dataclass(frozen=True)
class Person:
    username: str
    role: str


@dataclass(frozen=True)
class Source:
    """The data dir that was backed up, what was in it, and the archive."""

    data_dir: Path
    archive: Path
    tokens: dict[str, str]  # name -> secret
    session: str
    submission: str


# --- building real content ---------------------------------------------------------------------------------------
def _incoming(registry: Registry, path: Path) -> Incoming:
    folder = registry.new_incoming()
    data = path.read_bytes()
    (folder / path.name).write_bytes(data)
    return Incoming(folder, path.name, len(data), hashlib.sha256(data).hexdigest(), None)


def _resources(root: Path) -> Path:
    """A few of the project's real files: the ontology (OWL restrictions: blank nodes), two vocabularies and
    three example cases."""
    for name in ("ontology/srkg.ttl", "ontology/vocab/technologies.ttl", "ontology/vocab/units.ttl",
                 *(f"examples/cases/{case}" for case in CASES)):
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(REPO / name, root / name)
    return root


def _populate(root: Path) -> dict[str, object]:
    """Fill ``root/data`` as a server in use would be; run in its own process (see ``source``)."""
    data_dir = root / "data"
    store = OxigraphStore(data_dir / "store", query_workers=1)
    try:
        bootstrap(store, state_path(data_dir), default_sources(_resources(root / "res")), progress=lambda _: None)
        store.add_graph(BLANK_GRAPH, BLANK_TTL, "text/turtle")
        store.add_graph(DEFAULT_GRAPH, DEFAULT_NT, "application/n-triples")
        accounts = AccountStore(account_store_path(data_dir))
        accounts.add("alice", PASSWORD, "contributor", "Alice Ng")
        accounts.add("rita", PASSWORD + "!", "reviewer")
        accounts.add("bob", PASSWORD + "?", "admin")
        accounts.disable("bob")
        session = SessionStore(account_store_path(data_dir)).start("alice")
        tokens = TokenStore(token_store_path(data_dir))
        secrets = {name: tokens.create(name, user) for name, user in
                   (("project", None), ("rita-laptop", "rita"), ("old-import", None))}
        tokens.revoke("old-import")
        service = SubmissionService(submissions_dir(data_dir), store, lambda: None)
        try:
            key = service.registry.create("alice", _incoming(service.registry, fixed_workbook(root))).id
            service.runner.run(key, 1)
            service.accept(Person("alice", "contributor"), key)
            service.publish(Person("rita", "reviewer"), key)
        finally:
            service.close()
    finally:
        store.close()
    return {"tokens": secrets, "session": session, "submission": key}


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Source]:
    """Built in a child process: OxigraphStore.close() keeps RocksDB's lock until its process ends, and the
    commands under test must open the same store afterwards."""
    root = tmp_path_factory.mktemp("source")
    script = ("import json, sys; from pathlib import Path; sys.path[:0] = [sys.argv[1]]; "
              "from test_backup import _populate; print(json.dumps(_populate(Path(sys.argv[2]))))")
    done = subprocess.run([sys.executable, "-c", script, str(TESTS), str(root)], capture_output=True, text=True,
                          timeout=120, cwd=TESTS.parent)
    assert done.returncode == 0, done.stderr[-3000:]
    made = json.loads(done.stdout.strip().splitlines()[-1])
    data_dir, archive = root / "data", root / "srkg-backup.tar.gz"
    with pytest.MonkeyPatch.context() as env:
        _configure(env, data_dir)
        assert main(["backup", str(archive), "-q"]) == 0
    yield Source(data_dir, archive, made["tokens"], made["session"], made["submission"])


def _configure(env: pytest.MonkeyPatch, data_dir: Path) -> None:
    env.setenv("SRKG_DATA_DIR", str(data_dir))
    env.setenv("SRKG_STORE", "oxigraph")


@pytest.fixture
def srkg(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Run:
    """Run the command line against a data dir: ``srkg(data_dir, "restore", ...) -> (exit status, stderr)``."""

    def run(data_dir: Path, *args: str) -> tuple[int, str]:
        _configure(monkeypatch, data_dir)
        code = main(list(args))
        return code, capsys.readouterr().err

    return run


# --- comparing ---------------------------------------------------------------------------------------------------
def _graphs(store: Store) -> dict[str, Graph]:
    graphs: dict[str, Graph] = defaultdict(Graph)
    for s, p, o, g in store.quads():
        graphs[str(g)].add((s, p, o))
    return dict(graphs)


@functools.cache
def _source_graphs(data_dir: Path) -> dict[str, Graph]:
    """The backed-up dataset, read once per module (the source data dir never changes)."""
    return _embedded_graphs(data_dir)


def _embedded_graphs(data_dir: Path) -> dict[str, Graph]:
    """Opened directly and closed at once (OxigraphStore would keep the lock until the process ends)."""
    store = ox.Store(str(data_dir / "store"))
    try:
        graphs: dict[str, Graph] = defaultdict(Graph)
        for q in store.quads_for_pattern(None, None, None, None):
            name = DEFAULT_GRAPH if isinstance(q.graph_name, ox.DefaultGraph) else q.graph_name.value
            graphs[name].add((from_ox(q.subject), from_ox(q.predicate), from_ox(q.object)))
        return dict(graphs)
    finally:
        del store


def _same_dataset(left: dict[str, Graph], right: dict[str, Graph]) -> None:
    assert sorted(left) == sorted(right)
    for name, graph in left.items():
        other = right[name]
        assert len(graph) == len(other), name
        if any(isinstance(term, BNode) for triple in graph for term in triple):
            assert isomorphic(graph, other), name
        else:
            assert set(graph) == set(other), name


def _rows(path: Path, sql: str) -> list[tuple]:
    db = sqlite3.connect(path)
    try:
        return db.execute(sql).fetchall()
    finally:
        db.close()


def _files(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _state(data_dir: Path) -> tuple:
    """Everything a restore could change: the quads, and every file outside the store's own folders."""
    files = {name: digest for name, digest in _files(data_dir).items() if not name.startswith("store")}
    quads = {name: set(graph) for name, graph in _embedded_graphs(data_dir).items()}
    return files, quads


# --- the round trip ----------------------------------------------------------------------------------------------
def test_round_trip_gives_back_the_same_server(source: Source, tmp_path: Path, srkg: Run) -> None:
    target = tmp_path / "restored"
    code, err = srkg(target, "restore", str(source.archive))
    assert code == 0, err
    assert "restored into" in err and "everyone signs in again" in err

    # every quad of every graph, blank nodes included, and the default graph
    before, after = _source_graphs(source.data_dir), _embedded_graphs(target)
    assert {BLANK_GRAPH, DEFAULT_GRAPH, f"https://w3id.org/srkg/graph/submission/{source.submission}"} <= set(after)
    assert len(after["https://w3id.org/srkg/graph/ontology"]) > 1000
    _same_dataset(before, after)

    # users: roles, names, disabled state and password hashes; passwords still verify
    users_sql = "SELECT username, display_name, role, password_hash, created_at, disabled_at FROM users ORDER BY 1"
    assert _rows(account_store_path(target), users_sql) == _rows(account_store_path(source.data_dir), users_sql)
    accounts = AccountStore(account_store_path(target))
    alice = accounts.verify("alice", PASSWORD)
    assert alice is not None and (alice.role, alice.display_name) == ("contributor", "Alice Ng")
    assert accounts.verify("rita", "wrong password here") is None
    assert accounts.get("bob").disabled and accounts.verify("bob", PASSWORD + "?") is None
    # web sessions are not carried over: the cookie worked before and is unknown after
    assert SessionStore(account_store_path(source.data_dir)).username(source.session) == "alice"
    assert SessionStore(account_store_path(target)).username(source.session) is None

    # tokens: a token made before still authenticates, for the same user; a revoked one stays revoked
    tokens = TokenStore(token_store_path(target))
    assert tokens.list() == TokenStore(token_store_path(source.data_dir)).list()
    rita = tokens.check(source.tokens["rita-laptop"])
    assert rita is not None and rita.active and rita.username == "rita"
    assert tokens.check(source.tokens["project"]).active
    assert not tokens.check(source.tokens["old-import"]).active

    # submissions: same rows, identical history, every uploaded file and report byte for byte
    old, new = Registry(submissions_dir(source.data_dir)), Registry(submissions_dir(target))
    assert new.list() == old.list() and [s.state for s in new.list()] == ["published"]
    assert new.history(source.submission) == old.history(source.submission)
    assert [h.action for h in new.history(source.submission)] == ["upload", "validate", "accept", "publish"]
    assert new.revision(source.submission, 1) == old.revision(source.submission, 1)
    folder = f"{source.submission}/r1"
    restored_files = _files(submissions_dir(target) / folder)
    assert restored_files == _files(submissions_dir(source.data_dir) / folder)
    assert {"source/remediation-survey.xlsx", "report.json", "load.nt"} <= set(restored_files)

    # the bootstrap state: a restored server does not reload what it already has
    assert state_path(target).read_bytes() == state_path(source.data_dir).read_bytes()
    store = OxigraphStore(target / "store", query_workers=1)
    try:
        reports = bootstrap(store, state_path(target), default_sources(source.data_dir.parent / "res"),
                            progress=lambda _: None)
    finally:
        store.close()
    assert {r.action for r in reports} == {"unchanged"}


def test_archive_holds_a_manifest_and_never_a_token_secret(source: Source) -> None:
    with tarfile.open(source.archive, "r:gz") as tar:
        names = tar.getnames()
        contents = {name: tar.extractfile(name).read() for name in names}  # type: ignore[union-attr]
    assert names[0] == "manifest.json" and names[1] == "store.nq"
    manifest = json.loads(contents["manifest.json"])
    assert manifest["format"] == "srkg-backup" and manifest["backend"] == "oxigraph"
    assert set(manifest["members"]) == set(names[1:])
    for name, member in manifest["members"].items():
        assert hashlib.sha256(contents[name]).hexdigest() == member["sha256"], name
    assert manifest["members"]["data/accounts.sqlite"]["records"] == {"users": 3}
    assert manifest["members"]["data/tokens.sqlite"]["records"] == {"tokens": 3}
    assert manifest["members"]["data/submissions/registry.sqlite"]["records"]["history"] == 4
    assert manifest["store"]["quads"] == contents["store.nq"].count(b"\n")
    for secret in [*source.tokens.values(), source.session]:
        assert not any(secret.encode() in data for data in contents.values())


# --- refusals ----------------------------------------------------------------------------------------------------
def _rewrite(archive: Path, out: Path, drop: str | None = None, change: str | None = None) -> Path:
    """A copy of ``archive`` without member ``drop``, or with one byte of member ``change`` altered."""
    with tarfile.open(archive, "r:gz") as tar, tarfile.open(out, "w:gz") as copy:
        for member in tar.getmembers():
            data = tar.extractfile(member).read()  # type: ignore[union-attr]
            if member.name == drop:
                continue
            if member.name == change:
                data = data[:100] + bytes([data[100] ^ 0x20]) + data[101:]
            copy.addfile(member, io.BytesIO(data))
    return out


def _damaged(kind: str, archive: Path, folder: Path) -> Path:
    out = folder / f"{kind}.tar.gz"
    data = archive.read_bytes()
    if kind == "flipped-byte":
        middle = len(data) // 2
        out.write_bytes(data[:middle] + bytes([data[middle] ^ 0x01]) + data[middle + 1:])
    elif kind == "truncated":
        out.write_bytes(data[: len(data) * 2 // 3])
    elif kind == "missing-member":
        _rewrite(archive, out, drop="data/tokens.sqlite")
    elif kind == "altered-member":
        _rewrite(archive, out, change="store.nq")
    elif kind == "not-gzip":
        out.write_bytes(gzip.decompress(data)[:-2048].replace(b"srkg-backup", b"other-thing"))
    return out


@pytest.fixture(scope="module")
def occupied_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data_dir = tmp_path_factory.mktemp("occupied") / "data"
    data_dir.mkdir()
    store = ox.Store(str(data_dir / "store"))
    store.add(ox.Quad(ox.NamedNode("https://example.org/a"), ox.NamedNode("https://example.org/p"), ox.BlankNode(),
                      ox.NamedNode("https://example.org/graph/mine")))
    store.flush()
    del store
    AccountStore(account_store_path(data_dir)).add("owner", PASSWORD, "admin")
    return data_dir


@pytest.fixture
def occupied(occupied_template: Path, tmp_path: Path) -> Path:
    """A data dir that already holds something: one graph and one user (a copy for each test)."""
    return Path(shutil.copytree(occupied_template, tmp_path / "occupied"))


@pytest.mark.parametrize(
    ("kind", "words"),
    [
        ("flipped-byte", "damaged or truncated"),
        ("truncated", "damaged or truncated"),
        ("missing-member", "incomplete, listed in the manifest but missing: data/tokens.sqlite"),
        ("altered-member", "store.nq: damaged (sha256"),
        ("not-gzip", "manifest.json"),
    ],
)
def test_a_bad_archive_is_refused_and_nothing_changes(
    source: Source, occupied: Path, tmp_path: Path, srkg: Run, kind: str, words: str
) -> None:
    bad = _damaged(kind, source.archive, tmp_path)
    before = _state(occupied)
    code, err = srkg(occupied, "restore", str(bad), "--force")
    assert code == 1
    assert words in err and str(bad) in err
    assert _state(occupied) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([bad.name, "occupied"])  # no work folder left


def test_a_non_empty_target_needs_force(source: Source, occupied: Path, srkg: Run) -> None:
    before = _state(occupied)
    code, err = srkg(occupied, "restore", str(source.archive))
    assert code == 1 and "--force" in err and "not empty" in err and "accounts.sqlite" in err
    assert _state(occupied) == before
    code, err = srkg(occupied, "restore", str(source.archive), "--dry-run")
    assert code == 0 and "nothing was changed" in err
    assert _state(occupied) == before

    occupied_log = RevisionLog(occupied / REVISION_LOG)
    occupied_log.bump(["urn:x-test:before-restore"])  # what the old store's writes left (indexes kept on disk)
    code, err = srkg(occupied, "restore", str(source.archive), "--force")
    assert code == 0, err
    assert RevisionLog(occupied / REVISION_LOG).current().epoch != occupied_log.current().epoch  # none read back
    assert [u.username for u in AccountStore(account_store_path(occupied)).list()] == ["alice", "bob", "rita"]
    _same_dataset(_source_graphs(source.data_dir), _embedded_graphs(occupied))
    assert sorted(p.name for p in occupied.parent.iterdir()) == ["occupied"]  # the previous data is gone too


def test_a_store_dump_is_still_restored_as_before(occupied: Path, tmp_path: Path, srkg: Run) -> None:
    dump = tmp_path / "graph.nq"
    dump.write_text('<http://example.org/s> <http://example.org/p> "o" <http://example.org/g> .\n', "utf-8")
    code, err = srkg(occupied, "restore", str(dump), "-q")
    assert code == 0, err
    assert {name: len(g) for name, g in _embedded_graphs(occupied).items()} == {"http://example.org/g": 1}
    assert [u.username for u in AccountStore(account_store_path(occupied)).list()] == ["owner"]


# The app with /admin/backup, as `srkg serve` builds it (the router is added here while app.py does not list it).
SERVE = """
import sys, uvicorn
from sparql_api.backup import endpoint
from sparql_api.config import load_settings
from sparql_api.server import create_app
from sparql_api.store.factory import open_store
settings = load_settings()
app = create_app(settings, open_store(settings))
if not any(getattr(route, "path", None) == "/admin/backup" for route in app.routes):
    app.include_router(endpoint.router)
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
"""


def _post(port: int, path: str, token: str | None = None) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request("POST", path, headers={"Authorization": f"Bearer {token}"} if token else {})
        reply = conn.getresponse()
        return reply.status, {k.lower(): v for k, v in reply.getheaders()}, reply.read()
    finally:
        conn.close()


@contextmanager
def _running_server(data_dir: Path, log: Path) -> Iterator[int]:
    port = free_port()
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("SRKG_")}, "SRKG_DATA_DIR": str(data_dir)}
    with log.open("wb") as out:
        proc = subprocess.Popen([sys.executable, "-c", SERVE, str(port)], stdout=out, stderr=subprocess.STDOUT,
                                env=env, cwd=REPO)
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None and time.monotonic() < deadline, log.read_text()
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    break
            except OSError:
                time.sleep(0.2)
        yield port
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_a_running_server_is_backed_up_by_itself(source: Source, tmp_path: Path, srkg: Run) -> None:
    """The CLI says to stop the server (it holds the store); the server's /admin/backup (admin token) makes the
    same archive while it runs."""
    live = tmp_path / "live"
    assert srkg(live, "restore", str(source.archive), "-q")[0] == 0
    with _running_server(live, tmp_path / "server.log") as port:
        code, err = srkg(live, "backup", str(tmp_path / "cli.tar.gz"))
        assert code == 1 and "stop the server first" in err and not (tmp_path / "cli.tar.gz").exists()
        code, err = srkg(live, "restore", str(source.archive), "--force")
        assert code == 1 and "stop the server first" in err

        assert _post(port, "/admin/backup")[0] == 401
        assert _post(port, "/admin/backup", source.tokens["rita-laptop"])[0] == 403  # a reviewer's token
        status, headers, body = _post(port, "/admin/backup", source.tokens["project"])
    assert status == 200 and headers["content-type"] == "application/gzip"
    assert 'filename="srkg-backup-' in headers["content-disposition"]
    archive = tmp_path / "from-server.tar.gz"
    archive.write_bytes(body)
    again = tmp_path / "again"
    code, err = srkg(again, "restore", str(archive))
    assert code == 0, err
    # the server made the summary graphs of the source's case graphs when it started: compare the rest
    restored = _embedded_graphs(again)
    assert any(is_summary_graph(name) for name in restored)
    _same_dataset(_source_graphs(source.data_dir),
                  {name: graph for name, graph in restored.items() if not is_summary_graph(name)})
    assert TokenStore(token_store_path(again)).check(source.tokens["rita-laptop"]).username == "rita"
    assert Registry(submissions_dir(again)).history(source.submission) == Registry(
        submissions_dir(source.data_dir)).history(source.submission)


def test_backup_refuses_a_name_it_would_not_recognise_or_overwrite(source: Source, srkg: Run) -> None:
    code, err = srkg(source.data_dir, "backup", str(source.archive.with_suffix(".zip")))
    assert code == 2 and ".tar.gz" in err
    code, err = srkg(source.data_dir, "backup", str(source.archive))
    assert code == 1 and "already exists" in err


def test_a_failed_swap_puts_every_entry_back(tmp_path: Path) -> None:
    """A rename that fails half-way (here: the place set aside for ``b`` is taken) undoes the ones done."""
    data_dir, new, aside = tmp_path / "data", tmp_path / "new", tmp_path / "aside"
    for folder, text in ((data_dir, "old"), (new, "new")):
        folder.mkdir()
        for name in ("a", "b"):
            (folder / name).write_text(f"{text} {name}")
    (aside / "b").mkdir(parents=True)
    (aside / "b" / "in-the-way").write_text("x")
    with pytest.raises(BackupError, match="the previous data is back in place"):
        replace_entries(data_dir, new, ["a", "b"], aside)
    assert {p.name: p.read_text() for p in data_dir.iterdir()} == {"a": "old a", "b": "old b"}
    assert {p.name: p.read_text() for p in new.iterdir()} == {"a": "new a", "b": "new b"}


# --- the remote backend ------------------------------------------------------------------------------------------
@pytest.mark.virtuoso
def test_round_trip_through_virtuoso(source: Source, virtuoso: VirtuosoServer, tmp_path: Path,  # noqa: F811
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """Remote store: the quads go through the Store interface, the accounts stay in the local data dir."""
    for name, value in {"SRKG_REMOTE_QUERY_URL": virtuoso.query_url, "SRKG_REMOTE_UPDATE_URL": virtuoso.update_url,
                        "SRKG_REMOTE_GSP_URL": virtuoso.gsp_url, "SRKG_REMOTE_USER": ADMIN_USER,
                        "SRKG_REMOTE_PASSWORD": ADMIN_PASSWORD}.items():
        monkeypatch.setenv(name, value)
    remote = open_remote(virtuoso)
    try:
        wipe(remote)
        local = tmp_path / "remote-data"
        monkeypatch.setenv("SRKG_STORE", "sparql")
        monkeypatch.setenv("SRKG_DATA_DIR", str(local))
        code = main(["restore", str(source.archive), "-q"])
        assert code == 0
        before = _graphs(remote)
        # the source was written without summaries; the restore made them: compare the rest
        _same_dataset(_source_graphs(source.data_dir),
                      {name: graph for name, graph in before.items() if not is_summary_graph(name)})
        assert any(is_summary_graph(name) for name in before)
        assert TokenStore(token_store_path(local)).check(source.tokens["rita-laptop"]).username == "rita"

        archive = tmp_path / "from-virtuoso.tar.gz"
        assert main(["backup", str(archive), "-q"]) == 0
        remote.drop_graph(BLANK_GRAPH)
        assert main(["restore", str(archive), "-q"]) == 1  # not empty: the store holds data
        assert main(["restore", str(archive), "-q", "--force"]) == 0
        _same_dataset(before, _graphs(remote))
        assert Registry(submissions_dir(local)).history(source.submission) == Registry(
            submissions_dir(source.data_dir)).history(source.submission)
    finally:
        wipe(remote)
        remote.close()
