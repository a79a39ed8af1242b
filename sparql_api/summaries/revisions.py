"""The store's revision log: a number bumped before every write through SRKG, with the graphs the write names.

An index kept on disk (the search index: ``search_snapshot``) records the revision it was made at; at the next
start ``changed_since`` tells which graphs were written after it (None: unknown, make the index again), so that
only those are read again instead of the whole store (at 1M cases: seconds instead of ~40 minutes).

The number is bumped, and the file written and synced, *before* the write runs: a write that fails or is cut
off by a crash still counts as changing its graphs (reading them again costs little; missing a change would
serve stale results). The epoch is a random token made with the file: a log that was lost or made anew never
matches a snapshot of an earlier one. Only the last ``KEEP`` writes are kept; an older revision reads as unknown.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

KEEP = 2_000
FILE_NAME = "store-revisions.json"  # in the data dir
log = logging.getLogger("srkg.revisions")


@dataclass(frozen=True)
class Revision:
    epoch: str
    number: int


class RevisionLog:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._epoch, self._number, self._entries, readable = self._read()
        self._running: list[int] = []  # writes bumped and not yet done (one at a time, unless nested)
        if not readable:  # a new epoch is kept at once: an index saved before any write must match it later
            try:
                self._write()
            except OSError:
                log.warning("%s cannot be written: indexes kept on disk will be made again", path, exc_info=True)

    def _read(self) -> tuple[str, int, list[tuple[int, list[str] | None]], bool]:
        try:
            data = json.loads(self.path.read_text("utf-8"))
            entries = [(int(n), None if graphs is None else [str(g) for g in graphs]) for n, graphs in data["log"]]
            return str(data["epoch"]), int(data["number"]), entries, True
        except FileNotFoundError:
            pass
        except (OSError, ValueError, KeyError, TypeError):
            log.warning("%s is unreadable: starting a new revision log (indexes kept on disk are made again)",
                        self.path)
        return uuid.uuid4().hex, 0, [], False

    def current(self) -> Revision:
        """The last revision whose write is done (watchers told): an index made from the store as it is now holds
        every write up to it. A write still running counts as after it (its graphs are read again later)."""
        with self._lock:
            return Revision(self._epoch, self._running[0] - 1 if self._running else self._number)

    def bump(self, graphs: Iterable[str] | None) -> Revision:
        """Record a write about to change ``graphs`` (None: any graph); the file is on disk when this returns.
        ``done`` when the write is over (writes are one at a time: the ``SummarisingStore`` holds its lock)."""
        with self._lock:
            self._number += 1
            self._running.append(self._number)
            self._entries.append((self._number, None if graphs is None else sorted(set(graphs))))
            del self._entries[:-KEEP]
            self._write()
            return Revision(self._epoch, self._number)

    def done(self) -> None:
        """The last write bumped is over."""
        with self._lock:
            if self._running:
                self._running.pop()

    def _write(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_suffix(".tmp")
        with temporary.open("w", encoding="utf-8") as out:
            json.dump({"epoch": self._epoch, "number": self._number, "log": self._entries}, out)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, self.path)

    def changed_since(self, revision: Revision) -> frozenset[str] | None:
        """The graphs written after ``revision``; None when that is not known (another epoch, a revision from
        the future or older than the log, or a write of unknown graphs since)."""
        with self._lock:
            if revision.epoch != self._epoch or revision.number > self._number:
                return None
            later = [graphs for number, graphs in self._entries if number > revision.number]
            if len(later) < self._number - revision.number:  # the log no longer reaches back that far
                return None
            if any(graphs is None for graphs in later):
                return None
            return frozenset(graph for graphs in later for graph in graphs or ())
