"""Every write route, walked with every kind of bad credential: all refused, nothing written.

The routes come from the live server's /openapi.json *and* from the application's own route table (routes with
``include_in_schema=False`` are writes too); a write route this file cannot classify fails the test, so a new one
cannot slip in unchecked. Each is called with no credential, a malformed bearer, a revoked token, an expired
token, an expired and an idle web session (with a valid CSRF pair, so that only the session can be the reason),
and the wrong role. Refused means 401/403, or 404 where the route hides what exists (someone else's submission,
the loopback-only SERVICE forwarder), or for the one browser-only form a 303 to /login; never 2xx or 5xx.
Nothing written means: per-graph triple counts, users, tokens, sessions and the submission registry unchanged.
"""

from __future__ import annotations

import json
import re
import sqlite3
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
from server.live_server import LiveServer, Reply

from sparql_api.accounts.sessions import COOKIE as SESSION_COOKIE
from sparql_api.accounts.sessions import IDLE, LIFETIME, SessionStore
from sparql_api.accounts.users import AccountStore, account_store_path
from sparql_api.server.auth import CSRF_COOKIE
from sparql_api.server.tokens import token_store_path
from sparql_api.submissions.registry import Registry
from sparql_api.submissions.service import submissions_dir

from .conftest import PASSWORD, PEOPLE

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
GRAPH = "http://sec.example/walk"
AGROVOC = "https://w3id.org/srkg/graph/agrovoc"
CSRF = "walk-csrf-token-0123456789abcdef"
TURTLE = b"@prefix ex: <http://sec.example/> .\nex:walk ex:wrote \"should never be stored\" .\n"
INSERT = f"INSERT DATA {{ GRAPH <{GRAPH}> {{ <http://sec.example/s> <http://sec.example/p> 'written' }} }}"
ALICE, BOB, RITA, ADAM = "sec-alice", "sec-bob", "sec-rita", "sec-adam"
assert set(PEOPLE) == {ALICE, BOB, RITA, ADAM}


# --- the routes --------------------------------------------------------------------------------------------------
def _normal(path: str) -> str:
    """``/x/{path:path}`` (app) and ``/x/{path}`` (OpenAPI) name the same route."""
    return re.sub(r"\{(\w+)(?::[^}]*)?\}", r"{\1}", path)


def _app_routes(routes: list, prefix: str = "") -> Iterator[tuple[str, str, bool]]:
    """(method, path, in schema) of every route, descending into included routers and mounts."""
    for route in routes:
        inner = getattr(route, "original_router", None)  # FastAPI ≥ 0.16x keeps included routers lazily
        if inner is not None:
            yield from _app_routes(inner.routes, prefix + route.include_context.prefix)
            continue
        if getattr(route, "routes", None) and hasattr(route, "path"):  # a Mount with its own routes
            yield from _app_routes(route.routes, prefix + route.path)
            continue
        for method in getattr(route, "methods", None) or ():
            yield method, _normal(prefix + route.path), getattr(route, "include_in_schema", True)


def app_write_routes(data_dir: Path) -> set[tuple[str, str]]:
    from sparql_api.config import Settings
    from sparql_api.server.app import create_app
    from sparql_api.store.oxigraph_store import OxigraphStore

    store = OxigraphStore(None)
    try:
        app = create_app(Settings(data_dir=data_dir), store)
        return {(m, p) for m, p, _ in _app_routes(app.routes) if m in WRITE_METHODS}
    finally:
        store.close()


def schema_write_routes(server: LiveServer) -> set[tuple[str, str]]:
    reply = server.request("GET", "/openapi.json")
    assert reply.status == 200
    paths = json.loads(reply.body)["paths"]
    return {(m.upper(), _normal(p)) for p, ops in paths.items() for m in ops if m.upper() in WRITE_METHODS}


