"""The search index kept on disk between runs (issue #6): the store's revision log says which graphs were written
since the index was saved, and the next start reads only those again — never an index older than the data."""

from __future__ import annotations

import json
import pickle
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from server.live_server import make_resources, start_server
from test_crash_safety import restart
from waiting import wait_for

from sparql_api.analysis import evidence_index
from sparql_api.store.oxigraph_store import OxigraphStore
from sparql_api.summaries.revisions import Revision, RevisionLog
from sparql_api.summaries.store import SummarisingStore
from sparql_api.web import search_index, search_snapshot
from sparql_api.web.search_index import SearchRequest, build_index, index_for
from web.test_search_index import NEW_CASE_TTL, NEW_GRAPH, assert_same_index

VOCAB_GRAPH = "https://w3id.org/srkg/graph/vocab"


# --- the revision log ---------------------------------------------------------------------------------------------
def write(revisions: RevisionLog, graphs: list[str] | None) -> Revision:
    """What the summarising store does around a write."""
    revisions.bump(graphs)
    revisions.done()
    return revisions.current()


def test_the_revision_log_names_the_graphs_written_since_a_revision(tmp_path: Path) -> None:
    path = tmp_path / "revisions.json"
    revisions = RevisionLog(path)
    start = revisions.current()
    assert start.number == 0 and revisions.changed_since(start) == frozenset()
    write(revisions, ["urn:g:a"])
    middle = write(revisions, ["urn:g:b", "urn:g:a"])
    assert revisions.changed_since(start) == {"urn:g:a", "urn:g:b"}
    assert revisions.changed_since(middle) == frozenset()
    again = RevisionLog(path)  # the next start reads the same log
    assert again.current() == middle and again.changed_since(start) == {"urn:g:a", "urn:g:b"}
    write(again, None)  # a write of unknown graphs
    assert again.changed_since(start) is None and again.changed_since(again.current()) == frozenset()
    assert again.changed_since(Revision("another-epoch", 0)) is None
    assert again.changed_since(Revision(start.epoch, 99)) is None  # from the future


