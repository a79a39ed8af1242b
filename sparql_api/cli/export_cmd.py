"""``srkg export [--out DIR]``: dumps (N-Quads.gz, Turtle per graph), CSV tables, SHA256SUMS and a manifest.

Without ``--out`` the export goes to ``<data dir>/exports/<UTC date-time>/`` and ``exports/latest`` is pointed at
it (the server's ``/downloads/`` serve ``latest``); ``--out DIR`` writes there and leaves ``latest`` alone unless
``--latest`` is given. Exit status: 0 done; 1 the store failed; 2 the output directory exists.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sparql_api.config import load_settings
from sparql_api.dataset.export import dated_name, exports_dir, point_latest, write_export
from sparql_api.store.base import StoreError


def register(subparsers: argparse._SubParsersAction) -> None:
    export = subparsers.add_parser(
        "export",
        help="write the dataset's dumps and tables with checksums",
        description="Write everything.nq.gz, one Turtle file per named graph, cases.csv, outcomes.csv, "
        "technologies.csv, SHA256SUMS and manifest.json into a new directory.",
    )
    export.add_argument("--out", type=Path, metavar="DIR", help="new directory (default <data dir>/exports/<date>)")
    export.add_argument("--latest", action="store_true", help="with --out: also point exports/latest at DIR")
    export.add_argument("-q", "--quiet", action="store_true", help="no progress messages")
    export.set_defaults(func=run_export)


def _say(message: str) -> None:
    print(f"srkg export: {message}", file=sys.stderr, flush=True)


def run_export(args: argparse.Namespace) -> int:
    from sparql_api.store.factory import open_store

    settings = load_settings()
    out: Path = args.out or exports_dir(settings.data_dir) / dated_name()
    if out.exists():
        _say(f"{out} already exists; choose a new directory")
        return 2
    try:
        store = open_store(settings)
    except StoreError as e:
        _say(f"cannot open the store: {e}")
        return 1
    try:
        manifest = write_export(store, out, base=settings.base_iri, progress=(lambda _: None) if args.quiet else _say)
    except StoreError as e:
        _say(str(e))
        return 1
    finally:
        store.close()
    if args.out is None or args.latest:
        point_latest(settings.data_dir, out)
    _say(f"{manifest['total_triples']:,} triples in {len(manifest['graphs'])} graph(s) exported to {out}")
    print(out)
    return 0
