"""``srkg restore ARCHIVE``: check everything in the archive first, then replace the store and the data-dir files.

Order matters: the archive is unpacked into a work folder next to the data dir and checked in full (gzip CRC,
manifest, sha256 and size of every member, the N-Quads parse and per-graph counts, SQLite integrity and row
counts) before anything is touched. The embedded store is then built in the work folder and swapped in with
the other files by renames. A remote store cannot be swapped: its current content is dumped first and put back
if loading the backup fails.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph as ox

from sparql_api.backup import BackupError
from sparql_api.backup.archive import unpack
from sparql_api.backup.layout import (
    COUNTED_TABLES,
    REGISTRY,
    REPLACED,
    SQLITE_COMPANIONS,
    SUBMISSIONS,
    check_sqlite,
)
from sparql_api.backup.manifest import DATA_PREFIX, STORE_MEMBER, Manifest
from sparql_api.backup.store_part import N_QUADS, count_quads, embedded, holds_anything, open_configured
from sparql_api.backup.swap import replace_entries
from sparql_api.config import Settings
from sparql_api.store.base import Store, StoreError
from sparql_api.summaries.revisions import FILE_NAME as REVISION_LOG

Say = Callable[[str], None]


def verify_archive(archive: Path, folder: Path) -> Manifest:
    """Unpack ``archive`` into ``folder`` and check every member against the manifest; BackupError if not sound."""
    if not archive.is_file():
        raise BackupError(f"no such file: {archive}")
    manifest = unpack(archive, folder)
    graphs = count_quads(folder / STORE_MEMBER, f"{archive}:{STORE_MEMBER}")
    if graphs != manifest.graphs:
        raise BackupError(f"{archive}:{STORE_MEMBER}: holds {sum(graphs.values()):,} quads in {len(graphs)} "
                          f"graph(s), the manifest says {manifest.quads:,} in {len(manifest.graphs)}")
    for name in COUNTED_TABLES:
        member = manifest.members.get(DATA_PREFIX + name)
        if member is not None:
            check_sqlite(folder / member.name, name, member.records, str(archive))
    return manifest


def restore_backup(settings: Settings, archive: Path, *, force: bool = False, dry_run: bool = False,
                   say: Say = lambda _: None) -> Manifest:
    """Replace the configured store and data dir with the archive's content (all of it, or nothing)."""
    data_dir = settings.data_dir
    real = data_dir.resolve()  # the work folder must be on the data dir's file system: renames, not copies
    work_parent = real if os.path.ismount(real) else real.parent
    work_parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=f".{data_dir.name}.restore-", dir=work_parent,
                                     ignore_cleanup_errors=True) as tmp:
        work = Path(tmp)
        say(f"checking {archive}")
        try:
            manifest = verify_archive(archive, work / "unpacked")
        except BackupError as e:
            raise BackupError(f"{e}; nothing was changed") from None
        say(f"the archive is sound: {_summary(manifest)}, made {manifest.created} by srkg {manifest.srkg_version} "
            f"({manifest.backend} store)")
        if manifest.base_iri != settings.base_iri:
            say(f"note: the backup was made with base IRI {manifest.base_iri}, this server uses {settings.base_iri}")
        occupied = _occupied(settings, work)
        if dry_run:
            replaced = f"; a restore would replace: {'; '.join(occupied)}" if occupied else ""
            say(f"dry run, nothing was changed{replaced}")
            return manifest
        if occupied and not force:
            raise BackupError(f"the target is not empty ({'; '.join(occupied)}); a restore replaces all of it — "
                              "run again with --force to replace it (make a backup of it first if you may want it)")
        new = work / "unpacked" / DATA_PREFIX.rstrip("/")
        new.mkdir(exist_ok=True)
        if settings.store == "oxigraph":
            _restore_embedded(settings, work, new, manifest, say)
        else:
            _restore_remote(settings, work, new, manifest, say)
    return manifest


