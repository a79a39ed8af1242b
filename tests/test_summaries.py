"""Summaries maintained on publish (sparql_api/summaries): equal to the live aggregates, never stale, atomic.

Every check compares the totals read from the summary graphs with the same numbers computed from the case
records by an independent SPARQL aggregate over the whole store (no GRAPH restriction, COUNT DISTINCT), after
each kind of write: replace (publish, bootstrap, GSP PUT), add (GSP POST), drop (withdraw, GSP DELETE), SPARQL
Update with named graphs, with a variable graph, into the default graph, bulk load and restore.
"""

from __future__ import annotations

import json
import threading
from decimal import Decimal
from pathlib import Path

import pytest

from sparql_api.server.bootstrap import bootstrap
from sparql_api.store.base import DEFAULT_GRAPH, DataSyntaxError, QuerySyntaxError, StoreError
from sparql_api.store.oxigraph_store import OxigraphStore
from sparql_api.summaries.naming import is_summary_graph, summary_graph
from sparql_api.summaries.running import RunningTotals
from sparql_api.summaries.store import SummarisingStore, SummaryGraphWrite, summarised
from sparql_api.summaries.totals import FACETS, case_counts, outcome_totals
from sparql_api.summaries.touched import touched_graphs

SRKG = "https://w3id.org/srkg/ontology#"
PREFIXES = "PREFIX srkg: <https://w3id.org/srkg/ontology#>\nPREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>\n"
# Independent of the summaries: the path from a case to each facet's value, over the union of all graphs.
FACET_PATHS = {
    "cases": "rdf:type", "country": "srkg:site/srkg:country", "site_type": "srkg:site/srkg:siteType",
    "pollutant": "srkg:pollutant", "technology": "srkg:technologyApplication/srkg:technology",
    "scale": "srkg:scale", "nature_based": "srkg:natureBasedCategory", "medium": "srkg:treatedMedium",
}
LIVE_OUTCOMES = PREFIXES + """
SELECT ?technology ?pollutant ?metric ?unit (COUNT(DISTINCT ?case) AS ?cases) (COUNT(?r) AS ?n)
       (SUM(?r) AS ?sum) (MIN(?r) AS ?low) (MAX(?r) AS ?high)
WHERE {
  { SELECT DISTINCT ?case ?outcome ?technology ?pollutant ?metric ?unit ?r WHERE {
      ?case a srkg:CaseStudy ; srkg:outcome ?outcome .
      ?outcome srkg:pollutant ?pollutant ; srkg:metric ?metric .
      OPTIONAL { ?outcome srkg:unit ?unit }
      OPTIONAL { ?outcome srkg:reductionPercent ?r }
      { ?outcome srkg:technologyStep/srkg:technology ?technology }
      UNION
      { ?case srkg:technologyApplication/srkg:technology ?technology
        FILTER NOT EXISTS { ?outcome srkg:technologyStep ?named } }
  } }
}
GROUP BY ?technology ?pollutant ?metric ?unit"""


def live_counts(store: object, facet: str) -> dict[str, int]:
    path = FACET_PATHS[facet]
    value = "?value" if facet != "cases" else "?value FILTER (?value = srkg:CaseStudy)"
    rows = store.select(PREFIXES + f"""SELECT ?value (COUNT(DISTINCT ?case) AS ?n)
        WHERE {{ ?case a srkg:CaseStudy ; {path} {value} }} GROUP BY ?value""")  # type: ignore[attr-defined]
    return {str(r["value"]): int(r["n"]) for r in rows}


def live_outcomes(store: object) -> dict[tuple, tuple]:
    out = {}
    for r in store.select(LIVE_OUTCOMES):  # type: ignore[attr-defined]
        key = (str(r["technology"]), str(r["pollutant"]), str(r["metric"]), str(r["unit"]) if "unit" in r else None)
        n = int(r["n"])
        # SPARQL's SUM/MIN/MAX are unbound when a group has an unbound value: take them from ?n > 0 groups only
        low = Decimal(str(r["low"])) if n and "low" in r else None
        high = Decimal(str(r["high"])) if n and "high" in r else None
        out[key] = (int(r["cases"]), n, low, high)
    return out


