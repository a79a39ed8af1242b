"""Labels of vocabulary and ontology terms in the reader's language, cached per server and per language.

One query per graph reads every ``skos:prefLabel``, ``rdfs:label``, ``dcterms:title`` and ``skos:notation`` of
the terms (IRIs outside ``{base}id/``: concepts, schemes, countries, ontology terms, AGROVOC, units), in every
graph but the submissions and summaries (the whole store when its default graph holds data). Per language
a dictionary IRI → label is built on first use, trying the reader's language, then English, then an untagged
label, then the other FAO languages (``i18n.language_order``). The cache lives in ``ctx.extras``. A write that
may change terms drops it (the next page reads the labels again); a publish or withdrawal of a submission (records
only) re-reads them in the background while pages keep the table they have (0.4 s at 100k cases; it scanned every
title and site label in the store before, 2.6-3.8 s, and must not stall every page after each publish anyway).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import pyoxigraph as ox
from rdflib import Literal, URIRef
from rdflib.term import Node

from sparql_api.server.context import ServerContext
from sparql_api.store.base import DEFAULT_GRAPH, Store
from sparql_api.web import i18n

CACHE_KEY = "pages.labels"

QUERY = """PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?s ?p ?l WHERE {
  VALUES ?p { skos:prefLabel rdfs:label dcterms:title skos:notation }
  ?s ?p ?l .
  FILTER(isIRI(?s) && isLiteral(?l) && !STRSTARTS(STR(?s), ?data))
}"""
# The same in one graph (its IRI written in: Oxigraph 0.5 does not use a VALUES-bound ?g to pick the graph, it
# scanned every graph: 1.8 s for 6 graphs at 100k cases; one query per graph: ~20 ms each).
QUERY_IN_GRAPH = """PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?s ?p ?l WHERE {
  VALUES ?p { skos:prefLabel rdfs:label dcterms:title skos:notation }
  GRAPH %s { ?s ?p ?l }
  FILTER(isIRI(?s) && isLiteral(?l) && !STRSTARTS(STR(?s), ?data))
}"""

NOTATION = "http://www.w3.org/2004/02/skos/core#notation"
# Label properties, weakest first: a later one wins.
LABEL_PROPERTIES = ("http://purl.org/dc/terms/title", "http://www.w3.org/2000/01/rdf-schema#label",
                    "http://www.w3.org/2004/02/skos/core#prefLabel")


@dataclass(frozen=True)
class Label:
    """A text and its language tag ("" when the literal has none)."""

    text: str
    lang: str = ""


def language_preference(lang: str) -> list[str]:
    """Tags to try, best first: the reader's language, English, untagged, then the other FAO languages."""
    order = i18n.language_order(lang)
    return [*order[:2], "", *order[2:]] if lang != i18n.DEFAULT else [order[0], "", *order[1:]]


def best_literal(literals: list[Literal], lang: str) -> Label | None:
    """The literal to show a reader of ``lang`` (any other language last, in the order given)."""
    if not literals:
        return None
    by_lang: dict[str, Literal] = {}
    for literal in literals:
        tag = (literal.language or "").lower()
        by_lang.setdefault(tag, literal)
        by_lang.setdefault(tag.split("-")[0], literal)
    for tag in language_preference(lang):
        if tag in by_lang:
            chosen = by_lang[tag]
            return Label(str(chosen), chosen.language or "")
    return Label(str(literals[0]), literals[0].language or "")


