"""Helpers for the survey tests: generated templates (cached), filling them like a respondent, ingesting them."""

from __future__ import annotations

import hashlib
import tempfile
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path

from openpyxl import load_workbook
from rdflib import Graph, URIRef

from ingest.namespaces import QUDT_UNIT, concept_iri
from ingest.provenance import SubmissionInfo, describe_file, submission_triples
from ingest.reconcile import default_reconciler
from ingest.records import MappingResult
from ingest.survey.mapping import map_survey
from ingest.survey.reader import SurveyData, read_survey
from ingest.survey.schema import EXAMPLE_ROW, HEADER_ROW, header, phrase, sheet, sheet_title
from ingest.survey.template import term_display, vocab_lists, write_template
from ingest.validation import ValidationReport, validate_graph
from ingest.vocabulary import default_vocabulary

TODAY = date(2026, 6, 30)
SUBMISSION = "survey-test"
FIRST_DATA_ROW = EXAMPLE_ROW + 1

Rows = dict[str, list[dict[str, object]]]


def v(scheme: str, *slugs: str) -> tuple[URIRef, ...]:
    return tuple(concept_iri(scheme, s) for s in slugs)


def unit(*names: str) -> tuple[URIRef, ...]:
    return tuple(QUDT_UNIT[n] for n in names)


@cache
def template_bytes(lang: str) -> bytes:
    with tempfile.TemporaryDirectory() as directory:
        return write_template(Path(directory) / "template.xlsx", lang).read_bytes()


def template_copy(directory: Path, lang: str, name: str | None = None) -> Path:
    path = directory / (name or f"survey-{lang}.xlsx")
    path.write_bytes(template_bytes(lang))
    return path


def shown(sheet_key: str, column_key: str, value: object, lang: str) -> object:
    """What a respondent types or picks: vocabulary terms as the drop-down list shows them in ``lang``."""
    column = sheet(sheet_key).column(column_key)
    if isinstance(value, tuple):
        scheme = column.type.scheme or ""
        labels = [term_display(iri, scheme, lang, default_vocabulary()) for iri in value]
        assert all(label in vocab_lists(lang)[scheme] for label in labels), labels
        return "; ".join(labels)
    if isinstance(value, bool):
        return phrase("yes" if value else "no", lang)
    return value


def fill_xlsx(path: Path, lang: str, rows: Rows, first_row: int = FIRST_DATA_ROW) -> Path:
    """Write ``rows`` (sheet key → records of column key → value) below the example rows, finding each column
    by its header in ``lang``."""
    book = load_workbook(path)
    for sheet_key, records in rows.items():
        ws = book[sheet_title(sheet_key, lang)]
        positions = {cell.value: cell.column for cell in ws[HEADER_ROW] if cell.value}
        for number, record in enumerate(records, start=first_row):
            for column_key, value in record.items():
                column = positions[header(sheet_key, column_key, lang)]
                ws.cell(number, column, shown(sheet_key, column_key, value, lang))
    book.save(path)
    return path


TITLES = {
    "fr": "Phytoextraction du cadmium sur des terres agricoles",
    "zh": "农田镉污染植物提取修复",
    "es": "Fitoextracción de cadmio en suelos agrícolas",
}
TEXTS = {
    "fr": ("Faibles émissions : pas d'engins lourds sur le site.", "Bureau d'études du Nord"),
    "zh": ("排放低：现场没有重型机械。", "北方环境咨询公司"),
    "es": ("Bajas emisiones: sin maquinaria pesada en el sitio.", "Consultora del Norte"),
}


