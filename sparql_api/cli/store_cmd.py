"""``srkg query | load | dump | restore | stats``: work on the configured store (``SRKG_STORE``) directly.

Exit status: 0 done; 1 the store failed (unreachable, time limit, result too large); 2 bad input (a query or
data file that does not parse, an unknown format, a missing file). Messages go to stderr, answers to stdout.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox

from sparql_api.config import load_settings
from sparql_api.sparql_text import query_form
from sparql_api.store.base import (
    DataSyntaxError,
    QuerySyntaxError,
    Store,
    StoreError,
    UnsupportedMediaType,
)
from sparql_api.summaries.naming import is_summary_graph

RESULT_FORMATS = {
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
}
GRAPH_FORMATS = {
    "ttl": "text/turtle",
    "nt": "application/n-triples",
    "nq": "application/n-quads",
    "trig": "application/trig",
    "jsonld": "application/ld+json",
    "rdfxml": "application/rdf+xml",
}
DUMP_FORMATS = {"nq": "application/n-quads", "trig": "application/trig"}
BAD_INPUT = (DataSyntaxError, QuerySyntaxError, UnsupportedMediaType)


class UsageError(Exception):
    """Bad command-line input (exit status 2)."""


def register(subparsers: argparse._SubParsersAction) -> None:
    query = subparsers.add_parser(
        "query",
        help="run a SPARQL query against the configured store",
        description="Run a query; SELECT/ASK answers as csv|tsv|json|xml (default csv), CONSTRUCT/DESCRIBE as "
        "ttl|nt|nq|trig|jsonld|rdfxml (default ttl). QUERY is the text, @FILE, or - for stdin.",
    )
    query.add_argument("sparql", metavar="QUERY")
    query.add_argument("--format", choices=[*RESULT_FORMATS, *GRAPH_FORMATS], help="answer format")
    query.add_argument("--timeout", type=float, help="time limit in seconds (default SRKG_QUERY_TIMEOUT)")
    query.add_argument("--max-results", type=int, help="fail instead of answering more rows/triples than this")
    query.set_defaults(func=_command(run_query, "query"))

    load = subparsers.add_parser(
        "load",
        help="bulk-load an RDF file into the store",
        description="Check the whole file, then load it. Triples go to --graph (default: the default graph); "
        "N-Quads/TriG keep their own graphs. The format comes from the file extension unless --format says.",
    )
    load.add_argument("file", type=Path, metavar="FILE")
    load.add_argument("--graph", metavar="IRI", help="named graph for the triples")
    load.add_argument("--format", help="media type or extension (ttl, nt, nq, trig, rdf, jsonld)")
    load.add_argument("-q", "--quiet", action="store_true", help="no progress messages")
    load.set_defaults(func=_command(run_load, "load"))

    dump = subparsers.add_parser(
        "dump", help="write every quad of the store", description="Write the whole store as N-Quads or TriG."
    )
    dump.add_argument("--out", type=Path, metavar="FILE", help="output file (default stdout)")
    dump.add_argument("--format", choices=list(DUMP_FORMATS), help="nq or trig (default: from --out, else nq)")
    dump.set_defaults(func=_command(run_dump, "dump"))

    restore = subparsers.add_parser(
        "restore",
        help="replace the whole store with a dump, or everything with a backup archive",
        description="A dump (.nq, .trig): check it, then replace every graph of the store with its content. "
        "A backup archive (.tar.gz from `srkg backup`): check all of it, then replace the store, users, tokens, "
        "submissions and bootstrap state; a target that is not empty needs --force.",
    )
    restore.add_argument("file", type=Path, metavar="FILE")
    restore.add_argument("--format", help="media type or extension (nq, trig; default from the file name)")
    restore.add_argument("--force", action="store_true", help="archive: replace a data dir or store that is not empty")
    restore.add_argument("--dry-run", action="store_true", help="archive: only check it; change nothing")
    restore.add_argument("-q", "--quiet", action="store_true", help="no progress messages")
    restore.set_defaults(func=_restore_dump_or_archive)

    stats = subparsers.add_parser("stats", help="triples per named graph", description="Triples per named graph.")
    stats.add_argument("--json", action="store_true", help="print JSON instead of a table")
    stats.set_defaults(func=_command(run_stats, "stats"))

    summaries = subparsers.add_parser(
        "summaries", help="make missing graph summaries, or recompute them all",
        description="The server keeps a summary graph beside every graph with case studies (docs/summaries.md) "
                    "and makes missing ones when it starts. This makes the missing ones now, or with --rebuild "
                    "recomputes every summary from the data (after writes made behind SRKG's back, e.g. "
                    "directly into a remote store). Stop the server first when the store is embedded.")
    summaries.add_argument("--rebuild", action="store_true", help="recompute every summary, not only missing ones")
    summaries.set_defaults(func=_command(run_summaries, "summaries"))


def _say(command: str, message: str) -> None:
    print(f"srkg {command}: {message}", file=sys.stderr, flush=True)


def _command(body: Callable[[argparse.Namespace, Store], int], name: str) -> Callable[[argparse.Namespace], int]:
    """Open the configured store, run ``body``, and turn failures into a message and an exit status."""

    def run(args: argparse.Namespace) -> int:
        from sparql_api.store.factory import open_store

        try:
            store = open_store(load_settings())
        except StoreError as e:
            _say(name, f"cannot open the store: {e}")
            return 1
        try:
            return body(args, store)
        except UsageError as e:
            _say(name, str(e))
            return 2
        except BAD_INPUT as e:
            _say(name, str(e))
            return 2
        except StoreError as e:
            _say(name, str(e))
            return 1
        finally:
            store.close()

    return run


def _rdf_media_type(path: Path, given: str | None) -> str:
    """The media type from ``--format`` (a media type or an extension) or from the file name."""
    if given:
        media = GRAPH_FORMATS.get(given, given)
        fmt = ox.RdfFormat.from_media_type(media) if "/" in media else ox.RdfFormat.from_extension(media)
        if fmt is None:
            raise UsageError(f"unknown RDF format {given!r} (use ttl, nt, nq, trig, rdf or jsonld)")
        return fmt.media_type
    fmt = ox.RdfFormat.from_extension(path.suffix.lstrip("."))
    if fmt is None:
        raise UsageError(f"cannot tell the RDF format of {path} from its extension; give --format")
    return fmt.media_type


def _progress(quiet: bool) -> None:
    if quiet:
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("srkg: %(message)s"))
    logger = logging.getLogger("srkg.store")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)


def _read_query(source: str) -> str:
    if source == "-":
        return sys.stdin.read()
    if source.startswith("@"):
        path = Path(source[1:])
        try:
            return path.read_text(encoding="utf-8")
        except OSError as e:
            raise UsageError(f"cannot read the query file {path}: {e}") from e
    return source


def run_query(args: argparse.Namespace, store: Store) -> int:
    text = _read_query(args.sparql)
    form = query_form(text)
    if form is None:
        raise UsageError("this is not a SPARQL query (no SELECT, ASK, CONSTRUCT or DESCRIBE); updates are not run here")
    if form == "graph":
        name = args.format or "ttl"
        if name not in GRAPH_FORMATS:
            raise UsageError(f"--format {name} is for SELECT/ASK answers; use one of {', '.join(GRAPH_FORMATS)}")
        media_type = GRAPH_FORMATS[name]
    else:
        name = args.format or "csv"
        if name not in RESULT_FORMATS:
            raise UsageError(f"--format {name} is for CONSTRUCT/DESCRIBE; use one of {', '.join(RESULT_FORMATS)}")
        media_type = RESULT_FORMATS[name]
    timeout = args.timeout if args.timeout is not None else load_settings().query_timeout_s
    result = store.query(text, media_type, timeout=timeout, max_results=args.max_results)
    sys.stdout.buffer.write(result.body)
    sys.stdout.flush()
    return 0


def run_load(args: argparse.Namespace, store: Store) -> int:
    if not args.file.is_file():
        raise UsageError(f"no such file: {args.file}")
    media_type = _rdf_media_type(args.file, args.format)
    _refuse_hostile(args.file, media_type)
    _progress(args.quiet)
    started = time.perf_counter()
    try:
        count = store.bulk_load(args.file, media_type, args.graph)
    except MemoryError as e:  # pyoxigraph's parse buffer (16 MiB) is full; the check runs before any write
        raise UsageError(f"{args.file} is too large for the parser ({e}): one literal can be at most a few "
                         "MB") from None
    seconds = max(time.perf_counter() - started, 1e-9)
    target = f"<{args.graph}>" if args.graph else "the default graph (quads keep their graphs)"
    rate = count / seconds
    _say("load", f"{count:,} triples from {args.file} into {target} in {seconds:.2f} s ({rate:,.0f} triples/s)")
    return 0


def _refuse_hostile(path: Path, media_type: str) -> None:
    """RDF/XML entity expansion and remote JSON-LD contexts are refused before the bulk loader sees the file."""
    from ingest.rdf_guard import UnsafeRdf, check_rdf

    fmt = ox.RdfFormat.from_media_type(media_type)
    if fmt in (ox.RdfFormat.RDF_XML, ox.RdfFormat.JSON_LD):
        try:
            check_rdf(path.read_bytes(), fmt)
        except UnsafeRdf as e:
            raise UsageError(f"{path} is refused: {e}") from None


def run_dump(args: argparse.Namespace, store: Store) -> int:
    name = args.format or (args.out.suffix.lstrip(".") if args.out and args.out.suffix in (".nq", ".trig") else "nq")
    media_type = DUMP_FORMATS[name]
    if args.out is not None:
        count = store.dump(args.out, media_type)
        _say("dump", f"{count:,} quads written to {args.out}")
        return 0
    with tempfile.TemporaryDirectory(prefix="srkg-dump-") as tmp:
        out = Path(tmp) / f"dump.{name}"
        count = store.dump(out, media_type)
        with out.open("rb") as handle:
            while chunk := handle.read(1 << 20):
                sys.stdout.buffer.write(chunk)
        sys.stdout.flush()
    _say("dump", f"{count:,} quads written")
    return 0


def _restore_dump_or_archive(args: argparse.Namespace) -> int:
    """One ``srkg restore``: backup archives go to sparql_api.cli.backup_cmd, store dumps are restored here."""
    from sparql_api.cli.backup_cmd import is_archive, run_restore_archive

    if args.format is None and is_archive(args.file):
        return run_restore_archive(args)
    return _command(run_restore, "restore")(args)


def run_restore(args: argparse.Namespace, store: Store) -> int:
    if not args.file.is_file():
        raise UsageError(f"no such file: {args.file}")
    media_type = _rdf_media_type(args.file, args.format)
    _progress(args.quiet)
    count = store.restore(args.file, media_type)
    _say("restore", f"the store now holds the {count:,} quads of {args.file}")
    return 0


def run_summaries(args: argparse.Namespace, store: Store) -> int:
    from sparql_api.summaries.store import find_summaries

    summarising = find_summaries(store)
    assert summarising is not None, "open_store always maintains summaries"
    started = time.perf_counter()
    made = summarising.refresh_all() if args.rebuild else summarising.ensure()
    kept = sum(1 for graph in store.graphs() if is_summary_graph(graph))
    what = "recomputed" if args.rebuild else "made (missing)"
    _say("summaries", f"{made} summary graph(s) {what} in {time.perf_counter() - started:.1f} s; {kept} in the store")
    return 0


def run_stats(args: argparse.Namespace, store: Store) -> int:
    counts = store.stats()
    if args.json:
        print(json.dumps({"graphs": counts, "total_triples": sum(counts.values())}, indent=2, sort_keys=True))
        return 0
    width = max([len(f"{n:,}") for n in counts.values()] + [len("triples")])
    print(f"{'triples':>{width}}  graph")
    for graph, n in sorted(counts.items()):
        print(f"{n:>{width},}  {graph}")
    print(f"{sum(counts.values()):>{width},}  total in {len(counts)} named graph(s)")
    return 0
