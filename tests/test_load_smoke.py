"""CI smoke of the load test (issue #7): the benchmark's own locustfile, headless for 20 s against a live server
on the project's real RDF files (with a published export and the writer's admin token), must see no 5xx and no
unexpected status. The full five-minute run on all the data is ``bench/bench_load_mix.py``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from server.live_server import LiveServer, start_server

from bench.load.run import RunResult, run_locust
from bench.load.targets import SCRATCH_GRAPH, discover
from sparql_api.dataset.export import point_latest, write_export
from sparql_api.store.oxigraph_store import OxigraphStore

REPO = Path(__file__).resolve().parents[1]
BASE = "https://w3id.org/srkg/"
USERS = 8
DURATION_S = 20


def real_rdf_files(root: Path) -> Path:
    """The repository's ontology, vocabularies, AGROVOC subset, countries, shapes and hand-modelled cases, without
    the two tables that start-up runs through the ingest pipeline (half a minute of SHACL): a fast start."""
    (root / "examples").mkdir(parents=True)
    for part in ("ontology", "shapes", "examples/cases"):
        (root / part).symlink_to(REPO / part, target_is_directory=True)
    return root


@pytest.fixture(scope="module")
def loaded_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A live server on the real RDF files, rate limiter off, with a small export published for /downloads/."""
    workdir = tmp_path_factory.mktemp("srkg-load")
    live = start_server(workdir, resources=real_rdf_files(workdir / "resources"), env={"SRKG_RATE_LIMIT": "0"},
                        wait_s=120)
    store = OxigraphStore(None)  # in memory: a small export is enough to serve real download files
    store.add_graph(BASE + "graph/examples", (REPO / "examples/cases/fra-metaleurop-phytener.ttl").read_bytes(),
                    "text/turtle")
    write_export(store, workdir / "export", base=BASE)
    point_latest(live.data_dir, workdir / "export")
    yield live
    live.stop()


@pytest.fixture(scope="module")
def smoke(loaded_site: LiveServer, tmp_path_factory: pytest.TempPathFactory) -> RunResult:
    out = tmp_path_factory.mktemp("locust") / "smoke"
    return run_locust(loaded_site.url, users=USERS, duration_s=DURATION_S, out_prefix=out, token=loaded_site.token,
                      spawn_rate=USERS, timeout_s=DURATION_S + 60)


def test_targets_come_from_the_live_data(loaded_site: LiveServer) -> None:
    found = discover(loaded_site.url)
    assert len(found.cases) >= 20 and found.countries and found.technologies and found.pollutants
    assert "everything.nq.gz" in found.downloads and BASE + "graph/examples" in found.graphs


def test_mix_sees_no_server_error(smoke: RunResult) -> None:
    assert smoke.server_errors == 0, smoke.failures
    assert smoke.failures == [], smoke.failures
    assert smoke.total.requests >= USERS * 5, smoke.total


def test_mix_covers_every_kind_and_the_writer(smoke: RunResult) -> None:
    names = {s.name for s in smoke.per_type if s.requests}
    assert {"page: case", "sparql: small select json", "write: GSP put scratch", "write: GSP delete scratch"} <= names
    assert {n.split(":")[0] for n in names} >= {"page", "search", "sparql", "download", "write"}


def test_writer_cleans_up_its_scratch_graph(loaded_site: LiveServer, smoke: RunResult) -> None:
    reply = loaded_site.query(f"ASK {{ GRAPH <{SCRATCH_GRAPH}> {{ ?s ?p ?o }} }}",
                              accept="application/sparql-results+json")
    assert reply.status == 200 and '"boolean":false' in reply.text.replace(" ", "")
