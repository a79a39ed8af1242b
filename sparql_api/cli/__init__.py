"""The ``srkg`` command line. Each sub-command lives in its own module with ``register(subparsers)``."""

from __future__ import annotations

import argparse
import importlib
import sys

# One module per command family; each exposes register(subparsers) and sets ``func`` on its parsers.
COMMAND_MODULES = [
    "sparql_api.cli.validate_cmd",
    "sparql_api.cli.ingest_cmd",
    "sparql_api.cli.serve_cmd",
    "sparql_api.cli.token_cmd",
    "sparql_api.cli.user_cmd",
    "sparql_api.cli.template_cmd",
    "sparql_api.cli.store_cmd",
    "sparql_api.cli.compare_cmd",
    "sparql_api.cli.checklist_cmd",
    "sparql_api.cli.export_cmd",
    "sparql_api.cli.backup_cmd",
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="srkg", description="SRKG, the Soil Remediation Knowledge Graph: command line"
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module_name in COMMAND_MODULES:
        importlib.import_module(module_name).register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
