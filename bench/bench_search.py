"""Search index at scale: build time for N synthetic case studies and p50/p95 query time, against a naive scan.

    python -m bench.bench_search [--cases 10000] [--runs 20] [--seed 7] [--json out.json]

The cases are written as N-Triples that use the real vocabularies (countries, pollutants, technologies,
scales; every label in six languages) and bulk-loaded, with those vocabularies, into a fresh embedded store.
Build = the index's five SELECTs (``fetch_rows``) + building the index (``index_from_rows``). Queries are a
fixed mix (one word, a prefix as typed, two words, Spanish, Russian, Chinese, Arabic, browse with facets,
words plus filters), each asking for page 1 with every facet counted. The baseline, timed in the same run on
the same documents, is a naive scan: normalised substring test of every query word against each case's text
(its own text plus its concepts' labels), set tests for the filters, facet counts by iterating the matches,
sorted by title.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import statistics
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from sparql_api.store.oxigraph_store import OxigraphStore
from sparql_api.web.search_index import (
    FACETS,
    SearchIndex,
    SearchRequest,
    fetch_rows,
    index_from_rows,
    normalise,
)

ROOT = Path(__file__).resolve().parent.parent
SRKG = "https://w3id.org/srkg/ontology#"
VOCAB = "https://w3id.org/srkg/vocab/"
CASE = "https://w3id.org/srkg/id/case/bench-"
GRAPH = "https://w3id.org/srkg/graph/submission/bench-search"
_TEXT = (
    "soil sediment remediation trial field pilot plant site former smelter mine tailings refinery landfill "
    "contaminated polluted agricultural urban industrial garden railway harbour river wetland groundwater "
    "phytoremediation biochar compost amendment lime excavation capping washing thermal desorption biopile "
    "landfarming hyperaccumulator willow poplar sunflower maize rice reed grass microbial bacteria fungi "
    "reduction removal uptake leaching immobilisation stabilisation monitoring cost years hectares tonnes "
    "concentration target achieved residents children health community project programme municipality"
)
WORDS = tuple(_TEXT.split())
QUERIES: list[tuple[str, dict[str, tuple[str, ...]]]] = [
    ("cadmium", {}),
    ("cadm", {}),
    ("lead smelter", {}),
    ("cadmio", {}),
    ("кадмий", {}),
    ("镉", {}),
    ("植物修复", {}),
    ("الرصاص", {}),
    ("phytoremédiation willow", {}),
    ("", {"country": ("CHN",)}),
    ("", {"region": ("150",), "nature_based": ("yes",)}),
    ("soil", {"pollutant_class": ("metals-metalloids",), "scale": ("field", "pilot")}),
    ("", {}),
]


def _literal(text: str, lang: str | None = None) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"' + (f"@{lang}" if lang else "")


def _case_triples(n: int, rng: random.Random, pools: dict[str, list[str]]) -> list[str]:
    case, site, step = f"<{CASE}{n}>", f"<{CASE}{n}-site>", f"<{CASE}{n}-step>"

    def words(count: int) -> str:
        return " ".join(rng.choice(WORDS) for _ in range(count))

    lines = [
        f"{case} <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{SRKG}CaseStudy> .",
        f"{case} <http://purl.org/dc/terms/title> {_literal(words(10).capitalize(), 'en')} .",
        f"{case} <{SRKG}outcomeSummary> {_literal(words(35))} .",
        f"{case} <{SRKG}site> {site} .",
        f"{site} <http://www.w3.org/2000/01/rdf-schema#label> {_literal(words(4))} .",
        f"{site} <{SRKG}country> <{rng.choice(pools['country'])}> .",
        f"{case} <{SRKG}scale> <{rng.choice(pools['scale'])}> .",
        f"{case} <{SRKG}technologyApplication> {step} .",
        f"{step} <{SRKG}technology> <{rng.choice(pools['technology'])}> .",
        f"{step} <{SRKG}applicationDescription> {_literal(words(8))} .",
    ]
    lines += [f"{case} <{SRKG}pollutant> <{p}> ." for p in rng.sample(pools["pollutant"], rng.randint(1, 3))]
    if rng.random() < 0.7:
        year = f'"{rng.randint(1985, 2025)}"^^<http://www.w3.org/2001/XMLSchema#integer>'
        lines.append(f"{case} <{SRKG}startYear> {year} .")
    return lines


def make_store(directory: Path, cases: int, seed: int) -> OxigraphStore:
    """A fresh store with the real vocabularies and ``cases`` synthetic cases."""
    store = OxigraphStore(directory / "store")
    for path in sorted((ROOT / "ontology" / "vocab").glob("*.ttl")):
        store.bulk_load(path, "text/turtle", "https://w3id.org/srkg/graph/vocab")
    store.bulk_load(ROOT / "ontology" / "external" / "countries.ttl", "text/turtle",
                    "https://w3id.org/srkg/graph/countries")
    found: dict[str, set[str]] = {kind: set() for kind in ("country", "pollutant", "technology", "scale")}
    for row in fetch_rows(store)["concepts"]:
        found.get(row["scheme"].removeprefix(VOCAB), set()).add(row["concept"])
    pools = {kind: sorted(iris) for kind, iris in found.items()}
    rng = random.Random(seed)
    data = directory / "cases.nt"
    with data.open("w", encoding="utf-8") as out:
        for n in range(cases):
            out.write("\n".join(_case_triples(n, rng, pools)) + "\n")
    store.bulk_load(data, "application/n-triples", GRAPH)
    return store


class NaiveScan:
    """The baseline: a linear scan over the same documents' normalised text and facet values."""

    def __init__(self, index: SearchIndex) -> None:
        self.cases = index.cases
        self.texts = []
        for case in index.cases:
            labels = [text for facet in FACETS for iri in case.values.get(facet, ())
                      if (concept := index.concepts.get(iri)) for text in concept.text()]
            self.texts.append(normalise(" ".join([*(t for _, _, t in case.fields), *labels])))

    def search(self, text: str, filters: dict[str, frozenset[str]]) -> tuple[int, dict[str, Counter[str]]]:
        words = normalise(text).split()
        matching = [i for i, doc in enumerate(self.texts) if all(w in doc for w in words)]

        def passes(i: int, skip: str | None = None) -> bool:
            values = self.cases[i].values
            return all(set(values.get(f, ())) & chosen for f, chosen in filters.items() if f != skip)

        results = sorted((i for i in matching if passes(i)), key=lambda i: self.cases[i].title("en"))
        counts = {facet: Counter(value for i in matching if passes(i, facet)
                                 for value in self.cases[i].values.get(facet, ())) for facet in FACETS}
        return len(results), counts


