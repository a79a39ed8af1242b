"""One live server for the security tests: the project's real ontology, vocabularies, AGROVOC subset, countries,
shapes and six hand-modelled cases (every page works on them, and ~25,000 triples make real runaway queries),
but not the literature and field-trial tables, so it starts in seconds. A 3 s query time limit, two query
workers, one person of every role, and one allowed SERVICE endpoint on loopback."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from server.live_server import REPO, LiveServer, free_port, start_server

from sparql_api.accounts.users import AccountStore, account_store_path

TIMEOUT_S = 3.0
PASSWORD = "a long enough password"
# name -> role; two contributors so that one can be "someone else" for the other's submission.
PEOPLE = {"sec-alice": "contributor", "sec-bob": "contributor", "sec-rita": "reviewer", "sec-adam": "admin"}
CASES = 6
# The one SERVICE endpoint the server may call: a recording stub on loopback (test_service_allow_list.py).
SERVICE_PORT = free_port()
ALLOWED_SERVICE = f"http://127.0.0.1:{SERVICE_PORT}/allowed"


def security_resources(root: Path) -> Path:
    """The real data files, minus the slow tables (copied, so that the server reads a fixed tree)."""
    (root / "ontology" / "external").mkdir(parents=True)
    (root / "examples" / "cases").mkdir(parents=True)
    shutil.copy(REPO / "ontology" / "srkg.ttl", root / "ontology")
    shutil.copytree(REPO / "ontology" / "vocab", root / "ontology" / "vocab")
    for name in ("agrovoc-subset.ttl", "countries.ttl"):
        shutil.copy(REPO / "ontology" / "external" / name, root / "ontology" / "external")
    shutil.copytree(REPO / "shapes", root / "shapes")
    for case in sorted((REPO / "examples" / "cases").glob("*.ttl"))[:CASES]:
        shutil.copy(case, root / "examples" / "cases")
    return root


def start_secured(workdir: Path, env: dict[str, str] | None = None) -> LiveServer:
    return start_server(workdir, resources=security_resources(workdir / "resources"),
                        env={"SRKG_QUERY_TIMEOUT": str(TIMEOUT_S), "SRKG_QUERY_WORKERS": "2",
                             "SRKG_SERVICE_ALLOW": ALLOWED_SERVICE, "SRKG_SERVICE_TIMEOUT": "3", **(env or {})})


@pytest.fixture(scope="session")
def secured(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    live = start_secured(tmp_path_factory.mktemp("srkg-security"))
    accounts = AccountStore(account_store_path(live.data_dir))
    for name, role in PEOPLE.items():
        accounts.add(name, PASSWORD, role)
    yield live
    live.stop()
