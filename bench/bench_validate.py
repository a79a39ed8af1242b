"""Time to validate a one-case submission (issue target: < 100 ms), warm, as the server and CLI do it.

    python -m bench.bench_validate [--runs 50] [--json out.json]

Reports median and p95 of ``validate_graph`` on the complete valid fixture and on one real example case,
next to the cold first call (which also loads vocabularies and shapes) and the cost of the pieces
(reading the vocabulary once, building the validation graph).
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import time
from pathlib import Path

from ingest import paths
from ingest.rdf_files import read_graph
from ingest.validation import shapes_graph, validate_graph, validation_graph
from ingest.vocabulary import default_vocabulary

ROOT = Path(__file__).resolve().parent.parent


def timed_ms(function, runs: int) -> list[float]:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def summarise(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "median_ms": round(statistics.median(ordered), 1),
        "p95_ms": round(ordered[max(0, int(len(ordered) * 0.95) - 1)], 1),
        "min_ms": round(ordered[0], 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()

    start = time.perf_counter()
    vocabulary = default_vocabulary()
    shapes_graph()
    load_ms = (time.perf_counter() - start) * 1000

    inputs = {"complete fixture": ROOT / "tests/fixtures/valid/complete-case.ttl"}
    examples = sorted((paths.examples_dir() / "cases").glob("*.ttl"))
    if examples:
        inputs[f"real example ({examples[0].name})"] = examples[0]

    results: dict[str, object] = {
        "machine": f"{platform.machine()} {platform.processor() or ''} {platform.python_version()}".strip(),
        "date": time.strftime("%Y-%m-%d"),
        "vocabulary_and_shapes_load_ms": round(load_ms, 1),
        "vocabulary_triples": len(vocabulary),
    }
    for name, path in inputs.items():
        graph = read_graph(path)
        first = timed_ms(lambda graph=graph: validate_graph(graph, vocabulary=vocabulary), 1)[0]
        warm = timed_ms(lambda graph=graph: validate_graph(graph, vocabulary=vocabulary), args.runs)
        build = timed_ms(lambda graph=graph: validation_graph(graph, vocabulary), args.runs)
        results[name] = {
            "triples": len(graph),
            "first_call_ms": round(first, 1),
            "validate": summarise(warm),
            "build_validation_graph": summarise(build),
        }

    print(f"{'input':<45} {'triples':>7} {'median ms':>10} {'p95 ms':>8} {'first ms':>9}")
    for name in inputs:
        row = results[name]
        assert isinstance(row, dict)
        print(f"{name:<45} {row['triples']:>7} {row['validate']['median_ms']:>10} "
              f"{row['validate']['p95_ms']:>8} {row['first_call_ms']:>9}")
    print(f"vocabulary + shapes load (once per process): {results['vocabulary_and_shapes_load_ms']} ms")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
