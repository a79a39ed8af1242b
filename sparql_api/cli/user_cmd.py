"""``srkg user add|list|disable|enable|passwd|role``: the people who sign in to the web pages and the API."""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from collections.abc import Callable
from pathlib import Path

from sparql_api.accounts.sessions import SessionStore
from sparql_api.accounts.users import ROLES, AccountError, AccountStore, account_store_path
from sparql_api.config import load_settings


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("user", help="add, list, disable users (contributor, reviewer, admin)")
    parser.add_argument("--data-dir", type=Path, help="data directory (default SRKG_DATA_DIR)")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    add = actions.add_parser("add", help="add a user; the password is asked for (or read from stdin)")
    add.add_argument("username")
    add.add_argument("--role", choices=ROLES, default="contributor")
    add.add_argument("--display-name", default="", help="name shown on pages (default: the user name)")
    add.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    add.set_defaults(func=_add)
    listing = actions.add_parser("list", help="list users")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(func=_list)
    for name, helptext, func in (("disable", "disable a user: sessions end, tokens stop working", _disable),
                                 ("enable", "enable a disabled user again", _enable)):
        sub = actions.add_parser(name, help=helptext)
        sub.add_argument("username")
        sub.set_defaults(func=func)
    passwd = actions.add_parser("passwd", help="set a user's password")
    passwd.add_argument("username")
    passwd.add_argument("--password-stdin", action="store_true")
    passwd.set_defaults(func=_passwd)
    role = actions.add_parser("role", help="change a user's role")
    role.add_argument("username")
    role.add_argument("role", choices=ROLES)
    role.set_defaults(func=_role)


def _path(args: argparse.Namespace) -> Path:
    return account_store_path(args.data_dir or load_settings().data_dir)


def _password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    if not sys.stdin.isatty():
        raise AccountError("no terminal to ask for the password: pass --password-stdin and pipe it in")
    first = getpass.getpass("password: ")
    if first != getpass.getpass("again: "):
        raise AccountError("the two passwords differ")
    return first


def _run(action: Callable[[], str]) -> int:
    try:
        message = action()
    except AccountError as e:
        print(f"srkg user: {e}", file=sys.stderr)
        return 1
    print(f"srkg user: {message}", file=sys.stderr)
    return 0


def _add(args: argparse.Namespace) -> int:
    def add() -> str:
        user = AccountStore(_path(args)).add(args.username, _password(args), args.role, args.display_name)
        return f"added {user.username} ({user.role})"

    return _run(add)


def _list(args: argparse.Namespace) -> int:
    users = AccountStore(_path(args)).list()
    if args.json:
        print(json.dumps([{"username": u.username, "role": u.role, "display_name": u.display_name,
                           "disabled": u.disabled} for u in users], ensure_ascii=False, indent=1))
        return 0
    if not users:
        print("no users", file=sys.stderr)
        return 0
    print(f"{'USER':20} {'ROLE':12} {'STATUS':9} NAME")
    for u in users:
        print(f"{u.username:20} {u.role:12} {'disabled' if u.disabled else 'active':9} {u.display_name}")
    return 0


def _disable(args: argparse.Namespace) -> int:
    def disable() -> str:
        AccountStore(_path(args)).set_disabled(args.username, True)
        ended = SessionStore(_path(args)).end_all(args.username.strip().lower())
        return f"disabled {args.username} ({ended} session(s) ended; their tokens no longer work)"

    return _run(disable)


def _enable(args: argparse.Namespace) -> int:
    def enable() -> str:
        AccountStore(_path(args)).set_disabled(args.username, False)
        return f"enabled {args.username}"

    return _run(enable)


def _passwd(args: argparse.Namespace) -> int:
    def passwd() -> str:
        AccountStore(_path(args)).set_password(args.username, _password(args))
        return f"password of {args.username} changed"

    return _run(passwd)


def _role(args: argparse.Namespace) -> int:
    def role() -> str:
        AccountStore(_path(args)).set_role(args.username, args.role)
        return f"{args.username} is now a {args.role}"

    return _run(role)
