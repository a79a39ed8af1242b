"""Operations over real HTTP: request ids, JSON access logs without secrets, /metrics, per-client rate limits,
URL and query length limits, and security headers on every kind of HTML answer."""

from __future__ import annotations

import http.client
import json
import re
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pytest
import uvicorn

from server.live_server import LiveServer, make_resources, start_server
from sparql_api.accounts.users import AccountStore, account_store_path
from sparql_api.config import Settings
from sparql_api.server import create_app
from sparql_api.server.long_url import LongUrlHttpToolsProtocol
from sparql_api.server.metrics import store_lines
from sparql_api.server.rate_limit import RateLimiter
from sparql_api.server.security_headers import script_hashes
from sparql_api.store.oxigraph_store import OxigraphStore
from sparql_api.store.result_cache import CacheSettings, with_result_cache

ASK = "ASK { ?s ?p ?o }"
JSON = "application/sparql-results+json"
PASSWORD = "operations password 1"
MAX_QUERY = 2000
MAX_URL = 4096
BURST = 4


@pytest.fixture(scope="module")
def ops(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """No rate limit (the default in tests), small query and URL caps."""
    workdir = tmp_path_factory.mktemp("srkg-ops")
    live = start_server(workdir, resources=make_resources(workdir / "resources"),
                        env={"SRKG_MAX_QUERY_BYTES": str(MAX_QUERY), "SRKG_MAX_URL_BYTES": str(MAX_URL)})
    yield live
    live.stop()


@pytest.fixture(scope="module")
def limited(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A small rate limit behind a (pretend) proxy, so each test can be a different client; /metrics for 10/8."""
    workdir = tmp_path_factory.mktemp("srkg-limited")
    live = start_server(workdir, resources=make_resources(workdir / "resources"),
                        env={"SRKG_RATE_LIMIT": "30", "SRKG_RATE_BURST": str(BURST), "SRKG_TRUST_PROXY": "1",
                             "SRKG_METRICS_ALLOW": "10.0.0.0/8"})
    yield live
    live.stop()


def access_lines(server: LiveServer, request_id: str, wait_s: float = 5.0) -> list[dict]:
    """The server's JSON log lines for ``request_id`` (the access line is written just after the answer)."""
    deadline = time.monotonic() + wait_s
    while True:
        found = [line for line in json_lines(server) if line.get("request_id") == request_id]
        if any(line["logger"] == "srkg.access" for line in found) or time.monotonic() > deadline:
            return found
        time.sleep(0.05)


def json_lines(server: LiveServer) -> list[dict]:
    return [json.loads(line) for line in server.log.read_text().splitlines() if line.startswith("{")]


# --- request ids and logs ----------------------------------------------------------------------------------------
def test_a_sane_request_id_is_echoed_and_in_the_access_line(ops: LiveServer) -> None:
    reply = ops.request("GET", "/sparql?" + urlencode({"query": ASK}), headers={"Accept": JSON,
                                                                                 "X-Request-ID": "ops-test.0001"})
    assert reply.status == 200 and reply.headers["x-request-id"] == "ops-test.0001"
    [line] = [x for x in access_lines(ops, "ops-test.0001") if x["logger"] == "srkg.access"]
    assert line["method"] == "GET" and line["path"] == "/sparql" and line["route"] == "/sparql"
    assert line["status"] == 200 and line["bytes"] == len(reply.body) and line["client"] == "127.0.0.1"
    assert line["duration_ms"] >= 0 and line["user"] is None
    assert "?s ?p ?o" not in json.dumps(line)  # the query string is not logged


@pytest.mark.parametrize("incoming", ["has spaces", "x" * 200, "new\nline", "<script>"])
def test_an_unsafe_request_id_is_replaced_and_named_in_the_problem(ops: LiveServer, incoming: str) -> None:
    reply = ops.request("GET", "/no-such-page", headers={"X-Request-ID": incoming.replace("\n", " ")})
    made = reply.headers["x-request-id"]
    assert reply.status == 404 and re.fullmatch(r"[0-9a-f]{16}", made)
    assert reply.text.rstrip("\n").splitlines()[-1] == f"Request id: {made}"
    [line] = [x for x in access_lines(ops, made) if x["logger"] == "srkg.access"]
    assert line["route"] == "(unmatched)" and line["status"] == 404


def test_every_server_log_line_of_ours_is_json_and_uvicorn_access_lines_are_off(ops: LiveServer) -> None:
    ops.request("GET", "/query", headers={"X-Request-ID": "ops-json-lines"})
    assert access_lines(ops, "ops-json-lines")
    text = ops.log.read_text()
    for raw in text.splitlines():
        if raw.startswith("{"):
            line = json.loads(raw)
            assert {"time", "level", "logger", "request_id", "message"} <= line.keys()
    assert not re.search(r'"GET /query HTTP/1\.1" 200', text), "uvicorn's own access line is still on"


def test_no_token_password_or_session_cookie_reaches_the_log(ops: LiveServer) -> None:
    AccountStore(account_store_path(ops.data_dir)).add("ops-reviewer", PASSWORD, "reviewer")
    with httpx.Client(base_url=ops.url, follow_redirects=False, timeout=30) as browser:
        page = browser.get("/login")
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert csrf
        login = browser.post("/login", data={"username": "ops-reviewer", "password": PASSWORD, "next": "/account",
                                             "csrf_token": csrf.group(1)})
        assert login.status_code == 303
        session = browser.cookies["srkg_session"]
        account = browser.get("/account", headers={"X-Request-ID": "ops-session"})
        assert account.status_code == 200
        wrong = browser.post("/login", data={"username": "ops-reviewer", "password": PASSWORD + "-wrong",
                                             "csrf_token": csrf.group(1)})
        assert wrong.status_code == 401
    secret_in_url = "tok-" + "9" * 30
    with_token = ops.request("GET", "/search.json?" + urlencode({"q": "cadmium", "token": secret_in_url}),
                             headers={**ops.auth(), "X-Request-ID": "ops-token"})
    assert with_token.status == 200
    update = ops.request("POST", "/sparql", "INSERT DATA { <urn:x:s> <urn:x:p> 'o' }",
                         {"Content-Type": "application/sparql-update", **ops.auth(), "X-Request-ID": "ops-update"})
    assert update.status == 204
    [account_line] = [x for x in access_lines(ops, "ops-session") if x["logger"] == "srkg.access"]
    [token_line] = [x for x in access_lines(ops, "ops-token") if x["logger"] == "srkg.access"]
    [update_line] = [x for x in access_lines(ops, "ops-update") if x["logger"] == "srkg.access"]
    assert account_line["user"] == "ops-reviewer" and token_line["user"] == update_line["user"] == "token:test-curator"
    log = ops.log.read_text()
    for secret in (ops.token, PASSWORD, session, csrf.group(1), secret_in_url):
        assert secret not in log


# --- metrics -----------------------------------------------------------------------------------------------------
SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*",?)*\})? '
                    r"(-?[0-9.eE+-]+|\+Inf|NaN)$")


def parse_metrics(text: str) -> dict[str, float]:
    """Prometheus text format, strictly: every sample of a declared family, every line well formed."""
    assert text.endswith("\n")
    types: dict[str, str] = {}
    samples: dict[str, float] = {}
    for line in text.splitlines():
        if line.startswith("# TYPE "):
            _, _, name, kind = line.split(" ")
            assert kind in ("counter", "gauge", "histogram") and name not in types
            types[name] = kind
        elif line.startswith("# HELP "):
            continue
        else:
            match = SAMPLE.match(line)
            assert match, f"not a sample line: {line!r}"
            name = match.group(1)
            family = re.sub(r"_(bucket|sum|count)$", "", name) if name not in types else name
            assert family in types, f"{name} has no # TYPE line"
            samples[name + (match.group(2) or "")] = float(match.group(3))
    return samples


def test_metrics_parse_and_count_a_request(ops: LiveServer) -> None:
    key = 'srkg_http_requests_total{method="GET",route="/query/examples.json",status="2xx"}'
    before = parse_metrics(ops.request("GET", "/metrics").text).get(key, 0)
    assert ops.request("GET", "/query/examples.json").status == 200
    reply = ops.request("GET", "/metrics")
    assert reply.status == 200 and reply.media_type == "text/plain" and "version=0.0.4" in reply.headers["content-type"]
    samples = parse_metrics(reply.text)
    assert samples[key] == before + 1
    assert samples['srkg_http_request_duration_seconds_count{route="/query/examples.json"}'] >= 1
    assert samples["srkg_http_requests_in_flight"] >= 1  # the scrape itself
    assert samples["srkg_store_triples"] > 0
    assert samples["srkg_rate_limited_total"] == 0


def test_result_cache_counters_come_from_the_stores_cache_stats() -> None:
    store = with_result_cache(OxigraphStore(None), CacheSettings(max_bytes=1 << 20, ttl_s=None))
    for _ in range(2):
        store.query(ASK, JSON)
    samples = parse_metrics("\n".join(store_lines(None, store)) + "\n")
    assert samples["srkg_result_cache_hits_total"] == 1 and samples["srkg_result_cache_misses_total"] == 1
    assert samples["srkg_result_cache_entries"] == 1 and samples["srkg_result_cache_bytes"] > 0
    assert samples["srkg_result_cache_evictions_total"] == 0
    assert store_lines(None, OxigraphStore(None)) == []  # no cache, no cache lines


def test_metrics_can_be_restricted_to_networks_and_admins(limited: LiveServer) -> None:
    refused = limited.request("GET", "/metrics")
    assert refused.status == 403 and "SRKG_METRICS_ALLOW" in refused.text
    assert limited.request("GET", "/metrics", headers=limited.auth()).status == 200
    # uvicorn takes the client from X-Forwarded-For only on connections from a proxy on 127.0.0.1 (as here).
    assert limited.request("GET", "/metrics", headers={"X-Forwarded-For": "10.1.2.3"}).status == 200
    assert limited.request("GET", "/metrics", headers={"X-Forwarded-For": "203.0.113.9"}).status == 403


# --- rate limiting -----------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("path", "client"), [
    ("/sparql?" + urlencode({"query": ASK}), "203.0.113.10"),
    ("/rdf-graph-store?default", "203.0.113.11"),
    ("/search.json?q=cadmium", "203.0.113.12"),
])
def test_a_client_past_its_burst_gets_429_and_others_do_not(limited: LiveServer, path: str, client: str) -> None:
    who = {"X-Forwarded-For": f"{client}, 10.0.0.1"}
    statuses = [limited.request("GET", path, headers=who).status for _ in range(BURST)]
    assert 429 not in statuses
    refused = limited.request("GET", path, headers=who)
    assert refused.status == 429
    assert refused.headers["retry-after"].isdigit() and 1 <= int(refused.headers["retry-after"]) <= 3
    assert "too many requests" in refused.text and "retry after" in refused.text and "Request id:" in refused.text
    assert refused.headers["access-control-allow-origin"] == "*"  # a script on another site can read the 429
    assert "Retry-After" in refused.headers["access-control-expose-headers"]
    other = limited.request("GET", path, headers={"X-Forwarded-For": client.rsplit(".", 1)[0] + ".99"})
    assert other.status != 429
    assert limited.request("GET", "/healthz", headers=who).status == 200  # probes are never limited
    admin = limited.request("GET", path, headers={**who, **limited.auth()})
    assert admin.status != 429  # an admin token is exempt
    metrics = parse_metrics(limited.request("GET", "/metrics", headers=limited.auth()).text)
    assert metrics["srkg_rate_limited_total"] >= 1


