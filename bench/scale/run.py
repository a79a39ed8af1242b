"""One size, end to end: generate (cached), load both ways, ingest, start the servers on copies of the same
store, time every shape on every backend, throughput, one-submission validation, peak memory, disk."""

from __future__ import annotations

import shutil
import sys
import time
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from bench.bench_http import free_port, start_oxigraph, start_server
from bench.scale import data, report
from bench.scale.backends import Backend, BenchError, HttpBackend, InProcessBackend, vm_hwm
from bench.scale.fresh import admin_token, coverage_after_write
from bench.scale.shapes import discover, shapes
from bench.scale.submission import contributor_token, ingest_throughput, validation_times
from bench.scale.timing import latencies, throughput
from bench.scale.virtuoso import serve_env, start_loaded

EMBEDDED, OXIGRAPH_SERVER, INPROCESS, VIRTUOSO = "embedded", "oxigraph-server", "inprocess", "virtuoso"
ALL_BACKENDS = (EMBEDDED, OXIGRAPH_SERVER, INPROCESS, VIRTUOSO)


@dataclass(frozen=True)
class Options:
    workdir: Path
    seed: int
    backends: tuple[str, ...]
    runs: int
    warmup: int
    clients: int
    per_client: int
    validation_runs: int
    ingest_cases: int
    oxigraph: str | None
    keep: bool
    shape_budget_s: float = float("inf")
    reuse: bool = False  # time the stores a --keep run left: no generating, loading, ingest or copying
    query_timeout_s: float | None = None  # SRKG_QUERY_TIMEOUT of the SRKG servers (None: the server's default, 30 s)