def test_an_old_revision_the_log_no_longer_reaches_is_unknown(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sparql_api.summaries.revisions.KEEP", 3)
    revisions = RevisionLog(tmp_path / "revisions.json")
    start = revisions.current()
    for n in range(3):
        write(revisions, [f"urn:g:{n}"])
    assert revisions.changed_since(start) == {"urn:g:0", "urn:g:1", "urn:g:2"}
    write(revisions, ["urn:g:3"])
    assert revisions.changed_since(start) is None


def test_an_unreadable_log_starts_a_new_epoch(tmp_path: Path) -> None:
    path = tmp_path / "revisions.json"
    first = RevisionLog(path)
    write(first, ["urn:g:a"])
    path.write_text("{not json", "utf-8")
    second = RevisionLog(path)
    assert second.current().epoch != first.current().epoch and second.changed_since(first.current()) is None
    assert RevisionLog(path).current() == second.current()  # the new epoch is kept at once, before any write


def test_writes_within_a_write_count_from_the_first_still_running(tmp_path: Path) -> None:
    revisions = RevisionLog(tmp_path / "revisions.json")
    before = revisions.current()
    revisions.bump(["urn:g:outer"])
    revisions.bump(["urn:g:inner"])
    revisions.done()  # the inner write is over, the outer one is not
    assert revisions.current() == before
    revisions.done()
    assert revisions.current().number == before.number + 2


def test_every_write_through_the_summaries_bumps_the_log_before_it_runs(tmp_path: Path) -> None:
    revisions = RevisionLog(tmp_path / "revisions.json")
    store = SummarisingStore(OxigraphStore(tmp_path / "store"), tmp_path / "pending.json", revisions)
    try:
        start = revisions.current()
        store.replace_graph("urn:g:a", b"<urn:s> <urn:p> <urn:o> .", "application/n-triples")
        store.add_graph("urn:g:b", b"<urn:s> <urn:p> <urn:o> .", "application/n-triples")
        store.update("INSERT DATA { GRAPH <urn:g:c> { <urn:s> <urn:p> <urn:o> } }")
        store.drop_graph("urn:g:a")
        assert revisions.current().number == 4
        assert revisions.changed_since(start) == {"urn:g:a", "urn:g:b", "urn:g:c"}
        with pytest.raises(Exception):  # noqa: B017 - a refused update still counts: nothing may be missed
            store.update("INSERT DATA { GRAPH <urn:g:d> { <urn:s> <urn:p> \"unterminated } }")
        assert "urn:g:d" in (revisions.changed_since(start) or set()) or revisions.changed_since(start) is None
        nq = tmp_path / "data.nq"
        nq.write_text("<urn:s> <urn:p> <urn:o> <urn:g:e> .\n", "utf-8")
        before_load = revisions.current()
        store.bulk_load(nq, "application/n-quads")
        assert revisions.changed_since(before_load) is None  # a file's graphs: not known before it is read
    finally:
        store.close()


# --- the index read back at the next start -----------------------------------------------------------------------
class Started:
    """What a server start makes: a summarising store with the data directory's revision log, and a context."""

    def __init__(self, raw: OxigraphStore, data_dir: Path) -> None:
        self.store = SummarisingStore(raw, data_dir / "pending.json", RevisionLog(data_dir / "revisions.json"))
        self.ctx = SimpleNamespace(store=self.store, extras={}, on_data_changed=[],
                                   settings=SimpleNamespace(query_timeout_s=None, data_dir=data_dir))

    def index(self) -> search_index.SearchIndex:
        """The index; one that was built is then kept on disk in the background: waited for."""
        index = index_for(self.ctx)  # type: ignore[arg-type]
        if not self.disk.restored:
            assert wait_for(lambda: self.disk.saved == index.revision, 30)
        return index

    @property
    def disk(self) -> search_index._Making:
        return self.ctx.extras[search_index.EXTRAS_KEY].disk


@pytest.fixture
def data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    from test_comparison import load_data

    monkeypatch.setattr(search_index, "WARM_DELAY_S", 60.0)  # no background work: the tests ask
    raw = OxigraphStore(tmp_path / "store")
    load_data(raw)
    yield raw, tmp_path / "data"
    raw.close()


def test_the_next_start_reads_the_index_back_and_the_graphs_written_since(
        data: tuple[OxigraphStore, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    raw, data_dir = data
    first = Started(raw, data_dir)
    built = first.index()
    assert not first.disk.restored and (data_dir / search_snapshot.FILE_NAME).exists()  # kept after the build
    first.store.replace_graph(NEW_GRAPH, NEW_CASE_TTL.encode(), "text/turtle")  # then the server is killed

    reads: list[frozenset[str]] = []
    update = search_index.update_index

    def counting(store, last, graphs, timeout=None):
        reads.append(frozenset(graphs))
        return update(store, last, graphs, timeout)

    monkeypatch.setattr(search_index, "update_index", counting)
    builds: list[int] = []
    whole = search_index.build_index
    monkeypatch.setattr(search_index, "build_index", lambda *a, **k: builds.append(1) or whole(*a, **k))
    second = Started(raw, data_dir)
    index = second.index()
    assert second.disk.restored and builds == [] and reads == [frozenset({NEW_GRAPH})]
    assert [h.case.iri for h in index.search(SearchRequest("zeolite")).hits] == \
        ["https://w3id.org/srkg/id/case/zeolite-trial"]  # the write after the save is in it
    assert_same_index(index, whole(raw))
    assert len(built.cases) + 1 == len(index.cases)

    search_index.keep_on_disk(second.ctx)  # at stop: the index in use is kept, at its revision
    reads.clear()
    third = Started(raw, data_dir)
    assert_same_index(third.index(), whole(raw))
    assert third.disk.restored and reads == [] and builds == []  # nothing written since: read back as it is


def test_a_vocabulary_written_since_or_another_store_makes_the_index_again(
        data: tuple[OxigraphStore, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    raw, data_dir = data
    Started(raw, data_dir).index()
    down = Started(raw, data_dir)
    down.store.update(f'INSERT DATA {{ GRAPH <{VOCAB_GRAPH}> {{ <https://w3id.org/srkg/vocab/pollutant/cadmium> '
                      '<http://www.w3.org/2004/02/skos/core#altLabel> "kadmio"@eo } }')
    after = Started(raw, data_dir)
    assert after.index().search(SearchRequest("kadmio")).total >= 1 and not after.disk.restored
    (data_dir / "revisions.json").unlink()  # the log lost: another epoch
    fresh = Started(raw, data_dir)
    fresh.index()
    assert not fresh.disk.restored


def test_a_file_of_other_code_or_a_damaged_one_is_not_read(data: tuple[OxigraphStore, Path],
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    raw, data_dir = data
    Started(raw, data_dir).index()
    path = data_dir / search_snapshot.FILE_NAME
    monkeypatch.setattr(search_snapshot, "code_stamp", lambda: "other-code")
    other = Started(raw, data_dir)
    other.index()
    assert not other.disk.restored
    monkeypatch.undo()
    monkeypatch.setattr(search_index, "WARM_DELAY_S", 60.0)
    Started(raw, data_dir).index()  # written again by this code
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])  # cut off
    damaged = Started(raw, data_dir)
    assert_same_index(damaged.index(), build_index(raw))
    assert not damaged.disk.restored


# --- through a real server ------------------------------------------------------------------------------------
def _metric(server, name: str) -> float | None:
    found = re.search(rf"^{name} (\S+)$", server.request("GET", "/metrics").text, re.M)
    return float(found.group(1)) if found else None


def test_a_restarted_server_answers_searches_from_the_index_it_kept(tmp_path: Path) -> None:
    resources = make_resources(tmp_path / "resources")
    server = start_server(tmp_path, resources=resources)
    try:
        assert wait_for(lambda: _metric(server, "srkg_search_index_ready") == 1, 60)
        assert _metric(server, "srkg_search_index_from_disk") == 0
        put = server.request("PUT", f"/rdf-graph-store?graph={NEW_GRAPH}", NEW_CASE_TTL,
                             {"Content-Type": "text/turtle", **server.auth()})
        assert put.status in (200, 201, 204), put.text
        assert wait_for(lambda: json.loads(server.request("GET", "/search.json?q=zeolite").text).get("total") == 1, 60)
    finally:
        server.stop()
    assert server.proc.returncode == 0
    now = RevisionLog(tmp_path / "data" / "store-revisions.json").current()
    kept_at = {}
    for name in (search_snapshot.FILE_NAME, evidence_index.FILE_NAME):
        with (tmp_path / "data" / name).open("rb") as kept:
            kept_at[name] = pickle.load(kept).revision
    assert kept_at[search_snapshot.FILE_NAME] == now  # kept at stop, the PUT included
    # The evidence index catches up 0.5 s after a write: kept at stop with the PUT in it, or from before it (then
    # the next start reads that graph again: tests/store/test_evidence_index.py).
    assert kept_at[evidence_index.FILE_NAME].number in (now.number - 1, now.number)
    server = restart(server, resources)
    try:
        assert wait_for(lambda: _metric(server, "srkg_search_index_ready") == 1, 60)
        assert _metric(server, "srkg_search_index_from_disk") == 1
        assert wait_for(lambda: _metric(server, "srkg_evidence_index_ready") == 1, 60)
        assert _metric(server, "srkg_evidence_index_from_disk") == 1
        found = json.loads(server.request("GET", "/search.json?q=zeolite").text)
        assert [r["iri"] for r in found["results"]] == ["https://w3id.org/srkg/id/case/zeolite-trial"]
    finally:
        server.stop()


def test_an_index_saved_before_any_write_is_read_back(data: tuple[OxigraphStore, Path]) -> None:
    """The log's epoch is kept on disk when the log is made, not at the first write."""
    raw, data_dir = data
    Started(raw, data_dir).index()
    again = Started(raw, data_dir)
    again.index()
    assert again.disk.restored


def test_a_write_still_running_is_not_in_the_current_revision(tmp_path: Path) -> None:
    """An index read while a write runs may miss it: its revision must not claim that write (it would be missed
    at the next start). Writes are marked to watchers inside the write; the revision counts them only after."""
    revisions = RevisionLog(tmp_path / "revisions.json")
    store = SummarisingStore(OxigraphStore(tmp_path / "store"), tmp_path / "pending.json", revisions)
    seen: list[Revision] = []
    store.watch(lambda graphs: seen.append(revisions.current()))
    try:
        before = revisions.current()
        store.replace_graph("urn:g:a", b"<urn:s> <urn:p> <urn:o> .", "application/n-triples")
        assert seen == [before]  # during the write: the revision before it
        assert revisions.current().number == before.number + 1  # once it is done
        assert revisions.changed_since(seen[0]) == {"urn:g:a"}
    finally:
        store.close()


def test_a_write_landing_during_an_update_is_read_again_at_the_next_start(data: tuple[OxigraphStore, Path]) -> None:
    """The index is stamped with the revision read together with the writes' marks: a write that lands while an
    update reads the store is after that revision, so the next start reads its graph again."""
    raw, data_dir = data
    first = Started(raw, data_dir)
    first.index()
    first.store.replace_graph(NEW_GRAPH, NEW_CASE_TTL.encode(), "text/turtle")
    cache = first.ctx.extras[search_index.EXTRAS_KEY]
    update = cache._update
    other = NEW_CASE_TTL.replace("zeolite-trial", "bentonite-trial").replace("Zeolite", "Bentonite")

    def update_with_a_write_landing(last, graphs):
        first.store.replace_graph(NEW_GRAPH + "-other", other.encode(), "text/turtle")  # another request's write
        return update(last, graphs)

    cache._update = update_with_a_write_landing
    index_for(first.ctx)  # type: ignore[arg-type]  # the update (kept on disk only at stop)
    search_index.keep_on_disk(first.ctx)  # the server stops before the update after that write
    second = Started(raw, data_dir)
    assert second.index().search(SearchRequest("bentonite")).total == 1 and second.disk.restored


def test_a_failed_save_leaves_the_kept_file_as_it_was_and_no_half_written_one(tmp_path: Path) -> None:
    from sparql_api.summaries import kept

    path = tmp_path / "index.pickle"
    kept.save({"a": 1}, Revision("e", 1), path, "stamp")

    class Unpicklable:
        def __reduce__(self):
            raise OSError(28, "No space left on device")

    with pytest.raises(OSError):
        kept.save({"b": Unpicklable()}, Revision("e", 2), path, "stamp")
    assert kept.load(path, "stamp") == ({"a": 1}, Revision("e", 1))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["index.pickle"]