class LabelIndex:
    """Every term's labels, read once; ``label(iri, lang)`` and ``notation(iri)`` are dictionary look-ups."""

    def __init__(self, store: Store, data_prefix: str, record_graphs: tuple[str, ...] = ()) -> None:
        """``record_graphs``: prefixes of graphs that hold records only (submissions, summaries), not read."""
        self._store = store
        self._data_prefix = data_prefix
        self._record_graphs = record_graphs
        self._lock = threading.Lock()
        self._raw: tuple[dict[str, dict[str, list[Literal]]], dict[str, str]] | None = None
        self._by_lang: dict[str, dict[str, Label]] = {}
        self._generation = 0  # bumped by forget: a table built from labels read before it is not kept
        self._refreshing: threading.Thread | None = None
        self._reader_running = False  # a background re-read is under way (set and cleared under the lock)

    def forget(self) -> None:
        with self._lock:
            self._raw = None
            self._by_lang = {}
            self._generation += 1

    def changed(self, records_only: bool) -> None:
        """After a write: forget, or (records only, table already read) re-read in the background and swap. One
        background reader at a time: writes during its read make it read once more, not start another scan."""
        with self._lock:
            self._generation += 1
            if not (records_only and self._raw is not None):
                self._raw, self._by_lang = None, {}
                return
            if self._reader_running:
                return  # it sees the new generation when its read ends, and reads again
            self._reader_running = True
            self._refreshing = threading.Thread(target=self._refresh, name="label-refresh", daemon=True)
            self._refreshing.start()

    def _refresh(self) -> None:
        with self._lock:
            generation = self._generation
        while True:
            try:
                fresh = self._read()
            except Exception:  # the store is busy or closing: fall back to reading on the next page
                fresh = None
            with self._lock:
                if fresh is not None and generation != self._generation and self._raw is not None:
                    generation = self._generation  # written meanwhile: read once more
                    continue
                if self._raw is not None:  # (None: a write that may change terms dropped it; pages read it)
                    self._raw, self._by_lang = fresh, {}
                self._reader_running = False
                return

    def wait_for_refresh(self, timeout: float = 60) -> None:
        """Block until a background re-read has finished (tests)."""
        if self._refreshing is not None:
            self._refreshing.join(timeout)

    def _read(self) -> tuple[dict[str, dict[str, list[Literal]]], dict[str, str]]:
        labels: dict[str, dict[str, list[Literal]]] = {prop: {} for prop in LABEL_PROPERTIES}
        notations: dict[str, str] = {}
        for row in self._rows():
            iri, prop, value = str(row["s"]), str(row["p"]), row["l"]
            assert isinstance(value, Literal)
            if prop == NOTATION:
                notations.setdefault(iri, str(value))
            else:
                labels[prop].setdefault(iri, []).append(value)
        return labels, notations

    def _rows(self) -> list[dict[str, Node]]:
        """The label rows of the graphs that can describe terms: submission graphs hold records (ingest refuses
        statements about vocabulary or ontology terms) and summary graphs observations, and reading them made
        this scan linear in the cases (200,000 titles and site labels read at 100k cases to keep ~7,000: 2.6 s)."""
        bound: dict[str, Node] = {"data": Literal(self._data_prefix)}
        if not self._record_graphs or self._store.has_graph(DEFAULT_GRAPH):  # the default graph has no name
            return self._store.select(QUERY, bound)
        rows: list[dict[str, Node]] = []
        for graph in self._store.graphs():
            if not graph.startswith(self._record_graphs):
                # A name from the store itself, checked by pyoxigraph before it is written into the query.
                rows += self._store.select(QUERY_IN_GRAPH % ox.NamedNode(graph), bound)
        return rows

    def _load(self) -> tuple[dict[str, dict[str, list[Literal]]], dict[str, str]]:
        with self._lock:
            if self._raw is None:
                self._raw = self._read()
            return self._raw

    def _labels(self, lang: str) -> dict[str, Label]:
        table = self._by_lang.get(lang)
        if table is None:
            generation = self._generation
            labels, _ = self._load()
            table = {}
            for prop in LABEL_PROPERTIES:
                for iri, literals in labels[prop].items():
                    chosen = best_literal(literals, lang)
                    if chosen is not None:
                        table[iri] = chosen
            with self._lock:
                if generation == self._generation:
                    self._by_lang[lang] = table
        return table

    def label(self, iri: str | URIRef, lang: str) -> Label | None:
        return self._labels(lang).get(str(iri))

    def notation(self, iri: str | URIRef) -> str | None:
        return self._load()[1].get(str(iri))


_CREATE = threading.Lock()


def label_index(ctx: ServerContext) -> LabelIndex:
    """The server's label cache, created on first use and forgotten whenever the data change."""
    with _CREATE:
        index = ctx.extras.get(CACHE_KEY)
        if not isinstance(index, LabelIndex):
            base = ctx.settings.base_iri
            index = LabelIndex(ctx.store, base + "id/", (base + "graph/submission/", base + "graph/summary/"))
            ctx.extras[CACHE_KEY] = index
            ctx.on_terms_may_change.append(index.changed)
    return index
