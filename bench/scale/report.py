"""The Markdown tables and the verdict against each target of issue #6, from the JSON the harness writes."""

from __future__ import annotations

from typing import Any

SRKG = "SRKG HTTP (embedded)"
OXIGRAPH = "Oxigraph server"
INPROCESS = "in-process pyoxigraph"
VIRTUOSO = "SRKG HTTP (Virtuoso)"
ORDER = [SRKG, VIRTUOSO, OXIGRAPH, INPROCESS]
WEB_TARGET_MS = 50.0
CASE_PAGE_TARGET_MS = 20.0
CACHE_TARGET_MS = 2.0
VALIDATION_FACTOR = 1.2


def _ms(value: float) -> str:
    return f"{value:.2f} ms" if value < 100 else f"{value:,.0f} ms"


def _mb(value: int) -> str:
    return f"{value / 1e6:,.0f} MB"


def size_tables(result: dict[str, Any]) -> str:
    """One size: load, shapes (p50 / p95 per backend), throughput, curator paths, memory and disk."""
    load = result["load"]
    if load is None:  # --reuse: the stores of an earlier --keep run
        lines = [f"### {result['label']} cases (the stores of an earlier run, reused: {result.get('reused')}; "
                 "load and ingest as that run measured them)", ""]
    else:
        lines = [f"### {result['label']} cases ({load['quads']:,} quads loaded on top of the repository data)", "",
                 "| load | time | quads/s |", "|---|---|---|",
                 f"| raw `pyoxigraph.Store.bulk_load` | {load['raw_s']:.2f} s "
                 f"| {load['quads'] / load['raw_s']:,.0f} |",
                 f"| SRKG (`OxigraphStore.bulk_load` + the graphs' summaries) | {load['srkg_s']:.2f} s "
                 f"| {load['quads'] / load['srkg_s']:,.0f} |",
                 "", f"Load ratio (raw time ÷ SRKG time; target ≥ 0.70): **{load['ratio']:.2f}**."]
    if result.get("virtuoso_load"):
        v = result["virtuoso_load"]
        lines.append(f"Virtuoso, same quads (isql `ld_dir` + `rdf_loader_run` + `checkpoint`): {v['seconds']:.1f} s "
                     f"({v['quads']:,} quads over all graphs, Virtuoso's own system graphs included).")
    lines.append("")
    backends = [b for b in ORDER if any(b in row["backends"] for row in result["shapes"])]
    lines += ["| shape | " + " | ".join(f"{b} p50 / p95" for b in backends) + " |",
              "|---|" + "---|" * len(backends)]
    for row in result["shapes"]:
        cells = []
        most = max(m["n"] for m in row["backends"].values())
        for b in backends:
            m = row["backends"].get(b)
            if m and "error" in m:
                cells.append("failed: " + m["error"].split(": ", 1)[-1].replace("|", "/")[:160])
                continue
            cut = f" (n={m['n']}: time budget)" if m and m["n"] < most else ""
            cells.append(f"{_ms(m['p50_ms'])} / {_ms(m['p95_ms'])}{cut}" if m else "—")
        lines.append(f"| {row['shape']} | " + " | ".join(cells) + " |")
    lines.append("")
    if result.get("throughput"):
        lines += ["| 8 concurrent clients (SPARQL shapes) | requests/s | p50 | p95 | refused |",
                  "|---|---|---|---|---|"]
        for name, t in result["throughput"].items():
            refused = f"{t.get('failed', 0)}" + (f" ({t['first_failure'][0][:80]})" if t.get("first_failure") else "")
            if "p50_ms" in t:
                lines.append(f"| {name} | {t['requests_per_s']:.1f} | {_ms(t['p50_ms'])} | {_ms(t['p95_ms'])} "
                             f"| {refused} |")
            else:
                lines.append(f"| {name} | 0 | — | — | {refused} |")
        lines.append("")
    extra = []
    if result.get("coverage_after_write"):
        c = result["coverage_after_write"]
        page, s, live = c["page"], c["summaries"], c["live"]
        extra.append(f"coverage right after a write (caches dropped), {s['n']} runs: `/coverage.json` p50 "
                     f"{_ms(page['p50_ms'])} (p95 {_ms(page['p95_ms'])}); its query from the summaries on `/sparql` "
                     f"p50 {_ms(s['p50_ms'])} (p95 {_ms(s['p95_ms'])}) vs the same numbers counted from the case "
                     f"records p50 {_ms(live['p50_ms'])} (p95 {_ms(live['p95_ms'])}): "
                     f"{live['p50_ms'] / s['p50_ms']:.1f}× faster")
    if result.get("validation"):
        v = result["validation"]
        extra.append(f"one-case submission, upload → report ready: p50 {_ms(v['p50_ms'])} "
                     f"(min {_ms(v['min_ms'])}, {v['runs']} runs)")
    if result.get("ingest"):
        i = result["ingest"]
        extra.append(f"survey-template ingest of {i['cases']} cases into this store: {i['cases_per_s']:.1f} cases/s "
                     f"(read+map {i['read_map_s']:.1f} s, SHACL {i['validate_s']:.1f} s, load {i['load_s']:.1f} s)")
    for name, seconds in result.get("evidence_index_ready_s", {}).items():
        extra.append(f"{name}: the comparison's evidence index was ready {seconds:.1f} s after the server answered "
                     "(built in the background at start; the comparison is timed after it)")
    for name, seconds in result.get("search_index_built_s", {}).items():  # runs before session 9
        extra.append(f"{name}: the first search, which builds the search index, took {seconds:.1f} s (the search "
                     "shapes are timed after it)")
    for name, seconds in result.get("search_index_ready_s", {}).items():
        built = result.get("search_index_build_s", {}).get(name)
        extra.append(f"{name}: the search index (made in the background from server start, beside the evidence "
                     f"index) was ready {seconds:.1f} s after the evidence index"
                     + (f"; making it took {built:.1f} s" if built is not None else ""))
    extra += [f"failed: {failure[:300]}" for failure in result.get("failures", [])]
    for name, rss in result.get("peak_rss_bytes", {}).items():
        extra.append(f"peak RSS, {name}: {_mb(rss)}")
    base = f" (repository data alone: {_mb(load['base_bytes'])})" if load else ""
    extra.append(f"store on disk: {_mb(result['store_bytes'])}{base}")
    lines += [f"- {e}" for e in extra]
    return "\n".join(lines) + "\n"


