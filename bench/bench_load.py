"""Loading throughput: SRKG's store vs raw pyoxigraph on the same N-Triples file, in one run.

    .venv/bin/python -m bench.bench_load [--triples 1000000] [--seed 42] [--json bench/results/load.json]

The file is generated deterministically from the seed: synthetic case studies shaped like SRKG's (type, titles in
two languages, country, pollutants, technology, year, area, cost, target met, WKT point, free text with
Unicode), about 12 triples per case. Three ways to load it, each into a fresh on-disk store:

- ``raw``: ``pyoxigraph.Store(dir).bulk_load(path=…, format=N_TRIPLES)`` then ``flush()`` — the floor.
- ``srkg api``: ``OxigraphStore.bulk_load`` (parses the whole file once first, so that a bad file loads nothing).
- ``srkg load``: the command line, ``srkg load FILE`` in a subprocess (interpreter start-up included).

Ratio = raw time / SRKG time (1.0 = as fast as raw pyoxigraph; the target is ≥ 0.70).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph as ox

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from sparql_api.store.oxigraph_store import OxigraphStore  # noqa: E402

BASE = "https://w3id.org/srkg/"
XSD = "http://www.w3.org/2001/XMLSchema#"
SRKG = BASE + "ontology#"
TECHNOLOGIES = [
    "phytoextraction",
    "phytostabilisation",
    "bioremediation",
    "soil-washing",
    "biochar-amendment",
    "thermal-desorption",
    "chemical-oxidation",
    "electrokinetics",
]
POLLUTANTS = ["22977", "25016", "27560", "33365", "28262", "27363", "35701", "5585"]  # ChEBI numbers
WORDS = [
    "sol",
    "contaminé",
    "Boden",
    "sanierung",
    "почва",
    "土壤",
    "التربة",
    "suelo",
    "lead",
    "cadmium",
    "remediation",
    "site",
    "plant",
]
TARGET_RATIO = 0.70


def generate(path: Path, triples: int, seed: int) -> int:
    """Write about ``triples`` N-Triples lines of synthetic case studies; return the exact count."""
    rng = random.Random(seed)
    written = 0
    with path.open("w", encoding="utf-8") as out:
        case = 0
        while written < triples:
            s = f"<{BASE}id/case/c{case:07d}>"
            site = f"<{BASE}id/site/s{case:07d}>"
            year = rng.randint(1990, 2025)
            lat, lon = rng.uniform(-60, 70), rng.uniform(-180, 180)
            text = " ".join(rng.choice(WORDS) for _ in range(8))
            lines = [
                f"{s} <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{SRKG}CaseStudy> .",
                f'{s} <http://purl.org/dc/terms/title> "Case {case} — {rng.choice(WORDS)}"@en .',
                f'{s} <http://purl.org/dc/terms/title> "Cas {case}"@fr .',
                f"{s} <{SRKG}site> {site} .",
                f"{site} <{SRKG}country> <http://aims.fao.org/aos/agrovoc/c_{rng.randint(1000, 9999)}> .",
                f'{site} <http://www.opengis.net/ont/geosparql#asWKT> "POINT({lon:.5f} {lat:.5f})"'
                "^^<http://www.opengis.net/ont/geosparql#wktLiteral> .",
                f"{s} <{SRKG}pollutant> <http://purl.obolibrary.org/obo/CHEBI_{rng.choice(POLLUTANTS)}> .",
                f"{s} <{SRKG}technology> <{BASE}vocab/technology/{rng.choice(TECHNOLOGIES)}> .",
                f'{s} <{SRKG}startYear> "{year}"^^<{XSD}gYear> .',
                f'{s} <{SRKG}areaHa> "{rng.uniform(0.1, 500):.2f}"^^<{XSD}decimal> .',
                f'{s} <{SRKG}costAmount> "{rng.randint(1000, 9000000)}"^^<{XSD}integer> .',
                f'{s} <{SRKG}targetMet> "{str(rng.random() < 0.6).lower()}"^^<{XSD}boolean> .',
                f'{s} <{SRKG}summary> "{text}"@{rng.choice(["en", "fr", "es", "ru", "zh", "ar"])} .',
            ]
            lines = lines[: triples - written]
            out.write("\n".join(lines) + "\n")
            written += len(lines)
            case += 1
    return written


def timed(fn: Callable[[], object]) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def load_raw(data: Path, where: Path) -> None:
    store = ox.Store(str(where))
    store.bulk_load(path=str(data), format=ox.RdfFormat.N_TRIPLES)
    store.flush()
    assert len(store) > 0
    del store


def load_api(data: Path, where: Path) -> None:
    store = OxigraphStore(where, query_workers=1)
    store.bulk_load(data, "application/n-triples")
    store.close()


def load_cli(data: Path, where: Path) -> None:
    env = {**os.environ, "SRKG_STORE": "oxigraph", "SRKG_DATA_DIR": str(where)}
    srkg = Path(sys.executable).with_name("srkg")
    command = [str(srkg)] if srkg.exists() else [sys.executable, "-m", "sparql_api.cli"]
    subprocess.run([*command, "load", str(data), "-q"], env=env, check=True, capture_output=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--triples", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--repeat", type=int, default=1, help="runs of each loader; the best time counts")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--workdir", type=Path, help="where the file and stores go (default: a temp dir)")
    args = parser.parse_args()

    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="srkg-bench-load-"))
    workdir.mkdir(parents=True, exist_ok=True)
    data = workdir / f"cases-{args.triples}-{args.seed}.nt"
    started = time.perf_counter()
    count = generate(data, args.triples, args.seed)
    print(f"generated {count:,} triples ({data.stat().st_size / 1e6:.0f} MB) in {time.perf_counter() - started:.1f} s")

    loaders = {"raw pyoxigraph bulk_load": load_raw, "srkg api (OxigraphStore)": load_api, "srkg load (CLI)": load_cli}
    best: dict[str, float] = {}
    try:
        for run in range(args.repeat):
            for name, loader in loaders.items():  # interleaved, so all see the same machine load
                target = workdir / f"store-{run}-{len(best)}-{name.split()[1]}"
                seconds = timed(lambda loader=loader, target=target: loader(data, target))
                best[name] = min(best.get(name, seconds), seconds)
                shutil.rmtree(target, ignore_errors=True)
    finally:
        if args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)

    raw = best["raw pyoxigraph bulk_load"]
    rows = [
        {"loader": name, "seconds": round(s, 3), "triples_per_s": round(count / s), "ratio": round(raw / s, 3)}
        for name, s in best.items()
    ]
    print(f"\n{'loader':<28} {'time':>8} {'triples/s':>12} {'ratio':>7}")
    for row in rows:
        print(f"{row['loader']:<28} {row['seconds']:>7.2f}s {row['triples_per_s']:>12,} {row['ratio']:>7.2f}")
    passed = all(row["ratio"] >= TARGET_RATIO for row in rows)
    print(f"\ntarget ratio ≥ {TARGET_RATIO}: {'met' if passed else 'NOT met'}")
    result = {
        "benchmark": "bench_load",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version()},
        "pyoxigraph": ox.__version__,
        "triples": count,
        "seed": args.seed,
        "repeat": args.repeat,
        "results": rows,
        "target_ratio": TARGET_RATIO,
        "target_met": passed,
    }
    print(json.dumps(result, indent=2))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
