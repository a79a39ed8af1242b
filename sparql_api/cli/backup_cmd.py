"""``srkg backup OUT``, and ``srkg restore ARCHIVE`` (the ``restore`` command of store_cmd hands archives here).

Exit status: 0 done; 1 refused or failed (a damaged archive, a non-empty target without --force, a store in
use or unreachable); 2 bad input (a bad output name, a missing file). Messages go to stderr.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from sparql_api.backup import BackupError
from sparql_api.backup.archive import SUFFIXES, looks_like_archive
from sparql_api.config import load_settings


def register(subparsers: argparse._SubParsersAction) -> None:
    backup = subparsers.add_parser(
        "backup",
        help="write everything needed to get the server back into one archive",
        description="Write one .tar.gz with every quad of the store (N-Quads), the users, the API tokens (hashes "
        "only), the submissions with their history, uploaded files and reports, the bootstrap state and a "
        "manifest with sha256 checksums. The embedded store cannot be read while `srkg serve` runs: stop it "
        "first. Put it back with `srkg restore ARCHIVE`.",
    )
    backup.add_argument("out", type=Path, metavar="OUT", help=f"new archive file ({' or '.join(SUFFIXES)})")
    backup.add_argument("-q", "--quiet", action="store_true", help="no progress messages")
    backup.set_defaults(func=run_backup)


def _say(command: str, message: str) -> None:
    print(f"srkg {command}: {message}", file=sys.stderr, flush=True)


def is_archive(path: Path) -> bool:
    """Whether ``srkg restore`` was given a backup archive rather than a store dump (.nq/.trig)."""
    return looks_like_archive(path)


def run_backup(args: argparse.Namespace) -> int:
    from sparql_api.backup.create import create_backup

    if not args.out.name.endswith(SUFFIXES):
        _say("backup", f"{args.out}: name the backup …{SUFFIXES[0]} so people and `srkg restore` can tell what it is")
        return 2
    settings = load_settings()
    try:
        manifest = create_backup(settings, args.out, say=(lambda _: None) if args.quiet else _progress("backup"))
    except (BackupError, OSError) as e:
        _say("backup", str(e))
        return 1
    _say("backup", f"{manifest.quads:,} quads in {len(manifest.graphs)} graph(s), {manifest.records('users')} "
         f"user(s), {manifest.records('tokens')} token(s), {manifest.records('submissions')} submission(s) and "
         f"{len(manifest.members) - 1} file(s) in all, written to {args.out}")
    print(args.out)
    return 0


def run_restore_archive(args: argparse.Namespace) -> int:
    """Restore a backup archive: ``--force`` replaces a non-empty target, ``--dry-run`` only checks the archive."""
    from sparql_api.backup.restore import restore_backup

    if not args.file.is_file():
        _say("restore", f"no such file: {args.file}")
        return 2
    settings = load_settings()
    try:
        manifest = restore_backup(settings, args.file, force=args.force, dry_run=args.dry_run,
                                  say=(lambda _: None) if args.quiet else _progress("restore"))
    except (BackupError, OSError) as e:
        _say("restore", str(e))
        return 1
    if not args.dry_run:
        _say("restore", f"done: {manifest.quads:,} quads, {manifest.records('users')} user(s), "
             f"{manifest.records('tokens')} token(s), {manifest.records('submissions')} submission(s) from "
             f"{args.file}; web sessions are not kept, so everyone signs in again")
    return 0


def _progress(command: str) -> Callable[[str], None]:
    return lambda message: _say(command, message)
