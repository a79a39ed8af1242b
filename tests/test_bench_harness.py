"""The scale benchmark harness (``python -m bench``, issue #6) end to end at a tiny size, so it cannot rot:
real generated data, real ``srkg serve``, in-process pyoxigraph; every shape timed, numbers sane, report made."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from bench.scale import report
from bench.scale.data import parse_size
from bench.scale.shapes import CACHED, SPARQL, WEB, Targets, shapes

REPO = Path(__file__).resolve().parent.parent
CASES = 200


@pytest.fixture(scope="module")
def tmp(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("bench-harness")


@pytest.fixture(scope="module")
def run(tmp: Path) -> tuple[dict, str]:
    out = tmp / "scale.json"
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--sizes", str(CASES), "--backends", "embedded,inprocess", "--runs", "3",
         "--warmup", "1", "--clients", "2", "--per-client", "3", "--validation-runs", "1", "--ingest-cases", "1",
         "--workdir", str(tmp / "work"), "--json", str(out), "--keep"],
        cwd=REPO, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(out.read_text()), done.stdout


@pytest.fixture(scope="module")
def workdir(run: tuple[dict, str], tmp: Path) -> Path:
    return tmp / "work"


def test_reuse_times_the_stores_a_kept_run_left_without_loading_again(workdir: Path) -> None:
    """At 1M cases loading takes ~30 min: ``--reuse`` times the shapes again on the stores ``--keep`` left."""
    stores = workdir / f"run-{CASES}" / "srkg-data" / "store"
    assert stores.is_dir()  # --keep kept them
    out = workdir.parent / "reused.json"
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--sizes", str(CASES), "--backends", "embedded", "--runs", "1",
         "--warmup", "1", "--clients", "0", "--validation-runs", "0", "--workdir", str(workdir), "--json", str(out),
         "--reuse", "--query-timeout", "120"], cwd=REPO, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr[-3000:]
    doc = json.loads(out.read_text())
    (size,) = doc["sizes"]
    assert doc["query_timeout_s"] == 120
    assert size["load"] is None and size["reused"].endswith(f"run-{CASES}") and "ingest" not in size
    assert size["store_bytes"] > 1_000_000 and size["discovered"]["cases"] >= CASES
    assert all(row["backends"][report.SRKG]["n"] == 1 for row in size["shapes"])
    assert "reusing the stores" in done.stderr and "loading" not in done.stderr
    assert stores.is_dir()  # a reusing run leaves them for the next


def test_reuse_without_a_kept_run_names_what_is_missing(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "bench", "--sizes", "1k", "--backends", "embedded", "--reuse",
                           "--workdir", str(tmp_path)], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert done.returncode != 0 and "run-1k lacks srkg-data/store, copy-store" in done.stderr


def test_every_shape_is_timed_on_the_backends_that_can_answer_it(run: tuple[dict, str]) -> None:
    doc, _ = run
    (size,) = doc["sizes"]
    assert size["cases"] == CASES and size["discovered"]["cases"] >= CASES  # plus the repository's real cases
    expected = shapes(Targets(["https://w3id.org/srkg/id/case/x"], ["lead"], CASES))
    assert len(expected) >= 10
    rows = {row["shape"]: row for row in size["shapes"]}
    assert set(rows) == {s.name for s in expected}
    for shape in expected:
        by = rows[shape.name]["backends"]
        wanted = {report.SRKG, report.INPROCESS} if shape.kind == SPARQL else {report.SRKG}
        assert set(by) == wanted, shape.name
        for numbers in by.values():
            assert numbers["n"] == 3
            assert 0 < numbers["p50_ms"] <= numbers["p95_ms"] <= numbers["max_ms"] < 30_000, (shape.name, numbers)
    assert {row["kind"] for row in size["shapes"]} == {SPARQL, WEB, CACHED}


def test_load_throughput_memory_disk_and_curator_paths_are_measured(run: tuple[dict, str]) -> None:
    doc, _ = run
    (size,) = doc["sizes"]
    load = size["load"]
    assert load["quads"] > 35 * CASES  # ~41.8 quads per generated case
    assert load["raw_s"] > 0 and load["srkg_s"] > 0 and load["ratio"] == pytest.approx(load["raw_s"] / load["srkg_s"])
    assert size["store_bytes"] > 1_000_000 and load["base_bytes"] > 1_000_000  # RocksDB files, before compaction
    assert 50e6 < size["peak_rss_bytes"][report.SRKG] < 4e9
    after = size["coverage_after_write"]  # the summaries against the live coverage query, after each write
    assert after["page"]["n"] == after["summaries"]["n"] == after["live"]["n"] == 3
    assert all(0 < after[name]["p50_ms"] < 30_000 for name in ("page", "summaries", "live"))
    for name in (report.SRKG, report.INPROCESS):
        t = size["throughput"][name]
        assert t["requests"] == 6 and t["requests_per_s"] > 0
    assert size["validation"]["runs"] == 1 and 0 < size["validation"]["p50_ms"] < 60_000
    assert size["ingest"]["cases"] == 1 and size["ingest"]["cases_per_s"] > 0
    # The search index is made from server start, beside the evidence index; the server says how long it took.
    assert size["search_index_ready_s"][report.SRKG] >= 0 and 0 < size["search_index_build_s"][report.SRKG] < 120


def test_the_report_has_the_tables_and_a_verdict_per_target(run: tuple[dict, str]) -> None:
    _, markdown = run
    assert f"### {CASES} cases" in markdown
    assert "| case page (.html) |" in markdown and "| repeated identical query (cache hit) |" in markdown
    for target in ("case page (.html) p50 < 20 ms", "coverage (/coverage.json) p50 < 50 ms",
                   "comparison (/compare.json) p50 < 50 ms", "repeated identical query (cache hit) p50 < 2 ms"):
        assert target in markdown
    assert markdown.count(" — met") + markdown.count(" — missed") >= 5


@pytest.mark.parametrize(("text", "cases"), [("200", 200), ("1k", 1_000), ("10k", 10_000), ("1M", 1_000_000)])
def test_sizes_are_read_as_people_write_them(text: str, cases: int) -> None:
    assert parse_size(text) == cases


def test_a_bad_size_names_the_option() -> None:
    with pytest.raises(ValueError, match="--sizes: 'lots'"):
        parse_size("lots")


def test_the_query_time_limit_reaches_the_srkg_servers() -> None:
    from bench.scale.run import Options, _server_env

    options = Options(Path("."), 42, ("embedded",), 1, 1, 0, 0, 0, 0, None, False)
    assert _server_env(options) == {"SRKG_RATE_LIMIT": "0"}  # the server's own default
    assert _server_env(replace(options, query_timeout_s=300))["SRKG_QUERY_TIMEOUT"] == "300"


def test_the_search_writes_bench_runs_and_the_appended_index_answers_like_the_compacted_one(tmp_path: Path) -> None:
    out = tmp_path / "search-writes.json"
    done = subprocess.run([sys.executable, "-m", "bench.bench_search_writes", "--cases", "1200", "--graph-cases",
                           "200", "--runs", "1", "--json", str(out)], cwd=REPO, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stderr
    found = json.loads(out.read_text("utf-8"))
    assert found["cases"] == 1200 and found["graph_cases"] == 200
    assert found["searches"] and all(s["same_total_and_facets"] for s in found["searches"])
    assert found["kept_on_disk"]["bytes"] > 0 and found["update_appended_s"] > 0
    assert "WARNING" not in done.stdout