def _summary(manifest: Manifest) -> str:
    files = sum(1 for name in manifest.data_files() if name.startswith(f"{DATA_PREFIX}{SUBMISSIONS}/")
                and name != DATA_PREFIX + REGISTRY)
    return (f"{manifest.quads:,} quads in {len(manifest.graphs)} graph(s), {manifest.records('users')} user(s), "
            f"{manifest.records('tokens')} token(s), {manifest.records('submissions')} submission(s) with "
            f"{manifest.records('history')} history entries, {files} submission file(s)")


def _occupied(settings: Settings, work: Path) -> list[str]:
    """What a restore would replace: the data dir when it holds anything (an empty embedded store, which any
    ``srkg`` command creates, does not count), and a remote store holding data."""
    data_dir = settings.data_dir
    found: list[str] = []
    entries = sorted(p.name for p in data_dir.iterdir() if p.name != work.name) if data_dir.is_dir() else []
    if settings.store == "oxigraph":
        name = settings.store_dir.name
        if settings.store_dir.is_dir() and _embedded_quads(settings.store_dir) == 0:
            entries = [e for e in entries if e not in (name, f"{name}-snapshots")]
    else:
        store = open_configured(settings)
        try:
            if holds_anything(store):
                found.append("the remote store holds data")
        finally:
            store.close()
    if entries:
        found.insert(0, f"{data_dir} holds {', '.join(entries)}")
    return found


def _embedded_quads(store_dir: Path) -> int:
    """Quads in the embedded store (refused when a running server holds it)."""
    with embedded(store_dir) as store:
        return len(store)


def _restore_embedded(settings: Settings, work: Path, new: Path, manifest: Manifest, say: Say) -> None:
    """Build the new store beside the data dir, then swap it in with the other files."""
    store_name = settings.store_dir.name
    say(f"loading {manifest.quads:,} quads into a new store")
    try:
        with embedded(new / store_name) as store:
            store.bulk_load(path=str(work / "unpacked" / STORE_MEMBER), format=ox.RdfFormat.N_QUADS)
            count = len(store)
    except (OSError, SyntaxError) as e:
        raise BackupError(f"building the new store failed ({e}); nothing was changed") from None
    if count != manifest.quads:
        raise BackupError(f"the new store took {count:,} quads, the manifest says {manifest.quads:,}; nothing changed")
    # The revision log goes with the old store: a new epoch, so no index kept on disk for the old one is read back.
    names = [store_name, f"{store_name}-snapshots", REVISION_LOG, *_with_companions(REPLACED)]
    replace_entries(settings.data_dir, new, names, work / "previous")
    say(f"restored into {settings.data_dir}")


def _restore_remote(settings: Settings, work: Path, new: Path, manifest: Manifest, say: Say) -> None:
    store = open_configured(settings)
    try:
        previous = work / "previous.nq"
        say("saving the remote store's current content, to put it back if loading the backup fails")
        try:
            store.dump(previous, N_QUADS)
        except StoreError as e:
            raise BackupError(f"cannot read the remote store's current content ({e}); nothing was changed") from None
        say(f"loading {manifest.quads:,} quads into the remote store")
        try:
            store.restore(work / "unpacked" / STORE_MEMBER, N_QUADS)
            replace_entries(settings.data_dir, new, _with_companions(REPLACED), work / "previous")
        except (StoreError, BackupError) as e:
            _put_back(store, previous, settings, e)
        say(f"restored the remote store and {settings.data_dir}")
    finally:
        store.close()


def _put_back(store: Store, previous: Path, settings: Settings, error: Exception) -> None:
    try:
        store.restore(previous, N_QUADS)
    except StoreError as again:
        kept = settings.data_dir.parent / f"srkg-store-before-restore-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.nq"
        shutil.copyfile(previous, kept)
        raise BackupError(f"the restore failed ({error}) and putting the remote store's previous content back "
                          f"failed too ({again}); that content is saved in {kept} (`srkg restore {kept}`)") from None
    raise BackupError(f"the restore failed ({error}); the remote store's previous content was put back and the "
                      "data dir is unchanged") from None


def _with_companions(names: tuple[str, ...]) -> list[str]:
    """SQLite files with their -wal/-shm/-journal: a stale journal must never be applied to a restored file."""
    return [n for name in names for n in (name, *(name + c for c in SQLITE_COMPANIONS if name.endswith(".sqlite")))]
