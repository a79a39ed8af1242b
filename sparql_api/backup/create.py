"""``srkg backup OUT``: the store, the data-dir files and a manifest into one archive, written whole or not at all."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

from sparql_api.backup import BackupError
from sparql_api.backup.archive import SUFFIXES, sha256_file, write_archive
from sparql_api.backup.layout import stage_data
from sparql_api.backup.manifest import DATA_PREFIX, STORE_MEMBER, Manifest, Member, now_iso, srkg_version
from sparql_api.backup.store_part import dump_configured, dump_store
from sparql_api.config import Settings
from sparql_api.store.base import DEFAULT_GRAPH, Store


def create_backup(settings: Settings, out: Path, say: Callable[[str], None] = lambda _: None, *,
                  store: Store | None = None) -> Manifest:
    """Write the backup of ``settings``' store and data dir to ``out`` (a new ``.tar.gz``); ``store``: the
    store already open in this process (the server's), read through the Store interface."""
    if not out.name.endswith(SUFFIXES):
        raise BackupError(f"{out}: name the backup …{SUFFIXES[0]} (a gzip-compressed tar), so people and "
                          "`srkg restore` can tell what it is")
    if out.exists():
        raise BackupError(f"{out} already exists; a backup never overwrites a file, choose a new name")
    if not settings.data_dir.is_dir():
        raise BackupError(f"there is no data directory at {settings.data_dir} (SRKG_DATA_DIR): nothing to back up")
    if not out.parent.is_dir():
        raise BackupError(f"{out.parent} is not a directory")
    with tempfile.TemporaryDirectory(prefix=f".{out.name}.", dir=out.parent) as tmp:
        staging = Path(tmp)
        say(f"dumping the {settings.store} store")
        graphs = (dump_configured(settings, staging / STORE_MEMBER) if store is None
                  else dump_store(store, staging / STORE_MEMBER))
        quads = sum(graphs.values())
        say(f"{quads:,} quads in {len(graphs)} graph(s); copying accounts, tokens and submissions")
        named = sum(1 for g in graphs if g != DEFAULT_GRAPH)
        members = {STORE_MEMBER: _member(staging, STORE_MEMBER, {"quads": quads, "named_graphs": named})}
        for relative, records in stage_data(settings.data_dir, staging / DATA_PREFIX).items():
            name = DATA_PREFIX + relative
            members[name] = _member(staging, name, records)
        manifest = Manifest(created=now_iso(), srkg_version=srkg_version(), backend=settings.store,
                            base_iri=settings.base_iri, graphs=graphs, members=members)
        say(f"writing {out}")
        write_archive(out, manifest, staging)
    return manifest


def _member(staging: Path, name: str, records: dict[str, int]) -> Member:
    path = staging / name
    return Member(name, sha256_file(path), path.stat().st_size, records)
