"""Curator tokens, kept hashed in a small SQLite file in the data directory.

A token is 32 random bytes (shown once at creation); only its SHA-256 is stored. With that much entropy a
plain hash is enough: no slow password hash is needed, and lookup by hash is a single indexed read.
"""

from __future__ import annotations

import hashlib
import secrets
import sqlite3
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime
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
    username TEXT
)
"""


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

    @property
    def active(self) -> bool:
        return self.revoked_at is None


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


class TokenStore:
    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._db() as db:
            db.execute(_SCHEMA)
            columns = {row[1] for row in db.execute("PRAGMA table_info(tokens)")}
            if "username" not in columns:  # token files written before tokens could belong to a user
                db.execute("ALTER TABLE tokens ADD COLUMN username TEXT")

    def _db(self) -> AbstractContextManager[sqlite3.Connection]:
        return transaction(self.path)

    def create(self, name: str, username: str | None = None) -> str:
        """Create a token and return its secret (the only time it is ever shown); ``username`` binds it to a user."""
        name = name.strip()
        if not name:
            raise TokenError("a token needs a name (who or what uses it)")
        secret = PREFIX + secrets.token_urlsafe(32)
        try:
            with self._db() as db:
                db.execute(
                    "INSERT INTO tokens (name, token_hash, hint, created_at, username) VALUES (?, ?, ?, ?, ?)",
                    (name, _hash(secret), secret[: len(PREFIX) + 4], _now(), username),
                )
        except sqlite3.IntegrityError:
            raise TokenError(f"a token named {name!r} already exists (names are never reused)") from None
        return secret

    def revoke(self, name: str) -> bool:
        """Revoke the named token; False when there is no such active token."""
        with self._db() as db:
            cur = db.execute("UPDATE tokens SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL", (_now(), name))
            return cur.rowcount == 1

    def list(self) -> list[TokenInfo]:
        with self._db() as db:
            rows = db.execute(
                "SELECT name, hint, created_at, revoked_at, username FROM tokens ORDER BY created_at, name"
            )
            return [TokenInfo(*row) for row in rows]

    def check(self, secret: str) -> TokenInfo | None:
        """The token's record (active or revoked), or None when the secret matches no token."""
        with self._db() as db:
            row = db.execute(
                "SELECT name, hint, created_at, revoked_at, username FROM tokens WHERE token_hash = ?", (_hash(secret),)
            ).fetchone()
        return TokenInfo(*row) if row else None


def token_store_path(data_dir: Path) -> Path:
    return data_dir / "tokens.sqlite"