# --- what each route is called with ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Call:
    method: str
    route: str  # the route's template, as classified
    url: str  # with real ids
    body: bytes = b""
    content_type: str | None = None
    # People whose role is not enough for this call (as owner, creator or reviewer where that matters).
    wrong: tuple[str, ...] = ()
    hides: bool = False  # 404 is a refusal here (the route does not reveal what exists)
    browser_only: bool = False  # anonymous callers are sent to /login (303)
    fields: dict[str, str] = field(default_factory=dict)  # form/JSON fields (the CSRF field is added)
    # Open by design: signing out needs no role, and ends (only) the caller's own session.
    open_logout: bool = False


@dataclass(frozen=True)
class Fixtures:
    submission: str
    plan: str
    stage: str
    direct: str  # a graph made with direct identification, so a refused DELETE has something to delete


def _form(fields: dict[str, str]) -> tuple[bytes, str]:
    from urllib.parse import urlencode

    return urlencode(fields).encode(), "application/x-www-form-urlencoded"


def _multipart(fields: dict[str, str], file: bytes, name: str) -> tuple[bytes, str]:
    boundary = "walk" + uuid.uuid4().hex
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
             for k, v in fields.items()]
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
                 "Content-Type: text/turtle\r\n\r\n".encode() + file + b"\r\n")
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def calls(fx: Fixtures) -> list[Call]:
    admin_only = (ALICE, RITA)
    gsp = f"/rdf-graph-store?graph={quote(GRAPH, safe='')}"
    sub = f"/submissions/{fx.submission}"
    out = [
        Call("POST", "/sparql", "/sparql", INSERT.encode(), "application/sparql-update", admin_only),
        Call("PUT", "/rdf-graph-store", gsp, TURTLE, "text/turtle", admin_only),
        Call("POST", "/rdf-graph-store", gsp, TURTLE, "text/turtle", admin_only),
        Call("DELETE", "/rdf-graph-store", f"/rdf-graph-store?graph={quote(AGROVOC, safe='')}", wrong=admin_only),
        Call("PUT", "/rdf-graph-store/{path}", f"/rdf-graph-store/{fx.direct}", TURTLE, "text/turtle", admin_only),
        Call("POST", "/rdf-graph-store/{path}", f"/rdf-graph-store/{fx.direct}", TURTLE, "text/turtle", admin_only),
        Call("DELETE", "/rdf-graph-store/{path}", f"/rdf-graph-store/{fx.direct}", wrong=admin_only),
        # Writes nothing, but hands out everything (accounts and tokens files included): admins only.
        Call("POST", "/admin/backup", "/admin/backup", wrong=admin_only),
        # Loopback-only forwarder for SERVICE calls; no endpoint is configured here, so it has nothing to offer.
        Call("POST", "/service-proxy/{index}", "/service-proxy/0", b"ASK {}", "application/sparql-query",
             hides=True),
        Call("POST", "/submissions", "/submissions", wrong=()),  # any signed-in person may upload
        Call("POST", "/submissions/{key}/revisions", f"{sub}/revisions", wrong=(BOB, RITA, ADAM), hides=True),
        Call("POST", "/submissions/{key}/{action}", f"{sub}/accept", wrong=(BOB,), hides=True),
        *(Call("POST", "/submissions/{key}/{action}", f"{sub}/{action}", wrong=(ALICE, BOB), hides=True,
               fields={"reason": "walk"})
          for action in ("publish", "reject", "withdraw")),
        Call("POST", "/checklist/plans", "/checklist/plans", fields={"pollutant": "cadmium"}),
        Call("POST", "/checklist/plans/{plan_id}/stages/{stage}", f"/checklist/plans/{fx.plan}/stages/{fx.stage}",
             wrong=(BOB, RITA), fields={"status": "done"}),
        Call("POST", "/cases/assessment/new", "/cases/assessment/new",
             fields={"case": "x", "framework": "surf-uk"}),
        # Open by design (they are how a browser gets or drops a session); a bad sign-in must still write nothing.
        Call("POST", "/login", "/login", fields={"username": ADAM, "password": "not the password", "next": "/"}),
        Call("POST", "/logout", "/logout", open_logout=True),
    ]
    return out


