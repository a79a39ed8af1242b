"""The submission registry: a SQLite file (submissions, revisions, history) and one folder per revision.

Layout under ``<data dir>/submissions/``::

    registry.sqlite
    incoming/<random>/<file>        an upload being received (moved into place when complete)
    <id>/r<n>/source/<file>         the file as uploaded, byte for byte
    <id>/r<n>/<artifact>            load.nt, report.json, review.json, shacl.ttl, unreadable.json

Nothing is half-written: a revision folder appears by one rename once its file is complete, artifacts are
written to a temporary name and renamed, and every change of state is a compare-and-set on the expected
state in one transaction together with its history row.

A store write (publish, withdraw) cannot share a transaction with SQLite, so it is announced first: an
``operations`` row is committed before the store is touched and removed in the transaction that records the
outcome. A row found at start-up names a write that may or may not have reached the store (the server was
killed in between); ``SubmissionService.reconcile`` looks at the store and settles it.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from ingest.provenance import slug
from sparql_api.submissions.workflow import DONE, PENDING, RECEIVED, VALIDATED, Standing, WorkflowError

SYSTEM = "srkg"  # who the history names for what the server did by itself (validation)
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,70}$")
# Submission keys the bootstrap owns: never given to an upload (ids always end in -<number> anyway).
RESERVED_IDS = frozenset({"literature-cases", "ontology", "vocab", "agrovoc", "countries", "examples"})
MAX_NAME = 120

_SCHEMA = """
CREATE TABLE IF NOT EXISTS submissions (
    id TEXT PRIMARY KEY,
    seq INTEGER NOT NULL UNIQUE,
    owner TEXT NOT NULL,
    state TEXT NOT NULL,
    revision INTEGER NOT NULL,
    published_revision INTEGER,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS submissions_owner ON submissions (owner);
CREATE TABLE IF NOT EXISTS revisions (
    submission_id TEXT NOT NULL REFERENCES submissions (id),
    number INTEGER NOT NULL,
    file_name TEXT NOT NULL,
    media_type TEXT,
    size INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    uploaded_by TEXT NOT NULL,
    uploaded_at TEXT NOT NULL,
    ingest TEXT NOT NULL,
    acceptable INTEGER NOT NULL DEFAULT 0,
    message TEXT,
    PRIMARY KEY (submission_id, number)
);
CREATE TABLE IF NOT EXISTS history (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    submission_id TEXT NOT NULL REFERENCES submissions (id),
    at TEXT NOT NULL,
    who TEXT NOT NULL,
    action TEXT NOT NULL,
    from_state TEXT,
    to_state TEXT NOT NULL,
    revision INTEGER NOT NULL,
    note TEXT
);
CREATE INDEX IF NOT EXISTS history_submission ON history (submission_id, seq);
CREATE TABLE IF NOT EXISTS operations (
    submission_id TEXT PRIMARY KEY REFERENCES submissions (id),
    action TEXT NOT NULL,
    revision INTEGER NOT NULL,
    who TEXT NOT NULL,
    at TEXT NOT NULL,
    note TEXT
);
"""


_REVISION_COLUMNS = ("r.number, r.file_name, r.media_type, r.size, r.sha256, r.uploaded_by, r.uploaded_at, r.ingest, "
                     "r.acceptable, r.message")
_SUBMISSION_WITH_CURRENT = (
    "SELECT s.id, s.owner, s.state, s.revision, s.published_revision, s.created_at, s.updated_at, "
    + _REVISION_COLUMNS
    + " FROM submissions s LEFT JOIN revisions r ON r.submission_id = s.id AND r.number = s.revision"
)


def _revision(row: tuple) -> Revision:
    return Revision(*row[:8], bool(row[8]), row[9])


def _submission(row: tuple) -> Submission:
    return Submission(*row[:7], current=_revision(row[7:]) if row[7] is not None else None)


def now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def safe_file_name(name: str | None) -> str:
    """The uploaded file's own name without any folder part or control characters ('upload' when empty)."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(ch for ch in base if ch.isprintable() and ch not in '<>:"|?*').strip().lstrip(".")
    if len(base) > MAX_NAME:
        stem, dot, suffix = base.rpartition(".")
        base = (stem[: MAX_NAME - len(suffix) - 1] + dot + suffix) if dot and len(suffix) <= 10 else base[:MAX_NAME]
    return base or "upload"


def submission_id(file_name: str, seq: int) -> str:
    """Readable and unique: the file name's stem as a slug, then the sequence number ('survey-2024-7')."""
    stem = file_name.rsplit(".", 1)[0] if "." in file_name else file_name
    return f"{slug(stem, 40) or 'submission'}-{seq}"


@dataclass(frozen=True)
class Revision:
    number: int
    file_name: str
    media_type: str | None
    size: int
    sha256: str
    uploaded_by: str
    uploaded_at: str
    ingest: str
    acceptable: bool
    message: str | None


@dataclass(frozen=True)
class Submission:
    id: str
    owner: str
    state: str
    revision: int
    published_revision: int | None
    created_at: str
    updated_at: str
    # the current revision as read in the same statement (so state and ingest never come from two moments)
    current: Revision | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class HistoryEntry:
    at: str
    who: str
    action: str
    from_state: str | None
    to_state: str
    revision: int
    note: str | None

    def as_dict(self) -> dict[str, object]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class Operation:
    """A store write announced but not yet recorded as done (see the module docstring)."""

    submission: str
    action: str  # "publish" | "withdraw"
    revision: int
    who: str
    at: str
    note: str | None


@dataclass(frozen=True)
class Incoming:
    """A complete upload waiting to become a revision."""

    folder: Path
    file_name: str
    size: int
    sha256: str
    media_type: str | None

    @property
    def path(self) -> Path:
        return self.folder / self.file_name

    def discard(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


class Registry:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.incoming_dir = root / "incoming"
        self.incoming_dir.mkdir(parents=True, exist_ok=True)
        with self._db() as db:
            db.executescript(_SCHEMA)

    # --- storage helpers ----------------------------------------------------------------------------------
    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.root / "registry.sqlite", timeout=30, isolation_level=None)
        try:
            yield db
        finally:
            db.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._db() as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

    def revision_dir(self, submission: str, number: int) -> Path:
        if not ID_PATTERN.match(submission):
            raise ValueError(f"not a submission id: {submission!r}")
        return self.root / submission / f"r{number}"

    def source_path(self, submission: str, revision: Revision) -> Path:
        return self.revision_dir(submission, revision.number) / "source" / revision.file_name

    def new_incoming(self) -> Path:
        folder = self.incoming_dir / uuid.uuid4().hex
        folder.mkdir()
        return folder

    def write_artifact(self, submission: str, number: int, name: str, data: bytes) -> Path:
        """Write one artifact of a revision under a temporary name, then rename it into place."""
        folder = self.revision_dir(submission, number)
        target = folder / name
        temporary = folder / f".{name}.{uuid.uuid4().hex}.tmp"
        with temporary.open("wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, target)
        return target

    def discard_partial_artifacts(self, submission: str, number: int) -> int:
        """Remove temporary files a killed ingest left in the revision folder; how many."""
        removed = 0
        for stray in self.revision_dir(submission, number).glob(".*.tmp"):
            stray.unlink(missing_ok=True)
            removed += 1
        return removed

    def discard_incoming(self) -> int:
        """Remove uploads a killed server was still receiving (call only while no upload can be running)."""
        folders = [folder for folder in self.incoming_dir.iterdir() if folder.is_dir()]
        for folder in folders:
            shutil.rmtree(folder, ignore_errors=True)
        return len(folders)

    def read_artifact(self, submission: str, number: int, name: str) -> bytes | None:
        path = self.revision_dir(submission, number) / name
        try:
            return path.read_bytes()
        except FileNotFoundError:
            return None

    # --- reading ------------------------------------------------------------------------------------------
    def get(self, submission: str) -> Submission | None:
        """The submission with its current revision, both read by one statement (one consistent snapshot)."""
        with self._db() as db:
            row = db.execute(_SUBMISSION_WITH_CURRENT + " WHERE s.id = ?", (submission,)).fetchone()
        return _submission(row) if row else None

    def list(self, owner: str | None = None) -> list[Submission]:
        """Newest first; only ``owner``'s when given; each with its current revision (one statement)."""
        with self._db() as db:
            if owner is None:
                rows = db.execute(_SUBMISSION_WITH_CURRENT + " ORDER BY s.seq DESC").fetchall()
            else:
                rows = db.execute(_SUBMISSION_WITH_CURRENT + " WHERE s.owner = ? ORDER BY s.seq DESC",
                                  (owner,)).fetchall()
        return [_submission(row) for row in rows]

    def revision(self, submission: str, number: int) -> Revision | None:
        with self._db() as db:
            row = db.execute(
                "SELECT " + _REVISION_COLUMNS + " FROM revisions r WHERE submission_id = ? AND number = ?",
                (submission, number)).fetchone()
        return _revision(row) if row else None

    def current(self, submission: Submission) -> Revision | None:
        """The submission's current revision: the one read with it when there is one, else read now."""
        if submission.current is not None and submission.current.number == submission.revision:
            return submission.current
        return self.revision(submission.id, submission.revision)

    def history(self, submission: str) -> list[HistoryEntry]:
        with self._db() as db:
            rows = db.execute("SELECT at, who, action, from_state, to_state, revision, note FROM history "
                              "WHERE submission_id = ? ORDER BY seq", (submission,)).fetchall()
        return [HistoryEntry(*row) for row in rows]

    def pending(self) -> list[tuple[str, int]]:
        """Current revisions whose ingest has not finished (to resume after a restart)."""
        with self._db() as db:
            rows = db.execute("SELECT s.id, s.revision FROM submissions s JOIN revisions r ON r.submission_id = s.id "
                              "AND r.number = s.revision WHERE r.ingest = ? ORDER BY s.seq", (PENDING,)).fetchall()
        return [(row[0], row[1]) for row in rows]

    def operations(self) -> list[Operation]:
        """Store writes announced and not recorded as done: what a killed server left in flight."""
        with self._db() as db:
            rows = db.execute("SELECT submission_id, action, revision, who, at, note FROM operations "
                              "ORDER BY submission_id").fetchall()
        return [Operation(*row) for row in rows]

    def published_by(self, submission: str, revision: int) -> tuple[str, str] | None:
        """Who published ``revision`` and when (from the history), to write the same record again."""
        with self._db() as db:
            row = db.execute("SELECT who, at FROM history WHERE submission_id = ? AND action = 'publish' "
                             "AND revision = ? ORDER BY seq DESC LIMIT 1", (submission, revision)).fetchone()
        return (row[0], row[1]) if row else None

    def standing(self, submission: Submission) -> Standing:
        revision = self.current(submission)
        if revision is None:
            raise RuntimeError(f"submission {submission.id} has no revision {submission.revision}")
        return Standing(submission.owner, submission.state, revision.ingest, revision.acceptable,
                        submission.published_revision)

    # --- changing -----------------------------------------------------------------------------------------
    def create(self, owner: str, upload: Incoming) -> Submission:
        """A new submission whose revision 1 is ``upload`` (moved into place), state received."""
        at = now()
        with ExitStack() as placing, self._transaction() as db:
            seq = db.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM submissions").fetchone()[0]
            key = submission_id(upload.file_name, seq)
            while key in RESERVED_IDS or db.execute("SELECT 1 FROM submissions WHERE id = ?", (key,)).fetchone():
                seq += 1
                key = submission_id(upload.file_name, seq)
            db.execute("INSERT INTO submissions VALUES (?, ?, ?, ?, 1, NULL, ?, ?)",
                       (key, seq, owner, RECEIVED, at, at))
            self._insert_revision(db, key, 1, upload, owner, at)
            self._insert_history(db, key, at, owner, "upload", None, RECEIVED, 1, upload.file_name)
            placing.enter_context(self._placing(upload, key, 1))
        return Submission(key, owner, RECEIVED, 1, None, at, at)

    def add_revision(self, submission: Submission, upload: Incoming, who: str) -> int:
        """Revision n+1 from ``upload``; the submission returns to received (CAS on its current state)."""
        at = now()
        with ExitStack() as placing, self._transaction() as db:
            number = db.execute("SELECT MAX(number) + 1 FROM revisions WHERE submission_id = ?",
                                (submission.id,)).fetchone()[0]
            self._compare_and_set(db, submission, RECEIVED, at, revision=number)
            self._insert_revision(db, submission.id, number, upload, who, at)
            self._insert_history(db, submission.id, at, who, "revise", submission.state, RECEIVED, number,
                                 upload.file_name)
            placing.enter_context(self._placing(upload, submission.id, number))
        return number

    def transition(self, submission: Submission, action: str, who: str, to_state: str, note: str | None = None,
                   *, published_revision: int | None = None, set_published: bool = False,
                   current_revision: int | None = None) -> None:
        """Move ``submission`` from the state it was read in to ``to_state`` and record it in the history
        (with ``set_published``, also which revision is public now: a number, or None once withdrawn; with
        ``current_revision``, which revision the submission shows from now on)."""
        at = now()
        changes: dict[str, object] = {"published_revision": published_revision} if set_published else {}
        if current_revision is not None:
            changes["revision"] = current_revision
        with self._transaction() as db:
            self._compare_and_set(db, submission, to_state, at, **changes)
            self._insert_history(db, submission.id, at, who, action, submission.state, to_state,
                                 submission.revision, note)
            # The outcome of an announced store write is recorded now, in the same transaction.
            db.execute("DELETE FROM operations WHERE submission_id = ?", (submission.id,))

    def begin_operation(self, operation: Operation) -> None:
        """Announce a store write before it starts (committed, so it survives a kill)."""
        with self._transaction() as db:
            db.execute("INSERT OR REPLACE INTO operations VALUES (?, ?, ?, ?, ?, ?)",
                       (operation.submission, operation.action, operation.revision, operation.who, operation.at,
                        operation.note))

    def end_operation(self, submission: str) -> None:
        """Forget the announced write of ``submission`` (it failed, or it was settled at start-up)."""
        with self._transaction() as db:
            db.execute("DELETE FROM operations WHERE submission_id = ?", (submission,))

    def finish_ingest(self, submission: str, number: int, ingest: str, acceptable: bool, note: str) -> bool:
        """Record how the ingest of revision ``number`` ended; a readable file moves received → validated.

        False when that revision is no longer the current one (a newer file arrived meanwhile)."""
        at = now()
        with self._transaction() as db:
            row = db.execute("SELECT state, revision FROM submissions WHERE id = ?", (submission,)).fetchone()
            db.execute("UPDATE revisions SET ingest = ?, acceptable = ?, message = ? WHERE submission_id = ? "
                       "AND number = ?", (ingest, int(acceptable), note, submission, number))
            if row is None or row[1] != number or row[0] != RECEIVED:
                return False
            to_state = VALIDATED if ingest == DONE else RECEIVED
            db.execute("UPDATE submissions SET state = ?, updated_at = ? WHERE id = ?", (to_state, at, submission))
            action = "validate" if ingest == DONE else ingest
            self._insert_history(db, submission, at, SYSTEM, action, RECEIVED, to_state, number, note)
        return True

    def _compare_and_set(self, db: sqlite3.Connection, submission: Submission, to_state: str, at: str,
                         **changes: object) -> None:
        columns = ", ".join(f"{name} = ?" for name in changes)
        cursor = db.execute(
            f"UPDATE submissions SET state = ?, updated_at = ?{', ' + columns if columns else ''} "
            "WHERE id = ? AND state = ? AND revision = ?",
            (to_state, at, *changes.values(), submission.id, submission.state, submission.revision))
        if cursor.rowcount != 1:
            raise WorkflowError(409, "the submission changed meanwhile (someone else acted on it); reload the page "
                                "and try again")

    @staticmethod
    def _insert_revision(db: sqlite3.Connection, key: str, number: int, upload: Incoming, who: str, at: str) -> None:
        db.execute("INSERT INTO revisions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, NULL)",
                   (key, number, upload.file_name, upload.media_type, upload.size, upload.sha256, who, at, PENDING))

    @staticmethod
    def _insert_history(db: sqlite3.Connection, key: str, at: str, who: str, action: str, from_state: str | None,
                        to_state: str, revision: int, note: str | None) -> None:
        db.execute("INSERT INTO history (submission_id, at, who, action, from_state, to_state, revision, note) "
                   "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", (key, at, who, action, from_state, to_state, revision, note))

    @contextmanager
    def _placing(self, upload: Incoming, key: str, number: int) -> Iterator[None]:
        """Move the upload into its revision folder inside the caller's transaction: if the rename fails the
        rows are rolled back, and if the transaction fails after the rename the folder is removed again."""
        folder = self.revision_dir(key, number)
        if folder.exists():  # left over by a crash between rename and commit: not referenced by any row
            shutil.rmtree(folder)
        folder.mkdir(parents=True)
        try:
            os.replace(upload.folder, folder / "source")
            yield
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
