"""bench/generate.py: synthetic cases that are deterministic, shaped like the real ingested ones, valid against the
project's shapes, built only from the project's vocabularies, and answered consistently by the store and by
SRKG's own pages (coverage, search, comparison, case page) on a real ``srkg serve``."""

from __future__ import annotations

import gzip
import json
import os
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path
from urllib.parse import urlencode

import pyoxigraph as ox
import pytest
from server.live_server import REPO, start_server

from bench.generate import (
    SRKG,
    UNIT,
    GenerateError,
    Stats,
    check_sample,
    generate_bytes,
    generate_file,
    load_profile,
)

SKOS = "http://www.w3.org/2004/02/skos/core#"
QUDT_UNIT_PROPERTY = "http://qudt.org/schema/qudt/unit"
VOCAB_FILES = [*sorted((REPO / "ontology" / "vocab").glob("*.ttl")), REPO / "ontology" / "external" / "countries.ttl"]
CASES = 600
SEED = 11


@pytest.fixture(scope="module")
def generated() -> tuple[bytes, Stats]:
    return generate_bytes(CASES, SEED, graphs_per=250)


@pytest.fixture(scope="module")
def store(generated: tuple[bytes, Stats]) -> ox.Store:
    """The real vocabularies and the generated cases, bulk-loaded into one fresh in-memory store."""
    store = ox.Store()
    for path in VOCAB_FILES:
        store.bulk_load(path=str(path), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode("urn:test:vocab"))
    store.bulk_load(input=generated[0], format=ox.RdfFormat.N_QUADS)
    return store


def select(store: ox.Store, query: str) -> list[dict[str, str]]:
    solutions = store.query(f"PREFIX srkg: <{SRKG}> PREFIX skos: <{SKOS}> " + query, use_default_graph_as_union=True)
    return [{v.value: s[v].value for v in solutions.variables if s[v] is not None} for s in solutions]


def test_same_seed_gives_the_same_bytes_and_another_seed_does_not(tmp_path: Path) -> None:
    first, second, other = tmp_path / "a.nq.gz", tmp_path / "b.nq.gz", tmp_path / "c.nq"
    generate_file(first, 300, seed=5)
    generate_file(second, 300, seed=5)
    generate_file(other, 300, seed=6)
    assert first.read_bytes() == second.read_bytes()
    plain = gzip.decompress(first.read_bytes())
    assert plain == generate_bytes(300, 5)[0]
    assert plain != other.read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.nq.gz", "b.nq.gz", "c.nq"]  # no .part left


def test_bad_options_are_refused_by_name(tmp_path: Path) -> None:
    with pytest.raises(GenerateError, match=r"\.nq or \.nq\.gz"):
        generate_file(tmp_path / "cases.ttl", 10, seed=1)
    with pytest.raises(GenerateError, match="--graphs-per"):
        generate_file(tmp_path / "cases.nq", 10, seed=1, graphs_per=0)
    assert list(tmp_path.iterdir()) == []


def test_triples_per_case_match_the_real_ingested_cases(generated: tuple[bytes, Stats]) -> None:
    data, stats = generated
    lines = data.count(b"\n")
    assert stats.triples == lines
    assert stats.cases == CASES and stats.graphs == 3
    per_case = (lines - 13 * stats.graphs) / stats.cases  # 13 PROV triples per submission graph
    real = load_profile()["real_triples_per_case"]
    assert 0.85 * real <= per_case <= 1.15 * real, (per_case, real)


def test_a_sample_passes_shacl_and_a_broken_case_does_not(generated: tuple[bytes, Stats]) -> None:
    data, _ = generated
    assert check_sample(data, 20, seed=SEED) == []
    # The same check sees a technology that is not in the list (so the empty list above means something).
    few, _ = generate_bytes(4, SEED)
    first_tech = few.split(f"<{SRKG}technology> <".encode(), 1)[1].split(b">", 1)[0]
    broken = few.replace(first_tech, b"https://w3id.org/srkg/vocab/technology/not-a-technology")
    problems = check_sample(broken, 4, seed=SEED)
    assert problems and all("technology" in p for p in problems)


def test_every_country_pollutant_technology_and_unit_is_a_vocabulary_concept(store: ox.Store) -> None:
    rows = select(store, f"""SELECT DISTINCT ?p ?o WHERE {{
        GRAPH ?g {{ ?s ?p ?o }}
        VALUES ?p {{ srkg:country srkg:pollutant srkg:technology srkg:unit <{QUDT_UNIT_PROPERTY}> srkg:scale
                    srkg:siteType srkg:metric srkg:medium srkg:currency srkg:costBasis srkg:natureBasedCategory }}
        FILTER NOT EXISTS {{ GRAPH <urn:test:vocab> {{ ?o a skos:Concept }} }}
    }}""")
    assert rows == []
    used = select(store, f"""SELECT (COUNT(DISTINCT ?c) AS ?countries) (COUNT(DISTINCT ?u) AS ?units) WHERE {{
        {{ ?site srkg:country ?c }}
        UNION {{ ?x srkg:unit|<{QUDT_UNIT_PROPERTY}> ?u FILTER STRSTARTS(STR(?u), "{UNIT}") }}
    }}""")[0]
    assert int(used["countries"]) > 20 and int(used["units"]) >= 2


