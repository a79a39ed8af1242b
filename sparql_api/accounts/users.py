"""People who sign in: a name, a role, an argon2 password hash, and a disabled flag.

Roles: *contributor* submits case studies and sees their own drafts; *reviewer* sees every draft and accepts,
publishes or rejects; *admin* does all that and may also write to the store directly (SPARQL Update, Graph
Store Protocol). Disabling a user ends their sessions and makes their API tokens fail; users are never deleted,
so the history of who did what stays readable.
"""

from __future__ import annotations

import re
import sqlite3
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from sparql_api.accounts.sqlite_file import transaction

ROLES: tuple[str, ...] = ("contributor", "reviewer", "admin")
REVIEWERS: tuple[str, ...] = ("reviewer", "admin")
MIN_PASSWORD_LENGTH = 10
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,39}$")
# After this many failed logins within the window, the account refuses logins until the window has passed.
MAX_FAILURES = 5
FAILURE_WINDOW = timedelta(minutes=15)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    username TEXT PRIMARY KEY,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    created_at TEXT NOT NULL,
    disabled_at TEXT
);
CREATE TABLE IF NOT EXISTS login_failures (
    username TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS login_failures_user ON login_failures (username, at);
"""

_hasher = PasswordHasher()


class AccountError(ValueError):
    """An account operation was refused; the message says why."""


class LoginLocked(AccountError):
    """Too many failed logins for this name recently."""


@dataclass(frozen=True)
class User:
    username: str
    role: str
    display_name: str
    disabled: bool

    @property
    def can_review(self) -> bool:
        return self.role in REVIEWERS and not self.disabled

    @property
    def is_admin(self) -> bool:
        return self.role == "admin" and not self.disabled


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def check_password_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"the password must have at least {MIN_PASSWORD_LENGTH} characters")


class AccountStore:
    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._db() as db:
            db.executescript(_SCHEMA)

    def _db(self) -> AbstractContextManager[sqlite3.Connection]:
        return transaction(self.path)

    def add(self, username: str, password: str, role: str = "contributor", display_name: str = "") -> User:
        username = username.strip().lower()
        if not USERNAME.match(username):
            raise AccountError(f"user name {username!r}: use 2-40 lower-case letters, digits, '.', '_' or '-'")
        if role not in ROLES:
            raise AccountError(f"unknown role {role!r} (roles: {', '.join(ROLES)})")
        check_password_strength(password)
        try:
            with self._db() as db:
                db.execute(
                    "INSERT INTO users (username, display_name, role, password_hash, created_at) VALUES (?,?,?,?,?)",
                    (username, display_name.strip() or username, role, _hasher.hash(password), _now().isoformat()),
                )
        except sqlite3.IntegrityError:
            raise AccountError(f"a user named {username!r} already exists") from None
        return User(username, role, display_name.strip() or username, False)

    def get(self, username: str) -> User | None:
        with self._db() as db:
            row = db.execute(
                "SELECT username, role, display_name, disabled_at IS NOT NULL FROM users WHERE username = ?",
                (username.strip().lower(),),
            ).fetchone()
        return User(row[0], row[1], row[2], bool(row[3])) if row else None

    def list(self) -> list[User]:
        with self._db() as db:
            rows = db.execute(
                "SELECT username, role, display_name, disabled_at IS NOT NULL FROM users ORDER BY username"
            ).fetchall()
        return [User(r[0], r[1], r[2], bool(r[3])) for r in rows]

    def verify(self, username: str, password: str) -> User | None:
        """The user when the password is right and the account active; None otherwise (no reason leaked).

        Raises ``LoginLocked`` after ``MAX_FAILURES`` failures within ``FAILURE_WINDOW``."""
        username = username.strip().lower()
        now = _now()
        with self._db() as db:
            since = (now - FAILURE_WINDOW).isoformat()
            db.execute("DELETE FROM login_failures WHERE at < ?", (since,))
            failures = db.execute(
                "SELECT COUNT(*) FROM login_failures WHERE username = ? AND at >= ?", (username, since)
            ).fetchone()[0]
            if failures >= MAX_FAILURES:
                raise LoginLocked(f"too many failed logins for {username!r}; try again in "
                                  f"{int(FAILURE_WINDOW.total_seconds() // 60)} minutes")
            row = db.execute(
                "SELECT password_hash, disabled_at FROM users WHERE username = ?", (username,)
            ).fetchone()
        ok = False
        if row is not None:
            try:
                ok = _hasher.verify(row[0], password)
            except (VerificationError, InvalidHashError):
                ok = False
        else:
            _hasher.hash(password)  # same cost whether or not the name exists
        if not ok:
            with self._db() as db:
                db.execute("INSERT INTO login_failures (username, at) VALUES (?, ?)", (username, now.isoformat()))
            return None
        if row[1] is not None:
            return None
        with self._db() as db:
            db.execute("DELETE FROM login_failures WHERE username = ?", (username,))
            if _hasher.check_needs_rehash(row[0]):
                db.execute("UPDATE users SET password_hash = ? WHERE username = ?", (_hasher.hash(password), username))
        return self.get(username)

    def set_password(self, username: str, password: str) -> None:
        check_password_strength(password)
        with self._db() as db:
            cur = db.execute("UPDATE users SET password_hash = ? WHERE username = ?",
                             (_hasher.hash(password), username.strip().lower()))
        if cur.rowcount != 1:
            raise AccountError(f"no user named {username!r}")

    def set_disabled(self, username: str, disabled: bool) -> None:
        with self._db() as db:
            cur = db.execute("UPDATE users SET disabled_at = ? WHERE username = ?",
                             (_now().isoformat() if disabled else None, username.strip().lower()))
        if cur.rowcount != 1:
            raise AccountError(f"no user named {username!r}")

    def disable(self, username: str) -> None:
        self.set_disabled(username, True)

    def set_role(self, username: str, role: str) -> None:
        if role not in ROLES:
            raise AccountError(f"unknown role {role!r} (roles: {', '.join(ROLES)})")
        with self._db() as db:
            cur = db.execute("UPDATE users SET role = ? WHERE username = ?", (role, username.strip().lower()))
        if cur.rowcount != 1:
            raise AccountError(f"no user named {username!r}")


def account_store_path(data_dir: Path) -> Path:
    return data_dir / "accounts.sqlite"