def test_the_bucket_refills_at_the_configured_pace(limited: LiveServer) -> None:
    who = {"X-Forwarded-For": "198.51.100.5"}
    while limited.request("GET", "/query/examples.json", headers=who).status != 429:
        pass
    time.sleep(2.2)  # 30 a minute: one new request every 2 s
    assert limited.request("GET", "/query/examples.json", headers=who).status == 200
    assert limited.request("GET", "/query/examples.json", headers=who).status == 429


def test_the_limiter_forgets_idle_clients_and_keeps_memory_bounded() -> None:
    now = [0.0]
    limiter = RateLimiter(60, 5, max_clients=100, clock=lambda: now[0])
    for i in range(1000):
        assert limiter.take(f"192.0.2.{i}") == 0.0
    assert len(limiter) == 100  # the least recently seen went first
    now[0] += 5.0  # one token a second: every bucket is full again, i.e. the same as no bucket
    limiter.take("192.0.2.1")
    assert len(limiter) == 1


# --- URL and query length ----------------------------------------------------------------------------------------
def test_a_too_long_get_url_gets_414_asking_for_post(ops: LiveServer) -> None:
    query = "ASK {} #" + "x" * MAX_URL
    reply = ops.request("GET", "/sparql?" + urlencode({"query": query}))
    assert reply.status == 414 and "POST" in reply.text and f"{MAX_URL} byte limit" in reply.text
    assert "Request id:" in reply.text


