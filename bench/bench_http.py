"""HTTP overhead of the SPARQL endpoint: p50 latency over HTTP vs pyoxigraph called in-process, same queries,
same data, same run.

    .venv/bin/python -m bench.bench_http [--runs 300] [--warmup 30] [--json bench/results/http.json]
        [--oxigraph-server PATH/TO/oxigraph]   # also Oxigraph's own HTTP server (pip install oxigraph) as baseline

The data is the repository's own (ontology, vocabularies, AGROVOC subset, countries, example cases), loaded
once with the server's bootstrap into a temporary store and copied, so that ``srkg serve`` (a subprocess on
127.0.0.1, default settings: 30 s limit, 2 query workers) and the in-process ``pyoxigraph.Store`` read identical
files. The HTTP client keeps one connection open (as SPARQLWrapper-style clients in a loop do not, and
data-science notebooks do through requests/httpx sessions); each request asks for SPARQL JSON. In-process
means ``Store.query`` with the union default graph plus serialising all solutions to SPARQL JSON. HTTP
requests and in-process calls alternate, so both see the same machine load.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

import pyoxigraph as ox

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from sparql_api.server.bootstrap import bootstrap, state_path  # noqa: E402
from sparql_api.store.oxigraph_store import OxigraphStore  # noqa: E402

PREFIXES = """PREFIX srkg: <https://w3id.org/srkg/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""
QUERIES = {
    "ask": "ASK { <http://aims.fao.org/aos/agrovoc/c_1178> ?p ?o }",
    "point lookup (labels of one concept)": PREFIXES
    + "SELECT ?label WHERE { <http://aims.fao.org/aos/agrovoc/c_1178> skos:prefLabel ?label }",
    "technologies for PAHs (facet join)": PREFIXES
    + """SELECT ?t ?label ?nbs WHERE {
  ?t srkg:applicablePollutantClass <https://w3id.org/srkg/vocab/pollutant-class/pahs> ; skos:prefLabel ?label .
  OPTIONAL { ?t srkg:isNatureBased ?nbs } FILTER(lang(?label) = "en") } ORDER BY ?label""",
    "countries per M49 region (GROUP BY)": PREFIXES
    + """SELECT ?region (COUNT(?c) AS ?n) WHERE { ?c a srkg:Country ; srkg:m49Region ?region }
GROUP BY ?region ORDER BY DESC(?n)""",
    "AGROVOC Arabic labels (FILTER, ORDER, LIMIT 20)": PREFIXES
    + """SELECT ?c ?en ?ar WHERE { ?c skos:prefLabel ?en , ?ar .
  FILTER(lang(?en) = "en" && lang(?ar) = "ar") } ORDER BY ?en LIMIT 20""",
}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def build_store(workdir: Path) -> tuple[Path, Path]:
    """Bootstrap the repository data once; return (server data dir, in-process store copy)."""
    data_dir = workdir / "server-data"
    store = OxigraphStore(data_dir / "store")
    bootstrap(store, state_path(data_dir), progress=lambda m: print("  " + m, file=sys.stderr))
    store.close()
    copy = workdir / "inprocess-store"
    shutil.copytree(data_dir / "store", copy)
    return data_dir, copy