def complete_case(lang: str) -> Rows:
    """A complete case (the shape of tests/fixtures/valid/complete-case.ttl), with texts in ``lang``."""
    text, organisation = TEXTS[lang]
    return {
        "respondent": [{
            "organisation": organisation, "role": "consultant", "country": v("country", "FRA"),
            "technologies_used": v("technology", "phytoextraction", "phytostabilisation"),
            "barriers_met": v("barrier", "tim-01"), "success_factors": text,
        }],
        "cases": [{
            "case_id": "C1", "title": TITLES[lang], "source": "https://example.org/fixture-report",
            "licence": "https://creativecommons.org/licenses/by/4.0/",
            "country": v("country", "FRA"), "site_name": "Site C1", "latitude": "48,85", "longitude": 2.35,
            "site_type": v("site-type", "agricultural"), "pollutants": v("pollutant", "cadmium", "lead"),
            "media": v("medium", "soil"), "scale": v("scale", "field"), "status": v("case-status", "completed"),
            "nature_based": v("nbs-category", "yes"), "start_year": 2010, "end_year": "2014",
            "duration_months": 48, "area": "1,5", "area_unit": unit("HA"), "lessons_learned": text,
        }],
        "technologies": [{
            "case_id": "C1", "step_order": 1, "technology": v("technology", "phytoextraction"),
            "role": v("technology-role", "primary"), "organisms": "Noccaea caerulescens",
            "hyperaccumulator": True, "biomass_fate": v("biomass-fate", "incineration"),
        }],
        "outcomes": [{
            "case_id": "C1", "pollutant": v("pollutant", "cadmium"),
            "metric": v("outcome-metric", "total-concentration"), "medium": v("medium", "soil"),
            "value_before": 5.2, "value_after": "3,1", "target_value": 3, "unit": unit("MilliGM-PER-KiloGM"),
            "reduction_percent": 40.4, "target_met": False, "depth_top_cm": 0, "depth_bottom_cm": 20,
        }],
        "costs": [{
            "case_id": "C1", "amount": "120 000", "currency": v("currency", "eur"), "price_year": 2014,
            "cost_type": v("cost-type", "total"), "cost_basis": v("cost-basis", "project"),
        }],
        "assessment": [
            {"case_id": "C1", "framework": v("framework", "surf-uk"), "tier": v("assessment-tier", "tier-1"),
             "partial": True, "assessor": organisation, "date": datetime(2015, 3, 1),
             "criterion": v("criterion", "env1"),
             "text": text},
            {"case_id": "C1", "framework": v("framework", "surf-uk"), "tier": v("assessment-tier", "tier-1"),
             "partial": True, "assessor": organisation, "date": datetime(2015, 3, 1),
             "criterion": v("criterion", "soc1"),
             "score": 3},
            {"case_id": "C1", "framework": v("framework", "iucn-nbs"), "criterion": v("criterion", "iucn-c3"),
             "rating": v("iucn-rating", "adequate")},
            {"case_id": "C1", "framework": v("framework", "us-epa-greener-cleanups"),
             "criterion": v("criterion", "mw-2"), "value": 35, "unit": unit("PERCENT")},
        ],
        "barriers": [{"case_id": "C1", "barrier": v("barrier", "tim-01")},
                     {"case_id": "C1", "barrier": v("barrier", "eco-01")}],
        "checklist": [{"case_id": "C1", "stage": v("checklist-stage", "rap-04")}],
    }


def submission(path: Path) -> SubmissionInfo:
    """The Submission of a file, or of a folder of CSV files (checksum of its files, in name order)."""
    if path.is_file():
        return describe_file(path, "survey tests", key=SUBMISSION)
    digest = hashlib.sha256(b"".join(p.read_bytes() for p in sorted(path.iterdir()))).hexdigest()
    return SubmissionInfo(SUBMISSION, path.name, digest, "survey tests", datetime(2026, 6, 30, tzinfo=UTC))


def ingest(path: Path, name: str | None = None, today: date = TODAY) -> tuple[SurveyData, MappingResult]:
    data = read_survey(path, name)
    info = submission(path)
    result = map_survey(data, default_reconciler(), submission_key=SUBMISSION, source_file=info.file_iri,
                        today=today)
    return data, result


def validate(path: Path, result: MappingResult) -> ValidationReport:
    """Validate the mapped graph together with its provenance (Submission, SourceFile), as the pipeline does."""
    info = submission(path)
    generated = [r for resources in result.row_resources.values() for r in resources]
    graph = Graph()
    graph += result.graph
    graph += submission_triples(info, generated)
    return validate_graph(graph, str(path))


def problems(result: MappingResult, *severities: str) -> list[str]:
    wanted = severities or ("Violation", "Warning")
    return [str(p) for p in result.problems if p.severity in wanted]
