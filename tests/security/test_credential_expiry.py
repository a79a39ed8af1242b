"""Credentials that end by themselves: tokens with ``--expires-in``, web sessions with an idle and an absolute
limit; older token and session files gain the new columns when opened."""

from __future__ import annotations

import hashlib
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from sparql_api.accounts.sessions import IDLE, LIFETIME, SessionStore
from sparql_api.accounts.users import account_store_path
from sparql_api.cli import main as srkg
from sparql_api.server.tokens import TokenError, TokenStore, token_store_path


def test_a_token_with_an_expiry_stops_working_at_it(tmp_path: Path) -> None:
    tokens = TokenStore(token_store_path(tmp_path))
    now = datetime.now(UTC)
    later = tokens.create("later", expires_at=now + timedelta(days=1))
    gone = tokens.create("gone", username="alice", expires_at=now - timedelta(seconds=1))
    forever = tokens.create("forever")
    assert tokens.check(later).active and not tokens.check(later).expired
    info = tokens.check(gone)
    assert info.expired and not info.active and not info.revoked and info.username == "alice"
    assert tokens.check(forever).active and tokens.check(forever).expires_at is None
    assert {t.name: t.expired for t in tokens.list()} == {"later": False, "gone": True, "forever": False}
    with pytest.raises(TokenError, match="time zone"):
        tokens.create("naive", expires_at=datetime.now())  # naive on purpose


def test_old_token_files_gain_the_expiry_column_and_their_tokens_never_expire(tmp_path: Path) -> None:
    path = token_store_path(tmp_path)
    old = sqlite3.connect(path)
    old.execute("CREATE TABLE tokens (name TEXT PRIMARY KEY, token_hash TEXT NOT NULL UNIQUE, hint TEXT NOT NULL, "
                "created_at TEXT NOT NULL, revoked_at TEXT, username TEXT)")
    old.execute("INSERT INTO tokens VALUES ('legacy', 'abc', 'srkg_abcd', '2026-01-01T00:00:00+00:00', NULL, NULL)")
    old.commit()
    old.close()
    tokens = TokenStore(path)
    (legacy,) = tokens.list()
    assert legacy.name == "legacy" and legacy.expires_at is None and legacy.active
    columns = {row[1] for row in sqlite3.connect(path).execute("PRAGMA table_info(tokens)")}
    assert "expires_at" in columns


def test_token_command_line_expiry(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    data = ["token", "--data-dir", str(tmp_path)]
    assert srkg([*data, "create", "--name", "week", "--expires-in", "7"]) == 0
    out = capsys.readouterr()
    secret = out.out.strip()
    assert "valid until" in out.err
    expiry = TokenStore(token_store_path(tmp_path)).check(secret).expires_at
    assert expiry is not None
    days = (datetime.fromisoformat(expiry) - datetime.now(UTC)) / timedelta(days=1)
    assert 6.99 < days <= 7
    for bad in ("0", "-1", "nan", "100000"):
        assert srkg([*data, "create", "--name", f"bad{bad}", "--expires-in", bad]) == 1
        assert "--expires-in must be between" in capsys.readouterr().err
    TokenStore(token_store_path(tmp_path)).create("old", expires_at=datetime.now(UTC) - timedelta(hours=1))
    assert srkg([*data, "list"]) == 0
    listing = capsys.readouterr().out
    assert "EXPIRES (UTC)" in listing and expiry in listing
    lines = {line.split()[0]: line for line in listing.splitlines()[1:]}
    assert lines["week"].endswith("active") and lines["old"].endswith("expired")
    assert {"badnan", "bad0"}.isdisjoint(lines)  # refused creations left nothing behind


def test_sessions_end_after_idle_time_and_after_their_lifetime(tmp_path: Path) -> None:
    path = account_store_path(tmp_path)
    sessions = SessionStore(path)
    now = datetime.now(UTC)
    idle = sessions.start("alice", at=now - IDLE - timedelta(minutes=1))
    recent = sessions.start("alice", at=now - IDLE + timedelta(minutes=5))
    assert sessions.username(idle) is None
    assert sessions.username(recent) == "alice"  # …and this use counts as activity:
    with sqlite3.connect(path) as db:
        (seen,) = db.execute("SELECT last_seen_at FROM sessions WHERE username = 'alice' ORDER BY last_seen_at DESC"
                             ).fetchone()
    assert datetime.fromisoformat(seen) > now - timedelta(minutes=1)
    # Busy all day long, still: past its lifetime a session ends, however recent its last use.
    busy = sessions.start("bob")
    with sqlite3.connect(path) as db:
        db.execute("UPDATE sessions SET created_at = ?, expires_at = ? WHERE username = 'bob'",
                   ((now - LIFETIME - timedelta(hours=1)).isoformat(), (now - timedelta(minutes=1)).isoformat()))
    assert sessions.username(busy) is None


def test_old_session_tables_gain_the_idle_column(tmp_path: Path) -> None:
    path = account_store_path(tmp_path)
    now = datetime.now(UTC).replace(microsecond=0)
    old = sqlite3.connect(path)
    old.execute("CREATE TABLE sessions (session_hash TEXT PRIMARY KEY, username TEXT NOT NULL, created_at TEXT NOT "
                "NULL, expires_at TEXT NOT NULL)")
    for secret, age in (("fresh", timedelta(minutes=10)), ("stale", IDLE + timedelta(minutes=10))):
        old.execute("INSERT INTO sessions VALUES (?, 'carol', ?, ?)",
                    (hashlib.sha256(secret.encode()).hexdigest(), (now - age).isoformat(),
                     (now - age + LIFETIME).isoformat()))
    old.commit()
    old.close()
    sessions = SessionStore(path)
    assert sessions.username("fresh") == "carol"  # idle time counts from sign-in until the first use
    assert sessions.username("stale") is None
