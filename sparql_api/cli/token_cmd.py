"""``srkg token create|revoke|list``: curator tokens for updates and Graph Store writes."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sparql_api.config import load_settings
from sparql_api.server.tokens import TokenError, TokenInfo, TokenStore, expiry_in_days, token_store_path


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("token", help="create, revoke and list curator tokens")
    parser.add_argument("--data-dir", type=Path, help="data directory (default SRKG_DATA_DIR)")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    create = actions.add_parser("create", help="create a token and print it (shown only once)")
    create.add_argument("--name", required=True, help="who or what uses the token, e.g. 'alice' or 'survey-import'")
    create.add_argument("--user", help="the account the token acts for (its role applies); without it the token "
                        "is a project token with admin rights")
    create.add_argument("--expires-in", type=float, metavar="DAYS",
                        help="the token stops working after DAYS days (default: never; it can always be revoked)")
    create.set_defaults(func=_create)
    revoke = actions.add_parser("revoke", help="revoke a token by name")
    revoke.add_argument("--name", required=True)
    revoke.set_defaults(func=_revoke)
    listing = actions.add_parser("list", help="list tokens (names, hints, dates, expiry; never the secrets)")
    listing.set_defaults(func=_list)


def _tokens(args: argparse.Namespace) -> TokenStore:
    data_dir = args.data_dir or load_settings().data_dir
    return TokenStore(token_store_path(data_dir))


def _create(args: argparse.Namespace) -> int:
    if args.user:
        from sparql_api.accounts.users import AccountStore, account_store_path

        data_dir = args.data_dir or load_settings().data_dir
        user = AccountStore(account_store_path(data_dir)).get(args.user)
        if user is None or user.disabled:
            print(f"srkg token: no active user named {args.user!r} (add one with `srkg user add`)", file=sys.stderr)
            return 1
    try:
        expires_at = expiry_in_days(args.expires_in) if args.expires_in is not None else None
        secret = _tokens(args).create(args.name, username=args.user, expires_at=expires_at)
    except TokenError as e:
        print(f"srkg token: {e}", file=sys.stderr)
        return 1
    print(secret)
    until = f" (valid until {expires_at.replace(microsecond=0).isoformat()})" if expires_at else ""
    print(
        f"srkg token: created {args.name!r}{until}; store it now, it is not shown again. "
        "Use it as: Authorization: Bearer <token>",
        file=sys.stderr,
    )
    return 0


def _revoke(args: argparse.Namespace) -> int:
    if _tokens(args).revoke(args.name):
        print(f"srkg token: revoked {args.name!r}", file=sys.stderr)
        return 0
    print(f"srkg token: no active token named {args.name!r}", file=sys.stderr)
    return 1


def _list(args: argparse.Namespace) -> int:
    tokens = _tokens(args).list()
    if not tokens:
        print("no tokens", file=sys.stderr)
        return 0
    print(f"{'NAME':24} {'USER':16} {'HINT':12} {'CREATED (UTC)':26} {'EXPIRES (UTC)':26} STATUS")
    for t in tokens:
        owner = t.username or "(project, admin)"
        print(f"{t.name:24} {owner:16} {t.hint + '…':12} {t.created_at:26} {t.expires_at or 'never':26} {_status(t)}")
    return 0


def _status(token: TokenInfo) -> str:
    if token.revoked:
        return f"revoked {token.revoked_at}"
    return "expired" if token.expired else "active"
