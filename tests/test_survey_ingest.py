"""Filled survey templates read and mapped to RDF; every kind of bad input gives one clear, located message."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from rdflib import RDF, Literal, URIRef
from rdflib.namespace import DCTERMS
from survey_support import (
    FIRST_DATA_ROW,
    SUBMISSION,
    Rows,
    complete_case,
    fill_xlsx,
    ingest,
    problems,
    shown,
    template_copy,
    unit,
    v,
    validate,
)

from ingest.namespaces import GEO, QUDT, QUDT_UNIT, SRKG, data_iri
from ingest.records import SourceError, SourceLocation
from ingest.survey.reader import decode_text, read_survey
from ingest.survey.schema import HEADER_ROW, SHEETS, header, sheet_title
from ingest.survey.template import write_template
from ingest.survey.values import CellError, parse_decimal

CASE = data_iri("case", f"{SUBMISSION}-c1")
OUTCOME = data_iri("outcome", f"{SUBMISSION}-c1-1")
XSD_DATE = URIRef("http://www.w3.org/2001/XMLSchema#date")
XSD_POSITIVE_INTEGER = URIRef("http://www.w3.org/2001/XMLSchema#positiveInteger")


def filled(tmp_path: Path, lang: str = "fr", change: Callable[[Rows], None] | None = None) -> Path:
    rows = complete_case(lang)
    if change is not None:
        change(rows)
    return fill_xlsx(template_copy(tmp_path, lang), lang, rows)


def violations(result) -> list[str]:
    return problems(result, "Violation")


# --- complete templates, filled in French and in Chinese ----------------------------------------------------
@pytest.mark.parametrize("lang", ["fr", "zh"])
def test_filled_template_ingests_and_conforms(tmp_path: Path, lang: str) -> None:
    path = filled(tmp_path, lang)
    data, result = ingest(path)
    assert data.language == lang
    assert problems(result) == []
    report = validate(path, result)
    assert report.conforms and report.findings == []
    g = result.graph
    assert g.value(CASE, DCTERMS.title).language == lang
    assert set(g.objects(CASE, SRKG.pollutant)) == set(v("pollutant", "cadmium", "lead"))
    site = data_iri("site", f"{SUBMISSION}-c1")
    assert g.value(site, SRKG.country) == v("country", "FRA")[0]
    assert g.value(g.value(site, GEO.hasGeometry), GEO.asWKT) == Literal("POINT(2.35 48.85)", datatype=GEO.wktLiteral)
    area = g.value(CASE, SRKG.areaTreated)
    assert (g.value(area, QUDT.numericValue), g.value(area, QUDT.unit)) == (Literal(Decimal("1.5")), QUDT_UNIT.HA)
    assert g.value(OUTCOME, SRKG.valueAfter) == Literal(Decimal("3.1"))
    assert g.value(OUTCOME, SRKG.targetMet) == Literal(False)
    assert g.value(data_iri("cost", f"{SUBMISSION}-c1-1"), SRKG.amount) == Literal(Decimal("120000"))
    assert len(set(g.objects(CASE, SRKG.assessment))) == 3
    surf = data_iri("assessment", f"{SUBMISSION}-c1-1")
    assert g.value(surf, SRKG.assessmentDate) == Literal("2015-03-01", datatype=XSD_DATE)
    assert len(set(g.objects(surf, SRKG.indicatorResult))) == 2
    assert set(g.objects(CASE, SRKG.barrierMet)) == set(v("barrier", "tim-01", "eco-01"))
    response = data_iri("response", SUBMISSION)
    assert g.value(response, SRKG.reportsCase) == CASE
    # provenance down to the row
    cases_sheet = sheet_title("cases", lang)
    assert result.case_rows == {CASE: SourceLocation(path.name, cases_sheet, FIRST_DATA_ROW)}
    record = g.value(OUTCOME, SRKG.derivedFromRecord)
    assert g.value(record, SRKG.sheetName) == Literal(sheet_title("outcomes", lang))
    assert g.value(record, SRKG.rowNumber) == Literal(FIRST_DATA_ROW, datatype=XSD_POSITIVE_INTEGER)
    assert result.row_resources[SourceLocation(path.name, sheet_title("outcomes", lang), FIRST_DATA_ROW)] == [
        OUTCOME]
    assert all((s, SRKG.derivedFromRecord, None) in g for s in g.subjects(RDF.type) if s != record
               and (s, RDF.type, SRKG.SourceRecord) not in g)
    # every vocabulary cell reconciled and recorded, none fuzzily
    assert len(result.matches) == 38
    assert {m.method for m in result.matches} <= {"code", "exact label"}
    assert result.rows_read == 12


def test_ingest_is_stable(tmp_path: Path) -> None:
    path = filled(tmp_path)
    first, second = ingest(path)[1].graph, ingest(path)[1].graph
    assert set(first) == set(second)


def test_csv_folder_filled_in_spanish_ingests(tmp_path: Path) -> None:
    folder = write_template(tmp_path / "encuesta", "es", "csv")
    for sheet_key, records in complete_case("es").items():
        _append_csv(folder / f"{sheet_key}.csv", "es", sheet_key, records)
    _, result = ingest(folder)
    assert problems(result) == []
    assert validate(folder, result).conforms
    assert result.graph.value(CASE, DCTERMS.title) == Literal("Fitoextracción de cadmio en suelos agrícolas",
                                                              lang="es")
    assert result.case_rows[CASE] == SourceLocation("encuesta", "cases.csv", FIRST_DATA_ROW)


def test_headers_are_read_in_any_language(tmp_path: Path) -> None:
    """A French template whose respondent retyped some headers in English or Spanish reads the same."""
    path = filled(tmp_path)
    book = load_workbook(path)
    book["Résultats"].cell(HEADER_ROW, 2).value = "Pollutant"
    book["Résultats"].cell(HEADER_ROW, 5).value = "valor antes "
    book.save(path)
    data, result = ingest(path)
    assert data.language == "fr" and problems(result) == []
    assert result.graph.value(OUTCOME, SRKG.valueBefore) == Literal(Decimal("5.2"))
    assert data.sheets["outcomes"].headers["value_before"] == "valor antes"


# --- wrong file type, damaged or oversized files --------------------------------------------------------------
@pytest.mark.parametrize(("name", "content", "message"), [
    ("survey.pdf", b"%PDF-1.7\n...", "survey.pdf: wrong file type: this is a PDF document; expected an Excel "
     "workbook (.xlsx) or a ZIP archive or folder of CSV files made from the SRKG template"),
    ("survey.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500), "survey.xls: this is an Excel 97-2003 "
     "(.xls) file or a password-protected workbook; save it as an unprotected Excel workbook (.xlsx) and resend it"),
    ("cases.csv", b"Case id,Title\nC1,x\n", "cases.csv: a single CSV file cannot hold the survey: send a ZIP "
     "archive (or folder) with one CSV file per sheet, as written by 'srkg template --format csv'"),
    ("survey.xlsx", b"Case id;Title\n", "survey.xlsx: the workbook is damaged and cannot be read; open it in "
     "Excel, save it again as .xlsx and resend it"),
])
def test_wrong_file_type(tmp_path: Path, name: str, content: bytes, message: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(SourceError) as caught:
        read_survey(path)
    assert str(caught.value) == message


def test_word_document_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "survey.docx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    with pytest.raises(SourceError) as caught:
        read_survey(path)
    assert str(caught.value) == ("survey.docx: wrong file type: this is a Word document; expected an Excel workbook "
                                 "(.xlsx) or a ZIP archive or folder of CSV files made from the SRKG template")


def test_truncated_xlsx_is_damaged(tmp_path: Path) -> None:
    path = filled(tmp_path)
    path.write_bytes(path.read_bytes()[:5000])
    with pytest.raises(SourceError) as caught:
        read_survey(path)
    assert str(caught.value) == ("survey-fr.xlsx: the workbook is damaged and cannot be read; open it in Excel, "
                                 "save it again as .xlsx and resend it")


def test_xlsx_with_broken_sheet_xml_is_damaged(tmp_path: Path) -> None:
    source = filled(tmp_path)
    path = tmp_path / "broken.xlsx"
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(path, "w") as new:
        for item in old.infolist():
            data = old.read(item)
            new.writestr(item, b"<worksheet><sheetData><row" if item.filename.endswith("sheet3.xml") else data)
    with pytest.raises(SourceError) as caught:
        read_survey(path)
    assert caught.value.location == SourceLocation("broken.xlsx")
    assert caught.value.message.startswith("the workbook is damaged and cannot be read")


def test_zip_bomb_is_refused_before_unpacking(tmp_path: Path) -> None:
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", bytes(51 * 1024 * 1024))
    assert path.stat().st_size < 200_000
    with pytest.raises(SourceError) as caught:
        read_survey(path)
    assert str(caught.value) == ("bomb.xlsx: the archive would unpack to 51 MB, more than the 50 MB allowed; it is "
                                 "refused")


# --- missing sheets and columns -------------------------------------------------------------------------------
def test_missing_sheet(tmp_path: Path) -> None:
    path = filled(tmp_path)
    book = load_workbook(path)
    del book["Coûts"]
    del book["Étapes réalisées"]
    book.save(path)
    with pytest.raises(SourceError) as caught:
        read_survey(path)
    assert str(caught.value) == ("survey-fr.xlsx: missing sheets 'Coûts', 'Étapes réalisées'; keep every sheet of "
                                 "the SRKG template, even when empty")


def test_missing_required_column(tmp_path: Path) -> None:
    path = filled(tmp_path)
    book = load_workbook(path)
    book["Résultats"].delete_cols(2)
    book.save(path)
    with pytest.raises(SourceError) as caught:
        read_survey(path)
    assert str(caught.value) == ("survey-fr.xlsx, sheet 'Résultats': missing required column 'Polluant'; restore "
                                 "it from the SRKG template")


def test_missing_optional_column_is_fine_and_extra_columns_are_reported(tmp_path: Path) -> None:
    path = filled(tmp_path)
    book = load_workbook(path)
    ws = book["Résultats"]
    ws.delete_cols(14)  # 'Tel que déclaré' (optional)
    ws.cell(HEADER_ROW, 20, "Commentaire")
    ws.cell(FIRST_DATA_ROW, 21, "valeur sans en-tête")
    book.create_sheet("Feuil1")
    book.save(path)
    data, result = ingest(path)
    assert problems(result) == [
        "Warning: survey-fr.xlsx, sheet 'Feuil1': this sheet is not part of the SRKG template; it is not read",
        "Warning: survey-fr.xlsx, sheet 'Résultats', row 1, column 'Commentaire': this column is not part of the "
        "SRKG template; its values are not read",
        "Warning: survey-fr.xlsx, sheet 'Résultats', row 1: column U has no header; its values are not read",
    ]
    assert "stated_as" not in data.sheets["outcomes"].headers


def test_duplicate_column(tmp_path: Path) -> None:
    path = filled(tmp_path)
    book = load_workbook(path)
    book["Coûts"].cell(HEADER_ROW, 10, "Amount")
    book.save(path)
    with pytest.raises(SourceError) as caught:
        read_survey(path)
    assert str(caught.value) == ("survey-fr.xlsx, sheet 'Coûts', row 1, column 'Amount': the column 'Amount' "
                                 "appears twice (columns B and J); keep one")


# --- text encodings -------------------------------------------------------------------------------------------
def test_gbk_csv_is_read_with_a_warning(tmp_path: Path) -> None:
    folder = write_template(tmp_path / "survey-zh", "zh", "csv")
    for sheet_key, records in complete_case("zh").items():
        _append_csv(folder / f"{sheet_key}.csv", "zh", sheet_key, records)
    cases = folder / "cases.csv"
    cases.write_bytes(cases.read_bytes().decode("utf-8-sig").encode("gbk"))
    data, result = ingest(folder)
    assert problems(result) == [
        "Warning: survey-zh, sheet 'cases.csv': the file is not UTF-8; it was read as GB18030 (GBK). Check the "
        "text, and save as CSV UTF-8 next time"]
    assert result.graph.value(CASE, DCTERMS.title) == Literal("农田镉污染植物提取修复", lang="zh")
    assert data.sheets["cases"].headers["case_id"] == "案例编号"


def test_latin1_csv_in_a_zip_is_read_with_a_warning(tmp_path: Path) -> None:
    folder = write_template(tmp_path / "folder", "fr", "csv")
    for sheet_key, records in complete_case("fr").items():
        _append_csv(folder / f"{sheet_key}.csv", "fr", sheet_key, records)
    path = tmp_path / "enquête.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for member in sorted(folder.iterdir()):
            data = member.read_bytes()
            if member.name == "technologies.csv":
                data = data.decode("utf-8-sig").encode("cp1252")
            archive.writestr(f"enquête/{member.name}", data)
    data, result = ingest(path)
    assert problems(result) == [
        "Warning: enquête.zip, sheet 'technologies.csv': the file is not UTF-8; it was read as Windows-1252 "
        "(Latin-1). Check the text, and save as CSV UTF-8 next time"]
    assert data.sheets["technologies"].headers["biomass_fate"] == "Devenir de la biomasse"


# --- cell values ----------------------------------------------------------------------------------------------
def test_comma_decimals_and_thousands_separators(tmp_path: Path) -> None:
    def change(rows: Rows) -> None:
        rows["outcomes"][0].update(value_before="12,5", value_after="1.250,75", target_value="12,5,3")
        rows["costs"][0].update(amount="1,250")
    _, result = ingest(filled(tmp_path, change=change))
    assert violations(result) == [
        "Violation: survey-fr.xlsx, sheet 'Résultats', row 4, column 'Valeur cible': not a number: write digits "
        "with at most one decimal separator, e.g. 12.5 or 12,5 (value: '12,5,3')",
        "Violation: survey-fr.xlsx, sheet 'Coûts', row 4, column 'Montant': ambiguous number: write 1250 "
        "(thousands) or 1.250 (decimal) (value: '1,250')",
    ]
    g = result.graph
    assert g.value(OUTCOME, SRKG.valueBefore) == Literal(Decimal("12.5"))
    assert g.value(OUTCOME, SRKG.valueAfter) == Literal(Decimal("1250.75"))
    assert (OUTCOME, SRKG.targetValue, None) not in g
    assert (data_iri("cost", f"{SUBMISSION}-c1-1"), SRKG.amount, None) not in g


def test_qualified_values_keep_their_qualifier(tmp_path: Path) -> None:
    def change(rows: Rows) -> None:
        rows["outcomes"][0].update(value_after="< 0,5", value_before="≥12")
    _, result = ingest(filled(tmp_path, change=change))
    assert violations(result) == []
    g = result.graph
    assert (g.value(OUTCOME, SRKG.valueAfter), g.value(OUTCOME, SRKG.valueAfterQualifier)) == (
        Literal(Decimal("0.5")), Literal("<"))
    assert g.value(OUTCOME, SRKG.valueBeforeQualifier) == Literal("≥")


def test_missing_units(tmp_path: Path) -> None:
    def change(rows: Rows) -> None:
        del rows["outcomes"][0]["unit"]
        del rows["cases"][0]["area_unit"]
        del rows["assessment"][3]["unit"]
    _, result = ingest(filled(tmp_path, change=change))
    assert violations(result) == [
        "Violation: survey-fr.xlsx, sheet 'Études de cas', row 4, column 'Unité de surface': the unit of 'Surface "
        "traitée' is missing; choose it from the list (the value is not loaded)",
        "Violation: survey-fr.xlsx, sheet 'Résultats', row 4, column 'Unité': the unit of 'Valeur avant', 'Valeur "
        "après', 'Valeur cible' is missing; choose it from the list (the values are not loaded)",
        "Violation: survey-fr.xlsx, sheet 'Évaluation de durabilité', row 7, column 'Unité': the unit of 'Valeur' "
        "is missing; choose it from the list (the value is not loaded)",
    ]
    g = result.graph
    assert (OUTCOME, SRKG.valueBefore, None) not in g and (CASE, SRKG.areaTreated, None) not in g


def test_percentages_over_100(tmp_path: Path) -> None:
    def change(rows: Rows) -> None:
        rows["outcomes"][0].update(reduction_percent="120 %")
        rows["outcomes"].append(dict(rows["outcomes"][0], pollutant=v("pollutant", "lead"), value_before=150,
                                     unit=unit("PERCENT"), reduction_percent=None))
    path = filled(tmp_path, change=change)
    book = load_workbook(path)
    cell = book["Évaluation de durabilité"].cell(7, 7)  # 'Valeur' of the M&W-2 row, in percent
    cell.value, cell.number_format = 1.35, "0%"
    book.save(path)
    _, result = ingest(path)
    assert violations(result) == [
        "Violation: survey-fr.xlsx, sheet 'Résultats', row 4, column 'Réduction (%)': a percentage must be "
        "between 0 and 100 (value: '120 %')",
        "Violation: survey-fr.xlsx, sheet 'Résultats', row 5, column 'Valeur avant': a percentage must be between "
        "0 and 100 (value: '150')",
        "Violation: survey-fr.xlsx, sheet 'Évaluation de durabilité', row 7, column 'Valeur': a percentage must be "
        "between 0 and 100 (value: '135%')",
    ]
    assert (OUTCOME, SRKG.reductionPercent, None) not in result.graph


def test_future_years_and_dates(tmp_path: Path) -> None:
    def change(rows: Rows) -> None:
        rows["cases"][0].update(start_year=2031, end_year="2032")
        rows["costs"][0].update(price_year=2027)
        for row in rows["assessment"][:2]:
            row["date"] = datetime(2026, 12, 24)
    _, result = ingest(filled(tmp_path, change=change))
    assert violations(result) == [
        "Violation: survey-fr.xlsx, sheet 'Études de cas', row 4, column 'Année de début': the year 2031 is in the "
        "future (value: '2031')",
        "Violation: survey-fr.xlsx, sheet 'Études de cas', row 4, column 'Année de fin': the year 2032 is in the "
        "future (value: '2032')",
        "Violation: survey-fr.xlsx, sheet 'Coûts', row 4, column 'Année des prix': the year 2027 is in the future "
        "(value: '2027')",
        "Violation: survey-fr.xlsx, sheet 'Évaluation de durabilité', row 4, column 'Date de l'évaluation': the "
        "date 2026-12-24 is in the future (value: '2026-12-24')",
        "Violation: survey-fr.xlsx, sheet 'Évaluation de durabilité', row 5, column 'Date de l'évaluation': the "
        "date 2026-12-24 is in the future (value: '2026-12-24')",
    ]
    assert (CASE, SRKG.startYear, None) not in result.graph


def test_duplicate_rows(tmp_path: Path) -> None:
    def change(rows: Rows) -> None:
        rows["cases"].append(dict(rows["cases"][0], title="Autre cas", case_id="c1"))
        rows["outcomes"].append(dict(rows["outcomes"][0]))
        rows["barriers"].append(dict(rows["barriers"][0]))
    _, result = ingest(filled(tmp_path, change=change))
    assert problems(result) == [
        "Violation: survey-fr.xlsx, sheet 'Études de cas', row 5, column 'Identifiant du cas': Row not accepted: "
        "case id 'c1' is already used in row 4; give each case its own id (value: 'c1')",
        "Warning: survey-fr.xlsx, sheet 'Résultats', row 5: this row repeats row 4 exactly; it is loaded once",
        "Warning: survey-fr.xlsx, sheet 'Obstacles rencontrés', row 6: this row repeats row 4 exactly; it is loaded "
        "once",
    ]
    g = result.graph
    assert len(set(g.objects(CASE, SRKG.outcome))) == 1
    assert set(g.objects(CASE, DCTERMS.title)) == {Literal(complete_case("fr")["cases"][0]["title"], lang="fr")}


def test_formulas_instead_of_values(tmp_path: Path) -> None:
    path = filled(tmp_path)
    book = load_workbook(path)
    book["Résultats"]["E4"] = "=2*2.6"
    book["Études de cas"]["D4"] = '=HYPERLINK("https://example.org")'
    book.save(path)
    _, result = ingest(path)
    assert violations(result)[:2] == [
        "Violation: survey-fr.xlsx, sheet 'Études de cas', row 4, column 'Source': cell D4 contains a formula; "
        "paste values (value: '=HYPERLINK(\"https://example.org\")')",
        "Violation: survey-fr.xlsx, sheet 'Résultats', row 4, column 'Valeur avant': cell E4 contains a formula; "
        "paste values (value: '=2*2.6')",
    ]
    assert violations(result)[2:] == [
        "Violation: survey-fr.xlsx, sheet 'Études de cas', row 4, column 'Source': a value is required here"]
    assert (OUTCOME, SRKG.valueBefore, None) not in result.graph


def test_vocabulary_values_unmatched_ambiguous_and_fuzzy(tmp_path: Path) -> None:
    def change(rows: Rows) -> None:
        rows["cases"][0]["country"] = "Atlantide"
        rows["outcomes"][0]["pollutant"] = "cadmim"
        rows["costs"][0]["currency"] = "$"
    _, result = ingest(filled(tmp_path, change=change))
    found = {p.location.column: p for p in result.problems if p.severity in ("Violation", "Warning")}
    assert str(found["Pays"]).startswith(
        "Violation: survey-fr.xlsx, sheet 'Études de cas', row 4, column 'Pays': country 'Atlantide' not found in "
        "the vocabulary; left out (value: 'Atlantide') — did you mean: ")
    currencies = len(found["Devise"].suggestions)
    assert currencies > 1 and "US Dollar <https://w3id.org/srkg/vocab/currency/usd>" in str(found["Devise"])
    assert found["Devise"].message == f"currency '$' is ambiguous: it names {currencies} concepts; left out"
    assert str(found["Polluant"]) == (
        "Warning: survey-fr.xlsx, sheet 'Résultats', row 4, column 'Polluant': pollutant 'cadmim' taken as 'cadmium' "
        "by fuzzy match (score 0.92) (value: 'cadmim') — did you mean: "
        "cadmium <https://w3id.org/srkg/vocab/pollutant/cadmium>?")
    g = result.graph
    assert g.value(OUTCOME, SRKG.pollutant) == v("pollutant", "cadmium")[0]
    assert (data_iri("site", f"{SUBMISSION}-c1"), SRKG.country, None) not in g
    unmatched = next(m for m in result.matches if m.text == "Atlantide")
    assert unmatched.iri is None and unmatched.location.column == "Pays" and unmatched.suggestions


def test_rows_of_unknown_or_missing_cases(tmp_path: Path) -> None:
    def change(rows: Rows) -> None:
        rows["technologies"].append(dict(rows["technologies"][0], case_id="C9"))
        rows["checklist"].append({"stage": v("checklist-stage", "rap-05")})
    _, result = ingest(filled(tmp_path, change=change))
    assert violations(result) == [
        "Violation: survey-fr.xlsx, sheet 'Technologies appliquées', row 5, column 'Identifiant du cas': Row not "
        "accepted: case id 'C9' is not in the sheet 'Études de cas' (value: 'C9')",
        "Violation: survey-fr.xlsx, sheet 'Étapes réalisées', row 5, column 'Identifiant du cas': Row not "
        "accepted: the case id is missing",
    ]


def test_bad_booleans_urls_and_points(tmp_path: Path) -> None:
    def change(rows: Rows) -> None:
        rows["technologies"][0]["hyperaccumulator"] = "peut-être"
        rows["cases"][0].update(source="www.example.org", latitude="91", licence="10.1000/xyz")
    _, result = ingest(filled(tmp_path, change=change))
    assert violations(result) == [
        "Violation: survey-fr.xlsx, sheet 'Études de cas', row 4, column 'Source': not a web address: it must start "
        "with http:// or https:// (or be a DOI such as 10.1000/xyz) (value: 'www.example.org')",
        "Violation: survey-fr.xlsx, sheet 'Études de cas', row 4, column 'Latitude': a latitude must be between -90 "
        "and 90 (value: '91')",
        "Violation: survey-fr.xlsx, sheet 'Technologies appliquées', row 4, column 'Hyperaccumulatrice': answer yes "
        "or no (value: 'peut-être')",
    ]
    assert result.graph.value(CASE, DCTERMS.license) == URIRef("https://doi.org/10.1000/xyz")


def test_one_respondent_per_file(tmp_path: Path) -> None:
    def change(rows: Rows) -> None:
        rows["respondent"].append(dict(rows["respondent"][0], organisation="Autre"))
    _, result = ingest(filled(tmp_path, change=change))
    assert violations(result) == [
        "Violation: survey-fr.xlsx, sheet 'Répondant', row 5: Row not accepted: one respondent per file; send each "
        "respondent's answers in a file of their own"]


def test_a_criterion_from_another_framework(tmp_path: Path) -> None:
    def change(rows: Rows) -> None:
        rows["assessment"][2]["criterion"] = v("criterion", "env2")
    path = filled(tmp_path, change=change)
    _, result = ingest(path)
    assert violations(result) == [
        "Violation: survey-fr.xlsx, sheet 'Évaluation de durabilité', row 6, column 'Critère': the criterion 'Soil "
        "and ground conditions' belongs to the framework 'SuRF-UK sustainability assessment framework', not to "
        "'IUCN Global Standard for Nature-based Solutions (1st edition)' (value: 'Soil and ground conditions')"]


def test_validation_findings_point_back_to_the_row(tmp_path: Path) -> None:
    def change(rows: Rows) -> None:
        del rows["cases"][0]["scale"]
    path = filled(tmp_path, "zh", change)
    _, result = ingest(path)
    report = validate(path, result)
    assert [(f.severity, f.message, f.source_location) for f in report.findings] == [
        ("Warning", "The scale is missing (lab, pilot, field or full). Comparisons rank cases by scale reached.",
         "sheet '案例研究', row 4")]


# --- helpers ----------------------------------------------------------------------------------------------------
def _append_csv(path: Path, lang: str, sheet_key: str, records: list[dict[str, object]]) -> None:
    text = path.read_bytes().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    headers = rows[0]
    for record in records:
        line = [""] * len(headers)
        for key, value in record.items():
            shown_value = shown(sheet_key, key, value, lang)
            if isinstance(shown_value, datetime):
                shown_value = shown_value.date().isoformat()
            line[headers.index(header(sheet_key, key, lang))] = "" if shown_value is None else str(shown_value)
        rows.append(line)
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    path.write_bytes(("\ufeff" + buffer.getvalue()).encode("utf-8"))


def test_every_sheet_is_covered_by_the_complete_case() -> None:
    assert set(complete_case("fr")) == {s.key for s in SHEETS}


@pytest.mark.parametrize(("text", "expected"), [
    ("12,5", "12.5"), ("12.5", "12.5"), ("0,125", "0.125"), ("1 250,5", "1250.5"), ("1\u00a0250", "1250"),
    ("1.250,5", "1250.5"), ("1,250.5", "1250.5"), ("1,250,000", "1250000"), ("1.250.000", "1250000"),
    ("-3,5", "-3.5"), (14.43, "14.43"), (2e9, "2000000000"), (7, "7"),
    ("1,250", "ambiguous number: write 1250 (thousands) or 1.250 (decimal)"),
    ("12,5,3", "not a number: write digits with at most one decimal separator, e.g. 12.5 or 12,5"),
    ("12.5.3", "not a number: write digits with at most one decimal separator, e.g. 12.5 or 12,5"),
    ("12 mg", "not a number: write digits with at most one decimal separator, e.g. 12.5 or 12,5"),
    (True, "not a number: write digits with at most one decimal separator, e.g. 12.5 or 12,5"),
])
def test_number_parsing(text: object, expected: str) -> None:
    try:
        assert str(parse_decimal(text)) == expected  # type: ignore[arg-type]
    except CellError as error:
        assert error.message == expected


@pytest.mark.parametrize(("data", "text", "encoding"), [
    ("Étude, phytoextraction\n".encode("utf-8-sig"), "Étude, phytoextraction\n", None),
    ("标题,镉\n".encode("gbk"), "标题,镉\n", "GB18030 (GBK)"),
    ("Évaluation été,Métaleurop\n".encode("cp1252"), "Évaluation été,Métaleurop\n", "Windows-1252 (Latin-1)"),
    (b"caf\x81\n", "caf\x81\n", "Latin-1 (ISO-8859-1)"),
])
def test_text_encoding_detection(data: bytes, text: str, encoding: str | None) -> None:
    assert decode_text(data) == (text, encoding)
