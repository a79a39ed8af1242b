"""Curator tokens, kept hashed in a small SQLite file in the data directory.

A token is 32 random bytes (shown once at creation); only its SHA-256 is stored. With that much entropy a
plain hash is enough: no slow password hash is needed, and lookup by hash is a single indexed read.
A token may carry an expiry (``expires_at``): a leaked token that nobody remembers to revoke stops working.
"""

from __future__ import annotations

import hashlib
import secrets
import sqlite3
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sparql_api.accounts.sqlite_file import transaction

PREFIX = "srkg_"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS tokens (
    name TEXT PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    hint TEXT NOT NULL,
    created_at TEXT NOT NULL,
    revoked_at TEXT,
    username TEXT,
    expires_at TEXT
)
"""
# Columns added after the first release, with their type: older token files get them on open.
_ADDED_COLUMNS = {"username": "TEXT", "expires_at": "TEXT"}
_FIELDS = "name, hint, created_at, revoked_at, username, expires_at"


class TokenError(ValueError):
    """A token operation was refused; the message says why."""


@dataclass(frozen=True)
class TokenInfo:
    name: str
    hint: str  # the first characters, to tell tokens apart in listings
    created_at: str
    revoked_at: str | None
    # The account the token acts for; None for a project token (created without --user), which acts as admin.
    username: str | None = None
    expires_at: str | None = None  # ISO 8601 UTC; None = never

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def expired(self) -> bool:
        return self.expires_at is not None and datetime.fromisoformat(self.expires_at) <= datetime.now(UTC)

    @property
    def active(self) -> bool:
        """Usable now: neither revoked nor expired."""
        return not self.revoked and not self.expired


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(microsecond=0).isoformat()


def _now() -> str:
    return _iso(datetime.now(UTC))


def expiry_in_days(days: float) -> datetime:
    """The expiry ``days`` from now; refuses non-positive or absurd values (a typo must not mint a forever token)."""
    if not 0 < days <= 3650:
        raise TokenError(f"--expires-in must be between 0 and 3650 days, not {days:g}")
    return datetime.now(UTC) + timedelta(days=days)


class TokenStore:
    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._db() as db:
            db.execute(_SCHEMA)
            columns = {row[1] for row in db.execute("PRAGMA table_info(tokens)")}
            for column, kind in _ADDED_COLUMNS.items():
                if column not in columns:  # a token file written by an earlier version
                    db.execute(f"ALTER TABLE tokens ADD COLUMN {column} {kind}")

    def _db(self) -> AbstractContextManager[sqlite3.Connection]:
        return transaction(self.path)

    def create(self, name: str, username: str | None = None, *, expires_at: datetime | None = None) -> str:
        """Create a token and return its secret (the only time it is ever shown); ``username`` binds it to a user,
        ``expires_at`` (timezone-aware) ends its validity."""
        name = name.strip()
        if not name:
            raise TokenError("a token needs a name (who or what uses it)")
        if expires_at is not None and expires_at.tzinfo is None:
            raise TokenError("a token's expiry needs a time zone (use UTC)")
        secret = PREFIX + secrets.token_urlsafe(32)
        expiry = _iso(expires_at) if expires_at is not None else None
        try:
            with self._db() as db:
                db.execute(
                    "INSERT INTO tokens (name, token_hash, hint, created_at, username, expires_at) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    (name, _hash(secret), secret[: len(PREFIX) + 4], _now(), username, expiry),
                )
        except sqlite3.IntegrityError:
            raise TokenError(f"a token named {name!r} already exists (names are never reused)") from None
        return secret

    def revoke(self, name: str) -> bool:
        """Revoke the named token; False when there is no such unrevoked token."""
        with self._db() as db:
            cur = db.execute("UPDATE tokens SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL", (_now(), name))
            return cur.rowcount == 1

    def list(self) -> list[TokenInfo]:
        with self._db() as db:
            rows = db.execute(f"SELECT {_FIELDS} FROM tokens ORDER BY created_at, name")
            return [TokenInfo(*row) for row in rows]

    def check(self, secret: str) -> TokenInfo | None:
        """The token's record (active, revoked or expired), or None when the secret matches no token."""
        with self._db() as db:
            row = db.execute(f"SELECT {_FIELDS} FROM tokens WHERE token_hash = ?", (_hash(secret),)).fetchone()
        return TokenInfo(*row) if row else None


def token_store_path(data_dir: Path) -> Path:
    return data_dir / "tokens.sqlite"