def start_server(data_dir: Path, port: int, log: Path, extra_args: tuple[str, ...] = (),
                 extra_env: dict[str, str] | None = None) -> subprocess.Popen:
    """``srkg serve`` on 127.0.0.1 with only the given SRKG_* settings; returns once ``/healthz`` answers."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SRKG_")}
    env["SRKG_DATA_DIR"] = str(data_dir)
    env.update(extra_env or {})
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "sparql_api.cli", "serve", "--host", "127.0.0.1", "--port", str(port),
             *extra_args],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=REPO,
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return proc
        except OSError:
            time.sleep(0.1)
    proc.terminate()
    raise RuntimeError(log.read_text())


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _inprocess_once(store: ox.Store, query: str) -> float:
    started = time.perf_counter()
    result = store.query(query, use_default_graph_as_union=True)
    if isinstance(result, ox.QueryBoolean):
        json.dumps({"head": {}, "boolean": bool(result)})
    else:
        result.serialize(format=ox.QueryResultsFormat.JSON)
    return time.perf_counter() - started


def _http_once(conn: http.client.HTTPConnection, path: str) -> tuple[float, int]:
    started = time.perf_counter()
    conn.request("GET", path, headers={"Accept": "application/sparql-results+json"})
    response = conn.getresponse()
    body = response.read()
    elapsed = time.perf_counter() - started
    if response.status != 200:
        raise RuntimeError(f"HTTP {response.status}: {body[:300]!r}")
    return elapsed, len(body)


def time_both(
    port: int, store: ox.Store, query: str, runs: int, warmup: int, oxigraph_port: int | None = None
) -> tuple[list[float], list[float], list[float], int]:
    """Alternate one SRKG request, one in-process call (and one request to Oxigraph's server), so all see the
    same machine load."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    other = http.client.HTTPConnection("127.0.0.1", oxigraph_port, timeout=30) if oxigraph_port else None
    path = "/sparql?" + urlencode({"query": query})
    other_path = "/query?" + urlencode({"query": query})
    http_samples: list[float] = []
    local_samples: list[float] = []
    other_samples: list[float] = []
    size = 0
    for i in range(warmup + runs):
        elapsed, size = _http_once(conn, path)
        local = _inprocess_once(store, query)
        other_elapsed = _http_once(other, other_path)[0] if other else 0.0
        if i >= warmup:
            http_samples.append(elapsed)
            local_samples.append(local)
            other_samples.append(other_elapsed)
    conn.close()
    if other:
        other.close()
    return http_samples, local_samples, other_samples, size


def start_oxigraph(binary: str, location: Path, port: int, log: Path) -> subprocess.Popen:
    """Oxigraph's own server on a copy of the same store (union default graph, as SRKG answers)."""
    with log.open("wb") as out:
        proc = subprocess.Popen([binary, "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}",
                                 "--union-default-graph"], stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/query?query=ASK%7B%7D")
            if conn.getresponse().status == 200:
                return proc
        except OSError:
            time.sleep(0.1)
    proc.terminate()
    raise RuntimeError(log.read_text())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=30)
    parser.add_argument("--json", type=Path, help="also write the numbers to this file")
    parser.add_argument("--oxigraph-server", metavar="PATH", help="the `oxigraph` binary (pip install oxigraph): "
                        "also time Oxigraph's own HTTP server on the same data")
    args = parser.parse_args(argv)

    workdir = Path(tempfile.mkdtemp(prefix="srkg-bench-http-"))
    try:
        print("loading the repository data …", file=sys.stderr)
        data_dir, copy = build_store(workdir)
        port = free_port()
        server = start_server(data_dir, port, workdir / "server.log")
        oxigraph = oxigraph_port = None
        if args.oxigraph_server:
            shutil.copytree(copy, workdir / "oxigraph-store")
            oxigraph_port = free_port()
            oxigraph = start_oxigraph(args.oxigraph_server, workdir / "oxigraph-store", oxigraph_port,
                                      workdir / "oxigraph.log")
        local = ox.Store(str(copy))
        rows = []
        try:
            for name, query in QUERIES.items():
                http_samples, local_samples, other_samples, size = time_both(
                    port, local, query, args.runs, args.warmup, oxigraph_port)
                row = {
                    "query": name,
                    "http_p50_ms": statistics.median(http_samples) * 1000,
                    "http_p95_ms": percentile(http_samples, 0.95) * 1000,
                    "inprocess_p50_ms": statistics.median(local_samples) * 1000,
                    "response_bytes": size,
                }
                if oxigraph_port:
                    row["oxigraph_server_p50_ms"] = statistics.median(other_samples) * 1000
                rows.append(row)
        finally:
            server.terminate()
            server.wait(timeout=30)
            if oxigraph is not None:
                oxigraph.terminate()
                oxigraph.wait(timeout=30)
        for row in rows:
            row["ratio"] = row["http_p50_ms"] / row["inprocess_p50_ms"]
            row["overhead_ms"] = row["http_p50_ms"] - row["inprocess_p50_ms"]
        print(f"\nHTTP p50 vs in-process pyoxigraph p50, {args.runs} runs after {args.warmup} warm-up, same data")
        print(f"{'query':50} {'HTTP p50':>10} {'HTTP p95':>10} {'in-proc p50':>12} {'ratio':>7} {'overhead':>10}")
        for row in rows:
            line = (f"{row['query']:50} {row['http_p50_ms']:8.2f}ms {row['http_p95_ms']:8.2f}ms "
                    f"{row['inprocess_p50_ms']:10.2f}ms {row['ratio']:6.2f}x {row['overhead_ms']:8.2f}ms")
            if "oxigraph_server_p50_ms" in row:
                ratio = row["http_p50_ms"] / row["oxigraph_server_p50_ms"]
                line += f"   Oxigraph server p50 {row['oxigraph_server_p50_ms']:.2f}ms (SRKG ÷ Oxigraph {ratio:.2f}x)"
            print(line)
        if args.json:
            args.json.parent.mkdir(parents=True, exist_ok=True)
            args.json.write_text(json.dumps({"runs": args.runs, "warmup": args.warmup, "rows": rows}, indent=1))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
