"""The comparison's evidence kept in memory, one part per graph, moved with every write (issue #6).

The SPARQL evidence queries (``evidence.fetch``) read every case of a pollutant on each request: ~20 µs per row
and OPTIONAL in Oxigraph, 5 s for cadmium at 100k cases. This index reads each graph's case studies once
(``queries/evidence-index-*.rq``, the graph's IRI written in), keeps their evidence records and the facts the
filters test (pollutants, media, site types, countries), and answers a comparison in memory. What the
vocabularies say (the pollutants and site types under the ones asked for: ``evidence.with_pollutants``; a
region's countries; labels and notations) is still read at request time with small queries, so vocabulary edits
show at once.

**Never stale**: the ``SummarisingStore`` tells the index which graphs each write changed, once the write is in
the store (``watch``); those graphs are marked, and the next reader reads them again before answering (a
background catch-up usually has done it by then). A write whose graphs cannot be told (a SPARQL Update naming
graphs by variables, a restore) drops the index: requests use the SPARQL queries until it is built again in the
background. Until the first build is done (``warm``, at server start) every request uses the SPARQL queries.

**Exactness**: the answer equals ``evidence.fetch``'s (tests/store/test_evidence_index.py, both backends) as
long as a case study's record lives in one graph, as every SRKG writer puts it. A case typed as a case study in
two graphs is answered with the SPARQL queries; statements about a case written into a graph that does not
type it are not read by the index.
"""

from __future__ import annotations

import gc
import logging
import threading
from collections import defaultdict
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from functools import cache
from operator import attrgetter
from pathlib import Path
from weakref import WeakKeyDictionary

import pyoxigraph as ox
from rdflib import Literal, URIRef
from rdflib.term import Node

from sparql_api.analysis import evidence as ev
from sparql_api.analysis import rows as rows_module
from sparql_api.analysis.rows import AssessmentRow, CostRow, Evidence, OutcomeRow
from sparql_api.background import Debounced, in_background
from sparql_api.sparql_text import insert_in_where
from sparql_api.store.base import DEFAULT_GRAPH, Store
from sparql_api.summaries import kept
from sparql_api.summaries.naming import is_summary_graph
from sparql_api.summaries.revisions import Revision, RevisionLog
from sparql_api.summaries.store import SummarisingStore, find_summaries

GRAPH_QUERIES = ("cases", "facts", "outcomes", "costs", "assessments")
READERS = 2  # graphs read at once (the store answers concurrent queries)
CATCH_UP_DELAY_S = 0.5  # after a write, before the background catch-up (a burst of writes costs one)
BUILD_TIMEOUT_S = 900.0  # reading every graph at 100k cases takes longer than a user's query may
_SCRATCH = "urn:srkg:evidence-index:default-graph"
FILE_NAME = "evidence-index.pickle"  # in the data dir, beside the revision log
log = logging.getLogger("srkg.evidence-index")


@cache
def query_text(name: str) -> str:
    if name not in (*GRAPH_QUERIES, "assessment-terms", "region"):
        raise KeyError(name)
    return (ev.QUERIES_DIR / f"evidence-index-{name}.rq").read_text("utf-8")


def in_graph(name: str, graph: str) -> str:
    """The per-graph query with the graph's IRI written in (checked by pyoxigraph first)."""
    return query_text(name).replace("GRAPH ?g", f"GRAPH {ox.NamedNode(graph)}")


@dataclass(frozen=True)
class CaseEvidence:
    """What the comparison may need of one case study, and what its filters test."""

    case: str
    pollutants: frozenset[str]
    media: frozenset[str]  # srkg:treatedMedium and its outcomes' srkg:medium
    site_types: frozenset[str]
    countries: frozenset[str]
    records: tuple[ev.CaseRecord, ...]  # one per technology applied
    outcomes: tuple[tuple[OutcomeRow, frozenset[str]], ...]  # with the media each outcome names
    costs: tuple[CostRow, ...]  # currency, basis and cost type as concept IRIs
    assessments: tuple[tuple[AssessmentRow, str | None], ...]  # with the result's rating IRI


