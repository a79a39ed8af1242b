"""Accounts, sessions and user-bound tokens, on temporary SQLite files (no server)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from sparql_api.accounts.sessions import SessionStore
from sparql_api.accounts.users import MAX_FAILURES, AccountError, AccountStore, LoginLocked, account_store_path
from sparql_api.cli import main as srkg
from sparql_api.server.tokens import TokenStore, token_store_path

PASSWORD = "correct horse battery"


@pytest.fixture
def accounts(tmp_path: Path) -> AccountStore:
    return AccountStore(account_store_path(tmp_path))


def test_password_is_stored_as_an_argon2_hash_and_verified(accounts: AccountStore) -> None:
    accounts.add("Alice", PASSWORD, "reviewer", "Alice Martin")
    stored = sqlite3.connect(accounts.path).execute("SELECT password_hash FROM users").fetchone()[0]
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    user = accounts.verify("alice", PASSWORD)
    assert user is not None and (user.username, user.role, user.display_name) == ("alice", "reviewer", "Alice Martin")
    assert user.can_review and not user.is_admin
    assert accounts.verify("alice", PASSWORD + "x") is None
    assert accounts.verify("nobody", PASSWORD) is None


@pytest.mark.parametrize(("name", "password", "role", "reason"), [
    ("a", PASSWORD, "contributor", "user name"),
    ("bob smith", PASSWORD, "contributor", "user name"),
    ("bob", "short", "contributor", "at least 10"),
    ("bob", PASSWORD, "superuser", "unknown role"),
])
def test_bad_accounts_are_refused_with_the_reason(accounts: AccountStore, name: str, password: str, role: str,
                                                  reason: str) -> None:
    with pytest.raises(AccountError, match=reason):
        accounts.add(name, password, role)
    assert accounts.list() == []


def test_names_are_unique(accounts: AccountStore) -> None:
    accounts.add("bob", PASSWORD)
    with pytest.raises(AccountError, match="already exists"):
        accounts.add("BOB", PASSWORD)


def test_disabled_users_cannot_sign_in_and_can_be_enabled(accounts: AccountStore) -> None:
    accounts.add("carol", PASSWORD)
    accounts.disable("carol")
    assert accounts.verify("carol", PASSWORD) is None
    assert accounts.get("carol").disabled
    accounts.set_disabled("carol", False)
    assert accounts.verify("carol", PASSWORD) is not None


def test_repeated_failures_lock_the_name_even_for_the_right_password(accounts: AccountStore) -> None:
    accounts.add("dave", PASSWORD)
    for _ in range(MAX_FAILURES):
        assert accounts.verify("dave", "wrong password!") is None
    with pytest.raises(LoginLocked):
        accounts.verify("dave", PASSWORD)
    accounts.add("erin", PASSWORD)
    assert accounts.verify("erin", PASSWORD) is not None  # other names are not affected


def test_sessions_end_on_logout_and_for_all_of_a_users_sessions(tmp_path: Path) -> None:
    sessions = SessionStore(account_store_path(tmp_path))
    first, second = sessions.start("alice"), sessions.start("alice")
    assert first != second and sessions.username(first) == "alice"
    sessions.end(first)
    assert sessions.username(first) is None and sessions.username(second) == "alice"
    assert sessions.end_all("alice") == 1
    assert sessions.username(second) is None
    assert sessions.username("made-up") is None


def test_tokens_can_belong_to_a_user_and_old_token_files_are_migrated(tmp_path: Path) -> None:
    path = token_store_path(tmp_path)
    old = sqlite3.connect(path)
    old.execute("CREATE TABLE tokens (name TEXT PRIMARY KEY, token_hash TEXT NOT NULL UNIQUE, hint TEXT NOT NULL, "
                "created_at TEXT NOT NULL, revoked_at TEXT)")
    old.execute("INSERT INTO tokens VALUES ('legacy', 'abc', 'srkg_abcd', '2026-01-01T00:00:00+00:00', NULL)")
    old.commit()
    old.close()
    tokens = TokenStore(path)
    secret = tokens.create("alice-api", username="alice")
    assert tokens.check(secret).username == "alice"
    assert {t.name: t.username for t in tokens.list()} == {"legacy": None, "alice-api": "alice"}


def test_user_command_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture) -> None:
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert srkg(["user", "--data-dir", str(tmp_path), "add", "frank", "--role", "admin", "--password-stdin"]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert srkg(["user", "--data-dir", str(tmp_path), "add", "gina", "--password-stdin"]) == 1
    assert "at least 10 characters" in capsys.readouterr().err
    assert srkg(["user", "--data-dir", str(tmp_path), "disable", "frank"]) == 0
    assert srkg(["user", "--data-dir", str(tmp_path), "list", "--json"]) == 0
    listed = capsys.readouterr().out
    assert '"username": "frank"' in listed and '"disabled": true' in listed
    assert srkg(["token", "--data-dir", str(tmp_path), "create", "--name", "f", "--user", "frank"]) == 1
    assert srkg(["user", "--data-dir", str(tmp_path), "disable", "nobody"]) == 1