def test_an_80kb_url_gets_414_from_the_http_protocol_too(tmp_path: Path) -> None:
    """uvicorn's httptools cannot parse a URL of 64 KiB; LongUrlHttpToolsProtocol turns its 400 into a 414."""
    store = OxigraphStore(None)
    app = create_app(Settings(data_dir=Path(tempfile.mkdtemp(dir=tmp_path))), store)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, http=LongUrlHttpToolsProtocol,
                                           log_config=None, lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 20
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.05)
        port = server.servers[0].sockets[0].getsockname()[1]
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)  # httpx refuses URLs this long itself
        conn.request("GET", "/sparql?" + urlencode({"query": "ASK {} #" + "x" * 80_000}))
        reply = conn.getresponse()
        assert reply.status == 414 and "POST" in reply.read().decode()
        conn.close()
        assert httpx.get(f"http://127.0.0.1:{port}/sparql", params={"query": "ASK {}"},
                         headers={"Accept": JSON}).status_code == 200
    finally:
        server.should_exit = True
        thread.join(10)
        store.close()


def test_srkg_serve_answers_an_80kb_url_with_414(ops: LiveServer) -> None:
    conn = http.client.HTTPConnection(ops.host, ops.port, timeout=30)  # httpx refuses URLs this long itself
    conn.request("GET", "/sparql?" + urlencode({"query": "ASK {} #" + "x" * 80_000}))
    reply = conn.getresponse()
    assert reply.status == 414 and "POST" in reply.read().decode()
    conn.close()
    assert ops.request("GET", "/healthz").status == 200