@dataclass(frozen=True)
class GraphEvidence:
    cases: Mapping[str, CaseEvidence] = field(default_factory=dict)
    by_pollutant: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


def read_graph(store: Store, graph: str, timeout: float | None = None) -> GraphEvidence:
    """The evidence of the case studies in ``graph`` as the store holds it now."""
    if graph == DEFAULT_GRAPH:  # the default graph cannot be named in GRAPH: read a private copy of it
        from sparql_api.store.oxigraph_store import OxigraphStore

        data = store.get_graph(DEFAULT_GRAPH, "application/n-triples") or b""
        if not data.strip():
            return GraphEvidence()
        scratch = OxigraphStore(None)
        scratch.add_graph(_SCRATCH, data, "application/n-triples")
        return read_graph(scratch, _SCRATCH, timeout)
    rows = {name: store.select(in_graph(name, graph), timeout=timeout) for name in GRAPH_QUERIES}
    return graph_evidence(rows)


def graph_evidence(rows: Mapping[str, list[dict[str, Node]]]) -> GraphEvidence:
    typed: set[str] = set()
    facts: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    outcome_media: dict[str, set[str]] = defaultdict(set)
    for row in rows["facts"]:
        case, kind = str(row["case"]), str(row["kind"])
        if kind == "case":
            typed.add(case)
        elif kind == "outcomeMedium":
            facts[case]["medium"].add(str(row["value"]))
            outcome_media[str(row["outcome"])].add(str(row["value"]))
        else:
            facts[case][kind].add(str(row["value"]))
    media = {case: frozenset(facts[case]["medium"]) for case in typed}
    for row in rows["cases"]:  # as evidence-cases.rq's ?mediumStated
        row["mediumStated"] = Literal(bool(media[str(row["case"])]))
    records = _by_case(ev.case_records(_sorted(rows["cases"], "evidence-cases")))
    outcomes = _by_case(ev.outcome_records(_sorted(rows["outcomes"], "evidence-outcomes")))
    costs = _by_case(ev.cost_records(_sorted(rows["costs"], "evidence-costs")))
    assessment_rows = _sorted(rows["assessments"], "evidence-assessments")
    ratings = {str(row["result"]): str(row["rating"]) for row in assessment_rows if row.get("rating") is not None}
    assessments = _by_case(ev.assessment_records(assessment_rows))
    cases: dict[str, CaseEvidence] = {}
    by_pollutant: dict[str, list[str]] = defaultdict(list)
    for case in sorted(typed):
        own = facts[case]
        cases[case] = CaseEvidence(
            case=case, pollutants=frozenset(own["pollutant"]), media=media[case],
            site_types=frozenset(own["siteType"]), countries=frozenset(own["country"]),
            records=tuple(records.get(case, ())),
            outcomes=tuple((o, frozenset(outcome_media.get(o.outcome, ()))) for o in outcomes.get(case, ())),
            costs=tuple(costs.get(case, ())),
            assessments=tuple((a, ratings.get(a.result)) for a in assessments.get(case, ())),
        )
        for pollutant in own["pollutant"]:
            by_pollutant[pollutant].append(case)
    return GraphEvidence(cases, {p: tuple(found) for p, found in by_pollutant.items()})


def _sorted(rows: list[dict[str, Node]], name: str) -> list[dict[str, Node]]:
    keys = ev.ORDER[name]
    return sorted(rows, key=lambda row: tuple(str(row.get(key, "")) for key in keys))


def _by_case(items: Iterable[ev.CaseRecord | OutcomeRow | CostRow | AssessmentRow]) -> dict[str, list]:
    grouped: dict[str, list] = defaultdict(list)
    for item in items:
        grouped[item.case].append(item)
    return grouped


@dataclass(frozen=True)
class Snapshot:
    """The index as of one moment: readers keep it while later writes install new ones."""

    graphs: Mapping[str, GraphEvidence]
    split: frozenset[str]  # cases typed in more than one graph

    def matching(self, filters: ev.Filters, site_types: frozenset[str] | None,
                 region_countries: frozenset[str] | None) -> list[CaseEvidence]:
        """The cases of the comparison: a pollutant of it, and every filter set passed."""
        found: dict[str, CaseEvidence] = {}
        for part in self.graphs.values():
            for pollutant in filters.pollutants:
                for iri in part.by_pollutant.get(pollutant, ()):
                    found.setdefault(iri, part.cases[iri])
        return [case for case in found.values() if _passes(case, filters, site_types, region_countries)]