def summary_outcomes(store: object) -> dict[tuple, tuple]:
    return {(t.technology, t.pollutant, t.metric, t.unit): (t.cases, t.reductions, t.low, t.high)
            for t in outcome_totals(store)}  # type: ignore[arg-type]


def assert_in_step(store: SummarisingStore) -> None:
    """The running totals, the SPARQL sums over the summary graphs and the case records agree."""
    for facet in FACETS:
        assert dict(case_counts(store, facet)) == live_counts(store, facet), facet
        assert case_counts(store, facet) == case_counts(store, facet, live=True), facet
    assert outcome_totals(store) == outcome_totals(store, live=True)
    live, summed = live_outcomes(store), summary_outcomes(store)
    assert summed.keys() == live.keys()
    for key, (cases, n, low, high) in live.items():
        s_cases, s_n, s_low, s_high = summed[key]
        assert (s_cases, s_n) == (cases, n), key
        if n and low is not None:  # groups with some unbound reductions: SPARQL leaves MIN/MAX unbound
            assert (s_low, s_high) == (low, high), key


@pytest.fixture(scope="module")
def real(tmp_path_factory: pytest.TempPathFactory) -> SummarisingStore:
    """The project's real data, bootstrapped through the summarising store (as `srkg serve` does)."""
    store = SummarisingStore(OxigraphStore(None))
    bootstrap(store, tmp_path_factory.mktemp("state") / "state.json")
    return store


def case_ttl(key: str, country: str, pollutant: str = "cadmium", reduction: str = "80",
             technology: str = "phytoextraction") -> str:
    base = "https://w3id.org/srkg/"
    return f"""@prefix srkg: <{SRKG}> .
<{base}id/case/{key}> a srkg:CaseStudy ; srkg:site <{base}id/site/{key}> ;
    srkg:pollutant <{base}vocab/pollutant/{pollutant}> ;
    srkg:technologyApplication <{base}id/step/{key}-1> ; srkg:outcome <{base}id/outcome/{key}-1> .
<{base}id/site/{key}> srkg:country <{base}vocab/country/{country}> .
<{base}id/step/{key}-1> srkg:technology <{base}vocab/technology/{technology}> .
<{base}id/outcome/{key}-1> srkg:pollutant <{base}vocab/pollutant/{pollutant}> ;
    srkg:metric <{base}vocab/outcome-metric/total-concentration> ; srkg:reductionPercent {reduction} .
"""


# --- on the real data ------------------------------------------------------------------------------------------
def test_real_data_summaries_equal_the_live_aggregates(real: SummarisingStore) -> None:
    assert_in_step(real)
    assert dict(case_counts(real, "cases"))[SRKG + "CaseStudy"] == 264
    assert len(dict(case_counts(real, "country"))) == 153
    # only graphs with case studies have a summary; each says what it was derived from
    summaries = sorted(g for g in real.graphs() if is_summary_graph(g))
    assert summaries == sorted(summary_graph(g) for g in (
        "https://w3id.org/srkg/graph/examples", "https://w3id.org/srkg/graph/submission/literature-cases",
        "https://w3id.org/srkg/graph/submission/field-trials"))
    rows = real.select("PREFIX prov: <http://www.w3.org/ns/prov#> PREFIX qb: <http://purl.org/linked-data/cube#> "
                       "SELECT DISTINCT ?s ?g WHERE { GRAPH ?s { ?ds a qb:DataSet ; prov:wasDerivedFrom ?g } }")
    assert {str(r["s"]): str(r["g"]) for r in rows} == {summary_graph(str(r["g"])): str(r["g"]) for r in rows}


def test_outcome_statistics_are_the_case_records_numbers(real: SummarisingStore) -> None:
    cadmium = outcome_totals(real, pollutant="https://w3id.org/srkg/vocab/pollutant/cadmium")
    assert cadmium and all(t.pollutant.endswith("/cadmium") for t in cadmium)
    with_values = [t for t in cadmium if t.reductions]
    assert with_values and all(t.low <= t.mean <= t.high for t in with_values)  # type: ignore[operator]
    # bound as a VALUES row: the same numbers as filtering the whole table
    assert cadmium == [t for t in outcome_totals(real) if t.pollutant.endswith("/cadmium")]
    both = outcome_totals(real, pollutant=cadmium[0].pollutant, technology=cadmium[0].technology,
                          metric=cadmium[0].metric)
    assert both == [t for t in cadmium if (t.technology, t.metric) == (cadmium[0].technology, cadmium[0].metric)]
    for hostile in ("x> } ; DROP ALL #", "a b", " ", "<https://x>"):  # never written into the query text
        for live in (False, True):
            with pytest.raises(StoreError, match="invalid query parameter"):
                outcome_totals(real, pollutant=hostile, live=live)


