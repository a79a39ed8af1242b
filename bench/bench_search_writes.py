"""The search index after a write and across a restart, at scale (issue #6).

    python -m bench.bench_search_writes [--cases 20000] [--graph-cases 1000] [--runs 7] [--json out.json]
    python -m bench.bench_search_writes --data-dir DIR   # an existing SRKG data directory (e.g. a 100k store)

Without ``--data-dir`` a fresh embedded store gets the vocabularies and ``--cases`` synthetic case studies
(``bench.generate``, 1,000 per submission graph). Timed, in-process, on one summarising store:

- **whole build** (``build_index``: every case read with SELECTs, then indexed) — the baseline;
- **update after publishing one graph** of ``--graph-cases`` new cases (``update_index``: only that graph asked
  about and read; the cases appended as a text segment), and the same with the earlier whole-in-memory update
  (``SEGMENT_MIN_CASES`` raised: the index made whole from its documents);
- **compaction** in memory (what runs in the background once writes pause);
- searches (the ``python -m bench`` words and facet filters) on the appended index vs the compacted one;
- **kept on disk**: writing the index and reading it back (what a restart costs instead of a whole build).
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox

from bench.bench_search import ROOT, percentile, timed_ms
from bench.generate import PROFILE, generate_file, load_profile
from bench.scale.shapes import FACET_FILTERS, SEARCH_WORDS
from sparql_api.store.oxigraph_store import OxigraphStore
from sparql_api.summaries.revisions import Revision
from sparql_api.summaries.store import SummarisingStore
from sparql_api.web import search_index as si
from sparql_api.web import search_snapshot

NEW_GRAPH = "https://w3id.org/srkg/graph/submission/bench-search-writes"


def seconds(work: Callable[[], object]) -> tuple[float, object]:
    start = time.perf_counter()
    result = work()
    return time.perf_counter() - start, result


def fresh_store(directory: Path, cases: int) -> SummarisingStore:
    store = OxigraphStore(directory / "store")
    for path in sorted((ROOT / "ontology" / "vocab").glob("*.ttl")):
        store.bulk_load(path, "text/turtle", "https://w3id.org/srkg/graph/vocab")
    store.bulk_load(ROOT / "ontology" / "external" / "countries.ttl", "text/turtle",
                    "https://w3id.org/srkg/graph/countries")
    data = directory / "cases.nq"
    generate_file(data, cases, 1, 1000, load_profile(PROFILE))
    store.bulk_load(data, "application/n-quads")
    summarised = SummarisingStore(store)
    summarised.ensure()
    return summarised


def new_graph(directory: Path, cases: int) -> bytes:
    """``cases`` more synthetic cases (another seed: other IRIs) as N-Triples of one graph."""
    path = directory / "more.nq"
    generate_file(path, cases, 2, cases, load_profile(PROFILE))
    out = ox.Store()
    out.bulk_load(path=str(path), format=ox.RdfFormat.N_QUADS)
    return b"".join(f"{q.subject} {q.predicate} {q.object} .\n".encode() for q in out)


def requests(index: si.SearchIndex) -> list[si.SearchRequest]:
    found = [si.SearchRequest(word) for word in SEARCH_WORDS]
    for filters in FACET_FILTERS:
        try:
            found.append(si.SearchRequest("", {f: frozenset({index.resolve(f, v)}) for f, v in filters.items()}))
        except si.UnknownFacetValue:  # a store without that vocabulary
            continue
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=20_000)
    parser.add_argument("--graph-cases", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--data-dir", type=Path, help="an existing SRKG data directory (its store is used)")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="srkg-bench-search-writes-") as tmp:
        work = Path(tmp)
        if args.data_dir:
            store = SummarisingStore(OxigraphStore(args.data_dir / "store"))
            store.ensure()
        else:
            store = fresh_store(work, args.cases)
        try:
            build_s, whole = seconds(lambda: si.build_index(store))
            assert isinstance(whole, si.SearchIndex)
            store.replace_graph(NEW_GRAPH, new_graph(work, args.graph_cases), "application/n-triples")
            saved_minimum = si.SEGMENT_MIN_CASES
            try:  # both ways of updating, whatever the size (the server appends from SEGMENT_MIN_CASES cases on)
                si.SEGMENT_MIN_CASES = 0
                update_s, appended = seconds(lambda: si.update_index(store, whole, {NEW_GRAPH}))
                si.SEGMENT_MIN_CASES = 1 << 62
                whole_update_s, _ = seconds(lambda: si.update_index(store, whole, {NEW_GRAPH}))
            finally:
                si.SEGMENT_MIN_CASES = saved_minimum
            assert isinstance(appended, si.SearchIndex) and appended.order is not None, "not appended"
            compact_s, compact = seconds(appended.compact)
            assert isinstance(compact, si.SearchIndex)
            searches = []
            for request in requests(compact):
                on_appended = timed_ms(lambda r=request: appended.search(r), args.runs)
                on_compact = timed_ms(lambda r=request: compact.search(r), args.runs)
                one, two = appended.search(request), compact.search(request)
                searches.append({"text": request.text, "filters": sorted(request.filters),
                                 "appended_p50_ms": round(statistics.median(on_appended), 2),
                                 "compact_p50_ms": round(statistics.median(on_compact), 2),
                                 "same_total_and_facets": one.total == two.total and one.facets == two.facets})
            kept = work / search_snapshot.FILE_NAME
            save_s, _ = seconds(lambda: search_snapshot.save(compact, Revision("bench", 1), kept))
            load_s, _ = seconds(lambda: search_snapshot.load(kept))
            report = {
                "machine": platform.platform(), "python": platform.python_version(),
                "cases": whole.case_count, "graph_cases": args.graph_cases,
                "whole_build_s": round(build_s, 2),
                "update_appended_s": round(update_s, 2),
                "update_whole_in_memory_s": round(whole_update_s, 2),
                "compaction_s": round(compact_s, 2),
                "kept_on_disk": {"bytes": kept.stat().st_size, "write_s": round(save_s, 2),
                                 "read_back_s": round(load_s, 2)},
                "searches": searches,
                "appended_p50_ms": round(statistics.median(s["appended_p50_ms"] for s in searches), 2),
                "compact_p50_ms": round(statistics.median(s["compact_p50_ms"] for s in searches), 2),
                "appended_p95_of_p50s_ms": round(percentile([s["appended_p50_ms"] for s in searches], 0.95), 2),
            }
        finally:
            if store.has_graph(NEW_GRAPH):  # an existing data directory is left as it was
                store.drop_graph(NEW_GRAPH)
            store.close()
    print(f"{report['cases']:,} cases: whole build {report['whole_build_s']} s; one {args.graph_cases}-case graph "
          f"published: update {report['update_appended_s']} s appended "
          f"(whole in memory: {report['update_whole_in_memory_s']} s), compaction {report['compaction_s']} s; "
          f"search p50 {report['appended_p50_ms']} ms appended vs {report['compact_p50_ms']} ms compact; "
          f"kept on disk {report['kept_on_disk']['bytes'] / 1e6:.0f} MB, written in "
          f"{report['kept_on_disk']['write_s']} s, read back in {report['kept_on_disk']['read_back_s']} s")
    if not all(s["same_total_and_facets"] for s in searches):
        print("WARNING: an appended index answered a total or facet count differently from the compacted one")
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n", "utf-8")


if __name__ == "__main__":
    main()
