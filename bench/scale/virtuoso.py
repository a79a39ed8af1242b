"""SRKG on the Virtuoso backend: a private Virtuoso 7 on loopback (``tests/store/virtuoso_server.py``) loaded
with the very same quads as the embedded store (dumped to N-Quads, then Virtuoso's own bulk loader via isql:
``ld_dir`` + ``rdf_loader_run`` + ``checkpoint``, the fast path bench/README.md describes), and ``srkg serve
--no-bootstrap`` with ``SRKG_STORE=sparql`` pointing at it."""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

import httpx
import pyoxigraph as ox

from tests.store.virtuoso_server import ADMIN_PASSWORD, ADMIN_USER, VirtuosoServer

ISQL = "isql-vt"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"


def start_loaded(db_dir: Path, store_dir: Path, max_rows: int = 1_000_000) -> tuple[VirtuosoServer, float, int]:
    """Start Virtuoso in ``db_dir`` and load everything in the pyoxigraph store at ``store_dir``;
    returns (server, load seconds, quads loaded)."""
    if shutil.which(ISQL) is None:
        raise SystemExit(f"--backends virtuoso needs {ISQL} (Debian virtuoso-opensource)")
    server = VirtuosoServer(db_dir, result_set_max_rows=max_rows, max_query_execution_time_s=300)
    server.start()
    try:
        dump = db_dir / "data.nq"
        store = ox.Store.read_only(str(store_dir))
        store.dump(output=str(dump), format=ox.RdfFormat.N_QUADS)
        del store
        started = time.perf_counter()
        isql(server, f"ld_dir('{db_dir}', 'data.nq', 'urn:srkg:bench:default'); rdf_loader_run(); checkpoint;")
        seconds = time.perf_counter() - started
        reply = httpx.get(server.query_url, params={"query": COUNT},
                          headers={"Accept": "application/sparql-results+json"}, timeout=600)
        reply.raise_for_status()
        loaded = int(reply.json()["results"]["bindings"][0]["n"]["value"])
        dump.unlink()
    except BaseException:
        server.stop()
        raise
    return server, seconds, loaded


def isql(server: VirtuosoServer, statements: str) -> str:
    done = subprocess.run([ISQL, str(server.sql_port), ADMIN_USER, ADMIN_PASSWORD, f"EXEC={statements}"],
                          capture_output=True, text=True, timeout=3600)
    if done.returncode != 0 or "Error" in done.stdout or "*** Error" in done.stderr:
        raise RuntimeError(f"isql {statements[:120]!r} failed: {done.stdout[-800:]} {done.stderr[-800:]}")
    return done.stdout


def serve_env(server: VirtuosoServer) -> dict[str, str]:
    """Settings for ``srkg serve`` on this Virtuoso (admin account: the bench also uploads submissions)."""
    return {"SRKG_STORE": "sparql", "SRKG_REMOTE_QUERY_URL": server.query_url,
            "SRKG_REMOTE_UPDATE_URL": server.update_url, "SRKG_REMOTE_GSP_URL": server.gsp_url,
            "SRKG_REMOTE_USER": ADMIN_USER, "SRKG_REMOTE_PASSWORD": ADMIN_PASSWORD}
