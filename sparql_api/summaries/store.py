"""``SummarisingStore``: a store wrapper that keeps every graph's summary graph in step with the graph.

- ``replace_graph`` / ``replace_graphs`` / ``drop_graph`` (publishing, withdrawing, bootstrap, Graph Store
  ``PUT``/``DELETE``): the summary is computed from the data *before* the write and goes into the same
  ``replace_graphs`` call, one transaction on the embedded store; a reader sees both or neither.
- ``add_graph`` (Graph Store ``POST``), ``update`` (SPARQL Update), ``bulk_load``: the write runs, then the
  summaries of the graphs it touched are recomputed from the store, under the same lock, before the call returns
  (for an update whose graphs cannot be told, every summary: see ``touched``). ``restore`` keeps the dump's own
  summaries and makes the missing ones.
Summary graphs themselves cannot be written by anyone else (``SummaryGraphWrite``). Everything else is the
wrapped store's. The wrapper also keeps the running totals of all summaries (``running.py``), updated by
difference with each write it makes (writes it cannot follow one graph at a time drop them, to be built again on
the next read), and tells its watchers which graphs each write changed (``watch``), once the write is done.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import pyoxigraph as ox

from sparql_api.background import in_background
from sparql_api.store.base import (
    DEFAULT_GRAPH,
    DataSyntaxError,
    Store,
    StoreError,
    UnsupportedMediaType,
)
from sparql_api.store.wrapping import WrappingStore, find_wrapped
from sparql_api.summaries.contribution import Contribution, OutcomeKey, summarise, summarise_data, summary_triples
from sparql_api.summaries.naming import is_summary_graph, summary_graph
from sparql_api.summaries.revisions import RevisionLog
from sparql_api.summaries.running import RunningTotals, read_summary
from sparql_api.summaries.touched import touched_graphs

N_TRIPLES = "application/n-triples"
NOTHING = Contribution((), {})
READERS = 2  # graphs summarised at once by ``refresh`` (the store answers concurrent queries)
BATCH = 16  # graphs read before their summaries are written (bounds the memory of a refresh of many graphs)
QUAD_FORMATS = (ox.RdfFormat.N_QUADS, ox.RdfFormat.TRIG)
log = logging.getLogger("srkg.summaries")


class SummaryGraphWrite(StoreError):
    """A client tried to write a summary graph; the server maintains those (HTTP 403)."""


def _refuse(graph: str) -> None:
    if is_summary_graph(graph):
        raise SummaryGraphWrite(
            f"<{graph}> is a summary graph: the server keeps it in step with the graph it summarises; "
            "write that graph instead"
        )


# graph → (its contribution before the write, None when not known; its contribution after)
ContributionChanges = Mapping[str, tuple[Contribution | None, Contribution]]


class SummarisingStore(WrappingStore):
    def __init__(self, inner: Store, journal: Path | None = None, revisions: RevisionLog | None = None) -> None:
        """``journal``: a file naming the graphs whose summaries a write is about to leave behind until they are
        recomputed; written (fsynced) before such a write, removed after, and replayed by ``ensure`` — so a crash
        between the write and the recomputation is repaired at the next start. ``revisions``: bumped before
        every write with the graphs it names (indexes kept on disk read only those again at the next start)."""
        super().__init__(inner)
        self._lock = threading.RLock()
        self._journal = journal
        self.revisions = revisions
        self._running: RunningTotals | None = None  # built on first read, then kept in step with every write
        self._watchers: list[Callable[[frozenset[str] | None], None]] = []
        self._contribution_watchers: list[Callable[[ContributionChanges | None], None]] = []

    # --- watchers -----------------------------------------------------------------------------------
    def watch(self, watcher: Callable[[frozenset[str] | None], None]) -> None:
        """Call ``watcher`` after every write with the graphs it changed (None: any graph may have changed), under
        the write lock, once the data is in the store: a watcher that reads those graphs again sees the write.
        Watchers must be quick (mark, not read) and must not raise."""
        self._watchers.append(watcher)

    def watch_contributions(self, watcher: Callable[[ContributionChanges | None], None]) -> None:
        """Call ``watcher`` after every write with what each graph it changed contributed to the summaries
        before and after it (before: None when not known), or with None when any graph may have changed — what
        a cache of answers about some pollutants needs to drop only the answers a write touched. Called once
        the graph's new summary is written, under the write lock; the rules of ``watch`` apply."""
        self._contribution_watchers.append(watcher)

    def _changed(self, graphs: Iterable[str] | None) -> None:
        names = None if graphs is None else frozenset(graphs)
        for watcher in self._watchers:
            try:
                watcher(names)
            except Exception:  # a watcher's failure must not turn a successful write into an error
                log.warning("a watcher of graph changes failed", exc_info=True)
        if names is None:
            self._tell(None)

    def _tell(self, changes: ContributionChanges | None) -> None:
        for watcher in self._contribution_watchers:
            try:
                watcher(changes)
            except Exception:
                log.warning("a watcher of summary changes failed", exc_info=True)

    # --- running totals ---------------------------------------------------------------------------
    def running(self, timeout: float | None = None) -> RunningTotals:
        """The totals of every summary (a snapshot: later writes replace it, never change it)."""
        totals = self._running
        if totals is None:
            with self._lock:
                if self._running is None:
                    self._running = RunningTotals.from_summaries(self._inner, timeout)
                totals = self._running
        return totals

    def _old(self, graphs: Iterable[str]) -> dict[str, Contribution]:
        """What the graphs' summaries say now (read only when there are totals to keep in step or watchers)."""
        if self._running is None and not self._contribution_watchers:
            return {}
        return {graph: read_summary(self._inner, summary_graph(graph)) for graph in graphs}

    def _advance(self, old: Mapping[str, Contribution], new: Mapping[str, Contribution]) -> None:
        """Move the totals from ``old`` to ``new`` summaries (already written); on any failure drop them."""
        if self._contribution_watchers:
            self._tell({graph: (old.get(graph), contribution) for graph, contribution in new.items()})
        totals = self._running
        if totals is None:
            return
        try:
            stale: set[OutcomeKey] = set()
            for graph, contribution in new.items():
                totals, touched = totals.changed(old.get(graph, NOTHING), contribution)
                stale |= touched
            self._running = totals.with_extremes(self._inner, stale) if stale else totals
        except Exception:  # the write itself is done; the totals are built again on the next read
            log.warning("running totals dropped after a write (rebuilt on next use)", exc_info=True)
            self._running = None

    def _forget_running(self) -> None:
        self._running = None

    def _pending(self, graphs: Iterable[str] | None) -> None:
        """Journal ``graphs`` (None: all) before a write whose summaries are recomputed after it; ``_done``
        clears it once they are. A write that fails still gets its refresh (and ``_done``); only a crash, or a
        failed refresh, leaves the journal for ``ensure`` at the next start."""
        if self._journal is None:
            return
        self._journal.parent.mkdir(parents=True, exist_ok=True)
        temporary = self._journal.with_suffix(".tmp")
        with temporary.open("w", encoding="utf-8") as out:
            json.dump({"graphs": None if graphs is None else sorted(graphs)}, out)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, self._journal)

    @contextmanager
    def _revised(self, graphs: Iterable[str] | None) -> Iterator[None]:
        """Around a write of ``graphs`` (None: any), under the lock: the revision log bumped before it runs and
        told it is done once the watchers have been told (see ``RevisionLog.current``)."""
        if self.revisions is None:
            yield
            return
        self.revisions.bump(graphs)
        try:
            yield
        finally:
            self.revisions.done()

    def _done(self) -> None:
        if self._journal is not None:
            self._journal.unlink(missing_ok=True)

    def _replay(self) -> None:
        """Recompute what an interrupted write left pending (see ``_pending``)."""
        if self._journal is None or not self._journal.exists():
            return
        try:
            graphs = json.loads(self._journal.read_text("utf-8")).get("graphs")
        except (OSError, ValueError, AttributeError):
            graphs = None  # unreadable: recompute everything
        log.warning("a write was interrupted before its summaries were recomputed: recomputing %s",
                    "all of them" if graphs is None else f"{len(graphs)} graph(s)")
        if graphs is None:
            self.refresh_all()
        else:
            self.refresh(graphs)
        self._done()

    # --- summaries --------------------------------------------------------------------------------
    def refresh(self, graphs: Iterable[str]) -> int:
        """Recompute the summaries of ``graphs`` from the store as it is; how many of them have one now. The
        graphs are read ``READERS`` at a time (the reads are queries; 1.9x faster on 2 cores at 100k cases), and
        their summaries written one by one."""
        kept = 0
        todo = [graph for graph in graphs if not is_summary_graph(graph)]
        self._changed(todo)

        def read(graph: str) -> tuple[str, dict[str, Contribution], Contribution]:
            return graph, self._old([graph]), summarise(self._inner, graph)

        with self._lock, ThreadPoolExecutor(READERS) as pool:
            for start in range(0, len(todo), BATCH):
                for graph, old, contribution in pool.map(read, todo[start:start + BATCH]):
                    triples = summary_triples(contribution, graph, summary_graph(graph))
                    target = summary_graph(graph)
                    if triples:
                        self._inner.replace_graph(target, triples, N_TRIPLES)
                        kept += 1
                    elif self._inner.has_graph(target):
                        self._inner.drop_graph(target)
                    self._advance(old, {graph: contribution})
        return kept

    def refresh_all(self) -> int:
        """Recompute every summary and drop those whose graph is gone (after writes that cannot be told apart)."""
        with self._lock:
            self._forget_running()
            self._changed(None)
            graphs = self._inner.graphs()
            sources = [g for g in graphs if not is_summary_graph(g)]
            wanted = {summary_graph(g) for g in sources}
            for orphan in (g for g in graphs if is_summary_graph(g) and g not in wanted):
                self._inner.drop_graph(orphan)
            return self.refresh([*sources, DEFAULT_GRAPH])

    def ensure(self) -> int:
        """Summarise the graphs that have no summary yet and drop summaries of graphs that are gone (a store
        loaded before summaries existed, or by other means); graphs already summarised are not read."""
        with self._lock:
            self._replay()
            graphs = set(self._inner.graphs())
            summaries = {g for g in graphs if is_summary_graph(g)}
            sources = graphs - summaries
            wanted = {summary_graph(g): g for g in sources}
            for orphan in summaries - set(wanted):
                self._inner.drop_graph(orphan)
                self._forget_running()
            missing = sorted(g for s, g in wanted.items() if s not in summaries)
            if summary_graph(DEFAULT_GRAPH) not in summaries:
                missing.append(DEFAULT_GRAPH)
            if len(missing) > 20:
                log.info("summarising %d graphs that have no summary (once; large stores take a while)",
                         len(missing))
            return self.refresh(missing)

    # --- writes -------------------------------------------------------------------------------------
    def replace_graphs(self, contents: Mapping[str, tuple[bytes, str] | None]) -> dict[str, int]:
        for graph in contents:
            _refuse(graph)
        with self._lock, self._revised(contents):
            old = self._old(contents)
            new: dict[str, Contribution] = {}
            writes: dict[str, tuple[bytes, str] | None] = dict(contents)
            for graph, content in contents.items():
                new[graph] = NOTHING if content is None else summarise_data(content[0], content[1], graph)
                triples = summary_triples(new[graph], graph, summary_graph(graph))
                writes[summary_graph(graph)] = (triples, N_TRIPLES) if triples else None
            counts = self._inner.replace_graphs(writes)
            self._changed(contents)
            self._advance(old, new)
        return {graph: counts.get(graph, 0) for graph in contents}

    def replace_graph(self, graph_iri: str, data: bytes, media_type: str) -> int:
        return self.replace_graphs({graph_iri: (data, media_type)})[graph_iri]

    def drop_graph(self, graph_iri: str) -> bool:
        _refuse(graph_iri)
        with self._lock:
            existed = self._inner.has_graph(graph_iri)
            self.replace_graphs({graph_iri: None})
        return existed

    def add_graph(self, graph_iri: str, data: bytes, media_type: str) -> int:
        _refuse(graph_iri)
        with self._lock, self._revised([graph_iri]):
            self._pending([graph_iri])
            try:
                added = self._inner.add_graph(graph_iri, data, media_type)
            finally:
                self.refresh([graph_iri])
                self._done()
        return added

    def update(self, sparql: str, *, timeout: float | None = None) -> None:
        graphs = touched_graphs(sparql)
        if graphs is not None:
            for graph in graphs:
                _refuse(graph)
        with self._lock, self._revised(graphs):
            self._pending(graphs)
            try:
                self._inner.update(sparql, timeout=timeout)
            except Exception:  # the store refused it: nothing was written (a remote store may differ: see below)
                if graphs is not None:
                    self.refresh(graphs)  # cheap; a remote store applies the operations of an update one by one
                self._done()
                raise
            if graphs is None:
                self.refresh_all()
            else:
                self.refresh(graphs)
            self._done()

    def bulk_load(self, path: Path, media_type: str, graph_iri: str | None = None) -> int:
        if graph_iri is not None:
            _refuse(graph_iri)
        with self._lock, self._revised(None):  # a quads file keeps its own graphs whatever ``graph_iri`` says
            self._pending(None)  # which graphs the file holds is known only after the check
            try:
                loaded = self._inner.bulk_load(path, media_type, graph_iri)
            except (DataSyntaxError, UnsupportedMediaType):  # refused before anything was loaded
                self._done()
                raise
            if ox.RdfFormat.from_media_type(media_type) not in QUAD_FORMATS:
                self.refresh([graph_iri or DEFAULT_GRAPH])
            else:  # the embedded store noted the file's graphs while checking it; otherwise read them here
                noted = getattr(self._inner, "last_loaded_graphs", None)
                self.refresh(noted if isinstance(noted, set) else _graphs_in(path, media_type))
            self._done()
        return loaded

    def restore(self, path: Path, media_type: str = "application/n-quads") -> int:
        """A dump of an SRKG store carries its summaries, in step with their graphs: they are kept as they are
        (a restore gives back the very dataset); graphs without one get one, orphans go."""
        with self._lock, self._revised(None):
            self._forget_running()
            restored = self._inner.restore(path, media_type)
            self._changed(None)
            self.ensure()
        return restored


