"""What the summaries buy: the coverage numbers recomputed right after a write, against the same numbers counted
from the case records, in the same run.

Each run writes a one-case scratch graph through the Graph Store Protocol (a new country each time; not timed),
then times, one after the other: ``GET /coverage.json`` (which must recompute: every write drops the server's
caches; it runs the coverage query and the country and region labels query), and on ``/sparql`` the coverage
query the page runs (``coverage.rq``, from the summaries) and the same numbers counted from the case records
(``coverage-live.rq``), each with a constant ``?run`` column so that the result cache cannot answer. The scratch
graph is dropped at the end.
"""

from __future__ import annotations

import statistics
import time
import uuid
from pathlib import Path
from urllib.parse import urlencode

import httpx

from sparql_api.server.tokens import TokenStore, token_store_path

QUERIES = Path(__file__).resolve().parents[2] / "sparql_api" / "web" / "queries"
LIVE, FROM_SUMMARIES = QUERIES / "coverage-live.rq", QUERIES / "coverage.rq"
SCRATCH = "https://w3id.org/srkg/graph/submission/bench-scratch"
COUNTRIES = ["ISL", "MLT", "LUX", "BTN", "FJI", "CPV", "BRB", "SYC", "TON", "DMA"]
CASE = """@prefix srkg: <https://w3id.org/srkg/ontology#> .
<https://w3id.org/srkg/id/case/bench-scratch-{i}> a srkg:CaseStudy ;
    srkg:site <https://w3id.org/srkg/id/site/bench-scratch-{i}> .
<https://w3id.org/srkg/id/site/bench-scratch-{i}> srkg:country <https://w3id.org/srkg/vocab/country/{iso3}> .
"""


def admin_token(data_dir: Path) -> str:
    """A project token (no user: acts as an admin), written into the server's data directory."""
    return TokenStore(token_store_path(data_dir)).create(f"bench-writer-{uuid.uuid4().hex[:8]}")  # names: never reused


def _tagged(path: Path, i: int) -> str:
    """The query with a constant ``?run`` column first in its (outer) projection: new text, same work."""
    text = path.read_text("utf-8")
    keyword = "SELECT DISTINCT " if "SELECT DISTINCT " in text else "SELECT "
    head, _, rest = text.partition(keyword)
    return f"{head}{keyword}({10_000_000 + i} AS ?run) {rest}"


def coverage_after_write(port: int, token: str, runs: int) -> dict[str, dict[str, float]]:
    """p50/p95/n in ms, right after a write: the coverage page's JSON, its query (summaries), the live count."""
    times: dict[str, list[float]] = {"page": [], "summaries": [], "live": []}
    auth = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=600) as client:
        for i in range(runs):
            iso3 = COUNTRIES[i % len(COUNTRIES)]
            put = client.put("/rdf-graph-store?" + urlencode({"graph": SCRATCH}),
                             content=CASE.format(i=i, iso3=iso3), headers=auth | {"Content-Type": "text/turtle"})
            if put.status_code not in (200, 201, 204):
                raise RuntimeError(f"scratch PUT → HTTP {put.status_code}: {put.text[:300]}")
            started = time.perf_counter()
            reply = client.get("/coverage.json")
            times["page"].append((time.perf_counter() - started) * 1000)
            if reply.status_code != 200 or f'"{iso3}"' not in reply.text:
                raise RuntimeError(f"/coverage.json after the write: HTTP {reply.status_code}, {iso3} missing")
            for name, path in (("summaries", FROM_SUMMARIES), ("live", LIVE)):
                started = time.perf_counter()
                answer = client.get("/sparql?" + urlencode({"query": _tagged(path, i)}),
                                    headers={"Accept": "application/sparql-results+json"})
                times[name].append((time.perf_counter() - started) * 1000)
                if answer.status_code != 200 or answer.headers.get("X-Cache") == "hit":
                    cache = answer.headers.get("X-Cache")
                    raise RuntimeError(f"{path.name}: HTTP {answer.status_code}, X-Cache {cache}: {answer.text[:300]}")
        client.delete("/rdf-graph-store?" + urlencode({"graph": SCRATCH}), headers=auth)

    def summary(samples: list[float]) -> dict[str, float]:
        ordered = sorted(samples)
        p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
        return {"p50_ms": statistics.median(ordered), "p95_ms": p95, "n": len(ordered)}

    return {name: summary(samples) for name, samples in times.items()}
