"""Web login sessions: a random cookie value whose SHA-256 is kept server-side with the user and two expiries.

Sessions are server-side so logging out, disabling a user or expiry take effect at once. A session ends
``LIFETIME`` after sign-in (absolute) or ``IDLE`` after its last use, whichever comes first: a cookie left in
a shared browser stops working soon, and even a busy one must sign in again daily. The cookie is HttpOnly and
SameSite=Lax (Secure when served over HTTPS); form posts carry a CSRF token on top (see
``sparql_api.server.auth.verify_csrf``).
"""

from __future__ import annotations

import hashlib
import secrets
import sqlite3
from contextlib import AbstractContextManager
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sparql_api.accounts.sqlite_file import transaction

COOKIE = "srkg_session"
LIFETIME = timedelta(hours=12)
IDLE = timedelta(hours=2)
# Use is recorded at most this often, so that every page view does not write to the accounts file.
_TOUCH_EVERY = timedelta(minutes=1)
# Rows of ended sessions are deleted this long after they ended (when someone signs in).
_KEEP_DEAD = timedelta(days=1)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (
    session_hash TEXT PRIMARY KEY,
    username TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    last_seen_at TEXT
)
"""


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


class SessionStore:
    """Lives in the accounts database file, next to the users."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._db() as db:
            db.execute(_SCHEMA)
            columns = {row[1] for row in db.execute("PRAGMA table_info(sessions)")}
            if "last_seen_at" not in columns:  # files written before sessions had an idle limit
                db.execute("ALTER TABLE sessions ADD COLUMN last_seen_at TEXT")

    def _db(self) -> AbstractContextManager[sqlite3.Connection]:
        return transaction(self.path)

    def start(self, username: str, *, at: datetime | None = None) -> str:
        """A new session for ``username`` (begun ``at``, default now); returns the cookie value."""
        secret = secrets.token_urlsafe(32)
        now = _now()
        begun = (at or now).astimezone(UTC).replace(microsecond=0)
        with self._db() as db:
            gone = now - _KEEP_DEAD  # housekeeping only: a dead session is refused whether or not its row is left
            db.execute("DELETE FROM sessions WHERE expires_at < ? OR COALESCE(last_seen_at, created_at) < ?",
                       (gone.isoformat(), (gone - IDLE).isoformat()))
            db.execute("INSERT INTO sessions VALUES (?, ?, ?, ?, ?)",
                       (_hash(secret), username, begun.isoformat(), (begun + LIFETIME).isoformat(),
                        begun.isoformat()))
        return secret

    def username(self, secret: str) -> str | None:
        """Whose session this is, or None when unknown or expired (absolute or idle); records the use."""
        now = _now()
        with self._db() as db:
            row = db.execute(
                "SELECT username, COALESCE(last_seen_at, created_at) FROM sessions "
                "WHERE session_hash = ? AND expires_at >= ? AND COALESCE(last_seen_at, created_at) >= ?",
                (_hash(secret), now.isoformat(), (now - IDLE).isoformat()),
            ).fetchone()
            if row and datetime.fromisoformat(row[1]) <= now - _TOUCH_EVERY:
                db.execute("UPDATE sessions SET last_seen_at = ? WHERE session_hash = ?",
                           (now.isoformat(), _hash(secret)))
        return row[0] if row else None

    def end(self, secret: str) -> None:
        with self._db() as db:
            db.execute("DELETE FROM sessions WHERE session_hash = ?", (_hash(secret),))

    def end_all(self, username: str) -> int:
        with self._db() as db:
            return db.execute("DELETE FROM sessions WHERE username = ?", (username,)).rowcount