def test_srkg_serve_reports_its_result_cache_in_metrics(ops: LiveServer) -> None:
    query = "ASK { ?s ?p ?o } # metrics-cache-probe"
    first = ops.request("GET", "/sparql?" + urlencode({"query": query}), headers={"Accept": JSON})
    second = ops.request("GET", "/sparql?" + urlencode({"query": query}), headers={"Accept": JSON})
    assert (first.headers.get("x-cache"), second.headers.get("x-cache")) == ("miss", "hit")
    samples = parse_metrics(ops.request("GET", "/metrics").text)
    assert samples["srkg_result_cache_hits_total"] >= 1 and samples["srkg_result_cache_entries"] >= 1


def test_a_posted_query_over_the_query_cap_gets_413_naming_the_cap(ops: LiveServer) -> None:
    long_query = "ASK {} #" + "x" * MAX_QUERY
    direct = ops.request("POST", "/sparql", long_query, {"Content-Type": "application/sparql-query"})
    form = ops.request("POST", "/sparql", urlencode({"query": long_query}),
                       {"Content-Type": "application/x-www-form-urlencoded"})
    for reply in (direct, form):
        assert reply.status == 413 and f"{MAX_QUERY} byte limit" in reply.text and "SRKG_MAX_QUERY_BYTES" in reply.text
    fits = ops.request("POST", "/sparql", "ASK {} #" + "x" * (MAX_QUERY - 100),
                       {"Content-Type": "application/sparql-query", "Accept": JSON})
    assert fits.status == 200
    update = "INSERT DATA { <urn:x:long> <urn:x:p> '" + "y" * MAX_QUERY + "' }"  # updates have the body limit only
    assert ops.update(update).status == 204


# --- security headers --------------------------------------------------------------------------------------------
def _policy(reply_headers: dict[str, str]) -> dict[str, str]:
    return {part.split(" ", 1)[0]: part.partition(" ")[2]
            for part in (p.strip() for p in reply_headers["content-security-policy"].split(";")) if part}


@pytest.mark.parametrize(("path", "status"), [
    ("/", 200), ("/login", 200), ("/query", 200), ("/docs", 200),
    ("/id/case/no-such-case", 404),
])
def test_every_html_answer_has_a_strict_policy(ops: LiveServer, path: str, status: int) -> None:
    reply = ops.request("GET", path, headers={"Accept": "text/html"})
    assert reply.status == status and reply.media_type == "text/html"
    policy = _policy(reply.headers)
    assert "'unsafe-inline'" not in policy.get("script-src", policy["default-src"])
    assert policy["frame-ancestors"] == "'none'"
    assert reply.headers["x-content-type-options"] == "nosniff"
    for digest in script_hashes(reply.body):  # inline scripts (Swagger UI's start-up) are allowed by hash only
        assert digest in policy["script-src"]
    if path == "/docs":
        assert script_hashes(reply.body), "Swagger UI's inline start-up script was expected"


def test_plain_answers_carry_nosniff(ops: LiveServer) -> None:
    for reply in (ops.request("GET", "/no-such-page"), ops.request("GET", "/healthz")):
        assert reply.headers["x-content-type-options"] == "nosniff"
