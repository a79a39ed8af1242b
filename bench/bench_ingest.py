"""Ingest throughput through the survey-template path, against raw pyoxigraph loading of the same triples.

    python -m bench.bench_ingest [--cases 10000] [--json out.json]

Builds the English survey workbook (``srkg template``) and fills it with ``--cases`` synthetic but realistic
rows (cases with country, pollutants, site type, scale, years, area; one technology step and one measured
outcome each; values drawn deterministically from the real vocabularies), then times, in one run:
reading the XLSX, mapping + reconciliation, SHACL validation, and loading into the embedded store — and, as
the baseline, ``pyoxigraph.Store.bulk_load`` of the very triples the ingest produced.
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox

from ingest.namespaces import QUDT_UNIT, concept_iri
from ingest.pipeline import ingest_file, summary
from ingest.survey.schema import EXAMPLE_ROW, HEADER_ROW, header, sheet_title
from ingest.survey.template import build_workbook, term_display
from ingest.vocabulary import default_vocabulary

COUNTRIES = ["FRA", "CHN", "KEN", "BRA", "IND", "USA", "NGA", "VNM", "MEX", "POL", "EGY", "AUS", "PER", "ZAF"]
POLLUTANTS = ["cadmium", "lead", "arsenic", "zinc", "tph", "total-pahs", "mercury", "copper", "ddt", "pcbs"]
TECHNOLOGIES = ["phytoextraction", "phytostabilisation", "landfarming", "biopile", "composting",
                "thermal-desorption", "soil-washing", "solidification-stabilisation", "capping", "biochar-amendment"]
SITE_TYPES = ["agricultural", "mine", "industrial", "urban", "oil-and-gas", "smelter", "waste-disposal"]
SCALES = ["pilot", "field", "full"]


def shown(scheme: str, slug: str) -> str:
    iri = QUDT_UNIT[slug] if scheme == "unit" else concept_iri(scheme, slug)
    return term_display(iri, scheme, "en", default_vocabulary())


def write_survey(path: Path, cases: int, seed: int = 7) -> Path:
    rng = random.Random(seed)
    book = build_workbook("en")
    first = EXAMPLE_ROW + 1

    def columns(sheet_key: str, keys: list[str]) -> tuple[object, dict[str, int]]:
        ws = book[sheet_title(sheet_key, "en")]
        positions = {cell.value: cell.column for cell in ws[HEADER_ROW] if cell.value}
        return ws, {k: positions[header(sheet_key, k, "en")] for k in keys}

    case_ws, case_col = columns("cases", ["case_id", "title", "source", "licence", "country", "site_type",
                                          "pollutants", "scale", "start_year", "duration_months", "area",
                                          "area_unit"])
    tech_ws, tech_col = columns("technologies", ["case_id", "step_order", "technology"])
    out_ws, out_col = columns("outcomes", ["case_id", "pollutant", "metric", "value_before", "value_after", "unit"])
    for n in range(cases):
        row = first + n
        pollutant = rng.choice(POLLUTANTS)
        values = {
            "case_id": f"B{n:05d}", "title": f"Synthetic benchmark case {n}",
            "source": f"https://example.org/bench/{n}", "licence": "https://creativecommons.org/licenses/by/4.0/",
            "country": rng.choice(COUNTRIES), "site_type": shown("site-type", rng.choice(SITE_TYPES)),
            "pollutants": shown("pollutant", pollutant), "scale": shown("scale", rng.choice(SCALES)),
            "start_year": rng.randint(1990, 2022), "duration_months": rng.randint(3, 96),
            "area": round(rng.uniform(0.1, 50), 2), "area_unit": shown("unit", "HA"),
        }
        for key, column in case_col.items():
            case_ws.cell(row, column, values[key])
        step = {"case_id": values["case_id"], "step_order": 1,
                "technology": shown("technology", rng.choice(TECHNOLOGIES))}
        for key, column in tech_col.items():
            tech_ws.cell(row, column, step[key])
        before = round(rng.uniform(5, 500), 1)
        outcome = {"case_id": values["case_id"], "pollutant": shown("pollutant", pollutant),
                   "metric": shown("outcome-metric", "total-concentration"), "value_before": before,
                   "value_after": round(before * rng.uniform(0.2, 0.9), 1), "unit": shown("unit", "MilliGM-PER-KiloGM")}
        for key, column in out_col.items():
            out_ws.cell(row, column, outcome[key])
    book.save(path)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        workdir = Path(directory)
        start = time.perf_counter()
        survey = write_survey(workdir / "bench-survey.xlsx", args.cases)
        write_s = time.perf_counter() - start

        default_vocabulary()
        start = time.perf_counter()
        result = ingest_file(survey, submitter="bench", submission_key="bench")
        ingest_s = time.perf_counter() - start
        data = result.load_graph.serialize(format="nt", encoding="utf-8")

        from sparql_api.store.oxigraph_store import OxigraphStore

        store = OxigraphStore(workdir / "srkg-store", query_workers=0)
        start = time.perf_counter()
        store.replace_graph(str(result.info.graph), data, "application/n-triples")
        store_s = time.perf_counter() - start
        store.close()

        nt_file = workdir / "triples.nt"
        nt_file.write_bytes(data)
        raw = ox.Store(str(workdir / "raw-store"))
        start = time.perf_counter()
        raw.bulk_load(path=str(nt_file), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(str(result.info.graph)))
        raw.flush()
        raw_s = time.perf_counter() - start

    s = summary(result)
    triples = len(result.load_graph)
    total_s = ingest_s + store_s
    report = {
        "cases": args.cases, "cases_accepted": s["cases_accepted"], "triples": triples,
        "write_workbook_s": round(write_s, 2), "read_and_map_s": round(result.timings["read_and_map_s"], 2),
        "validate_s": round(result.timings["validate_s"], 2), "store_load_s": round(store_s, 2),
        "srkg_total_s": round(total_s, 2), "srkg_cases_per_s": round(args.cases / total_s, 1),
        "raw_bulk_load_s": round(raw_s, 3), "raw_triples_per_s": round(triples / raw_s),
        "ratio_srkg_to_raw_throughput": round(raw_s / total_s, 4),
    }
    for key, value in report.items():
        print(f"{key:32} {value}")
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
