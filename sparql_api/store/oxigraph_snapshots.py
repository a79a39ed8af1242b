"""Read-only snapshots of the embedded store for the query workers.

Why: RocksDB allows one writer per directory, and pyoxigraph documents a read-only open of a directory that
another process writes as undefined behaviour. A checkpoint (``Store.backup``, hard links on the same file
system, tens of milliseconds) is a separate directory nobody writes to, so workers may open it safely.
A new snapshot is taken lazily: only when a query arrives after a write. Old snapshots are deleted as soon
as no worker has them open.
"""

from __future__ import annotations

import shutil
import threading
from collections import Counter
from pathlib import Path

import pyoxigraph as ox


class Snapshots:
    def __init__(self, store: ox.Store, root: Path) -> None:
        self._store = store
        self._root = root
        self._lock = threading.Lock()
        self._dirty = True
        self._generation = 0
        self._current: Path | None = None
        self._users: Counter[str] = Counter()
        shutil.rmtree(root, ignore_errors=True)  # leftovers of a previous run are never reused
        root.mkdir(parents=True, exist_ok=True)

    def mark_dirty(self) -> None:
        """Call after every committed write: the next query needs a fresh snapshot."""
        self._dirty = True

    def checkout(self) -> str:
        """The newest snapshot (taken now if the store changed since the last one), held until release()."""
        with self._lock:
            if self._dirty or self._current is None:
                self._dirty = False  # before the backup: a write that lands meanwhile marks it dirty again
                self._generation += 1
                path = self._root / f"gen-{self._generation:06d}"
                self._store.backup(str(path))
                self._current = path
                self._collect()
            self._users[str(self._current)] += 1
            return str(self._current)

    def release(self, path: str | None) -> None:
        if path is None:
            return
        with self._lock:
            self._users[path] -= 1
            if self._users[path] <= 0:
                del self._users[path]
                if self._current is None or path != str(self._current):
                    self._collect()

    def _collect(self) -> None:
        for child in self._root.iterdir():
            if child != self._current and str(child) not in self._users:
                shutil.rmtree(child, ignore_errors=True)

    def close(self) -> None:
        shutil.rmtree(self._root, ignore_errors=True)
        self._store = None  # type: ignore[assignment]  # the RocksDB lock goes with the last reference