def say(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def _stop(proc: Any) -> None:
    if proc.poll() is None:
        proc.terminate()
        proc.wait(timeout=60)


def run_size(cases: int, opts: Options) -> dict[str, Any]:
    label = data.size_label(cases)
    run_dir = opts.workdir / f"run-{label}"
    if opts.reuse:
        missing = [name for name in ("srkg-data/store", "copy-store", "oxigraph-store") if not (run_dir / name).is_dir()
                   and (name != "oxigraph-store" or OXIGRAPH_SERVER in opts.backends)]
        if missing:
            raise SystemExit(f"--reuse: {run_dir} lacks {', '.join(missing)} (run with --keep first)")
    elif run_dir.exists():
        shutil.rmtree(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    try:
        return _run(cases, label, run_dir, opts)
    finally:
        if not opts.keep and not opts.reuse:
            shutil.rmtree(run_dir, ignore_errors=True)


def _server_env(opts: Options) -> dict[str, str]:
    """No rate limit; the query time limit when one is asked for (at 1M the analytic shapes take 11-164 s)."""
    env = {"SRKG_RATE_LIMIT": "0"}
    if opts.query_timeout_s is not None:
        env["SRKG_QUERY_TIMEOUT"] = f"{opts.query_timeout_s:g}"
    return env


def _directory_bytes(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def _run(cases: int, label: str, run_dir: Path, opts: Options) -> dict[str, Any]:
    srkg_dir = run_dir / "srkg-data"
    copy = run_dir / "copy-store"
    if opts.reuse:
        say(f"{label}: reusing the stores of {run_dir} (load and ingest were measured by the run that made them)")
        result: dict[str, Any] = {"cases": cases, "label": label, "load": None, "reused": str(run_dir),
                                  "store_bytes": _directory_bytes(srkg_dir / "store")}
    else:
        say(f"{label}: generating (cached) and bootstrapping the repository data")
        nq = data.generated(opts.workdir, cases, opts.seed)
        base = data.base_data_dir(opts.workdir)
        say(f"{label}: loading {nq.name} raw and through SRKG")
        load = data.load_both(nq, base, srkg_dir, run_dir / "raw-data")
        result = {"cases": cases, "label": label, "load": {**load.__dict__, "ratio": load.ratio},
                  "store_bytes": load.store_bytes}
        say(f"{label}: {load.quads:,} quads: raw bulk_load {load.raw_s:.1f} s, SRKG {load.srkg_s:.1f} s "
            f"(ratio {load.ratio:.2f}); store {load.store_bytes / 1e9:.1f} GB")
        if opts.ingest_cases:
            say(f"{label}: survey-template ingest of {opts.ingest_cases} cases into the loaded store")
            result["ingest"] = ingest_throughput(srkg_dir / "store", run_dir, opts.ingest_cases)
        shutil.copytree(srkg_dir / "store", copy)
    token = contributor_token(srkg_dir)
    writer = admin_token(srkg_dir)

    with ExitStack() as stack:
        backends: list[Backend] = []
        if EMBEDDED in opts.backends:
            port = free_port()
            proc = start_server(srkg_dir, port, run_dir / "srkg.log", ("--no-bootstrap",), _server_env(opts))
            stack.callback(_stop, proc)
            backends.append(HttpBackend(report.SRKG, port, srkg=True, pid=proc.pid))
        if OXIGRAPH_SERVER in opts.backends:
            assert opts.oxigraph, "checked by the command line"
            ox_copy = run_dir / "oxigraph-store"
            if not opts.reuse:
                shutil.copytree(copy, ox_copy)
            port = free_port()
            proc = start_oxigraph(opts.oxigraph, ox_copy, port, run_dir / "oxigraph.log")
            stack.callback(_stop, proc)
            backends.append(HttpBackend(report.OXIGRAPH, port, srkg=False, pid=proc.pid))
        if VIRTUOSO in opts.backends:
            say(f"{label}: loading Virtuoso with the same quads (isql bulk loader)")
            virtuoso, seconds, quads = start_loaded(run_dir / "virtuoso", copy)
            stack.callback(virtuoso.stop)
            result["virtuoso_load"] = {"seconds": seconds, "quads": quads}
            v_dir = run_dir / "srkg-virtuoso-data"
            shutil.copytree(srkg_dir, v_dir, ignore=shutil.ignore_patterns("store"))
            port = free_port()
            proc = start_server(v_dir, port, run_dir / "srkg-virtuoso.log", ("--no-bootstrap",),
                                {**_server_env(opts), **serve_env(virtuoso)})
            stack.callback(_stop, proc)
            backends.append(HttpBackend(report.VIRTUOSO, port, srkg=True, pid=proc.pid))
            assert virtuoso.process is not None
            virtuoso_pid = virtuoso.process.pid
        for backend in backends:
            if isinstance(backend, HttpBackend) and backend.srkg:
                waited = backend.wait_for_evidence_index()
                result.setdefault("evidence_index_ready_s", {})[backend.name] = waited
                say(f"{label}: {backend.name}: evidence index ready after {waited:.1f} s")
                try:
                    waited, built = backend.wait_for_search_index()
                except (BenchError, OSError) as e:  # recorded: the search shapes will then fail and say why
                    result.setdefault("failures", []).append(f"search index: {e}")
                    say(f"{label}: {backend.name}: the search index failed: {e}")
                    continue
                result.setdefault("search_index_ready_s", {})[backend.name] = waited
                result.setdefault("search_index_build_s", {})[backend.name] = built
                say(f"{label}: {backend.name}: search index ready {waited:.1f} s after the evidence index "
                    f"(made in {built or 0:.1f} s, beside it, from server start)")
        store = ox.Store(str(copy))
        if INPROCESS in opts.backends:
            backends.append(InProcessBackend(store))
        targets = discover(store)
        result["discovered"] = {"cases": targets.case_count, "case_sample": len(targets.cases),
                                "pollutants": len(targets.pollutants)}

        rows = []
        for shape in shapes(targets):
            say(f"{label}: {shape.name}")
            by = latencies(backends, shape, opts.runs, opts.warmup, opts.shape_budget_s)
            if by:
                rows.append({"shape": shape.name, "kind": shape.kind, "backends": by})
        result["shapes"] = rows
        result["throughput"] = {}
        if opts.clients > 0:
            for backend in backends:
                say(f"{label}: {opts.clients} concurrent clients on {backend.name}")
                result["throughput"][backend.name] = throughput(backend, shapes(targets), opts.clients,
                                                                opts.per_client)
        srkg = next((b for b in backends if isinstance(b, HttpBackend) and b.srkg), None)
        if srkg is not None and opts.runs:
            say(f"{label}: coverage recomputed after a write, summaries vs live query, on {srkg.name}")
            try:
                result["coverage_after_write"] = coverage_after_write(srkg.port, writer, max(3, min(opts.runs, 10)))
            except (RuntimeError, OSError) as e:  # recorded: the rest of the size's numbers are kept
                result["coverage_after_write_error"] = str(e)[:400]
        if srkg is not None and opts.validation_runs:
            say(f"{label}: one-case submissions through {srkg.name}")
            result["validation"] = validation_times(srkg.port, token, run_dir, opts.validation_runs)
        result["peak_rss_bytes"] = {}
        for backend in backends:
            if isinstance(backend, HttpBackend):
                result["peak_rss_bytes"][backend.name] = backend.peak_rss_bytes()
        if VIRTUOSO in opts.backends:
            result["peak_rss_bytes"]["Virtuoso (virtuoso-t)"] = vm_hwm(virtuoso_pid)
        for backend in backends:
            backend.close()
    return result
