"""The page label cache: dropped by writes that may change terms, refreshed in the background after a publish."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from sparql_api.store.oxigraph_store import OxigraphStore
from sparql_api.web.resource_labels import LabelIndex

BASE = "https://w3id.org/srkg/"
TERM = f"{BASE}vocab/technology/t"


def _label(store: OxigraphStore, text: str) -> None:
    store.replace_graph(f"{BASE}graph/vocab", f'<{TERM}> <http://www.w3.org/2004/02/skos/core#prefLabel> '
                        f'"{text}"@en .'.encode(), "application/n-triples")


@pytest.fixture
def store(tmp_path: Path):
    store = OxigraphStore(tmp_path / "store", query_workers=0)
    yield store
    store.close()


def test_a_write_that_may_change_terms_drops_the_labels_at_once(store: OxigraphStore) -> None:
    index = LabelIndex(store, f"{BASE}id/")
    _label(store, "first")
    assert index.label(TERM, "en").text == "first"  # type: ignore[union-attr]
    _label(store, "second")
    index.changed(records_only=False)
    assert index.label(TERM, "en").text == "second"  # type: ignore[union-attr]


def test_after_a_publish_pages_keep_the_labels_until_the_background_read_swaps_them(store: OxigraphStore) -> None:
    index = LabelIndex(store, f"{BASE}id/")
    _label(store, "first")
    assert index.label(TERM, "en").text == "first"  # type: ignore[union-attr]
    _label(store, "second")
    gate = threading.Event()
    read = index._read
    index._read = lambda: (gate.wait(30), read())[1]  # type: ignore[method-assign]
    index.changed(records_only=True)
    assert index.label(TERM, "en").text == "first"  # type: ignore[union-attr]  # pages do not wait
    gate.set()
    index.wait_for_refresh()
    assert index.label(TERM, "en").text == "second"  # type: ignore[union-attr]


def test_a_publish_before_any_page_read_reads_on_first_use(store: OxigraphStore) -> None:
    index = LabelIndex(store, f"{BASE}id/")
    _label(store, "first")
    index.changed(records_only=True)  # nothing read yet: nothing to keep
    assert index._refreshing is None
    assert index.label(TERM, "en").text == "first"  # type: ignore[union-attr]


def test_publishes_during_a_background_read_make_one_more_read_not_one_each(store: OxigraphStore) -> None:
    index = LabelIndex(store, f"{BASE}id/")
    _label(store, "first")
    assert index.label(TERM, "en").text == "first"  # type: ignore[union-attr]
    gate, reads = threading.Event(), []
    read = index._read

    def counted():  # type: ignore[no-untyped-def]
        reads.append(1)
        gate.wait(30)
        return read()

    index._read = counted  # type: ignore[method-assign]
    for n in range(5):
        _label(store, f"version {n}")
        index.changed(records_only=True)
    gate.set()
    index.wait_for_refresh()
    # the read under way, then at most one more for the writes made during it (one, if the reader started
    # after the last write); a reader per write would read five times
    assert 1 <= len(reads) <= 2
    assert index.label(TERM, "en").text == "version 4"  # type: ignore[union-attr]


def test_the_labels_are_read_from_the_graphs_that_can_describe_terms(store: OxigraphStore) -> None:
    """Submission and summary graphs are not read (their records made the read linear in the cases), any other
    named graph is; with data in the default graph (it has no name to read it by) the whole store is."""
    records = (f"{BASE}graph/submission/", f"{BASE}graph/summary/")
    pref = "<http://www.w3.org/2004/02/skos/core#prefLabel>"
    _label(store, "from the vocabulary")
    other = f"{BASE}vocab/technology/other"
    store.replace_graph(f"{BASE}graph/curated", f'<{other}> {pref} "curated"@en .'.encode(), "application/n-triples")
    hidden = f"{BASE}vocab/technology/hidden"
    for graph in (f"{BASE}graph/submission/s1", f"{BASE}graph/summary/submission/s1"):
        store.replace_graph(graph, f'<{hidden}> {pref} "in records"@en .'.encode(), "application/n-triples")
    index = LabelIndex(store, f"{BASE}id/", records)
    assert index.label(TERM, "en").text == "from the vocabulary"  # type: ignore[union-attr]
    assert index.label(other, "en").text == "curated"  # type: ignore[union-attr]
    assert index.label(hidden, "en") is None
    assert LabelIndex(store, f"{BASE}id/").label(hidden, "en").text == "in records"  # type: ignore[union-attr]
    store.add_graph("urn:x-rdflib:default", b"<http://example.org/x> <http://example.org/p> \"1\" .",
                    "application/n-triples")
    assert LabelIndex(store, f"{BASE}id/", records).label(hidden, "en").text == "in records"  # type: ignore[union-attr]
