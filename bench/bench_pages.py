"""Latency of the linked-data case pages: p50/p95 of ``GET /id/case/<key>.html`` over every case study, with
baselines measured in the same run, interleaved request by request on one kept-alive connection:

- ``GET /healthz`` — the floor of any request to this server (routing + one trivial store query);
- ``GET /sparql?query=DESCRIBE <case>`` (Turtle) — the raw description of the same case through the endpoint;
- ``GET /id/case/<key>.ttl`` — the case's RDF document (closure of owned records, serialised with prefixes).

    .venv/bin/python -m bench.bench_pages [--rounds 5] [--json bench/results/pages.json]

The data is the repository's own (ontology, vocabularies, AGROVOC subset, countries, the 27 hand-modelled
cases and the literature table's cases), loaded once with the server's bootstrap; ``srkg serve`` runs as a
subprocess on 127.0.0.1 with its defaults. Each case page is fetched once before timing (labels cache warm).
Target (linked-data pages issue): case page p50 < 100 ms.
"""

from __future__ import annotations

import argparse
import http.client
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.bench_http import build_store, free_port, percentile, start_server  # noqa: E402

BASE = "https://w3id.org/srkg/"
CASES_QUERY = "SELECT ?c WHERE { ?c a <https://w3id.org/srkg/ontology#CaseStudy> } ORDER BY ?c"


def fetch(conn: http.client.HTTPConnection, path: str, accept: str | None = None) -> tuple[float, int]:
    """(seconds, body bytes) of one GET; raises on a status other than 200."""
    headers = {"Accept": accept} if accept else {}
    started = time.perf_counter()
    conn.request("GET", path, headers=headers)
    response = conn.getresponse()
    body = response.read()
    elapsed = time.perf_counter() - started
    if response.status != 200:
        raise RuntimeError(f"GET {path}: HTTP {response.status}: {body[:300]!r}")
    return elapsed, len(body)


def case_keys(conn: http.client.HTTPConnection) -> list[str]:
    conn.request("GET", "/sparql?" + urlencode({"query": CASES_QUERY}),
                 headers={"Accept": "application/sparql-results+json"})
    rows = json.loads(conn.getresponse().read())["results"]["bindings"]
    return [row["c"]["value"].removeprefix(BASE + "id/case/") for row in rows]


def measure(port: int, rounds: int) -> dict[str, dict[str, float]]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    keys = case_keys(conn)
    requests = {
        "case page (.html)": lambda key: (f"/id/case/{key}.html", "text/html"),
        "case document (.ttl)": lambda key: (f"/id/case/{key}.ttl", None),
        "SPARQL DESCRIBE (Turtle)": lambda key: (
            "/sparql?" + urlencode({"query": f"DESCRIBE <{BASE}id/case/{key}>"}), "text/turtle"),
        "GET /healthz": lambda key: ("/healthz", None),
    }
    for key in keys:  # warm-up: every page once (label cache, templates, map shapes)
        fetch(conn, f"/id/case/{key}.html")
    samples: dict[str, list[float]] = {name: [] for name in requests}
    sizes: dict[str, list[int]] = {name: [] for name in requests}
    for _ in range(rounds):
        for key in keys:
            for name, make in requests.items():
                path, accept = make(key)
                elapsed, size = fetch(conn, path, accept)
                samples[name].append(elapsed)
                sizes[name].append(size)
    conn.close()
    return {
        name: {
            "n": len(values),
            "cases": len(keys),
            "p50_ms": statistics.median(values) * 1000,
            "p95_ms": percentile(values, 0.95) * 1000,
            "max_ms": max(values) * 1000,
            "median_bytes": statistics.median(sizes[name]),
        }
        for name, values in samples.items()
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5, help="passes over all cases (default 5)")
    parser.add_argument("--json", type=Path, help="also write the numbers to this file")
    args = parser.parse_args(argv)

    workdir = Path(tempfile.mkdtemp(prefix="srkg-bench-pages-"))
    try:
        print("loading the repository data …", file=sys.stderr)
        data_dir, _ = build_store(workdir)
        port = free_port()
        server = start_server(data_dir, port, workdir / "server.log")
        try:
            results = measure(port, args.rounds)
        finally:
            server.terminate()
            server.wait(timeout=30)
        page = results["case page (.html)"]["p50_ms"]
        print(f"\n{results['GET /healthz']['cases']} cases × {args.rounds} rounds, interleaved, one connection")
        print(f"{'request':28} {'p50':>9} {'p95':>9} {'max':>9} {'bytes':>9} {'page p50 / this p50':>20}")
        for name, row in results.items():
            row["page_ratio"] = page / row["p50_ms"]
            print(f"{name:28} {row['p50_ms']:7.2f}ms {row['p95_ms']:7.2f}ms {row['max_ms']:7.1f}ms "
                  f"{row['median_bytes']:9.0f} {row['page_ratio']:19.2f}×")
        verdict = "met" if page < 100 else "NOT met"
        print(f"\ntarget case page p50 < 100 ms: {verdict} ({page:.1f} ms)")
        if args.json:
            args.json.parent.mkdir(parents=True, exist_ok=True)
            args.json.write_text(json.dumps({"rounds": args.rounds, "results": results}, indent=1))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
