"""``srkg query | load | dump | restore | stats`` on both backends, configured the way users do (SRKG_*)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

from sparql_api.cli import main

from .conftest import BACKENDS, open_remote, wipe
from .rdf_data import CASE_TRIPLES, CASE_TTL, EX, G1, G2, NQ, OTHER_TTL, canonical_file
from .virtuoso_server import ADMIN_PASSWORD, ADMIN_USER


@pytest.fixture(params=BACKENDS)
def configured(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Point SRKG_* at an empty store of each backend."""
    monkeypatch.setenv("SRKG_DATA_DIR", str(tmp_path / "data"))
    if request.param == "oxigraph":
        monkeypatch.setenv("SRKG_STORE", "oxigraph")
    else:
        server = request.getfixturevalue("virtuoso")
        store = open_remote(server)
        wipe(store)
        store.close()
        monkeypatch.setenv("SRKG_STORE", "sparql")
        monkeypatch.setenv("SRKG_REMOTE_QUERY_URL", server.query_url)
        monkeypatch.setenv("SRKG_REMOTE_UPDATE_URL", server.update_url)
        monkeypatch.setenv("SRKG_REMOTE_GSP_URL", server.gsp_url)
        monkeypatch.setenv("SRKG_REMOTE_USER", ADMIN_USER)
        monkeypatch.setenv("SRKG_REMOTE_PASSWORD", ADMIN_PASSWORD)
    yield request.param


def srkg(capsysbinary: pytest.CaptureFixture[bytes], *args: str) -> tuple[int, bytes, str]:
    code = main(list(args))
    out, err = capsysbinary.readouterr()
    return code, out, err.decode()


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    case = tmp_path / "case.ttl"
    case.write_text(CASE_TTL, "utf-8")
    other = tmp_path / "other.ttl"
    other.write_text(OTHER_TTL, "utf-8")
    broken = tmp_path / "broken.ttl"
    broken.write_text(f"@prefix ex: <{EX}> .\nex:a ex:p ex:b .\nex:c ex:p .\n", "utf-8")
    return {"case": case, "other": other, "broken": broken}


def test_load_query_and_stats(
    configured: str, files: dict[str, Path], capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    code, _, err = srkg(capsysbinary, "load", str(files["case"]), "--graph", G1)
    assert code == 0, err
    assert f"{CASE_TRIPLES} triples" in err and "triples/s" in err
    assert srkg(capsysbinary, "load", str(files["other"]), "--graph", G2, "-q")[0] == 0

    code, out, _ = srkg(capsysbinary, "stats", "--json")
    assert code == 0
    assert json.loads(out) == {"graphs": {G1: CASE_TRIPLES, G2: 4}, "total_triples": CASE_TRIPLES + 4}
    code, out, _ = srkg(capsysbinary, "stats")
    assert f"{CASE_TRIPLES}  {G1}" in out.decode() and "total in 2 named graph(s)" in out.decode()

    query = f"SELECT ?s ?t WHERE {{ ?s <{EX}title> ?t FILTER(lang(?t) = 'en') }} ORDER BY ?s"
    code, out, _ = srkg(capsysbinary, "query", query)
    assert code == 0
    rows = list(csv.reader(io.StringIO(out.decode())))
    assert rows[0] == ["s", "t"] and len(rows) == 4
    code, out, _ = srkg(capsysbinary, "query", query, "--format", "json")
    assert len(json.loads(out)["results"]["bindings"]) == 3
    code, out, _ = srkg(capsysbinary, "query", f"CONSTRUCT WHERE {{ <{EX}case2> ?p ?o }}", "--format", "nt")
    assert code == 0
    assert len(list(ox.parse(out, format=ox.RdfFormat.N_TRIPLES))) == 2


def test_bad_input_names_the_place_and_exits_2(
    configured: str, files: dict[str, Path], capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    code, _, err = srkg(capsysbinary, "load", str(files["broken"]), "--graph", G1)
    assert code == 2
    assert "broken.ttl" in err and "line 3" in err
    assert json.loads(srkg(capsysbinary, "stats", "--json")[1])["graphs"] == {}  # nothing half-loaded
    code, _, err = srkg(capsysbinary, "query", "SELECT * WHERE { ?s ?p }")
    assert code == 2 and "line 1" in err
    code, _, err = srkg(capsysbinary, "query", "SELECT * WHERE { ?s ?p ?o }", "--format", "nt")
    assert code == 2 and "--format nt" in err
    code, _, err = srkg(capsysbinary, "load", str(files["case"].with_suffix(".missing")))
    assert code == 2 and "no such file" in err


def test_dump_and_restore(
    configured: str, files: dict[str, Path], tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    srkg(capsysbinary, "load", str(files["case"]), "--graph", G1, "-q")
    srkg(capsysbinary, "load", str(files["other"]), "--graph", G2, "-q")
    dump = tmp_path / "all.nq"
    code, _, err = srkg(capsysbinary, "dump", "--out", str(dump))
    assert code == 0 and f"{CASE_TRIPLES + 4} quads" in err
    code, out, _ = srkg(capsysbinary, "dump", "--format", "trig")
    assert code == 0
    assert len(list(ox.parse(out, format=ox.RdfFormat.TRIG))) == CASE_TRIPLES + 4

    srkg(capsysbinary, "load", str(files["other"]), "--graph", EX + "graph/extra", "-q")
    code, _, err = srkg(capsysbinary, "restore", str(dump), "-q")
    assert code == 0, err
    again = tmp_path / "again.nq"
    srkg(capsysbinary, "dump", "--out", str(again))
    assert canonical_file(again, NQ) == canonical_file(dump, NQ)
    assert json.loads(srkg(capsysbinary, "stats", "--json")[1])["graphs"] == {G1: CASE_TRIPLES, G2: 4}
