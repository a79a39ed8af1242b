"""``srkg template --lang fr [--format xlsx|csv] [-o FILE]``: write the survey template in one language.

XLSX is a workbook with drop-down lists; CSV is a ZIP of one CSV file per sheet (UTF-8 with BOM), or a folder
when the output name does not end in .zip. Exit status: 0 written, 2 the output cannot be written.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ingest.survey.schema import LANGUAGES
from ingest.survey.template import FORMATS, write_template


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "template",
        help="write the survey template (XLSX with drop-down lists, or CSV) in en, fr, es, ru, zh or ar",
        description="Write the SRKG survey template: a README, one sheet per entity with translated headers and "
        "help, drop-down lists from the vocabularies and an example row. --format csv writes a ZIP of CSV "
        "files (UTF-8 with BOM), or a folder when OUTPUT does not end in .zip.",
    )
    parser.add_argument("--lang", choices=LANGUAGES, default="en", help="language of the template (default en)")
    parser.add_argument("--format", choices=FORMATS, default="xlsx", help="xlsx (default) or csv")
    parser.add_argument("-o", "--output", type=Path, help="output file (default srkg-survey-LANG.xlsx or .zip)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    output = args.output or Path(f"srkg-survey-{args.lang}.{'xlsx' if args.format == 'xlsx' else 'zip'}")
    try:
        write_template(output, args.lang, args.format)
    except OSError as error:
        print(f"srkg template: cannot write {output}: {error.strerror or error}", file=sys.stderr)
        return 2
    print(f"srkg template: wrote {output} ({args.format}, {args.lang})", file=sys.stderr)
    return 0
