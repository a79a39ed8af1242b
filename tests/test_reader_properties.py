"""Property tests of the readers (hypothesis, bounded): whatever a respondent types, the survey reader (CSV and
XLSX), the literature-table mapper and a register mapper (EPA NPL) answer with located problems (or refuse the
file with a located message) instead of crashing, and what the survey template carries comes back unchanged; the
RDF reader refuses arbitrary bytes with a located ``RdfReadError`` and nothing else."""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Callable
from decimal import Decimal
from functools import cache
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook
from rdflib import RDF, Literal, URIRef
from rdflib.namespace import DCTERMS
from survey_support import template_bytes

from ingest.namespaces import SRKG
from ingest.rdf_files import FORMATS_BY_SUFFIX, RdfReadError, read_graph
from ingest.reconcile import default_reconciler
from ingest.records import MappingResult, Problem, SourceError
from ingest.sources.epa_npl import COLUMNS as NPL_COLUMNS
from ingest.sources.epa_npl import map_npl
from ingest.sources.literature import COLUMNS, map_literature
from ingest.survey.mapping import map_survey
from ingest.survey.reader import SurveyData, read_survey
from ingest.survey.schema import EXAMPLE_ROW, HEADER_ROW, header, sheet, sheet_title
from ingest.survey.template import csv_files

REPO = Path(__file__).resolve().parents[1]
FAST = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SLOW = settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
DATA_ROW = EXAMPLE_ROW + 1
SOURCE_FILE = URIRef("https://w3id.org/srkg/id/file/property-test")
FILE = "survey.zip"

# What a person can type in a cell: any text, including separators, quotes, line breaks, right-to-left and
# astral characters. XLSX (XML 1.0) cannot store most control characters, so those are left out there.
any_text = st.text(max_size=200)
xml_text = st.text(st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from("\t\n"), max_size=200)
CASE_COLUMNS = tuple(c.key for c in sheet("cases").columns)
FREE_TEXT = ("title", "site_name", "location", "soil", "outcome_summary", "lessons_learned", "data_note")


@cache
def csv_template() -> dict[str, bytes]:
    return csv_files("en")


def csv_with_row(sheet_key: str, values: dict[str, str]) -> dict[str, bytes]:
    """The English CSV template with one data row (below the example row) in ``sheet_key``."""
    files = dict(csv_template())
    name = f"{sheet_key}.csv"
    rows = list(csv.reader(io.StringIO(files[name].decode("utf-8-sig"))))
    headers = rows[HEADER_ROW - 1]
    written = {header(sheet_key, key, "en"): value for key, value in values.items()}
    rows.append([written.get(h, "") for h in headers])
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    files[name] = out.getvalue().encode("utf-8")
    return files


def read_folder(files: dict[str, bytes]) -> SurveyData:
    with tempfile.TemporaryDirectory() as directory:
        folder = Path(directory) / "survey"
        folder.mkdir()
        for name, data in files.items():
            (folder / name).write_bytes(data)
        return read_survey(folder, FILE)


def mapped(data: SurveyData) -> MappingResult:
    return map_survey(data, default_reconciler(), submission_key="property-test", source_file=SOURCE_FILE)


def assert_located(problems: list[Problem], file: str) -> None:
    """Every problem names the file, and one about a cell names its row too."""
    for problem in problems:
        assert problem.location.file == file, problem
        assert problem.message.strip(), problem
        if problem.location.column is not None:
            assert problem.location.row is not None, problem


# ---------------------------------------------------------------------------------------------------------
# Survey, CSV
# ---------------------------------------------------------------------------------------------------------
@FAST
@given(st.dictionaries(st.sampled_from(CASE_COLUMNS), any_text, min_size=1))
@example({"title": "x" * 200_000})  # longer than the csv module's default field limit (131,072)
@example({"case_id": "=1+1", "start_year": "#REF!", "latitude": "91", "area": "-0"})
def test_survey_csv_never_crashes_on_cell_text(values: dict[str, str]) -> None:
    try:
        data = read_folder(csv_with_row("cases", values))
    except SourceError as e:  # a whole-file fault must name the file
        assert e.location.file == FILE and e.message
        return
    result = mapped(data)
    assert_located(result.problems, FILE)
    rows = {p.location.row for p in result.problems if p.location.sheet == "cases.csv"}
    assert rows <= {None, HEADER_ROW, EXAMPLE_ROW, DATA_ROW}


