"""Which files of the data dir a backup holds, and how each is copied so that the copy is consistent.

SQLite files are copied with the SQLite backup API (a running server may be writing them; a raw file copy could
catch half a transaction). Submission files are taken only for the revisions the copied registry names, so the
registry and the files always agree; they are hard-linked where possible (the registry replaces artifacts by
rename, never in place, so a link keeps the content it had).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from pathlib import Path

from sparql_api.accounts.users import account_store_path
from sparql_api.backup import BackupError
from sparql_api.server.bootstrap import state_path
from sparql_api.server.tokens import token_store_path
from sparql_api.submissions.service import submissions_dir

_HERE = Path()
ACCOUNTS = account_store_path(_HERE).as_posix()  # accounts.sqlite (users, and web sessions)
TOKENS = token_store_path(_HERE).as_posix()  # tokens.sqlite (hashes only: the secrets were never stored)
BOOTSTRAP = state_path(_HERE).as_posix()  # bootstrap-state.json
SUBMISSIONS = submissions_dir(_HERE).as_posix()  # submissions/
REGISTRY = f"{SUBMISSIONS}/registry.sqlite"

# Tables whose rows are counted into the manifest and counted again before a restore.
COUNTED_TABLES: dict[str, tuple[str, ...]] = {
    ACCOUNTS: ("users",),
    TOKENS: ("tokens",),
    REGISTRY: ("submissions", "revisions", "history"),
}
# Never kept: web sessions and failed-login counters (a restored server signs everyone out).
DROPPED_TABLES: dict[str, tuple[str, ...]] = {ACCOUNTS: ("sessions", "login_failures")}
# Top-level entries of the data dir that a restore replaces (the embedded store's folder is the restore's job).
REPLACED: tuple[str, ...] = (ACCOUNTS, TOKENS, BOOTSTRAP, SUBMISSIONS)
SQLITE_COMPANIONS: tuple[str, ...] = ("-wal", "-shm", "-journal")


def stage_data(data_dir: Path, staging: Path) -> dict[str, dict[str, int]]:
    """Copy the data-dir files into ``staging`` (same relative paths); return counted records per file."""
    records: dict[str, dict[str, int]] = {}
    staging.mkdir(parents=True, exist_ok=True)
    for name in (ACCOUNTS, TOKENS, REGISTRY):
        source = data_dir / name
        if source.is_file():
            target = staging / name
            copy_sqlite(source, target, DROPPED_TABLES.get(name, ()))
            records[name] = count_rows(target, COUNTED_TABLES[name])
    if (data_dir / BOOTSTRAP).is_file():  # rewritten in place by the bootstrap: copied, never linked
        shutil.copyfile(data_dir / BOOTSTRAP, staging / BOOTSTRAP)
        records[BOOTSTRAP] = {}
    if (staging / REGISTRY).is_file():
        for folder in revision_folders(staging / REGISTRY):
            for path in sorted((data_dir / folder).rglob("*")):
                if path.is_file() and not path.name.startswith("."):  # ".name.<uuid>.tmp": an artifact being written
                    relative = path.relative_to(data_dir).as_posix()
                    _link_or_copy(path, staging / relative)
                    records[relative] = {}
    return records


def copy_sqlite(source: Path, target: Path, drop: tuple[str, ...] = ()) -> None:
    """A consistent copy through the SQLite backup API; rows of ``drop`` tables are deleted from the copy."""
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        src = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True, timeout=30)
        try:
            dest = sqlite3.connect(target)
            try:
                src.backup(dest)
                existing = {row[0] for row in dest.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
                for table in drop:
                    if table in existing:
                        dest.execute(f"DELETE FROM {table}")
                dest.commit()
                if drop:
                    dest.execute("VACUUM")  # the deleted rows leave no trace in free pages
            finally:
                dest.close()
        finally:
            src.close()
    except sqlite3.Error as e:
        raise BackupError(f"{source}: cannot copy this SQLite file ({e})") from e


def count_rows(path: Path, tables: tuple[str, ...]) -> dict[str, int]:
    """Rows per table (0 for a table the file does not have yet)."""
    db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        existing = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        return {t: db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] if t in existing else 0 for t in tables}
    finally:
        db.close()


def check_sqlite(path: Path, name: str, expected: dict[str, int], where: str) -> None:
    """Refuse a SQLite member that fails SQLite's own integrity check or whose row counts differ."""
    try:
        db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            verdict = db.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            db.close()
        counted = count_rows(path, COUNTED_TABLES[name])
    except sqlite3.Error as e:
        raise BackupError(f"{where}: {name} is not a readable SQLite file ({e})") from e
    if verdict != "ok":
        raise BackupError(f"{where}: {name} fails SQLite's integrity check ({verdict})")
    if counted != expected:
        raise BackupError(f"{where}: {name} holds {counted}, the manifest says {expected}")


def revision_folders(registry: Path) -> list[str]:
    """``submissions/<id>/r<n>`` for every revision the registry file names."""
    db = sqlite3.connect(f"{registry.resolve().as_uri()}?mode=ro", uri=True)
    try:
        existing = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if "revisions" not in existing:
            return []
        rows = db.execute("SELECT submission_id, number FROM revisions ORDER BY submission_id, number").fetchall()
    finally:
        db.close()
    for key, _ in rows:
        if "/" in key or key in ("", ".", ".."):
            raise BackupError(f"{registry}: submission id {key!r} cannot name a folder")
    return [f"{SUBMISSIONS}/{key}/r{int(number)}" for key, number in rows]


def _link_or_copy(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)
