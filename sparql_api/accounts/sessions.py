"""Web login sessions: a random cookie value whose SHA-256 is kept server-side with the user and an expiry.

Sessions are server-side so logging out, disabling a user or expiry take effect at once. The cookie is
HttpOnly and SameSite=Lax (Secure when served over HTTPS); form posts carry a CSRF token on top (see
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

_SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (
    session_hash TEXT PRIMARY KEY,
    username TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
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

    def _db(self) -> AbstractContextManager[sqlite3.Connection]:
        return transaction(self.path)

    def start(self, username: str) -> str:
        """A new session for ``username``; returns the cookie value (shown to nobody else)."""
        secret = secrets.token_urlsafe(32)
        now = _now()
        with self._db() as db:
            db.execute("DELETE FROM sessions WHERE expires_at < ?", (now.isoformat(),))
            db.execute("INSERT INTO sessions VALUES (?, ?, ?, ?)",
                       (_hash(secret), username, now.isoformat(), (now + LIFETIME).isoformat()))
        return secret

    def username(self, secret: str) -> str | None:
        """Whose session this is, or None when unknown or expired."""
        with self._db() as db:
            row = db.execute("SELECT username FROM sessions WHERE session_hash = ? AND expires_at >= ?",
                             (_hash(secret), _now().isoformat())).fetchone()
        return row[0] if row else None

    def end(self, secret: str) -> None:
        with self._db() as db:
            db.execute("DELETE FROM sessions WHERE session_hash = ?", (_hash(secret),))

    def end_all(self, username: str) -> int:
        with self._db() as db:
            return db.execute("DELETE FROM sessions WHERE username = ?", (username,)).rowcount