def timed_ms(function: Callable[[], object], runs: int) -> list[float]:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=20, help="runs of each query")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="srkg-bench-search-") as tmp:
        start = time.perf_counter()
        store = make_store(Path(tmp), args.cases, args.seed)
        setup_s = time.perf_counter() - start
        start = time.perf_counter()
        rows = fetch_rows(store)
        fetch_s = time.perf_counter() - start
        start = time.perf_counter()
        index = index_from_rows(rows)
        index_s = time.perf_counter() - start
        store.close()

    naive = NaiveScan(index)
    requests = [SearchRequest(text, {f: frozenset(index.resolve(f, v) for v in vs) for f, vs in filters.items()})
                for text, filters in QUERIES]
    index_ms: list[float] = []
    naive_ms: list[float] = []
    per_query = []
    for request in requests:
        result = index.search(request)
        fast = timed_ms(lambda r=request: index.search(r), args.runs)
        slow = timed_ms(lambda r=request: naive.search(r.text, dict(r.filters)), max(3, args.runs // 4))
        index_ms += fast
        naive_ms += slow
        per_query.append({"query": request.text, "filters": {k: sorted(v) for k, v in request.filters.items()},
                          "total": result.total, "index_p50_ms": round(statistics.median(fast), 2),
                          "naive_p50_ms": round(statistics.median(slow), 2)})

    summary = {
        "cases": len(index.cases),
        "setup_s (write + bulk-load the store, not counted)": round(setup_s, 1),
        "build_fetch_s": round(fetch_s, 2),
        "build_index_s": round(index_s, 2),
        "build_total_s": round(fetch_s + index_s, 2),
        "index_p50_ms": round(statistics.median(index_ms), 2),
        "index_p95_ms": round(percentile(index_ms, 0.95), 2),
        "naive_p50_ms": round(statistics.median(naive_ms), 2),
        "naive_p95_ms": round(percentile(naive_ms, 0.95), 2),
    }
    summary["speed-up p50 (naive / index)"] = round(summary["naive_p50_ms"] / summary["index_p50_ms"], 1)
    for key, value in summary.items():
        print(f"{key:52} {value}")
    print()
    for row in per_query:
        print(f"  {row['query'] or '(browse)':26} {json.dumps(row['filters'])[:60]:60} total {row['total']:>6}"
              f"  index {row['index_p50_ms']:>8} ms  naive {row['naive_p50_ms']:>8} ms")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        report = {"summary": summary, "queries": per_query, "python": platform.python_version()}
        args.json.write_text(json.dumps(report, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