def _passes(case: CaseEvidence, filters: ev.Filters, site_types: frozenset[str] | None,
            region_countries: frozenset[str] | None) -> bool:
    if site_types is not None and not case.site_types & site_types:
        return False
    if filters.country and filters.country not in case.countries:
        return False
    if region_countries is not None and not case.countries & region_countries:
        return False
    return not filters.medium or filters.medium in case.media or not case.media


class EvidenceIndex:
    def __init__(self, store: Store, revisions: RevisionLog | None = None) -> None:
        """``store``: the store to read (the summaries' own, below any result cache). ``revisions``: the store's
        revision log, when it keeps one; the index is then kept on disk beside it (``FILE_NAME``), written after
        a whole build and at stop (``keep_on_disk``), and read back by the first build, which marks the graphs
        written since as changed instead of reading every graph."""
        self._store = store
        self._revisions = revisions
        self._path = revisions.path.parent / FILE_NAME if revisions is not None else None
        self._revision: Revision | None = None  # the store revision the snapshot holds every write of
        self._saved: Revision | None = None
        self._save_lock = threading.Lock()
        self.restored = False  # the first build read the index back from disk
        self._snapshot: Snapshot | None = None
        self._owners: dict[str, str | tuple[str, ...]] = {}  # case → the graph(s) typing it
        self._dirty: set[str] | None = None  # None: no usable index (not built, or dropped)
        self._mark_lock = threading.Lock()
        self._build_lock = threading.Lock()
        self._catch_up = Debounced(self._background, lambda: CATCH_UP_DELAY_S, "srkg-evidence-index-catch-up")
        self.builds = 0  # full builds so far (tests check that writes do not cause them)
        self._term_cache: dict[str, dict[str, ev.Term]] = {}  # language → concept IRI → what is shown of it

    @property
    def ready(self) -> bool:
        """Whether comparisons are answered from the index now (built, not dropped)."""
        return self._snapshot is not None and self._dirty is not None

    def case_count(self) -> int:
        snapshot = self._snapshot
        return sum(len(part.cases) for part in snapshot.graphs.values()) if snapshot is not None else 0

    # --- following writes ---------------------------------------------------------------------------------
    def changed(self, graphs: frozenset[str] | None) -> None:
        """A write changed ``graphs`` (None: unknown). Marks only; the reading happens later."""
        self._term_cache = {}  # the write may have been to a vocabulary
        with self._mark_lock:
            if graphs is None:
                self._dirty = None
                self._snapshot = None
            elif self._dirty is not None:
                self._dirty |= {g for g in graphs if not is_summary_graph(g)}
            built_before = self.builds > 0
        if built_before:
            self._later()

    def _later(self) -> None:
        self._catch_up.poke()

    def _background(self) -> None:
        try:
            if self._dirty is None:
                self.build(BUILD_TIMEOUT_S)
            else:
                self.current(BUILD_TIMEOUT_S)
        except Exception:  # requests use the SPARQL queries meanwhile; the next write or reader tries again
            log.warning("evidence index: catching up after a write failed", exc_info=True)

    # --- reading ------------------------------------------------------------------------------------------
    def build(self, timeout: float | None = BUILD_TIMEOUT_S) -> Snapshot:
        """Read every graph (at server start, and after a write whose graphs could not be told)."""
        with self._build_lock:
            if self.builds == 0 and (restored := self._restore()) is not None:
                return restored
            with self._mark_lock:
                self._dirty = set()  # writes from now on are marked and read again afterwards
                revision = self._current_revision()
            if self._path is not None:  # on disk before it is read: a power cut must not lose what the index holds
                self._store.flush()
            graphs = [*(g for g in self._store.graphs() if not is_summary_graph(g)), DEFAULT_GRAPH]
            parts = self._read(graphs, timeout)
            self._owners = {}
            split: set[str] = set()
            for graph, part in parts.items():
                self._own(graph, part, split)
            with self._mark_lock:
                snapshot = Snapshot(parts, frozenset(split))
                if self._dirty is not None:  # else a write of unknown graphs came meanwhile: stay dropped
                    self._snapshot, self._revision = snapshot, revision
                self.builds += 1
                dropped = self._dirty is None
            state = None if dropped else self._state()
        if state is not None:  # in the background: readers have the index meanwhile
            threading.Thread(target=self._save, args=(state,), name="srkg-evidence-index-save", daemon=True).start()
        if dropped:
            self._later()
        return snapshot

    # --- kept on disk -------------------------------------------------------------------------------------
    def _current_revision(self) -> Revision | None:
        """Read under ``_mark_lock`` when the marks are taken: every write up to it is done and was marked."""
        return self._revisions.current() if self._revisions is not None else None

    def _restore(self) -> Snapshot | None:
        """The index kept on disk, with the graphs written since it was made marked (read again by the next
        ``current``); None when there is none usable (under ``_build_lock``)."""
        if self._path is None or self._revisions is None:
            return None
        found = kept.load(self._path, code_stamp())
        if found is None:
            return None
        (snapshot, owners), saved = found  # type: ignore[misc]
        with self._mark_lock:  # a write is logged before it runs and marked after: none falls in between
            changed = self._revisions.changed_since(saved)
            if changed is None:
                log.info("evidence index: the one kept on disk is of another store revision; reading every graph")
                return None
            self._dirty = {g for g in changed if not is_summary_graph(g)}
            self._snapshot, self._revision, self._owners = snapshot, saved, owners
            self._saved = saved
            self.builds += 1
            self.restored = True
        log.info("evidence index read back from disk (%d graphs written since)", len(changed))
        return snapshot

    def _state(self) -> tuple[Snapshot, dict[str, str | tuple[str, ...]], Revision] | None:
        """What to keep on disk, unless it is there (under ``_build_lock``: the owners match the snapshot)."""
        snapshot, revision = self._snapshot, self._revision
        if self._path is None or snapshot is None or revision is None or revision == self._saved:
            return None
        return snapshot, dict(self._owners), revision

    def _save(self, state: tuple[Snapshot, dict[str, str | tuple[str, ...]], Revision] | None) -> None:
        """Write ``state`` (from ``_state``); a failure is logged, never raised (the next start builds)."""
        if state is None or self._path is None:
            return
        snapshot, owners, revision = state
        with self._save_lock:
            try:
                kept.save((snapshot, owners), revision, self._path, code_stamp())
                self._saved = revision
            except Exception:
                log.warning("evidence index: keeping it on disk failed", exc_info=True)

    def keep_on_disk(self) -> None:
        """At server stop: keep the snapshot in use on disk (never waits for a build or catch-up running)."""
        if self._build_lock.acquire(blocking=False):
            try:
                state = self._state()
            finally:
                self._build_lock.release()
            self._save(state)

    def current(self, timeout: float | None = None) -> Snapshot | None:
        """The index with every marked graph read again; None when there is no usable index."""
        with self._mark_lock:
            if self._dirty is None or self._snapshot is None:
                return None
            if not self._dirty:
                return self._snapshot
        with self._build_lock:
            with self._mark_lock:
                if self._dirty is None or self._snapshot is None:
                    return None
                todo, self._dirty = sorted(self._dirty), set()
                old = self._snapshot
                revision = self._current_revision()
            try:
                fresh = self._read(todo, timeout)
            except BaseException:
                with self._mark_lock:
                    if self._dirty is not None:
                        self._dirty |= set(todo)
                raise
            graphs = dict(old.graphs)
            split = set(old.split)
            for graph in todo:
                self._disown(graph, graphs.pop(graph, GraphEvidence()), split)
            for graph, part in fresh.items():
                graphs[graph] = part
                self._own(graph, part, split)
            with self._mark_lock:
                if self._dirty is None:
                    return None
                self._snapshot, self._revision = Snapshot(graphs, frozenset(split)), revision
                return self._snapshot

    def _read(self, graphs: list[str], timeout: float | None) -> dict[str, GraphEvidence]:
        with ThreadPoolExecutor(READERS) as pool:
            parts = pool.map(lambda graph: read_graph(self._store, graph, timeout), graphs)
            return {graph: part for graph, part in zip(graphs, parts, strict=True) if part.cases}

    def _own(self, graph: str, part: GraphEvidence, split: set[str]) -> None:
        for case in part.cases:
            owner = self._owners.get(case)
            if owner is None:
                self._owners[case] = graph
            else:
                self._owners[case] = (*([owner] if isinstance(owner, str) else owner), graph)
                split.add(case)

    def _disown(self, graph: str, part: GraphEvidence, split: set[str]) -> None:
        for case in part.cases:
            owner = self._owners.get(case)
            if owner == graph:
                del self._owners[case]
            elif isinstance(owner, tuple):
                left = tuple(g for g in owner if g != graph)
                self._owners[case] = left[0] if len(left) == 1 else left
                if len(left) == 1:
                    split.discard(case)

    # --- answering ----------------------------------------------------------------------------------------
    def evidence(self, store: Store, filters: ev.Filters, timeout: float | None = None) -> Evidence | None:
        """The comparison's evidence (``filters`` with its pollutants found), as ``evidence.fetch`` gives it; None
        when the index cannot answer (not built, dropped, or a case of the answer split over graphs)."""
        snapshot = self.current(timeout)
        if snapshot is None:
            return None
        site_types = frozenset(filters.site_types or (filters.site_type,)) if filters.site_type else None
        region_countries = _countries(store, filters.region, timeout)
        cases = snapshot.matching(filters, site_types, region_countries)
        if any(case.case in snapshot.split for case in cases):
            return None
        pollutants = set(filters.pollutants)
        records = sorted((r for case in cases for r in case.records), key=attrgetter("technology", "case"))
        outcomes = sorted((o for case in cases for o, media in case.outcomes if o.pollutant in pollutants
                           and (not filters.medium or filters.medium in media or not media)),
                          key=attrgetter("case", "outcome"))
        costs = sorted((c for case in cases for c in case.costs), key=attrgetter("case", "cost"))
        assessments = sorted((a for case in cases for a in case.assessments),
                             key=lambda a: (a[0].case, a[0].assessment, a[0].criterion))
        named = {iri for r in records for iri in (r.technology, r.country, r.scale, r.case_nbs)}
        named |= {iri for o in outcomes for iri in (o.pollutant, o.metric, o.unit)}
        named |= {iri for c in costs for iri in (c.currency, c.basis, c.cost_type)}
        named.discard(None)
        terms = self._terms(store, named, filters.lang, timeout)  # type: ignore[arg-type]
        return Evidence(
            cases=tuple(ev.named_case(r, terms) for r in records),
            outcomes=tuple(ev.named_outcome(o, terms) for o in outcomes),
            costs=tuple(_named_cost(c, terms) for c in costs),
            assessments=tuple(_named_assessments(store, assessments, filters.lang, timeout)),
        )

    def _terms(self, store: Store, iris: set[str], lang: str, timeout: float | None) -> dict[str, ev.Term]:
        """Labels and notations (``evidence.fetch_terms``), kept per language until the next write."""
        known = self._term_cache.setdefault(lang, {})
        missing = iris - known.keys()
        if missing:
            found = ev.fetch_terms(store, {URIRef(iri) for iri in missing}, lang, timeout)
            known.update({iri: found.get(iri, ev.Term()) for iri in missing})
        return known


