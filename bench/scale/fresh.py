"""What the summaries buy: the coverage numbers recomputed right after a write, against the same numbers counted
from the case records, in the same run.

Each run writes a one-case scratch graph through the Graph Store Protocol (a new country each time; not timed),
then times ``GET /coverage.json`` (which must recompute: every write drops the server's caches, and coverage
reads the graph summaries) and ``/sparql`` with the live coverage query (``coverage-live.rq``, a constant
``?run`` column so the result cache cannot answer), one after the other. The scratch graph is dropped at the end.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path
from urllib.parse import urlencode

import httpx

from sparql_api.server.tokens import TokenStore, token_store_path

LIVE = Path(__file__).resolve().parents[2] / "sparql_api" / "web" / "queries" / "coverage-live.rq"
SCRATCH = "https://w3id.org/srkg/graph/submission/bench-scratch"
COUNTRIES = ["ISL", "MLT", "LUX", "BTN", "FJI", "CPV", "BRB", "SYC", "TON", "DMA"]
CASE = """@prefix srkg: <https://w3id.org/srkg/ontology#> .
<https://w3id.org/srkg/id/case/bench-scratch-{i}> a srkg:CaseStudy ;
    srkg:site <https://w3id.org/srkg/id/site/bench-scratch-{i}> .
<https://w3id.org/srkg/id/site/bench-scratch-{i}> srkg:country <https://w3id.org/srkg/vocab/country/{iso3}> .
"""


def admin_token(data_dir: Path) -> str:
    """A project token (no user: acts as an admin), written into the server's data directory."""
    return TokenStore(token_store_path(data_dir)).create("bench-writer")


def _live_query(i: int) -> str:
    text = LIVE.read_text("utf-8")
    count = "(COUNT(DISTINCT ?case) AS ?cases)"
    return text.replace(count, f"{count} ({10_000_000 + i} AS ?run)")


def coverage_after_write(port: int, token: str, runs: int) -> dict[str, dict[str, float]]:
    """p50/p95/n in ms of coverage from the summaries and of the live coverage query, each right after a write."""
    summary_ms: list[float] = []
    live_ms: list[float] = []
    auth = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=600) as client:
        for i in range(runs):
            put = client.put("/rdf-graph-store?" + urlencode({"graph": SCRATCH}),
                             content=CASE.format(i=i, iso3=COUNTRIES[i % len(COUNTRIES)]),
                             headers=auth | {"Content-Type": "text/turtle"})
            if put.status_code not in (200, 201, 204):
                raise RuntimeError(f"scratch PUT → HTTP {put.status_code}: {put.text[:300]}")
            started = time.perf_counter()
            reply = client.get("/coverage.json")
            summary_ms.append((time.perf_counter() - started) * 1000)
            if reply.status_code != 200 or COUNTRIES[i % len(COUNTRIES)] not in reply.text:
                raise RuntimeError(f"/coverage.json after the write: HTTP {reply.status_code}, country missing")
            started = time.perf_counter()
            live = client.get("/sparql?" + urlencode({"query": _live_query(i)}),
                              headers={"Accept": "application/sparql-results+json"})
            live_ms.append((time.perf_counter() - started) * 1000)
            if live.status_code != 200 or live.headers.get("X-Cache") == "hit":
                raise RuntimeError(f"live coverage query: HTTP {live.status_code}, "
                                   f"X-Cache {live.headers.get('X-Cache')}")
        client.delete("/rdf-graph-store?" + urlencode({"graph": SCRATCH}), headers=auth)

    def summary(samples: list[float]) -> dict[str, float]:
        ordered = sorted(samples)
        p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
        return {"p50_ms": statistics.median(ordered), "p95_ms": p95, "n": len(ordered)}

    return {"summaries": summary(summary_ms), "live": summary(live_ms)}
