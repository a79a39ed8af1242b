"""Writes need an admin token; refused writes change nothing. Tokens are managed with ``srkg token``."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from server.live_server import LiveServer

GRAPH = "http://test.example/auth"
INSERT = f"INSERT DATA {{ GRAPH <{GRAPH}> {{ <http://test.example/s> <http://test.example/p> 'written' }} }}"


def graph_exists(server: LiveServer) -> bool:
    return json.loads(server.query(f"ASK {{ GRAPH <{GRAPH}> {{ ?s ?p ?o }} }}").body)["boolean"]


def attempt_all_writes(server: LiveServer, headers: dict[str, str]) -> list[int]:
    """An update (direct and form) and every Graph Store write, with the given credentials."""
    gsp = f"/rdf-graph-store?graph={GRAPH}"
    turtle = {"Content-Type": "text/turtle", **headers}
    return [
        server.request("POST", "/sparql", INSERT, {"Content-Type": "application/sparql-update", **headers}).status,
        server.request(
            "POST",
            "/sparql",
            "update=" + INSERT.replace(" ", "+"),
            {"Content-Type": "application/x-www-form-urlencoded", **headers},
        ).status,
        server.request("PUT", gsp, "<http://test.example/s> <http://test.example/p> 1 .", turtle).status,
        server.request("POST", gsp, "<http://test.example/s> <http://test.example/p> 2 .", turtle).status,
        server.request("DELETE", "/rdf-graph-store?graph=https://w3id.org/srkg/graph/agrovoc", None, headers).status,
    ]


def test_no_credential_is_401_with_challenge_and_nothing_is_written(server: LiveServer) -> None:
    assert attempt_all_writes(server, {}) == [401] * 5
    reply = server.request("POST", "/sparql", INSERT, {"Content-Type": "application/sparql-update"})
    assert reply.headers["www-authenticate"].startswith("Bearer")
    assert "admin token" in reply.text
    assert not graph_exists(server)
    assert server.request("HEAD", "/rdf-graph-store?graph=https://w3id.org/srkg/graph/agrovoc").status == 200


@pytest.mark.parametrize(
    "header",
    ["Bearer not-a-token", "Bearer ", "Basic !!!", "Token abc", "Basic " + base64.b64encode(b"user:wrong").decode()],
)
def test_wrong_credential_is_401(server: LiveServer, header: str) -> None:
    assert attempt_all_writes(server, {"Authorization": header}) == [401] * 5
    assert not graph_exists(server)


def test_revoked_token_is_403_and_nothing_is_written(server: LiveServer) -> None:
    secret = server.tokens.create("soon-revoked")
    auth = {"Authorization": f"Bearer {secret}"}
    assert (
        server.request(
            "POST",
            f"/rdf-graph-store?graph={GRAPH}-ok",
            "<http://a> <http://b> 1 .",
            {"Content-Type": "text/turtle", **auth},
        ).status
        == 201
    )
    assert server.tokens.revoke("soon-revoked")
    statuses = attempt_all_writes(server, auth)
    assert statuses == [403] * 5
    reply = server.request("POST", "/sparql", INSERT, {"Content-Type": "application/sparql-update", **auth})
    assert "soon-revoked" in reply.text and "revoked" in reply.text
    assert not graph_exists(server)
    assert server.update(f"DROP GRAPH <{GRAPH}-ok>").status == 204


def test_reads_need_no_credential(server: LiveServer) -> None:
    assert server.query("ASK {}").status == 200
    assert server.request("GET", "/rdf-graph-store?graph=https://w3id.org/srkg/graph/ontology").status == 200
    assert server.request("GET", "/sparql", headers={"Accept": "text/turtle"}).status == 200


def test_valid_token_writes(server: LiveServer) -> None:
    assert server.update(INSERT).status == 204
    assert graph_exists(server)
    assert server.update(f"DROP GRAPH <{GRAPH}>").status == 204
    assert not graph_exists(server)


def _srkg(data_dir: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SRKG_")}
    return subprocess.run(
        [sys.executable, "-m", "sparql_api.cli", "token", "--data-dir", str(data_dir), *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )


def test_token_cli_create_list_revoke(server: LiveServer) -> None:
    created = _srkg(server.data_dir, "create", "--name", "cli-curator")
    assert created.returncode == 0, created.stderr
    secret = created.stdout.strip()
    assert secret.startswith("srkg_") and len(secret) > 40 and "\n" not in secret
    assert "not shown again" in created.stderr
    # Only the hash is stored: the secret appears nowhere in the token database.
    assert secret.encode() not in (server.data_dir / "tokens.sqlite").read_bytes()

    insert = "INSERT DATA { GRAPH <http://test.example/cli> { <http://test.example/s> <http://test.example/p> 4 } }"
    assert server.update(insert, token=secret).status == 204

    listing = _srkg(server.data_dir, "list")
    assert "cli-curator" in listing.stdout and "active" in listing.stdout and secret not in listing.stdout
    assert _srkg(server.data_dir, "create", "--name", "cli-curator").returncode == 1  # names are unique

    revoked = _srkg(server.data_dir, "revoke", "--name", "cli-curator")
    assert revoked.returncode == 0
    assert "revoked" in _srkg(server.data_dir, "list").stdout
    assert server.update("DROP GRAPH <http://test.example/cli>", token=secret).status == 403
    assert _srkg(server.data_dir, "revoke", "--name", "cli-curator").returncode == 1
    assert server.update("DROP GRAPH <http://test.example/cli>").status == 204
