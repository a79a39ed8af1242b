"""The technology comparison gives the same answer on both backends (its evidence queries, the lookup of the
concepts' labels and notations, the ranking), in English and in French."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_comparison import load_data

from sparql_api.analysis.money import default_tables
from sparql_api.analysis.report import comparison_json
from sparql_api.analysis.service import CompareRequest, run
from sparql_api.store.base import Store
from sparql_api.store.oxigraph_store import OxigraphStore


def differences(left: object, right: object, path: str = "") -> list[str]:
    """Where two JSON values differ, as readable paths (a plain == hides them in a truncated diff)."""
    if isinstance(left, dict) and isinstance(right, dict):
        return [d for key in sorted(set(left) | set(right), key=str)
                for d in differences(left.get(key), right.get(key), f"{path}/{key}")]
    if isinstance(left, list) and isinstance(right, list) and len(left) == len(right):
        return [d for i, (a, b) in enumerate(zip(left, right, strict=True)) for d in differences(a, b, f"{path}[{i}]")]
    return [] if left == right else [f"{path}: {str(left)[:120]} != {str(right)[:120]}"]


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_comparison_is_the_same_on_both_backends(store: Store, tmp_path: Path, lang: str) -> None:
    load_data(store)
    reference = OxigraphStore(tmp_path / "reference", query_workers=0)
    try:
        load_data(reference)
        for pollutant in ("Pb", "TPH"):
            request = CompareRequest(pollutant, lang=lang)
            answer = comparison_json(run(store, request), default_tables())
            expected = comparison_json(run(reference, request), default_tables())
            assert answer["technologies"], pollutant
            assert differences(answer, expected) == [], pollutant
    finally:
        reference.close()