def _graphs_in(path: Path, media_type: str) -> set[str]:
    """The graph names in a quads file (a streaming parse; the default graph as ``DEFAULT_GRAPH``)."""
    fmt = ox.RdfFormat.from_media_type(media_type)
    names: set[str] = set()
    with path.open("rb") as handle:
        for quad in ox.parse(handle, format=fmt):
            graph = quad.graph_name
            names.add(DEFAULT_GRAPH if isinstance(graph, ox.DefaultGraph) else graph.value)
    return names


def find_summaries(store: Store) -> SummarisingStore | None:
    """The ``SummarisingStore`` in ``store``'s chain of wrappers, if there is one."""
    found = find_wrapped(store, SummarisingStore)
    return found if isinstance(found, SummarisingStore) else None


def summarised(store: Store) -> Store:
    """``store`` with summaries maintained (unchanged when a wrapper in its chain already does it), and the
    summaries that are missing filled in."""
    wrapper = find_summaries(store)
    if wrapper is None:
        wrapper = SummarisingStore(store)
        store = wrapper
    made = wrapper.ensure()
    if made:
        log.info("summarised %d graph(s) that had no summary", made)
    return store


WARM_TIMEOUT_S = 900.0  # adding up every summary at 100k cases took 9 s; longer than a user's query may take


def warm_running_totals(store: Store) -> threading.Thread | None:
    """Build the running totals in the background (at server start), so that the first /statistics request
    does not wait for them; a failure only means that request builds them itself."""
    summaries = find_summaries(store)
    if summaries is None:
        return None
    return in_background(lambda: summaries.running(WARM_TIMEOUT_S), "srkg-running-totals",
                         "running totals: building them at start failed (the first reader builds them)")