def _countries(store: Store, region: str | None, timeout: float | None) -> frozenset[str] | None:
    """The countries of a region (None when that filter is not set)."""
    if not region:
        return None
    rows = store.select(query_text("region"), {"inRegion": URIRef(region)}, timeout=timeout)
    return frozenset(str(row["member"]) for row in rows if row.get("member") is not None)


def _named_cost(cost: CostRow, terms: Mapping[str, ev.Term]) -> CostRow:
    def notation(iri: str | None) -> str | None:
        return terms[iri].notation if iri and iri in terms else None

    return replace(cost, currency=notation(cost.currency), basis=notation(cost.basis),
                   cost_type=notation(cost.cost_type))


def _named_assessments(store: Store, found: list[tuple[AssessmentRow, str | None]], lang: str,
                       timeout: float | None) -> list[AssessmentRow]:
    """The vocabulary's part of evidence-assessments.rq for the results shown: labels, pillar, rating range."""
    if not found:
        return []
    criteria = {URIRef(a.criterion) for a, _ in found}
    frameworks = {URIRef(a.framework) for a, _ in found if a.framework}
    ratings = {URIRef(rating) for _, rating in found if rating}
    labels = ev.fetch_terms(store, set(criteria), lang, timeout)
    framework_labels = ev.fetch_terms(store, set(frameworks), "en", timeout)
    values = "VALUES ?term { " + " ".join(sorted(t.n3() for t in criteria | ratings)) + " }"
    pillars: dict[str, str] = {}
    levels: dict[str, tuple[int | None, int | None, int | None]] = {}
    for row in store.select(insert_in_where(query_text("assessment-terms"), values), timeout=timeout):
        term = str(row["term"])
        if row.get("pillar") is not None:
            pillars.setdefault(term, str(row["pillar"]))
        if row.get("ratingValue") is not None:
            levels.setdefault(term, (_integer(row, "ratingValue"), _integer(row, "ratingMin"),
                                     _integer(row, "ratingMax")))
    named = []
    for row, rating in found:
        value, low, high = levels.get(rating or "", (None, None, None))
        named.append(replace(
            row, criterion_label=labels.get(row.criterion, ev.Term()).label,
            framework_label=framework_labels.get(row.framework or "", ev.Term()).label,
            pillar=pillars.get(row.criterion), rating_value=value, rating_min=low, rating_max=high,
        ))
    return named


