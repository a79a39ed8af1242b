"""Curator paths at a given store size: one-submission validation through the running server (upload a one-case
survey workbook, wait for its report) and survey-template ingest throughput in-process (read + map + validate
+ load into the loaded store)."""

from __future__ import annotations

import statistics
import time
import uuid
from pathlib import Path

import httpx

from bench.bench_ingest import write_survey
from ingest.pipeline import ingest_file, summary
from sparql_api.accounts.users import AccountStore, account_store_path
from sparql_api.server.tokens import TokenStore, token_store_path
from sparql_api.store.oxigraph_store import OxigraphStore

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
USER = "bench-contributor"


def contributor_token(data_dir: Path) -> str:
    """A contributor account (kept from an earlier run of the same data directory: ``--reuse``) and a new token
    bound to it, written into the server's data directory."""
    accounts = AccountStore(account_store_path(data_dir))
    if accounts.get(USER) is None:
        accounts.add(USER, "a long enough bench password", "contributor")
    return TokenStore(token_store_path(data_dir)).create(f"{USER}-api-{uuid.uuid4().hex[:8]}", USER)


def validation_times(port: int, token: str, workdir: Path, runs: int, timeout_s: float = 300) -> dict[str, float]:
    """Wall time from ``POST /submissions`` (a one-case workbook) until the submission's report is ready, per
    run; each run is a new submission. Fails if the case is not validated cleanly."""
    workbook = write_survey(workdir / "one-case.xlsx", 1).read_bytes()
    samples: list[float] = []
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60,
                      headers={"Authorization": f"Bearer {token}", "Accept": "application/json"}) as client:
        for _ in range(runs):
            started = time.perf_counter()
            reply = client.post("/submissions", files={"file": ("one-case.xlsx", workbook, XLSX)})
            if reply.status_code != 202:
                raise RuntimeError(f"POST /submissions → HTTP {reply.status_code}: {reply.text[:300]}")
            key = reply.json()["id"]
            while True:
                doc = client.get(f"/submissions/{key}.json").json()
                if doc["ingest"] != "pending":
                    break
                if time.perf_counter() - started > timeout_s:
                    raise RuntimeError(f"submission {key} still pending after {timeout_s} s")
                time.sleep(0.01)
            samples.append(time.perf_counter() - started)
            if doc["ingest"] != "done":
                raise RuntimeError(f"submission {key}: ingest {doc['ingest']!r}, not done: {doc}")
    return {"runs": runs, "p50_ms": statistics.median(samples) * 1000, "min_ms": min(samples) * 1000,
            "max_ms": max(samples) * 1000}


def ingest_throughput(store_dir: Path, workdir: Path, cases: int) -> dict[str, float]:
    """Ingest a ``cases``-row survey workbook (the English template) and load it into the loaded store
    (``replace_graph``, atomic), then drop the graph again so the servers see only the generated data."""
    survey = write_survey(workdir / f"survey-{cases}.xlsx", cases)
    started = time.perf_counter()
    result = ingest_file(survey, submitter="bench", submission_key="bench-scale")
    ingest_s = time.perf_counter() - started
    data = result.load_graph.serialize(format="nt", encoding="utf-8")
    store = OxigraphStore(store_dir, query_workers=0)
    try:
        started = time.perf_counter()
        store.replace_graph(str(result.info.graph), data, "application/n-triples")
        load_s = time.perf_counter() - started
        store.drop_graph(str(result.info.graph))
    finally:
        store.close()
    accepted = summary(result)["cases_accepted"]
    if accepted != cases:
        raise RuntimeError(f"survey ingest accepted {accepted} of {cases} cases")
    total = ingest_s + load_s
    return {"cases": cases, "read_map_s": result.timings["read_and_map_s"], "validate_s": result.timings["validate_s"],
            "load_s": load_s, "total_s": total, "cases_per_s": cases / total}
