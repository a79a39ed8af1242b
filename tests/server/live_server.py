"""Start a real ``srkg serve`` on 127.0.0.1 (free port, temporary data directory) for HTTP tests."""

from __future__ import annotations

import http.client
import os
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from sparql_api.server.tokens import TokenStore, token_store_path

REPO = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def media_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")


@dataclass
class LiveServer:
    host: str
    port: int
    token: str
    data_dir: Path
    proc: subprocess.Popen
    log: Path
    tokens: TokenStore = field(repr=False)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def authority(self) -> str:
        return f"{self.host}:{self.port}"

    def request(
        self,
        method: str,
        path: str,
        body: bytes | str | None = None,
        headers: dict[str, str] | None = None,
        timeout: float = 60,
    ) -> Reply:
        """One request on a fresh connection (http.client adds no Content-Type of its own)."""
        conn = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        try:
            data = body.encode("utf-8") if isinstance(body, str) else body
            conn.request(method, path, body=data, headers=headers or {})
            resp = conn.getresponse()
            payload = resp.read()
            return Reply(resp.status, {k.lower(): v for k, v in resp.getheaders()}, payload)
        finally:
            conn.close()

    def query(self, sparql: str, accept: str | None = None, **params: str) -> Reply:
        headers = {"Accept": accept} if accept else {}
        return self.request("GET", "/sparql?" + urlencode({"query": sparql, **params}), headers=headers)

    def update(self, sparql: str, token: str | None = None) -> Reply:
        headers = {"Content-Type": "application/sparql-update", "Authorization": f"Bearer {token or self.token}"}
        return self.request("POST", "/sparql", sparql, headers)

    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def make_resources(root: Path, with_agrovoc: bool = True) -> Path:
    """A small, fixed resource tree (ontology, one vocabulary, AGROVOC subset, two cases) for the tests."""
    (root / "ontology" / "vocab").mkdir(parents=True)
    (root / "ontology" / "external").mkdir(parents=True)
    (root / "examples" / "cases").mkdir(parents=True)
    shutil.copy(FIXTURES / "srkg-mini.ttl", root / "ontology" / "srkg.ttl")
    shutil.copy(FIXTURES / "vocab-mini.ttl", root / "ontology" / "vocab" / "mini.ttl")
    shutil.copy(FIXTURES / "case-cadmium.ttl", root / "examples" / "cases" / "case-cadmium.ttl")
    shutil.copy(FIXTURES / "case-pah.ttl", root / "examples" / "cases" / "case-pah.ttl")
    if with_agrovoc:
        shutil.copy(REPO / "ontology" / "external" / "agrovoc-subset.ttl", root / "ontology" / "external")
    return root


def start_server(
    workdir: Path,
    *,
    resources: Path | None,
    env: dict[str, str] | None = None,
    wait_s: float = 60,
) -> LiveServer:
    """Start ``python -m sparql_api.cli serve``; ``resources=None`` serves the repository's own data files."""
    port = free_port()
    data_dir = workdir / "data"
    tokens = TokenStore(token_store_path(data_dir))
    token = tokens.create("test-curator")
    log = workdir / "server.log"
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("SRKG_")}
    full_env.update({"SRKG_DATA_DIR": str(data_dir), "PYTHONUNBUFFERED": "1"})
    if resources is not None:
        full_env["SRKG_RESOURCES"] = str(resources)
    # Tests send many requests a second from one address: no rate limit unless a test sets SRKG_RATE_LIMIT.
    full_env["SRKG_RATE_LIMIT"] = "0"
    full_env.update(env or {})
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "sparql_api.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=full_env,
            cwd=REPO,
        )
    server = LiveServer("127.0.0.1", port, token, data_dir, proc, log, tokens)
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"srkg serve exited with {proc.returncode}:\n{log.read_text()}")
        try:
            if server.request("GET", "/healthz", timeout=5).status == 200:
                return server
        except OSError:
            pass
        time.sleep(0.1)
    server.stop()
    raise RuntimeError(f"srkg serve did not answer /healthz within {wait_s} s:\n{log.read_text()}")