def verdicts(results: list[dict[str, Any]]) -> list[str]:
    """Each target against the largest size measured (validation: largest vs smallest)."""
    if not results:
        return []
    big = max(results, key=lambda r: r["cases"])
    shapes = {row["shape"]: {name: m for name, m in row["backends"].items() if "error" not in m}
              for row in big["shapes"]}
    out: list[str] = []

    def judge(what: str, value: float, limit: float, strict: bool = True) -> None:
        ok = value < limit if strict else value <= limit
        how = "met" if ok else f"missed by {value - limit:.2f} ms ({value / limit:.1f}×)"
        out.append(f"{what} at {big['label']}: {_ms(value)} vs {_ms(limit)} — {how}")

    for shape, by in shapes.items():
        if SRKG in by and OXIGRAPH in by:
            judge(f"`/sparql` p50 ≤ Oxigraph server p50, {shape}", by[SRKG]["p50_ms"], by[OXIGRAPH]["p50_ms"],
                  strict=False)
    for shape, by in shapes.items():
        if SRKG not in by:
            continue
        if shape.startswith(("coverage", "comparison", "search facets", "statistics")):
            judge(f"{shape} p50 < 50 ms", by[SRKG]["p50_ms"], WEB_TARGET_MS)
        elif shape.startswith("case page"):
            judge(f"{shape} p50 < 20 ms", by[SRKG]["p50_ms"], CASE_PAGE_TARGET_MS)
        elif shape.startswith("repeated"):
            judge(f"{shape} p50 < 2 ms", by[SRKG]["p50_ms"], CACHE_TARGET_MS)
    if big.get("coverage_after_write"):
        judge("coverage recomputed right after a write (`/coverage.json`) p50 < 50 ms",
              big["coverage_after_write"]["page"]["p50_ms"], WEB_TARGET_MS)
    small = min(results, key=lambda r: r["cases"])
    if big is not small and big.get("validation") and small.get("validation"):
        factor = big["validation"]["p50_ms"] / small["validation"]["p50_ms"]
        how = "met" if factor <= VALIDATION_FACTOR else f"missed ({factor:.2f}× > {VALIDATION_FACTOR}×)"
        out.append(f"one-submission validation at {big['label']} ÷ at {small['label']}: {factor:.2f}× "
                   f"(target ≤ {VALIDATION_FACTOR}×) — {how}")
    return out


def markdown(doc: dict[str, Any]) -> str:
    parts = [f"Machine: {doc['machine']}; date {doc['date']}; {doc['runs']} runs after {doc['warmup']} warm-up "
             f"per shape, interleaved between backends.", ""]
    parts += [size_tables(r) for r in doc["sizes"]]
    parts += ["Targets:", ""] + [f"- {v}" for v in verdicts(doc["sizes"])]
    return "\n".join(parts) + "\n"
