"""The syntax check before a bulk load, over several processes for the line-based formats (issue #6).

A file is parsed whole before it is loaded, so that a bad line cannot leave half the file in the store. Parsing
41.8M quads (1M cases) one quad at a time in Python is a third of SRKG's load time; N-Quads and N-Triples are one
statement per line (blank node labels only need to be read, not matched), so the file is cut into pieces at line
ends and each piece parsed in its own process. The answer is the same as one pass over the file: the number of
statements, the graphs named, and the first error in file order with its line counted from the file's start.
"""

from __future__ import annotations

import logging
import os
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from itertools import repeat
from multiprocessing import get_context
from pathlib import Path

import pyoxigraph as ox

from sparql_api.store.base import DataSyntaxError

DEFAULT_GRAPH_KEY = ""  # the default graph in ``PieceResult.graphs`` (callers map it to their own name)
LINE_FORMATS = (ox.RdfFormat.N_QUADS, ox.RdfFormat.N_TRIPLES)
PIECE_BYTES = 64 << 20  # a piece's size before its last line is finished
MIN_PIECES = 2  # smaller files are parsed in the calling process


@dataclass(frozen=True)
class PieceResult:
    count: int  # statements in the piece (up to its first error)
    graphs: frozenset[str]
    newlines: int  # line ends in the piece: the line number where the next piece starts
    error: tuple[int | None, int | None, str] | None  # (line in the piece, column, message)


@dataclass(frozen=True)
class CheckResult:
    count: int
    graphs: frozenset[str]
    error: tuple[int | None, int | None, str] | None  # (line in the file, column, message)


def piece_bytes(path: str, start: int, end: int) -> bytes:
    """The whole lines beginning at or after byte ``start`` and before byte ``end``."""
    with open(path, "rb") as f:
        if start > 0:
            f.seek(start - 1)
            f.readline()  # the rest of the line that ``start`` falls in belongs to the piece before
        begin = f.tell()
        if begin >= end:
            return b""
        data = f.read(end - begin)
        if data and not data.endswith(b"\n"):
            data += f.readline()
        return data


def _parse(source: bytes | Path, fmt: ox.RdfFormat) -> CheckResult:
    """One pass: statements, graphs named, the first error (line, column, message)."""
    count = 0
    graphs: set[str] = set()
    last: object = None
    error = None
    quads = ox.parse(source, format=fmt) if isinstance(source, bytes) else ox.parse(path=str(source), format=fmt)
    try:
        for quad in quads:
            count += 1
            if quad.graph_name != last:  # files come grouped by graph: one set insertion per run
                last = quad.graph_name
                graphs.add(DEFAULT_GRAPH_KEY if isinstance(last, ox.DefaultGraph) else last.value)
    except SyntaxError as e:  # the reason without the parser's "at line …" (a piece's lines start at 1)
        error = (e.lineno, e.offset, _reason(e))
    return CheckResult(count, frozenset(graphs), error)


def check_piece(path: str, media_type: str, start: int, end: int) -> PieceResult:
    """Parse one piece (in a worker process): its statements, graphs and first error."""
    data = piece_bytes(path, start, end)
    fmt = ox.RdfFormat.from_media_type(media_type)
    assert fmt is not None
    parsed = _parse(data, fmt)
    return PieceResult(parsed.count, parsed.graphs, data.count(b"\n"), parsed.error)


def check_file(path: Path, fmt: ox.RdfFormat) -> CheckResult:
    """The whole file parsed once (OSError when it cannot be read): in parallel for N-Quads and N-Triples of
    ``MIN_PIECES`` pieces or more on a machine of several cores, else in this process."""
    if fmt in LINE_FORMATS and (os.cpu_count() or 1) > 1 and path.stat().st_size >= MIN_PIECES * PIECE_BYTES:
        try:
            return check_in_parallel(path, fmt)
        except BrokenProcessPool:  # a worker could not start or died (memory): one pass here instead
            logging.getLogger(__name__).warning("checking %s in parallel failed; checking it in one pass", path,
                                                exc_info=True)
    return _parse(path, fmt)


def check_in_parallel(path: Path, fmt: ox.RdfFormat, workers: int | None = None) -> CheckResult:
    """One pass's answer over ``path`` (N-Quads or N-Triples), its pieces parsed by ``workers`` processes
    (default: one per core). Stops at the first error in file order."""
    size = path.stat().st_size
    starts = list(range(0, size, PIECE_BYTES))
    count, graphs, line = 0, set(), 0
    context = get_context("spawn")  # the caller may hold threads and an open store: never fork it
    with ProcessPoolExecutor(workers or os.cpu_count() or 2, mp_context=context) as pool:
        ends = [min(start + PIECE_BYTES, size) for start in starts]
        pieces = pool.map(check_piece, repeat(str(path)), repeat(fmt.media_type), starts, ends)
        for piece in pieces:
            count += piece.count
            graphs |= piece.graphs
            if piece.error is not None:
                local_line, column, message = piece.error
                pool.shutdown(wait=True, cancel_futures=True)
                return CheckResult(count, frozenset(graphs),
                                   (None if local_line is None else line + local_line, column, message))
            line += piece.newlines
    return CheckResult(count, frozenset(graphs), None)


def _reason(error: SyntaxError) -> str:
    reason = str(error.msg if isinstance(error.msg, str) else error)
    return reason.split(": ", 1)[1] if reason.startswith("Parser error") and ": " in reason else reason


def syntax_error(what: str, line: int | None, column: int | None, reason: str) -> DataSyntaxError:
    """The error users see: ``what`` does not parse at line L, column C: the parser's reason."""
    where = f" at line {line}, column {column}" if line else ""
    return DataSyntaxError(f"{what} does not parse{where}: {reason}")


def error_of(error: SyntaxError, what: str) -> DataSyntaxError:
    return syntax_error(what, getattr(error, "lineno", None), getattr(error, "offset", None), _reason(error))
