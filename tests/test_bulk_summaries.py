"""The summaries of a bulk load, made by the processes that check the file in pieces (issue #6), equal those the
summary queries read from the store: for graphs wholly in one piece, graphs split over pieces, and a graph the
store held before the load (which must count its earlier cases too)."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from bench.generate import generate_bytes
from sparql_api.store import syntax_check
from sparql_api.store.oxigraph_store import OxigraphStore
from sparql_api.summaries.naming import is_summary_graph, summary_graph
from sparql_api.summaries.store import SummarisingStore

NQUADS = "application/n-quads"
EARLIER_CASE = """@prefix srkg: <https://w3id.org/srkg/ontology#> .
<https://w3id.org/srkg/id/case/earlier-one> a srkg:CaseStudy ;
  srkg:pollutant <https://w3id.org/srkg/vocab/pollutant/cadmium> .
"""


def summaries(store: SummarisingStore) -> dict[str, set[str]]:
    """Every summary graph's lines, but when it was made."""
    return {graph: {line for line in (store.get_graph(graph, "application/n-triples") or b"").decode().splitlines()
                    if "prov#generatedAtTime" not in line}
            for graph in store.graphs() if is_summary_graph(graph)}


def load(path: Path, directory: Path, earlier_graph: str) -> SummarisingStore:
    store = SummarisingStore(OxigraphStore(directory, query_workers=1))
    store.replace_graph(earlier_graph, EARLIER_CASE.encode(), "text/turtle")
    store.bulk_load(path, NQUADS)
    return store


def test_summaries_made_from_the_pieces_equal_those_read_from_the_store(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data, _ = generate_bytes(480, 5, graphs_per=40)  # 12 graphs
    path = tmp_path / "cases.nq"
    path.write_bytes(data)
    graphs = list(dict.fromkeys(q.graph_name.value for q in ox.parse(data, format=ox.RdfFormat.N_QUADS)))
    assert len(graphs) == 12
    monkeypatch.setattr(syntax_check, "PIECE_BYTES", len(data) // 5 + 1)  # 5 pieces: some graphs cross a border

    from_pieces = load(path, tmp_path / "pieces", graphs[0])
    inner = from_pieces.inner
    assert isinstance(inner, OxigraphStore)
    made = set(inner.last_piece_work)
    assert 4 <= len(made) < len(graphs) and graphs[0] in made  # most graphs lie in one piece, not all
    monkeypatch.setattr(syntax_check, "MIN_PIECES", 10**9)  # one pass: every summary from the store's queries
    from_queries = load(path, tmp_path / "queries", graphs[0])
    assert not from_queries.inner.last_piece_work  # type: ignore[attr-defined]

    expected = summaries(from_queries)
    assert set(expected) >= {summary_graph(g) for g in graphs}
    assert summaries(from_pieces) == expected
    # The graph that held a case before the load counts it too (it is summarised from the store, not the piece).
    earlier = expected[summary_graph(graphs[0])]
    assert any("earlier-one" in line or "cadmium" in line for line in earlier)
    assert from_pieces.running().cases == from_queries.running().cases  # type: ignore[attr-defined]
    from_pieces.close()
    from_queries.close()