def readable(text: str) -> bool:
    """What the reader keeps as typed: not blank, not a formula, not the example marker."""
    stripped = text.strip()
    return bool(stripped) and not stripped.startswith("=") and not stripped.upper().startswith("EXAMPLE")


@FAST
@given(st.fixed_dictionaries({key: any_text.filter(readable) for key in FREE_TEXT}))
def test_survey_csv_round_trip_keeps_free_text(values: dict[str, str]) -> None:
    data = read_folder(csv_with_row("cases", {"case_id": "C1", **values}))
    [row] = data.sheets["cases"].rows
    assert row.location.row == DATA_ROW
    for key, value in values.items():
        assert row.text(key) == value.strip(), key


# ---------------------------------------------------------------------------------------------------------
# Survey, XLSX
# ---------------------------------------------------------------------------------------------------------
@cache
def template_book() -> Workbook:
    """The English template, loaded once; each example writes its row, saves a copy and blanks the row again."""
    return load_workbook(io.BytesIO(template_bytes("en")))


def xlsx_with_row(directory: Path, sheet_key: str, values: dict[str, object]) -> Path:
    path = directory / "survey.xlsx"
    book = template_book()
    ws = book[sheet_title(sheet_key, "en")]
    positions = {cell.value: cell.column for cell in ws[HEADER_ROW] if cell.value}
    columns = [positions[header(sheet_key, key, "en")] for key in values]
    try:
        for column, value in zip(columns, values.values(), strict=True):
            ws.cell(DATA_ROW, column, value)
        book.save(path)
    finally:
        for column in columns:
            ws.cell(DATA_ROW, column).value = None
    return path


@SLOW
@given(st.fixed_dictionaries({key: xml_text.filter(readable) for key in FREE_TEXT}),
       st.integers(1900, 2100), st.decimals(-90, 90, places=6))
def test_survey_xlsx_template_fill_then_read_keeps_values(values: dict[str, str], year: int,
                                                          latitude: Decimal) -> None:
    with tempfile.TemporaryDirectory() as directory:
        path = xlsx_with_row(Path(directory), "cases", {"case_id": "C1", "start_year": year,
                                                        "latitude": float(latitude), **values})
        data = read_survey(path)
    [row] = data.sheets["cases"].rows
    for key, value in values.items():
        assert row.text(key) == value.strip(), key
    assert row.value("start_year") == year
    assert row.value("latitude") == float(latitude)
    result = mapped(data)
    assert_located(result.problems, "survey.xlsx")
    titles = {o for _, _, o in result.graph.triples((None, DCTERMS.title, None))}
    if titles:  # the case was built: its title is the text as typed
        assert {str(t) for t in titles} == {values["title"].strip()}


@SLOW
@given(st.dictionaries(st.sampled_from(CASE_COLUMNS), xml_text, min_size=1))
def test_survey_xlsx_never_crashes_on_cell_text(values: dict[str, str]) -> None:
    with tempfile.TemporaryDirectory() as directory:
        data = read_survey(xlsx_with_row(Path(directory), "cases", values))
    assert_located(mapped(data).problems, "survey.xlsx")


# ---------------------------------------------------------------------------------------------------------
# RDF files
# ---------------------------------------------------------------------------------------------------------
TURTLE = b"""@prefix ex: <https://example.org/> .
ex:a ex:b "c"@en ;
     ex:d 42 .
"""


def mutated(data: bytes) -> st.SearchStrategy[bytes]:
    """``data`` with a few bytes replaced or inserted: mostly valid, broken somewhere."""
    position = st.integers(0, len(data))
    return st.tuples(position, st.binary(min_size=1, max_size=4)).map(lambda p: data[: p[0]] + p[1] + data[p[0]:])


