"""The syntax check before a bulk load, over several processes for N-Quads and N-Triples (issue #6): the same
answer as one pass over the file — statement count, graphs named, the first error with its line counted from the
start of the file — wherever the piece borders fall; and a bad file still leaves nothing behind."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from sparql_api.store import syntax_check
from sparql_api.store.base import DEFAULT_GRAPH, DataSyntaxError, StoreError
from sparql_api.store.oxigraph_store import OxigraphStore

NQ = ox.RdfFormat.N_QUADS


def write_quads(path: Path, graphs: int = 7, per_graph: int = 40, bad_line: int | None = None,
                final_newline: bool = True) -> Path:
    lines = []
    for g in range(graphs):
        for i in range(per_graph):
            obj = f'"value {i} é 镉"@fr' if i % 3 else f"_:b{i} "  # literals of several bytes, blank nodes
            graph = "" if g == 0 else f" <https://example.org/graph/{g}>"
            lines.append(f"<https://example.org/s/{g}/{i}> <https://example.org/p> {obj}{graph} .")
    if bad_line is not None:
        lines[bad_line - 1] = "<https://example.org/s> <https://example.org/p> not-a-term ."
    path.write_text("\n".join(lines) + ("\n" if final_newline else ""), "utf-8")
    return path


def one_pass(path: Path) -> syntax_check.CheckResult:
    return syntax_check._parse(path, NQ)


@pytest.mark.parametrize("piece", [97, 256, 1000, 4096])
@pytest.mark.parametrize("final_newline", [True, False])
def test_pieces_give_the_answer_of_one_pass(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, piece: int,
                                            final_newline: bool) -> None:
    path = write_quads(tmp_path / "data.nq", final_newline=final_newline)
    monkeypatch.setattr(syntax_check, "PIECE_BYTES", piece)
    whole = one_pass(path)
    parallel = syntax_check.check_in_parallel(path, NQ, workers=2)
    assert whole.count == 280 and whole.error is None
    assert parallel == whole
    assert parallel.graphs == {"", *(f"https://example.org/graph/{g}" for g in range(1, 7))}


def test_every_line_is_in_exactly_one_piece(tmp_path: Path) -> None:
    """Piece borders at every byte of a file: the pieces' lines put together are the file's lines."""
    path = tmp_path / "lines.nt"
    path.write_bytes(b"a\nbb\n\nccc\ndddd\ne")
    size = path.stat().st_size
    for piece in range(1, size + 2):
        data = b"".join(syntax_check.piece_bytes(str(path), start, min(start + piece, size))
                        for start in range(0, size, piece))
        assert data == path.read_bytes(), piece


@pytest.mark.parametrize("bad_line", [1, 2, 57, 140, 279, 280])
def test_the_first_error_names_its_line_in_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                    bad_line: int) -> None:
    path = write_quads(tmp_path / "bad.nq", bad_line=bad_line)
    monkeypatch.setattr(syntax_check, "PIECE_BYTES", 300)  # ~3 lines a piece: many pieces before the error
    whole = one_pass(path)
    parallel = syntax_check.check_in_parallel(path, NQ, workers=2)
    assert whole.error is not None and whole.error[0] == bad_line
    assert parallel.error == whole.error


def test_a_bad_big_file_is_refused_naming_its_line_and_nothing_is_loaded(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Through the store: the parallel check runs (file of several pieces) and the store stays as it was."""
    path = write_quads(tmp_path / "bad.nq", bad_line=200)
    monkeypatch.setattr(syntax_check, "PIECE_BYTES", 512)
    assert path.stat().st_size >= syntax_check.MIN_PIECES * syntax_check.PIECE_BYTES
    store = OxigraphStore(tmp_path / "store", query_workers=1)
    try:
        with pytest.raises(DataSyntaxError, match=r"bad\.nq does not parse at line 200, column \d+: "):
            store.bulk_load(path, "application/n-quads")
        assert store.stats() == {} and store.select_text("SELECT * { ?s ?p ?o }") == []
        good = write_quads(tmp_path / "good.nq")
        assert store.bulk_load(good, "application/n-quads") == 280
        assert store.last_loaded_graphs == {DEFAULT_GRAPH, *(f"https://example.org/graph/{g}" for g in range(1, 7))}
    finally:
        store.close()


def test_a_missing_file_is_a_store_error(tmp_path: Path) -> None:
    store = OxigraphStore(None)
    with pytest.raises(StoreError, match="cannot read"):
        store.bulk_load(tmp_path / "absent.nq", "application/n-quads")
