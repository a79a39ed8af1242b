"""``srkg ingest FILE...``: read, reconcile, validate and load sources, one submission graph per file.

Exit status: 0 everything accepted, 1 something was rejected (rows, cases or the whole file; the accepted part
is loaded unless --dry-run), 2 a file could not be read at all (nothing of it is loaded).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from ingest.pipeline import KINDS, IngestResult, ingest_file, json_report, summary
from ingest.records import SourceError


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "ingest",
        help="ingest survey workbooks, RDF files, the literature table or agency registers into the store",
        description="Each file becomes one submission graph (replaced atomically when the same file is ingested "
        "again). Rows and cases that fail validation are reported and left out; --dry-run loads nothing.",
    )
    parser.add_argument("files", nargs="+", type=Path, metavar="FILE")
    parser.add_argument("--dry-run", action="store_true", help="check and report only; write nothing to the store")
    parser.add_argument("--report", type=Path, metavar="OUT.html|OUT.json",
                        help="write a full report (HTML or JSON by extension); with several files, one per file")
    parser.add_argument("--submitter", default="command line", help="who submits (recorded in provenance)")
    parser.add_argument("--submission", metavar="KEY", help="submission key (default: the file name's stem)")
    parser.add_argument("--kind", choices=sorted(KINDS), help="source kind (default: detected)")
    parser.add_argument("--quiet", action="store_true", help="no progress messages")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.submission and len(args.files) > 1:
        print("srkg ingest: --submission names one submission; give one file with it", file=sys.stderr)
        return 2
    exit_code = 0
    results: list[IngestResult] = []
    for path in args.files:
        started = time.perf_counter()

        def progress(message: str, _started: float = started) -> None:
            if not args.quiet:
                print(f"[{time.perf_counter() - _started:6.1f} s] {message}", file=sys.stderr, flush=True)

        try:
            # Loading straight into the store is publishing (the operator's path); a dry run only validates.
            result = ingest_file(path, submitter=args.submitter, submission_key=args.submission, kind=args.kind,
                                 progress=progress, status="validated" if args.dry_run else "published")
        except SourceError as error:
            print(f"srkg ingest: cannot read {error}", file=sys.stderr)
            exit_code = 2
            continue
        results.append(result)
        # A file of case studies none of which is accepted loads nothing (not a submission record without cases).
        nothing_accepted = bool(result.cases) and not result.accepted_cases
        if not args.dry_run and len(result.load_graph) and not nothing_accepted:
            loaded = load(result)
            progress(f"loaded {loaded} triples into <{result.info.graph}>")
        print_summary(result, args.dry_run, nothing_accepted)
        if args.report:
            write_report(result, args.report, len(args.files) > 1)
        if result.anything_rejected:
            exit_code = max(exit_code, 1)
    return exit_code


def load(result: IngestResult) -> int:
    from sparql_api.config import load_settings
    from sparql_api.store.factory import open_store

    store = open_store(load_settings())
    try:
        data = result.load_graph.serialize(format="nt", encoding="utf-8")
        return store.replace_graph(str(result.info.graph), data, "application/n-triples")
    finally:
        store.close()


def print_summary(result: IngestResult, dry_run: bool, nothing_accepted: bool = False) -> None:
    s = summary(result)
    records = (f"{s['cases_accepted']} of {s['cases']} cases accepted" if s["cases"]
               else f"{s['sites']} sites")
    print(f"{s['file']} ({s['kind']}): {s['rows_read']} rows read; {records}; "
          f"{s['rows_rejected']} rows not accepted; {s['violations']} violations, {s['warnings']} "
          f"warnings, {s['unmatched_terms']} unmatched terms; "
          + ("dry run, nothing written" if dry_run else "no case accepted, nothing written" if nothing_accepted
             else f"{s['triples_to_load']} triples in <{s['graph']}>"))
    for reason in result.rejected_whole:
        print(f"  refused: {reason}")
    for case, reasons in sorted(result.rejected_cases.items()):
        print(f"  case not accepted: {case}")
        for reason in reasons[:5]:
            print(f"    - {reason}")
    for problem in result.mapping.problems:
        if problem.severity == "Violation":
            print(f"  {problem}")


def write_report(result: IngestResult, target: Path, several: bool) -> None:
    if several:
        target = target.with_name(f"{target.stem}-{result.info.key}{target.suffix}")
    if target.suffix.lower() == ".json":
        target.write_text(json_report(result), encoding="utf-8")
    else:
        from ingest.ingest_report_html import render_html

        target.write_text(render_html(result), encoding="utf-8")