def request_body(call: Call, with_csrf: bool) -> tuple[bytes, str | None]:
    """The body for ``call``: its own, or its fields as a form (multipart with a file for uploads)."""
    fields = {**call.fields, **({"csrf_token": CSRF} if with_csrf else {})}
    if call.route in ("/submissions", "/submissions/{key}/revisions"):
        return _multipart(fields, TURTLE, "walk.ttl")
    if call.body:
        return call.body, call.content_type
    if call.route == "/submissions/{key}/{action}":
        return json.dumps(fields).encode(), "application/json"
    return _form(fields) if fields else (b"", None)


# --- credentials -----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Credential:
    name: str
    headers: dict[str, str]
    session: bool = False  # a session cookie (sent with a matching CSRF cookie and field)


@pytest.fixture(scope="module")
def credentials(secured: LiveServer) -> dict[str, Credential]:
    tokens = secured.tokens
    revoked = tokens.create("walk-revoked", username=ADAM)
    assert tokens.revoke("walk-revoked")
    expired = tokens.create("walk-expired", expires_at=datetime.now(UTC) - timedelta(minutes=1))  # project (admin)
    sessions = SessionStore(account_store_path(secured.data_dir))
    now = datetime.now(UTC)
    old = sessions.start(ADAM, at=now - LIFETIME - timedelta(minutes=5))
    idle = sessions.start(ADAM, at=now - IDLE - timedelta(minutes=5))
    assert sessions.username(old) is None and sessions.username(idle) is None
    fresh = sessions.start(ADAM)  # control: the same cookie shape, live, is accepted
    assert sessions.username(fresh) == ADAM
    sessions.end(fresh)

    def cookie(secret: str) -> dict[str, str]:
        return {"Cookie": f"{SESSION_COOKIE}={secret}; {CSRF_COOKIE}={CSRF}"}

    return {
        "none": Credential("none", {}),
        "malformed": Credential("malformed", {"Authorization": "Bearer srkg_not-a-real-token"}),
        "malformed-basic": Credential("malformed-basic", {"Authorization": "Basic !!!"}),
        "revoked": Credential("revoked", {"Authorization": f"Bearer {revoked}"}),
        "expired": Credential("expired", {"Authorization": f"Bearer {expired}"}),
        "expired-session": Credential("expired-session", cookie(old), session=True),
        "idle-session": Credential("idle-session", cookie(idle), session=True),
    }


@pytest.fixture(scope="module")
def people(secured: LiveServer) -> dict[str, dict[str, str]]:
    return {name: {"Authorization": f"Bearer {secured.tokens.create(f'walk-{name}', username=name)}"}
            for name in PEOPLE}


# --- real ids ----------------------------------------------------------------------------------------------------
def _json(reply: Reply) -> dict:
    assert reply.media_type == "application/json", (reply.status, reply.text[:300])
    return json.loads(reply.body)


@pytest.fixture(scope="module")
def fixtures(secured: LiveServer, people: dict[str, dict[str, str]]) -> Fixtures:
    alice = {**people[ALICE], "Accept": "application/json"}
    body, media = _multipart({}, TURTLE, "walk.ttl")
    uploaded = secured.request("POST", "/submissions", body, {**alice, "Content-Type": media})
    assert uploaded.status == 202, uploaded.text
    key = _json(uploaded)["id"]
    deadline = time.monotonic() + 60
    while _json(secured.request("GET", f"/submissions/{key}.json", headers=alice))["ingest"] == "pending":
        assert time.monotonic() < deadline, "the walk's submission was never validated"
        time.sleep(0.2)
    made = secured.request("POST", "/checklist/plans", b"pollutant=cadmium",
                           {**alice, "Content-Type": "application/x-www-form-urlencoded"})
    assert made.status == 201, made.text
    plan = _json(made)["id"]
    stages = _json(secured.request("GET", f"/checklist/plans/{plan}?format=json"))["stages"]
    stage = stages[0]["iri"].rsplit("/", 1)[-1]
    direct = "walk-direct"
    put = secured.request("PUT", f"/rdf-graph-store/{direct}", TURTLE,
                          {**secured.auth(), "Content-Type": "text/turtle"})
    assert put.status in (201, 204), put.text
    return Fixtures(key, plan, stage, direct)


