"""Result cache (issue #6): p50 of a repeated identical query with the cache on vs off, over HTTP and in-process,
same data, same run. Target: a cache hit over HTTP under 2 ms.

    .venv/bin/python -m bench.bench_cache [--runs 300] [--warmup 30] [--json bench/results/cache.json]

Two ``srkg serve`` subprocesses on copies of the same store (the repository's data, bootstrapped once, as in
``bench_http``): one with the default cache (``SRKG_RESULT_CACHE_MB`` unset: 64 MB), one with
``SRKG_RESULT_CACHE_MB=0``. Each keeps one connection open; requests to the two alternate, so both see the same
machine load. In-process means ``Store.query`` on one ``OxigraphStore`` with the server's 30 s limit (so the
query runs in a worker process, as in the server), called directly (off) and through a ``CachingStore`` (on).
The "on" side is checked to answer ``X-Cache: hit``: numbers from a server without the cache are refused.
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

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.bench_http import QUERIES, build_store, free_port, percentile  # noqa: E402
from sparql_api.store.oxigraph_store import OxigraphStore  # noqa: E402
from sparql_api.store.result_cache import CachingStore  # noqa: E402

JSON = "application/sparql-results+json"
TIMEOUT_S = 30.0


def start_server(data_dir: Path, port: int, log: Path, cache_mb: str | None) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SRKG_")}
    env.update({"SRKG_DATA_DIR": str(data_dir), "SRKG_RATE_LIMIT": "0"})
    if cache_mb is not None:
        env["SRKG_RESULT_CACHE_MB"] = cache_mb
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "sparql_api.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
            stdout=out, stderr=subprocess.STDOUT, env=env, cwd=REPO,
        )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return proc
        except OSError:
            time.sleep(0.2)
    proc.terminate()
    raise RuntimeError(log.read_text())


def http_once(conn: http.client.HTTPConnection, path: str) -> tuple[float, str]:
    """(seconds, the X-Cache header or "")."""
    started = time.perf_counter()
    conn.request("GET", path, headers={"Accept": JSON} if path.startswith("/sparql") else {})
    response = conn.getresponse()
    body = response.read()
    elapsed = time.perf_counter() - started
    if response.status != 200:
        raise RuntimeError(f"HTTP {response.status}: {body[:300]!r}")
    return elapsed, response.getheader("x-cache", "")


def inprocess_once(store: OxigraphStore | CachingStore, query: str) -> float:
    started = time.perf_counter()
    store.query(query, JSON, timeout=TIMEOUT_S)
    return time.perf_counter() - started


def time_query(ports: tuple[int, int], plain: OxigraphStore, cached: CachingStore, query: str, runs: int,
               warmup: int) -> dict[str, list[float]]:
    """Alternate: HTTP off, HTTP on, /healthz on the "on" server (the floor of any request), in-process off, on."""
    off, on = (http.client.HTTPConnection("127.0.0.1", port, timeout=60) for port in ports)
    path = "/sparql?" + urlencode({"query": query})
    samples: dict[str, list[float]] = {"http_off": [], "http_on": [], "healthz": [], "inproc_off": [], "inproc_on": []}
    try:
        for i in range(warmup + runs):
            off_s, off_cache = http_once(off, path)
            on_s, on_cache = http_once(on, path)
            if off_cache:
                raise RuntimeError(f"the cache-off server answered X-Cache: {off_cache}")
            if i > 0 and on_cache != "hit":
                raise RuntimeError(f"the cache-on server answered X-Cache: {on_cache or '(none)'} on a repeat: is "
                                   "srkg serve wired to the cache (factory.open_store(settings, cached=True))?")
            floor = http_once(on, "/healthz")[0]
            times = (off_s, on_s, floor, inprocess_once(plain, query), inprocess_once(cached, query))
            if i >= warmup:
                for name, value in zip(samples, times, strict=True):
                    samples[name].append(value)
    finally:
        off.close()
        on.close()
    return samples


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=30)
    parser.add_argument("--json", type=Path, help="also write the numbers to this file")
    args = parser.parse_args(argv)

    workdir = Path(tempfile.mkdtemp(prefix="srkg-bench-cache-"))
    servers: list[subprocess.Popen] = []
    try:
        print("loading the repository data …", file=sys.stderr)
        data_on, copy = build_store(workdir)
        data_off = workdir / "server-data-off"
        shutil.copytree(data_on, data_off)
        ports = (free_port(), free_port())
        servers.append(start_server(data_off, ports[0], workdir / "server-off.log", "0"))
        servers.append(start_server(data_on, ports[1], workdir / "server-on.log", None))
        plain = OxigraphStore(copy, query_workers=1)
        cached = CachingStore(plain, max_bytes=64 * 1024 * 1024)
        rows = []
        for name, query in QUERIES.items():
            samples = time_query(ports, plain, cached, query, args.runs, args.warmup)
            row: dict[str, object] = {"query": name}
            for key, values in samples.items():
                row[f"{key}_p50_ms"] = statistics.median(values) * 1000
            row["http_on_p95_ms"] = percentile(samples["http_on"], 0.95) * 1000
            rows.append(row)
        stats = cached.cache_stats()
        plain.close()
    finally:
        for proc in servers:
            proc.terminate()
            proc.wait(timeout=30)
        shutil.rmtree(workdir, ignore_errors=True)
    print(f"\np50 of a repeated identical query, cache off vs on (hit), {args.runs} runs after {args.warmup} "
          "warm-up, same data")
    print(f"{'query':50} {'HTTP off':>10} {'HTTP on':>10} {'on p95':>10} {'/healthz':>10} {'in-proc off':>12} "
          f"{'in-proc on':>11}")
    for row in rows:
        print(f"{row['query']:50} {row['http_off_p50_ms']:8.2f}ms {row['http_on_p50_ms']:8.2f}ms "
              f"{row['http_on_p95_ms']:8.2f}ms {row['healthz_p50_ms']:8.2f}ms {row['inproc_off_p50_ms']:10.2f}ms "
              f"{row['inproc_on_p50_ms']:9.3f}ms")
    print(f"in-process cache: {stats}")
    worst = max(float(row["http_on_p50_ms"]) for row in rows)  # type: ignore[arg-type]
    print(f"target: a hit over HTTP < 2 ms p50 — worst query {worst:.2f} ms: {'met' if worst < 2 else 'NOT met'}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"runs": args.runs, "warmup": args.warmup, "rows": rows,
                                         "inprocess_cache": stats}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
