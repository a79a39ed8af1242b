"""``srkg serve`` shortens Python's GIL turns before it serves: while an index is made in a background thread, a
request waiting on I/O ~30 times took 130-230 ms at the default 5 ms turns (seen at 1M cases; bench/bench_gil.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import uvicorn

from sparql_api.cli import main, serve_cmd


def test_serve_sets_the_short_switch_interval_before_serving(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[float] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: seen.append(sys.getswitchinterval()))
    monkeypatch.setenv("SRKG_DATA_DIR", str(tmp_path))
    default = sys.getswitchinterval()
    try:
        assert main(["serve", "--no-bootstrap", "--port", "0"]) == 0
    finally:
        sys.setswitchinterval(default)
    assert seen == [serve_cmd.REQUEST_SWITCH_INTERVAL_S] and default > serve_cmd.REQUEST_SWITCH_INTERVAL_S


def test_the_benchmark_runs_and_prints_its_three_rows(capsys: pytest.CaptureFixture[str]) -> None:
    """Kept from rotting; its numbers belong in bench/README.md, not in an assertion."""
    from bench import bench_gil

    assert bench_gil.main(["--requests", "5", "--waits", "3"]) == 0
    rows = capsys.readouterr().out.splitlines()[2:]
    short = f"{serve_cmd.REQUEST_SWITCH_INTERVAL_S * 1000:g} ms"
    assert [row.split("|")[2].strip() for row in rows] == ["5 ms", "5 ms", short]