# --- what "nothing written" compares ---------------------------------------------------------------------------
def snapshot(server: LiveServer) -> dict[str, object]:
    # A comment that differs each time, so that no result cache can answer with an old count.
    counts = server.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g "
                          f"# {uuid.uuid4().hex}", "text/csv")
    default = server.request("GET", "/rdf-graph-store?default", headers={"Accept": "application/n-triples"})
    assert counts.status == 200 and default.status == 200
    accounts = account_store_path(server.data_dir)
    with sqlite3.connect(accounts) as db:
        sessions = sorted(db.execute("SELECT session_hash, username, expires_at FROM sessions"))
    registry = Registry(submissions_dir(server.data_dir))
    return {
        "graphs": sorted(counts.text.splitlines()),
        "default": sorted(default.text.splitlines()),
        "users": sorted((u.username, u.role, u.disabled) for u in AccountStore(accounts).list()),
        "tokens": sorted((t.name, t.revoked_at, t.expires_at) for t in server.tokens.list()),
        "sessions": sessions,
        "submissions": sorted((s.id, s.state, s.revision, len(registry.history(s.id))) for s in registry.list()),
    }


# --- the checks --------------------------------------------------------------------------------------------------
def refused(call: Call, reply: Reply) -> bool:
    if call.open_logout:  # never an error of the server's; a 303 only ends the caller's own session
        return reply.status < 500
    if reply.status in (401, 403) or (call.hides and reply.status == 404):
        return True
    return call.browser_only and reply.status == 303 and reply.headers.get("location", "").startswith("/login")


def attempt(server: LiveServer, call: Call, headers: dict[str, str], with_csrf: bool) -> Reply:
    body, media = request_body(call, with_csrf)
    sent = {"Accept": "application/json", **headers, **({"Content-Type": media} if media else {})}
    return server.request(call.method, call.url, body, sent)


def test_every_write_route_is_classified(secured: LiveServer, tmp_path: Path) -> None:
    schema = schema_write_routes(secured)
    app = app_write_routes(tmp_path)
    assert schema <= app, f"the schema lists write routes the app does not have: {schema - app}"
    hidden = app - schema
    assert ("POST", "/login") in hidden  # the app's table really is read beyond the schema
    known = {(c.method, c.route) for c in calls(Fixtures("s", "p", "st", "d"))}
    assert app <= known, f"write routes nobody checked: {sorted(app - known)}; add them to calls()"
    assert known <= app, f"calls() names routes that no longer exist: {sorted(known - app)}"


def test_snapshot_notices_a_write(secured: LiveServer) -> None:
    """The comparison below can fail: a real write changes the snapshot."""
    before = snapshot(secured)
    assert secured.request("PUT", f"/rdf-graph-store?graph={GRAPH}-control", TURTLE,
                           {**secured.auth(), "Content-Type": "text/turtle"}).status == 201
    assert snapshot(secured) != before
    assert secured.request("DELETE", f"/rdf-graph-store?graph={GRAPH}-control", None, secured.auth()).status == 200
    assert snapshot(secured) == before


