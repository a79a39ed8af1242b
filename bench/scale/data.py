"""Data for one size: the generated cases (cached by size and seed), the repository data the pages need
(bootstrapped once into a cached base store), and the timed loads — SRKG's ``OxigraphStore.bulk_load`` against
raw ``pyoxigraph.Store.bulk_load`` of the same file onto a copy of the same base."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from bench.bench_http import REPO
from sparql_api.server.bootstrap import bootstrap, state_path
from sparql_api.store.oxigraph_store import OxigraphStore
from sparql_api.summaries.store import SummarisingStore

NQUADS = "application/n-quads"


def parse_size(text: str) -> int:
    """``"1k"`` → 1000, ``"1M"`` → 1,000,000, ``"200"`` → 200; a clear error otherwise."""
    raw = text.strip()
    factor = {"k": 1_000, "K": 1_000, "m": 1_000_000, "M": 1_000_000}.get(raw[-1:], 1)
    digits = raw[:-1] if factor != 1 else raw
    try:
        value = int(float(digits) * factor)
    except ValueError:
        raise ValueError(f"--sizes: {text!r} is not a case count (examples: 200, 1k, 10k, 1M)") from None
    if value < 10:
        raise ValueError(f"--sizes: {text!r} is too small (at least 10 cases)")
    return value


def size_label(cases: int) -> str:
    if cases >= 1_000_000 and cases % 1_000_000 == 0:
        return f"{cases // 1_000_000}M"
    if cases >= 1_000 and cases % 1_000 == 0:
        return f"{cases // 1_000}k"
    return str(cases)


def generated(workdir: Path, cases: int, seed: int) -> Path:
    """The N-Quads file for this size and seed, generated once (``bench.generate`` renames only when complete)."""
    out = workdir / f"cases-{size_label(cases)}-s{seed}.nq"
    if not out.exists():
        workdir.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, "-m", "bench.generate", "--cases", str(cases), "--seed", str(seed),
                        "--out", str(out)], check=True, cwd=REPO, stdout=subprocess.DEVNULL)
    return out


def base_data_dir(workdir: Path) -> Path:
    """A data directory holding what the server's bootstrap loads (ontology, vocabularies, AGROVOC subset,
    countries, real cases): the generated cases reference those concepts, and the pages show their labels.
    Re-running bootstrap is cheap when nothing changed (it compares file digests)."""
    base = workdir / "base-data"
    store = OxigraphStore(base / "store", query_workers=0)
    try:
        bootstrap(store, state_path(base), progress=lambda _m: None)
    finally:
        store.close()
    return base


def copy_data_dir(source: Path, target: Path) -> Path:
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(source, target)
    return target


def disk_bytes(path: Path) -> int:
    total = 0
    for root, _dirs, files in os.walk(path):
        for name in files:
            with contextlib.suppress(FileNotFoundError):  # RocksDB may drop a log file while we walk
                total += (Path(root) / name).stat().st_size
    return total


@dataclass(frozen=True)
class LoadResult:
    quads: int
    srkg_s: float
    raw_s: float
    store_bytes: int  # SRKG's store directory after the load (base data included)
    base_bytes: int

    @property
    def ratio(self) -> float:
        """raw time ÷ SRKG time: 1.0 = as fast as raw pyoxigraph (target ≥ 0.70)."""
        return self.raw_s / self.srkg_s


def load_both(nq: Path, base: Path, srkg_dir: Path, raw_dir: Path) -> LoadResult:
    """Raw pyoxigraph first, then SRKG, each onto its own fresh copy of the base store."""
    copy_data_dir(base, raw_dir)
    raw = ox.Store(str(raw_dir / "store"))
    started = time.perf_counter()
    raw.bulk_load(path=str(nq), format=ox.RdfFormat.N_QUADS)
    raw.flush()
    raw_s = time.perf_counter() - started
    del raw
    shutil.rmtree(raw_dir)

    copy_data_dir(base, srkg_dir)
    # as `srkg load` does: the summaries of the graphs loaded are made in the same call
    store = SummarisingStore(OxigraphStore(srkg_dir / "store", query_workers=0))
    try:
        started = time.perf_counter()
        quads = store.bulk_load(nq, NQUADS)
        srkg_s = time.perf_counter() - started
    finally:
        store.close()
    return LoadResult(quads, srkg_s, raw_s, disk_bytes(srkg_dir / "store"), disk_bytes(base / "store"))
