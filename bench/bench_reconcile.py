"""Reconciliation speed (issue targets: index built < 1.5 s; an exact lookup < 1 ms).

    python -m bench.bench_reconcile [--runs 2000] [--json out.json]

Reports the cold cost of loading the Vocabulary and of building the label index (separately and together),
then the warm per-lookup time of exact matches (codes, labels, synonyms of each kind), of unmatched texts
(which are compared with every label of their scheme) and of memoised repeats. Lookups are timed on fresh
Reconciler instances' inner path (``_reconcile``), so the memo does not hide their cost.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import time
from pathlib import Path

from ingest.reconcile import Reconciler
from ingest.reconcile.index import KIND_SCHEMES
from ingest.vocabulary import Vocabulary, vocabulary_files

EXACT = [
    ("country", "France"),
    ("country", "FRA"),
    ("country", "250"),
    ("country", "Россия"),
    ("pollutant", "Cd"),
    ("pollutant", "7440-43-9"),
    ("pollutant", "benzo[a]pyrene"),
    ("pollutant", "TPH"),
    ("technology", "soil vapor extraction"),
    ("unit", "mg kg-1"),
    ("unit", "µg/g"),
    ("currency", "usd"),
]
UNMATCHED = [("pollutant", "unobtainium"), ("country", "Deutschland"), ("technology", "bioremediacion")]


def timed_us(function, runs: int) -> list[float]:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        samples.append((time.perf_counter() - start) * 1e6)
    return samples


def summarise(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "median_us": round(statistics.median(ordered), 1),
        "p95_us": round(ordered[max(0, int(len(ordered) * 0.95) - 1)], 1),
        "max_us": round(ordered[-1], 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=2000)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()

    start = time.perf_counter()
    vocabulary = Vocabulary(vocabulary_files())
    vocabulary_s = time.perf_counter() - start
    start = time.perf_counter()
    reconciler = Reconciler(vocabulary)
    index_s = time.perf_counter() - start

    results: dict[str, object] = {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "vocabulary_load_s": round(vocabulary_s, 3),
        "index_build_s": round(index_s, 3),
        "cold_total_s": round(vocabulary_s + index_s, 3),
        "exact": {},
        "unmatched": {},
    }
    for kind, text in EXACT:
        scheme = KIND_SCHEMES[kind]
        result = reconciler._reconcile(scheme, text)
        assert result.match is not None, (kind, text)
        results["exact"][f"{kind}: {text}"] = {  # type: ignore[index]
            "method": result.match.method,
            **summarise(timed_us(lambda s=scheme, t=text: reconciler._reconcile(s, t), args.runs)),
        }
    for kind, text in UNMATCHED:
        scheme = KIND_SCHEMES[kind]
        runs = max(10, args.runs // 50)
        results["unmatched"][f"{kind}: {text}"] = summarise(  # type: ignore[index]
            timed_us(lambda s=scheme, t=text: reconciler._reconcile(s, t), runs)
        )
    results["memoised_repeat"] = summarise(timed_us(lambda: reconciler.pollutant("unobtainium"), args.runs))

    print(f"vocabulary load {vocabulary_s:.3f} s + label index {index_s:.3f} s = {vocabulary_s + index_s:.3f} s")
    for group in ("exact", "unmatched"):
        for name, stats in results[group].items():  # type: ignore[union-attr]
            print(f"{group:9} {name:38} median {stats['median_us']:8.1f} µs  p95 {stats['p95_us']:8.1f} µs")
    memo = results["memoised_repeat"]
    print(f"memoised  {'repeat of an unmatched text':38} median {memo['median_us']:8.1f} µs")  # type: ignore[index]
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