def test_bad_credentials_are_refused_everywhere_and_write_nothing(
    secured: LiveServer, credentials: dict[str, Credential], fixtures: Fixtures
) -> None:
    before = snapshot(secured)
    failures = []
    for call in calls(fixtures):
        for cred in credentials.values():
            reply = attempt(secured, call, cred.headers, with_csrf=cred.session)
            if not refused(call, reply):
                failures.append(f"{call.method} {call.url} with {cred.name}: {reply.status} {reply.text[:160]!r}")
        after = snapshot(secured)
        if call.open_logout:
            assert set(after.pop("sessions")) <= set(before["sessions"])  # type: ignore[call-overload]
            after["sessions"] = before["sessions"]
        assert after == before, f"{call.method} {call.url} changed the data: {_diff(before, after)}"
    assert not failures, "\n".join(failures)


def test_expired_credentials_say_so(secured: LiveServer, credentials: dict[str, Credential]) -> None:
    reply = secured.request("POST", "/sparql", INSERT, {"Content-Type": "application/sparql-update",
                                                        **credentials["expired"].headers})
    assert reply.status == 401 and "walk-expired" in reply.text and "expired" in reply.text
    assert 'error="invalid_token"' in reply.headers["www-authenticate"]
    account = secured.request("GET", "/account", headers={"Accept": "application/json",
                                                          **credentials["expired-session"].headers})
    assert account.status == 401


def test_wrong_roles_are_refused_and_write_nothing(
    secured: LiveServer, people: dict[str, dict[str, str]], fixtures: Fixtures
) -> None:
    before = snapshot(secured)
    failures = []
    checked = 0
    for call in calls(fixtures):
        for person in call.wrong:
            reply = attempt(secured, call, people[person], with_csrf=False)
            checked += 1
            if not refused(call, reply):
                failures.append(f"{call.method} {call.url} as {person} ({PEOPLE[person]}): {reply.status} "
                                f"{reply.text[:160]!r}")
        after = snapshot(secured)
        assert after == before, f"{call.method} {call.url} changed the data: {_diff(before, after)}"
    assert not failures, "\n".join(failures)
    assert checked >= 20


def test_the_right_role_gets_past_the_checks(secured: LiveServer, people: dict[str, dict[str, str]],
                                             fixtures: Fixtures) -> None:
    """Control for the walk: the refusals above come from the roles, not from malformed calls."""
    owner_accept = attempt(secured, Call("POST", "", f"/submissions/{fixtures.submission}/accept"), people[ALICE],
                           with_csrf=False)
    assert owner_accept.status not in (401, 403, 404), owner_accept.text  # 200, or 409 if nothing is acceptable
    stage = attempt(secured, Call("POST", "", f"/checklist/plans/{fixtures.plan}/stages/{fixtures.stage}",
                                  fields={"status": "in-progress"}), people[ADAM], with_csrf=False)
    assert stage.status == 200, stage.text


def _diff(before: dict[str, object], after: dict[str, object]) -> str:
    return "; ".join(f"{k}: {before[k]!r} -> {after[k]!r}" for k in before if before[k] != after[k])


def test_no_secret_is_stored_in_clear_or_logged(
    secured: LiveServer, people: dict[str, dict[str, str]], credentials: dict[str, Credential]
) -> None:
    """After the walk (runs last): the server's log and the account and token files hold no secret."""
    secrets = [h["Authorization"].split(" ", 1)[1] for h in people.values()]
    secrets += [c.headers["Authorization"].split(" ", 1)[1] for c in credentials.values()
                if c.headers.get("Authorization", "").startswith("Bearer ")]
    secrets += [c.headers["Cookie"].split(";")[0].split("=", 1)[1] for c in credentials.values() if c.session]
    secrets += [secured.token, PASSWORD, "not the password"]
    files = {"log": secured.log, "tokens": token_store_path(secured.data_dir),
             "accounts": account_store_path(secured.data_dir)}
    contents = {name: path.read_bytes() for name, path in files.items()}
    assert len(contents["log"]) > 1000  # the log is there and has the walk in it
    leaks = [f"{name} holds {secret[:12]}…" for secret in secrets for name, data in contents.items()
             if secret.encode() in data]
    assert not leaks, leaks
