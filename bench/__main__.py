"""Scale benchmark of issue #6: one command, every measurement, each size in one run.

    .venv/bin/python -m bench --sizes 1k,10k [--backends embedded,oxigraph-server,inprocess]
        [--runs 50] [--warmup 5] [--json bench/results/scale.json] [--oxigraph PATH] [--keep | --reuse]

Per size: generate synthetic cases (``bench.generate``, cached by size and seed in ``--workdir``); load them on
top of the repository data (ontology, vocabularies, countries, real cases: what the pages and the generated
cases reference) raw with pyoxigraph and through SRKG (ratio); survey-template ingest into that store; start
``srkg serve --no-bootstrap`` on it and Oxigraph's own server on a copy; time ≥ 10 query shapes interleaved
between backends (p50/p95); throughput with concurrent clients; one-case submission validation through the
server; peak RSS of each server; store size on disk. Prints Markdown tables and the verdict for each target.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path

from bench.scale import data, report
from bench.scale.run import ALL_BACKENDS, EMBEDDED, INPROCESS, OXIGRAPH_SERVER, Options, run_size


def machine() -> str:
    cpu = ""
    with contextlib.suppress(OSError, StopIteration):
        cpu = next(line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                   if line.startswith("model name"))
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    import pyoxigraph

    return (f"{os.cpu_count()} cores {cpu or platform.machine()}, {memory:.0f} GB RAM, Python "
            f"{platform.python_version()}, pyoxigraph {pyoxigraph.__version__}, load average "
            f"{os.getloadavg()[0]:.1f} at the start")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1k,10k", help="case counts, comma-separated (200, 1k, 10k, 100k, 1M)")
    parser.add_argument("--backends", default=f"{EMBEDDED},{OXIGRAPH_SERVER},{INPROCESS}",
                        help=f"comma-separated, of {', '.join(ALL_BACKENDS)}")
    parser.add_argument("--runs", type=int, default=50, help="timed runs per shape and backend (default 50)")
    parser.add_argument("--warmup", type=int, default=5, help="untimed runs first (default 5)")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients for throughput (0: skip)")
    parser.add_argument("--per-client", type=int, default=30, help="SPARQL requests per concurrent client")
    parser.add_argument("--validation-runs", type=int, default=5, help="one-case submissions per size (0: skip)")
    parser.add_argument("--ingest-cases", type=int, default=100, help="survey rows ingested per size (0: skip)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "srkg-bench-scale",
                        help="generated files and the base store are cached here")
    parser.add_argument("--oxigraph", default=shutil.which("oxigraph"),
                        help="the Rust `oxigraph` binary (pip install oxigraph); default: on PATH")
    parser.add_argument("--shape-budget", type=float, default=120, metavar="SECONDS",
                        help="a backend stops timing a shape after this long once it has 3 timed runs (default 120)")
    parser.add_argument("--keep", action="store_true", help="keep each size's stores and server logs")
    parser.add_argument("--query-timeout", type=float, metavar="SECONDS",
                        help="SRKG_QUERY_TIMEOUT for the SRKG servers (default: theirs, 30 s; at 1M the analytic "
                             "SPARQL shapes take 11-164 s)")
    parser.add_argument("--reuse", action="store_true",
                        help="time the stores a --keep run left in --workdir (no generating, loading, ingest)")
    parser.add_argument("--json", type=Path, help="also write every number to this file")
    args = parser.parse_args(argv)
    try:
        args.size_list = [data.parse_size(s) for s in args.sizes.split(",") if s.strip()]
    except ValueError as e:
        parser.error(str(e))
    args.backend_list = tuple(b.strip() for b in args.backends.split(",") if b.strip())
    unknown = [b for b in args.backend_list if b not in ALL_BACKENDS]
    if unknown:
        parser.error(f"--backends: unknown {', '.join(unknown)} (choose from {', '.join(ALL_BACKENDS)})")
    if OXIGRAPH_SERVER in args.backend_list and not (args.oxigraph and Path(args.oxigraph).is_file()):
        parser.error("--backends oxigraph-server needs the `oxigraph` binary (pip install oxigraph, or unzip "
                     "oxigraph-*.data/scripts/oxigraph from its wheel): pass --oxigraph PATH")
    if args.runs < 1 or args.warmup < 1:
        parser.error("--runs and --warmup must be at least 1 (the repeated-query shape needs a first, filling run)")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    opts = Options(workdir=args.workdir, seed=args.seed, backends=args.backend_list, runs=args.runs,
                   warmup=args.warmup, clients=args.clients, per_client=args.per_client,
                   validation_runs=args.validation_runs, ingest_cases=args.ingest_cases, oxigraph=args.oxigraph,
                   keep=args.keep, shape_budget_s=args.shape_budget, reuse=args.reuse,
                   query_timeout_s=args.query_timeout)
    doc = {"machine": machine(), "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "runs": args.runs,
           "warmup": args.warmup, "seed": args.seed, "backends": list(args.backend_list),
           "query_timeout_s": args.query_timeout, "sizes": []}
    for cases in args.size_list:
        doc["sizes"].append(run_size(cases, opts))
        if args.json:  # after every size, so a long run that fails later still leaves its numbers
            args.json.parent.mkdir(parents=True, exist_ok=True)
            tmp = args.json.with_suffix(".tmp")
            tmp.write_text(json.dumps(doc, indent=1))
            tmp.replace(args.json)
    print(report.markdown(doc))
    return 0


if __name__ == "__main__":
    sys.exit(main())