# --- every write path, on a store of our own -------------------------------------------------------------------
@pytest.fixture
def own(tmp_path: Path, real: SummarisingStore) -> SummarisingStore:
    """A fresh on-disk store holding the real countries and vocabularies (labels) and nothing else."""
    store = SummarisingStore(OxigraphStore(tmp_path / "store"))
    for graph in ("https://w3id.org/srkg/graph/countries", "https://w3id.org/srkg/graph/vocab"):
        store.replace_graph(graph, real.get_graph(graph, "application/n-triples") or b"", "application/n-triples")
    yield store
    store.close()


G1, G2 = "https://w3id.org/srkg/graph/submission/s-one", "https://w3id.org/srkg/graph/submission/s-two"


def countries(store: SummarisingStore) -> dict[str, int]:
    return {iri.rsplit("/", 1)[1]: n for iri, n in case_counts(store, "country")}


def test_replace_add_drop_keep_summaries_in_step(own: SummarisingStore) -> None:
    own.replace_graph(G1, case_ttl("a", "FRA").encode(), "text/turtle")  # publish
    assert countries(own) == {"FRA": 1}
    assert own.has_graph(summary_graph(G1))
    own.replace_graph(G1, (case_ttl("a", "BEL") + case_ttl("b", "BEL", reduction="40")).encode(), "text/turtle")
    assert countries(own) == {"BEL": 2}  # a new revision replaces the old contribution
    [stats] = outcome_totals(own)
    assert (stats.cases, stats.reductions, stats.low, stats.high, stats.mean) == (2, 2, 40, 80, Decimal("60.00"))
    own.add_graph(G2, case_ttl("c", "KEN").encode(), "text/turtle")  # Graph Store POST
    own.add_graph(G2, case_ttl("d", "KEN", pollutant="lead").encode(), "text/turtle")
    assert countries(own) == {"BEL": 2, "KEN": 2}
    assert_in_step(own)
    assert own.drop_graph(G1) is True  # withdraw
    assert countries(own) == {"KEN": 2} and not own.has_graph(summary_graph(G1))
    assert own.drop_graph(G1) is False
    assert_in_step(own)


