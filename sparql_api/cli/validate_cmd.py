"""``srkg validate FILE...``: check RDF files against the SHACL shapes and the vocabularies they use.

Exit status: 0 every file conforms (warnings allowed), 1 some file has violations, 2 a file is unreadable.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ingest.rdf_files import RdfReadError, read_graph
from ingest.validation import ValidationReport, validate_graph
from ingest.validation_report import render_json, render_text, render_turtle

RENDERERS = {"text": render_text, "json": render_json, "turtle": render_turtle}


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "validate",
        help="validate RDF files (Turtle, JSON-LD, N-Triples, RDF/XML, TriG, N-Quads) against the shapes",
        description="Validate each file against SRKG's SHACL shapes and the vocabulary terms it references. "
        "Exit 0 when every file conforms, 1 on violations, 2 when a file cannot be read.",
    )
    parser.add_argument("files", nargs="+", type=Path, metavar="FILE")
    parser.add_argument("--format", choices=sorted(RENDERERS), default="text", help="report format (default text)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    reports: list[ValidationReport] = []
    for path in args.files:
        try:
            graph = read_graph(path)
        except RdfReadError as error:
            print(f"srkg validate: cannot read {error}", file=sys.stderr)
            return 2
        reports.append(validate_graph(graph, str(path)))
    sys.stdout.write(RENDERERS[args.format](reports))
    if args.format != "text":
        sys.stdout.write("\n")
    return 0 if all(r.conforms for r in reports) else 1