@FAST
@given(st.sampled_from(sorted(FORMATS_BY_SUFFIX)), st.binary(max_size=300) | mutated(TURTLE))
@example(".ttl", b"\xff\xfe")
@example(".jsonld", b'{"@context": "https://example.org/remote-context"}')
@example(".rdf", b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa">]><r>&a;</r>')
def test_rdf_reader_accepts_or_refuses_with_a_location(suffix: str, data: bytes) -> None:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / f"input{suffix}"
        path.write_bytes(data)
        try:
            graph = read_graph(path)
        except RdfReadError as e:
            assert e.path == str(path) and e.message.strip()
            assert str(e).startswith(str(path))
            if e.line is not None:
                assert 1 <= e.line <= data.count(b"\n") + 2, e
            return
    for s, p, _ in graph:
        assert isinstance(p, URIRef) and not isinstance(s, Literal)


# ---------------------------------------------------------------------------------------------------------
# Literature table
# ---------------------------------------------------------------------------------------------------------
LITERATURE_FREE_TEXT = ("title", "site_type", "outcome", "location", "cost_note", "notes", "technology",
                        "pollutants", "area_ha", "start_year", "cost_usd")


@cache
def literature_row() -> dict[str, str]:
    """The first row of the project's literature table: an accepted row to vary."""
    with (REPO / "examples" / "sources" / "literature-cases.csv").open(encoding="utf-8-sig", newline="") as f:
        return next(csv.DictReader(f))


def write_literature(directory: Path, row: dict[str, str]) -> Path:
    path = directory / "literature.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(COLUMNS))
        writer.writeheader()
        writer.writerow(row)
    return path


def map_table(mapper: Callable[[Path], MappingResult], path: Path, values: dict[str, str]) -> MappingResult | None:
    """The mapping of a one-row table, or None when the whole file is refused (a NUL, a formula, a cell the CSV
    module cannot hold…): then with a message placed at the data row (or a line of it, when a cell holds line
    breaks)."""
    try:
        return mapper(path)
    except SourceError as e:
        spread = sum(v.count("\n") + v.count("\r") for v in values.values())
        assert e.location.file == path.name and 2 <= (e.location.row or 0) <= 2 + spread, e
        assert e.message.strip(), e
        return None


@FAST
@given(st.dictionaries(st.sampled_from(LITERATURE_FREE_TEXT), any_text, min_size=1))
@example({"title": "!!!"})  # a title with no letters still needs an identifier
@example({"notes": "x" * 200_000})  # longer than the csv module's default field limit
def test_literature_table_tolerates_any_text_in_free_columns(values: dict[str, str]) -> None:
    with tempfile.TemporaryDirectory() as directory:
        result = map_table(map_literature, write_literature(Path(directory), {**literature_row(), **values}), values)
    if result is None:
        return
    assert result.rows_read == 1
    assert_located(result.problems, "literature.csv")
    assert all(p.location.row in (None, 2) for p in result.problems)
    cases = set(result.graph.subjects(RDF.type, SRKG.CaseStudy))
    if "outcome" in values and values["outcome"].strip() and cases:
        summaries = {str(o) for o in result.graph.objects(None, SRKG.outcomeSummary)}
        assert summaries == {values["outcome"].strip()}


# ---------------------------------------------------------------------------------------------------------
# A register (US EPA NPL sites)
# ---------------------------------------------------------------------------------------------------------
NPL_FILE = (REPO / "data-sources" / "registers" / "epa-npl-sites"
            / "Superfund_National_Priorities_List_NPL_Sites_with_Status_Information.csv")


@cache
def npl_row() -> dict[str, str]:
    with NPL_FILE.open(encoding="utf-8-sig", newline="") as f:
        return next(csv.DictReader(f))


@FAST
@given(st.dictionaries(st.sampled_from(NPL_COLUMNS), any_text, min_size=1))
@example({"Site_EPA_ID": "", "Longitude": "NaN", "Latitude": "inf", "Listing_Date": "2/30/2020"})
def test_register_rows_with_any_text_give_located_problems(values: dict[str, str]) -> None:
    row = {**npl_row(), **values}
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "npl.csv"
        with path.open("w", encoding="utf-8", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=list(row))
            writer.writeheader()
            writer.writerow(row)
        result = map_table(map_npl, path, values)
    if result is None:
        return
    assert result.rows_read == 1
    assert_located(result.problems, "npl.csv")
    assert all(p.location.row in (None, 2) for p in result.problems)