def _integer(row: Mapping[str, Node], name: str) -> int | None:
    value = row.get(name)
    if not isinstance(value, Literal):
        return None
    try:
        number = value.toPython()
        return int(number) if not isinstance(number, bool) and number == int(number) else None
    except (TypeError, ValueError):
        return None


# --- one index per store ----------------------------------------------------------------------------------------
_INDEXES: WeakKeyDictionary[SummarisingStore, EvidenceIndex] = WeakKeyDictionary()
_REGISTER_LOCK = threading.Lock()


def index_of(store: Store) -> EvidenceIndex | None:
    """The evidence index of ``store`` (None when no ``SummarisingStore`` tells it about writes)."""
    summaries = find_summaries(store)
    if summaries is None:
        return None
    with _REGISTER_LOCK:
        index = _INDEXES.get(summaries)
        if index is None:
            index = EvidenceIndex(summaries.inner, summaries.revisions)
            summaries.watch(index.changed)
            _INDEXES[summaries] = index
        return index


def keep_on_disk(store: Store) -> None:
    """At server stop: keep the evidence index on disk, for the next start to read back."""
    summaries = find_summaries(store)
    index = _INDEXES.get(summaries) if summaries is not None else None
    if index is not None:
        index.keep_on_disk()


@cache
def code_stamp() -> str:
    """Of the code whose objects the kept index holds."""
    queries = sorted(ev.QUERIES_DIR.glob("evidence-index-*.rq"))
    return kept.code_stamp(Path(__file__), Path(ev.__file__), Path(rows_module.__file__), Path(kept.__file__),
                           *queries)


def warm(store: Store) -> threading.Thread | None:
    """Build the index in the background (at server start); comparisons use the SPARQL queries until it is."""
    index = index_of(store)
    if index is None:
        return None

    def build() -> None:
        index.build(BUILD_TIMEOUT_S)
        index.current(BUILD_TIMEOUT_S)  # read back from disk: the graphs written since, read now
        # The index is millions of small objects that live until a write replaces their graph's part (freed by
        # reference counting, no cycles): kept out of the collector's full passes, which cost the comparison at
        # 100k cases up to 1 s each (cadmium: 1.3-1.6 s per comparison without this, 0.3-0.6 s with it).
        gc.freeze()

    return in_background(build, "srkg-evidence-index",
                         "evidence index: building it failed (comparisons use the SPARQL queries)")
