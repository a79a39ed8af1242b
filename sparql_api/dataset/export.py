"""``srkg export``: everything a data user downloads, written atomically into one directory.

Files: ``everything.nq.gz`` (every quad), one Turtle file per named graph (``graph-<name>.ttl``), the CSV tables
(``tables.py``), ``SHA256SUMS`` (``sha256sum -c`` checks it) and ``manifest.json`` (date, triples per graph,
every file with its size, checksum and media type, the tables' columns). The directory is built under a
temporary name and renamed when complete, so a reader never sees half an export; ``<data dir>/exports/latest``
then points at the newest one (what the server offers under ``/downloads/``).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sparql_api.dataset.tables import TABLES, write_table
from sparql_api.store.base import Store

MANIFEST = "manifest.json"
CHECKSUMS = "SHA256SUMS"
NQUADS_GZ = "everything.nq.gz"
MEDIA_TYPES = {".gz": "application/n-quads", ".ttl": "text/turtle", ".csv": "text/csv", ".json": "application/json"}


@dataclass(frozen=True)
class ExportedFile:
    name: str
    media_type: str
    bytes: int
    sha256: str
    description: str
    graph: str | None = None
    triples: int | None = None
    rows: int | None = None


def exports_dir(data_dir: Path) -> Path:
    return data_dir / "exports"


def latest_export(data_dir: Path) -> Path | None:
    """The directory of the newest complete export, or None."""
    latest = exports_dir(data_dir) / "latest"
    return latest.resolve() if (latest / MANIFEST).is_file() else None


def read_manifest(export_dir: Path) -> dict[str, Any]:
    return json.loads((export_dir / MANIFEST).read_text(encoding="utf-8"))


def graph_file_name(graph: str, base: str) -> str:
    """``{base}graph/submission/x`` → ``graph-submission-x.ttl``; other IRIs are made file-safe."""
    name = graph.removeprefix(base + "graph/") if graph.startswith(base + "graph/") else graph
    return "graph-" + (re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-") or "default") + ".ttl"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _file(path: Path, description: str, **extra: Any) -> ExportedFile:
    media = MEDIA_TYPES.get(path.suffix, "application/octet-stream")
    return ExportedFile(path.name, media, path.stat().st_size, sha256_of(path), description, **extra)


def _gzip(source: Path, target: Path) -> None:
    with source.open("rb") as raw, gzip.open(target, "wb", compresslevel=6) as packed:
        shutil.copyfileobj(raw, packed, 1 << 20)


def write_export(
    store: Store, out: Path, *, base: str, progress: Callable[[str], None] = lambda _: None
) -> dict[str, Any]:
    """Write a complete export into the new directory ``out``; return its manifest."""
    if out.exists():
        raise FileExistsError(f"{out} already exists; choose a new directory")
    out.parent.mkdir(parents=True, exist_ok=True)
    work = out.with_name(out.name + ".partial")
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    try:
        manifest = _write_files(store, work, base, progress)
        os.replace(work, out)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return manifest


def _write_files(store: Store, work: Path, base: str, progress: Callable[[str], None]) -> dict[str, Any]:
    created = datetime.now(UTC).replace(microsecond=0)
    counts = store.stats()
    files: list[ExportedFile] = []
    raw = work / "everything.nq"
    quads = store.dump(raw, "application/n-quads")
    _gzip(raw, work / NQUADS_GZ)
    raw.unlink()
    files.append(_file(work / NQUADS_GZ, "every quad of every named graph (N-Quads, gzip)", triples=quads))
    progress(f"{quads:,} quads → {NQUADS_GZ}")
    for graph in sorted(counts):
        data = store.get_graph(graph, "text/turtle")
        if data is None:
            continue
        path = work / graph_file_name(graph, base)
        if path.exists():  # two IRIs that make the same file-safe name (``…/a`` and ``…-a``): keep both
            path = path.with_name(f"{path.stem}-{hashlib.sha256(graph.encode()).hexdigest()[:8]}.ttl")
        path.write_bytes(data)
        files.append(_file(path, f"the named graph <{graph}> (Turtle)", graph=graph, triples=counts[graph]))
        progress(f"{counts[graph]:,} triples → {path.name}")
    tables: dict[str, dict[str, str]] = {}
    for table in TABLES:
        rows = write_table(store, table, work / table.name)
        files.append(_file(work / table.name, f"table of {table.name.removesuffix('.csv')} (CSV)", rows=rows))
        tables[table.name] = dict(table.columns)
        progress(f"{rows:,} rows → {table.name}")
    (work / CHECKSUMS).write_text("".join(f"{f.sha256}  {f.name}\n" for f in files), encoding="utf-8")
    manifest = {
        "created": created.isoformat().replace("+00:00", "Z"),
        "base_iri": base,
        "total_triples": sum(counts.values()),
        "quads": quads,
        "graphs": dict(sorted(counts.items())),
        "files": [{k: v for k, v in f.__dict__.items() if v is not None} for f in files],
        "tables": tables,
    }
    (work / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return manifest


def point_latest(data_dir: Path, export_dir: Path) -> None:
    """Make ``<data dir>/exports/latest`` point at ``export_dir`` (atomically replacing the old link)."""
    link = exports_dir(data_dir) / "latest"
    link.parent.mkdir(parents=True, exist_ok=True)
    tmp = link.with_name(".latest.tmp")
    if tmp.is_symlink() or tmp.exists():
        tmp.unlink()
    target = os.path.relpath(export_dir.resolve(), link.parent.resolve())
    tmp.symlink_to(target, target_is_directory=True)
    os.replace(tmp, link)


def dated_name(now: datetime | None = None) -> str:
    return (now or datetime.now(UTC)).strftime("%Y-%m-%dT%H%M%SZ")