def test_running_totals_follow_each_write_by_difference(own: SummarisingStore,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """Built once, then moved by each write (never rebuilt); a minimum or maximum that a replaced or withdrawn
    graph held is read again; earlier snapshots stay as they were."""
    own.replace_graph(G1, (case_ttl("a", "FRA") + case_ttl("b", "FRA", reduction="40")).encode(), "text/turtle")
    first = own.running()
    monkeypatch.setattr(RunningTotals, "from_summaries", classmethod(lambda *_a, **_k: pytest.fail("rebuilt")))

    def stats() -> tuple:
        [total] = outcome_totals(own)
        return total.cases, total.reductions, total.low, total.high, total.mean

    assert stats() == (2, 2, 40, 80, Decimal("60.00"))
    own.replace_graph(G2, case_ttl("c", "KEN", reduction="30.5").encode(), "text/turtle")
    assert stats() == (3, 3, Decimal("30.5"), 80, Decimal("50.17"))
    assert own.running() is not first
    [old] = first.outcomes.values()  # the earlier snapshot did not change
    assert (old.cases, old.low) == (2, Decimal(40))
    assert_in_step(own)
    own.drop_graph(G2)  # held the minimum: read again from the summaries that are left
    assert stats() == (2, 2, 40, 80, Decimal("60.00"))
    own.replace_graph(G1, case_ttl("a", "FRA", reduction="90").encode(), "text/turtle")  # held both extremes
    assert stats() == (1, 1, 90, 90, Decimal("90.00"))
    assert countries(own) == {"FRA": 1}
    own.add_graph(G2, case_ttl("d", "PER", pollutant="lead").encode(), "text/turtle")  # Graph Store POST
    assert countries(own) == {"FRA": 1, "PER": 1}
    assert_in_step(own)
    own.drop_graph(G1)
    own.drop_graph(G2)
    assert own.running().cases == {} and own.running().outcomes == {}


def test_sparql_updates_keep_summaries_in_step(own: SummarisingStore) -> None:
    own.replace_graph(G1, case_ttl("a", "FRA").encode(), "text/turtle")
    site = "<https://w3id.org/srkg/id/site/a>"
    own.update(f"PREFIX srkg: <{SRKG}> DELETE DATA {{ GRAPH <{G1}> {{ {site} srkg:country "
               "<https://w3id.org/srkg/vocab/country/FRA> } } ; INSERT DATA { GRAPH <" + G1 + "> { " + site +
               " srkg:country <https://w3id.org/srkg/vocab/country/PER> } }")
    assert countries(own) == {"PER": 1}
    # a variable graph: which graphs changed cannot be told from the text, so every summary is recomputed
    own.update(f"PREFIX srkg: <{SRKG}> DELETE {{ GRAPH ?g {{ ?s srkg:country ?c }} }} "
               f"INSERT {{ GRAPH ?g {{ ?s srkg:country <https://w3id.org/srkg/vocab/country/CHL> }} }} "
               f"WHERE {{ GRAPH ?g {{ ?s srkg:country ?c }} FILTER (?g = <{G1}>) }}")
    assert countries(own) == {"CHL": 1}
    # the default graph has a summary too
    own.update(f"PREFIX srkg: <{SRKG}> INSERT DATA {{ <https://w3id.org/srkg/id/case/z> a srkg:CaseStudy ; "
               "srkg:site <https://w3id.org/srkg/id/site/z> . <https://w3id.org/srkg/id/site/z> srkg:country "
               "<https://w3id.org/srkg/vocab/country/NPL> }")
    assert countries(own) == {"CHL": 1, "NPL": 1}
    assert own.has_graph(summary_graph(DEFAULT_GRAPH))
    own.update(f"MOVE <{G1}> TO <{G2}>")
    assert_in_step(own)
    assert not own.has_graph(summary_graph(G1)) and own.has_graph(summary_graph(G2))
    own.update("CLEAR ALL")
    assert countries(own) == {} and not [g for g in own.graphs() if is_summary_graph(g)]


def test_bulk_load_and_restore_keep_summaries_in_step(own: SummarisingStore, tmp_path: Path) -> None:
    own.replace_graph(G1, case_ttl("a", "FRA").encode(), "text/turtle")
    quads = tmp_path / "more.nq"
    a = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
    quads.write_text(
        f"<https://w3id.org/srkg/id/case/q> {a} <{SRKG}CaseStudy> <{G1}> .\n"
        f"<https://w3id.org/srkg/id/case/q> <{SRKG}site> <https://w3id.org/srkg/id/site/q> <{G1}> .\n"
        f"<https://w3id.org/srkg/id/site/q> <{SRKG}country> <https://w3id.org/srkg/vocab/country/IND> <{G1}> .\n"
        f"<https://w3id.org/srkg/id/case/r> {a} <{SRKG}CaseStudy> <{G2}> .\n"
    )
    own.bulk_load(quads, "application/n-quads")
    assert countries(own) == {"FRA": 1, "IND": 1}
    assert dict(case_counts(own, "cases"))[SRKG + "CaseStudy"] == 3
    dump = tmp_path / "dump.nq"
    own.dump(dump)
    own.drop_graph(G2)
    own.restore(dump)
    assert dict(case_counts(own, "cases"))[SRKG + "CaseStudy"] == 3
    assert_in_step(own)


def test_a_graph_that_does_not_parse_writes_neither_data_nor_summary(own: SummarisingStore) -> None:
    own.replace_graph(G1, case_ttl("a", "FRA").encode(), "text/turtle")
    before = own.get_graph(summary_graph(G1), "application/n-triples")
    with pytest.raises(DataSyntaxError):
        own.replace_graph(G1, case_ttl("b", "BEL").encode() + b"\n<oops", "text/turtle")
    assert countries(own) == {"FRA": 1}
    assert own.get_graph(summary_graph(G1), "application/n-triples") == before


def test_summary_graphs_cannot_be_written_by_clients(own: SummarisingStore) -> None:
    own.replace_graph(G1, case_ttl("a", "FRA").encode(), "text/turtle")
    target = summary_graph(G1)
    for attempt in (
        lambda: own.replace_graph(target, b"<urn:a> <urn:b> <urn:c> .", "application/n-triples"),
        lambda: own.add_graph(target, b"<urn:a> <urn:b> <urn:c> .", "application/n-triples"),
        lambda: own.drop_graph(target),
        lambda: own.update(f"INSERT DATA {{ GRAPH <{target}> {{ <urn:a> <urn:b> <urn:c> }} }}"),
        lambda: own.update(f"DROP GRAPH <{target}>"),
    ):
        with pytest.raises(SummaryGraphWrite, match="summary graph"):
            attempt()
    assert countries(own) == {"FRA": 1}
    # an update that cannot be told apart may try, but the summaries are recomputed right after it
    own.update(f"INSERT {{ GRAPH ?g {{ <urn:a> <urn:b> <urn:c> }} }} WHERE {{ BIND (<{target}> AS ?g) }}")
    assert countries(own) == {"FRA": 1}
    assert b"<urn:a>" not in (own.get_graph(target, "application/n-triples") or b"")


def test_readers_never_see_a_graph_and_its_summary_disagree(own: SummarisingStore) -> None:
    """One query reads a snapshot: the cases in the graph and the summary's count must always agree."""
    check = PREFIXES + f"""SELECT ?live ?summed WHERE {{
      {{ SELECT (COUNT(DISTINCT ?c) AS ?live) WHERE {{ GRAPH <{G1}> {{ ?c a srkg:CaseStudy }} }} }}
      {{ SELECT (COALESCE(SUM(?n), 0) AS ?summed) WHERE {{ GRAPH <{summary_graph(G1)}> {{
          ?o srkg:facet rdf:type ; srkg:caseCount ?n }} }} }} }}"""
    stop, seen, mismatches = threading.Event(), set(), []

    def read() -> None:
        while not stop.is_set():
            [row] = own.select(check)
            live, summed = int(row["live"]), int(row["summed"])
            seen.add(live)
            if live != summed:
                mismatches.append((live, summed))

    reader = threading.Thread(target=read)
    reader.start()
    try:
        for round_ in range(60):
            size = round_ % 4 + 1
            own.replace_graph(G1, "".join(case_ttl(f"k{i}", "FRA") for i in range(size)).encode(), "text/turtle")
    finally:
        stop.set()
        reader.join()
    assert not mismatches
    assert len(seen) >= 2  # the reader did see the graph change


def test_missing_summaries_are_made_and_orphans_dropped(tmp_path: Path) -> None:
    bare = OxigraphStore(tmp_path / "store")
    bare.replace_graph(G1, case_ttl("a", "FRA").encode(), "text/turtle")  # written without summaries
    orphan = summary_graph(G2)
    bare.replace_graph(orphan, b"<urn:a> <urn:b> <urn:c> .", "application/n-triples")
    store = summarised(bare)
    assert isinstance(store, SummarisingStore)
    assert store.has_graph(summary_graph(G1)) and not store.has_graph(orphan)
    assert countries(store) == {"FRA": 1}
    assert summarised(store) is store  # already maintained: not wrapped twice
    store.close()


@pytest.mark.parametrize(("update", "expected"), [
    ("INSERT DATA { GRAPH <http://g/1> { <urn:a> <urn:b> <urn:c> } }", {"http://g/1"}),
    ("INSERT DATA { <urn:a> <urn:b> <urn:c> }", {DEFAULT_GRAPH}),
    ("PREFIX g: <http://g/> WITH g:2 DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", {"http://g/2"}),
    ("DELETE WHERE { GRAPH <http://g/3> { ?s ?p ?o } }", {"http://g/3"}),
    ("COPY <http://g/4> TO <http://g/5>", {"http://g/5"}),
    ("MOVE <http://g/4> TO DEFAULT", {"http://g/4", DEFAULT_GRAPH}),
    ("DROP GRAPH <http://g/6> ; CREATE GRAPH <http://g/7>", {"http://g/6", "http://g/7"}),
    ("INSERT { GRAPH ?g { ?s ?p ?o } } WHERE { GRAPH ?g { ?s ?p ?o } }", None),
    ("CLEAR ALL", None),
    ("DROP NAMED", None),
    ("this is not SPARQL", None),
])
def test_the_graphs_an_update_touches(update: str, expected: set[str] | None) -> None:
    assert touched_graphs(update) == expected


def test_the_command_line_makes_missing_summaries_and_rebuilds(tmp_path: Path) -> None:
    import gc
    import os
    import subprocess
    import sys

    import pyoxigraph as ox

    (tmp_path / "data").mkdir()
    raw = ox.Store(str(tmp_path / "data" / "store"))  # written behind SRKG's back: no summary
    raw.load(case_ttl("a", "FRA").encode(), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(G1))
    raw.flush()
    del raw
    gc.collect()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SRKG_")} | {"SRKG_DATA_DIR": str(tmp_path / "data")}

    def srkg(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "sparql_api.cli", *args], env=env, capture_output=True,
                              text=True, timeout=120, cwd=Path(__file__).resolve().parent.parent)

    made = srkg("summaries")
    assert made.returncode == 0 and "1 summary graph(s) made (missing)" in made.stderr, made.stderr
    again = srkg("summaries")
    assert again.returncode == 0 and "0 summary graph(s) made" in again.stderr
    rebuilt = srkg("summaries", "--rebuild")
    assert rebuilt.returncode == 0 and "1 summary graph(s) recomputed" in rebuilt.stderr, rebuilt.stderr
    stats = srkg("stats", "--json")
    assert summary_graph(G1) in stats.stdout