def test_store_answers_competency_queries_as_generated(store: ox.Store, generated: tuple[bytes, Stats]) -> None:
    _, stats = generated
    by_country = {r["country"]: int(r["n"]) for r in select(store, """
        SELECT ?country (COUNT(DISTINCT ?case) AS ?n) WHERE { ?case a srkg:CaseStudy ; srkg:site/srkg:country ?country }
        GROUP BY ?country""")}
    assert by_country == dict(stats.by_country)
    by_technology = {r["t"]: int(r["n"]) for r in select(store, """
        SELECT ?t (COUNT(DISTINCT ?case) AS ?n) WHERE { ?case srkg:technologyApplication/srkg:technology ?t }
        GROUP BY ?t""")}
    assert by_technology == dict(stats.by_technology)
    # Through the vocabulary's pollutant classes, against the classes the generator's profile gives.
    by_class = {r["c"]: int(r["n"]) for r in select(store, """
        SELECT ?c (COUNT(DISTINCT ?case) AS ?n) WHERE {
            ?case a srkg:CaseStudy ; srkg:pollutant/srkg:pollutantClass ?c } GROUP BY ?c""")}
    assert by_class == dict(stats.by_pollutant_class)
    assert len(by_class) >= 5
    # Every case is in a published submission graph whose PROV names that graph.
    graphs = select(store, """SELECT ?g (COUNT(DISTINCT ?case) AS ?n) WHERE {
        GRAPH ?g { ?case a srkg:CaseStudy ; <http://www.w3.org/ns/prov#wasGeneratedBy> ?sub .
                   ?sub srkg:namedGraph ?g ;
                        srkg:submissionStatus <https://w3id.org/srkg/vocab/submission-status/published> } }
        GROUP BY ?g""")
    assert sorted(int(r["n"]) for r in graphs) == [100, 250, 250]
    assert all("/graph/submission/synthetic-s11-" in r["g"] for r in graphs)


def test_shares_follow_the_real_cases(store: ox.Store, generated: tuple[bytes, Stats]) -> None:
    """Drawn from the learned frequencies, not uniformly: the commonest country and the nature-based share
    come out near the real ones (600 cases: a standard error of ~2 points)."""
    _, stats = generated
    profile = load_profile()
    top_country, top_count = profile["country"][0]
    real_cases = profile["derived_from"]["cases"]
    assert abs(stats.by_country[top_country] / CASES - top_count / real_cases) < 0.06
    nbs = dict(profile["case_nbs"])
    yes = "https://w3id.org/srkg/vocab/nbs-category/yes"
    generated_yes = int(select(store, f"""SELECT (COUNT(DISTINCT ?case) AS ?n) WHERE {{
        ?case srkg:natureBasedCategory <{yes}> }}""")[0]["n"])
    assert abs(generated_yes / CASES - nbs[yes] / sum(nbs.values())) < 0.08


def _resources(root: Path) -> Path:
    """The project's ontology and vocabularies only, so the server's first start is quick."""
    (root / "ontology" / "vocab").mkdir(parents=True)
    (root / "ontology" / "external").mkdir()
    (root / "examples" / "cases").mkdir(parents=True)
    shutil.copy(REPO / "ontology" / "srkg.ttl", root / "ontology")
    for path in VOCAB_FILES:
        shutil.copy(path, root / "ontology" / ("external" if path.name == "countries.ttl" else "vocab"))
    return root


def test_srkg_pages_work_on_generated_data(tmp_path: Path, store: ox.Store) -> None:
    data, stats = generate_bytes(200, SEED, graphs_per=100)
    with_m49 = {r["c"] for r in select(store, "SELECT ?c WHERE { ?c a srkg:Country ; srkg:m49Code ?code }")}
    resources = _resources(tmp_path / "resources")
    cases = tmp_path / "synthetic.nq"
    cases.write_bytes(data)
    # `srkg load` into the data directory the server then opens (the quads keep their graphs).
    env = {k: v for k, v in os.environ.items() if not k.startswith("SRKG_")}
    env.update({"SRKG_DATA_DIR": str(tmp_path / "work" / "data"), "SRKG_RESOURCES": str(resources)})
    loaded = subprocess.run([sys.executable, "-m", "sparql_api.cli", "load", str(cases)], cwd=REPO, env=env,
                            capture_output=True, text=True, timeout=120)
    assert loaded.returncode == 0, loaded.stderr
    assert f"{stats.triples:,} triples" in loaded.stdout + loaded.stderr
    site = start_server(tmp_path / "work", resources=resources, wait_s=120)
    try:
        coverage = json.loads(site.request("GET", "/coverage.json").body)
        assert coverage["m49_areas"]["covered"] == len(set(stats.by_country) & with_m49) > 20

        country, count = Counter(stats.by_country).most_common(1)[0]
        found = json.loads(site.request("GET", "/search.json?" + urlencode(
            {"country": country.rsplit("/", 1)[-1]})).body)
        assert found["total"] == count

        lead = "https://w3id.org/srkg/vocab/pollutant/lead"
        compared = json.loads(site.request("GET", "/compare.json?pollutant=lead").body)
        assert compared["query"]["pollutant"]["iri"] == lead
        assert compared["cases"] == stats.by_pollutant[lead]

        key = data.split(b"/id/case/", 1)[1].split(b">", 1)[0].decode()
        page = site.request("GET", f"/id/case/{key}.html")
        assert page.status == 200
        title = data.split(f"/id/case/{key}> <http://purl.org/dc/terms/title> \"".encode(), 1)[1].split(b'"', 1)[0]
        assert title.decode().replace("'", "&#39;") in page.text
    finally:
        site.stop()
