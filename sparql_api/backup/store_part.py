"""The store's part of a backup: every quad as N-Quads, counted per graph.

A remote store, and the server's own open store, are read through the Store interface. The command line opens
the embedded store directly instead, so that it is closed for certain when done (see ``embedded``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pyoxigraph as ox

from sparql_api.backup import BackupError
from sparql_api.config import Settings
from sparql_api.store.base import DEFAULT_GRAPH, Store, StoreError

N_QUADS = "application/n-quads"


def open_configured(settings: Settings) -> Store:
    """The configured store through the Store interface (used for the remote backend)."""
    from sparql_api.store.factory import open_store

    try:
        return open_store(settings)
    except StoreError as e:
        raise BackupError(f"cannot open the store: {e}") from None


def dump_configured(settings: Settings, out: Path) -> dict[str, int]:
    """Write every quad of the configured store to ``out``; return quads per graph (default graph: DEFAULT_GRAPH)."""
    if settings.store == "oxigraph":
        with embedded(settings.store_dir) as store:
            try:
                store.dump(str(out), format=ox.RdfFormat.N_QUADS)
            except OSError as e:
                raise BackupError(f"dumping the store failed: {e}") from None
    else:
        remote = open_configured(settings)
        try:
            return dump_store(remote, out)
        finally:
            remote.close()
    return count_quads(out, str(out))


def dump_store(store: Store, out: Path) -> dict[str, int]:
    """Every quad of an open store through the Store interface; quads per graph."""
    try:
        store.dump(out, N_QUADS)
    except StoreError as e:
        raise BackupError(f"dumping the store failed: {e}") from None
    return count_quads(out, str(out))


@contextmanager
def embedded(store_dir: Path) -> Iterator[ox.Store]:
    """The embedded store opened directly, and closed for certain on exit: the lock is free again at once, so
    the same process may open it next (OxigraphStore keeps its handle until the process ends)."""
    try:
        opened = ox.Store(str(store_dir))
    except OSError as e:
        if "lock" in str(e).lower():
            raise BackupError(f"the embedded store at {store_dir} is in use by another process: stop the server "
                              "first (`srkg serve` holds the store while it runs; RocksDB lets only one process "
                              "open it; docs/operations-backup.md says how to back up a running server)") from None
        raise BackupError(f"cannot open the store at {store_dir}: {e}") from None
    try:
        yield opened
        opened.flush()
    finally:
        del opened


def count_quads(path: Path, where: str) -> dict[str, int]:
    """Parse the whole file (so a restore knows it loads before it replaces anything); quads per graph."""
    counts: Counter[str] = Counter()
    try:
        for quad in ox.parse(path=str(path), format=ox.RdfFormat.N_QUADS):
            graph = quad.graph_name
            counts[DEFAULT_GRAPH if isinstance(graph, ox.DefaultGraph) else str(graph.value)] += 1
    except SyntaxError as e:
        raise BackupError(f"{where}: line {e.lineno}, column {e.offset}: does not parse as N-Quads ({e.msg})") from None
    return dict(counts)


def holds_anything(store: Store) -> bool:
    """Whether the store holds any triple, in a named graph or the default graph."""
    try:
        return bool(store.stats()) or store.has_graph(DEFAULT_GRAPH)
    except StoreError as e:
        raise BackupError(f"cannot read the store: {e}; nothing was changed") from None