def test_the_graphs_of_a_quads_file_are_read_for_stores_that_do_not_note_them(tmp_path: Path) -> None:
    from sparql_api.summaries.store import _graphs_in

    quads = tmp_path / "q.nq"
    quads.write_text(f"<urn:a> <urn:b> <urn:c> <{G1}> .\n<urn:a> <urn:b> <urn:d> .\n<urn:a> <urn:b> <urn:e> <{G2}> .\n")
    assert _graphs_in(quads, "application/n-quads") == {G1, G2, DEFAULT_GRAPH}
    store = OxigraphStore(None)
    store.bulk_load(quads, "application/n-quads")
    assert store.last_loaded_graphs == {G1, G2, DEFAULT_GRAPH}  # noted while checking the file


def test_a_crash_between_a_write_and_its_summary_is_repaired_at_the_next_start(tmp_path: Path) -> None:
    """Graph Store POST and SPARQL Update recompute summaries after the write: a journal names the graphs first,
    so that a process killed in between (simulated: the recomputation fails) is repaired by ``ensure``."""
    journal = tmp_path / "summaries-pending.json"
    inner = OxigraphStore(tmp_path / "store")
    store = SummarisingStore(inner, journal)
    store.replace_graph(G1, case_ttl("a", "FRA").encode(), "text/turtle")

    def crash(graphs: object) -> int:
        raise SystemExit("killed")

    store.refresh = crash  # type: ignore[method-assign]
    with pytest.raises(SystemExit):
        store.add_graph(G1, case_ttl("b", "BEL").encode(), "text/turtle")
    assert json.loads(journal.read_text())["graphs"] == [G1]
    assert countries(SummarisingStore(inner)) == {"FRA": 1}  # stale: the data has BEL too
    restarted = SummarisingStore(inner, journal)
    restarted.ensure()
    assert countries(restarted) == {"FRA": 1, "BEL": 1} and not journal.exists()
    assert_in_step(restarted)
    # a write the store refuses leaves no journal behind (nothing to repair)
    with pytest.raises(QuerySyntaxError):
        restarted.update("INSERT DATA { this is not SPARQL }")
    with pytest.raises(DataSyntaxError):
        bad = tmp_path / "bad.nq"
        bad.write_text("<urn:a> <urn:b> .\n")
        restarted.bulk_load(bad, "application/n-quads")
    assert not journal.exists()
    inner.close()
