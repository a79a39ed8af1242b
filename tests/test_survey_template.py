"""The survey definition, its translations, and the XLSX/CSV templates written from it."""

from __future__ import annotations

import zipfile
from collections.abc import Iterable
from pathlib import Path

import pytest
from openpyxl import load_workbook
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS
from rdflib.term import Node
from survey_support import FIRST_DATA_ROW, template_copy

from ingest.namespaces import SRKG, scheme_iri
from ingest.paths import examples_dir
from ingest.provenance import describe_file
from ingest.reconcile import default_reconciler
from ingest.survey.mapping import SPECIAL_COLUMNS, map_survey
from ingest.survey.reader import read_survey
from ingest.survey.schema import (
    EXAMPLE_MARK,
    EXAMPLE_ROW,
    HEADER_ROW,
    HELP_ROW,
    LANGUAGES,
    LISTS_SHEET,
    README_SHEET,
    SHEETS,
    ColumnType,
    Kind,
    header,
    help_text,
    labels,
    normalize,
    sheet_title,
    vocab_schemes,
)
from ingest.survey.template import term_display, vocab_lists, write_template
from ingest.vocabulary import default_vocabulary
from sparql_api.cli import main

EXCEL_FORBIDDEN = set(":\\/?*[]")


# --- the definition and its texts ---------------------------------------------------------------------------
def test_every_sheet_and_column_has_texts_in_all_six_languages() -> None:
    texts = labels()
    for sheet in SHEETS:
        assert set(texts["sheets"][sheet.key]) == set(LANGUAGES)
        assert set(texts["sheet_help"][sheet.key]) == set(LANGUAGES)
        assert set(texts["columns"][sheet.key]) == {c.key for c in sheet.columns}
        for column in sheet.columns:
            entry = texts["columns"][sheet.key][column.key]
            for part in ("header", "help"):
                assert set(entry[part]) == set(LANGUAGES), (sheet.key, column.key, part)
                assert all(text.strip() for text in entry[part].values()), (sheet.key, column.key, part)
    for key, entry in texts["phrases"].items():
        assert set(entry) == set(LANGUAGES), key


def test_sheet_titles_are_valid_excel_names_and_unique_in_every_language() -> None:
    for lang in LANGUAGES:
        titles = [sheet_title(s.key, lang) for s in SHEETS]
        assert len({normalize(t) for t in titles} | {normalize(README_SHEET), normalize(LISTS_SHEET)}) == len(
            titles) + 2, lang
        for title in titles:
            assert len(title) <= 31 and not EXCEL_FORBIDDEN & set(title), title


def test_a_header_names_one_column_whatever_the_language() -> None:
    """Headers are matched in any language, so no header may name two columns of a sheet in two languages."""
    for sheet in SHEETS:
        owner: dict[str, str] = {}
        for column in sheet.columns:
            for name in [column.key] + [header(sheet.key, column.key, lang) for lang in LANGUAGES]:
                assert owner.setdefault(normalize(name), column.key) == column.key, (sheet.key, name)


def test_column_types_are_well_formed_and_their_schemes_exist() -> None:
    vocabulary = default_vocabulary()
    for sheet in SHEETS:
        for column in sheet.columns:
            assert ColumnType.parse(str(column.type)) == column.type
    for scheme in vocab_schemes():
        assert vocabulary.subjects_in_scheme(scheme_iri(scheme)), scheme
    assert vocab_schemes()[:4] == ["country", "technology", "barrier", "site-type"]


def test_every_column_is_mapped() -> None:
    """A column without a property is handled by code in the mapper; the mapper names exactly those."""
    unmapped = {(s.key, c.key) for s in SHEETS for c in s.columns if c.prop is None}
    assert unmapped <= SPECIAL_COLUMNS
    assert all(any(s.key == sk and ck in s.columns_by_key for s in SHEETS) for sk, ck in SPECIAL_COLUMNS)


def test_help_text_says_required_and_type() -> None:
    sheet = next(s for s in SHEETS if s.key == "outcomes")
    assert help_text("outcomes", sheet.column("pollutant"), "fr") == (
        "Obligatoire. Polluant mesuré. [choisir dans la liste]")
    assert help_text("outcomes", sheet.column("reduction_percent"), "en") == (
        "Reduction in percent, 0 to 100. [percent, 0-100]")
    assert help_text("cases", next(s for s in SHEETS if s.key == "cases").column("pollutants"), "zh") == (
        "必填。 关注的污染物。 [从列表中选择；多个用 ; 分隔]")


# --- drop-down lists ----------------------------------------------------------------------------------------
def test_lists_use_the_language_and_fall_back_to_english() -> None:
    fr, zh = vocab_lists("fr"), vocab_lists("zh")
    assert "France" in fr["country"] and "法国" in zh["country"]
    assert "cadmium" in fr["pollutant"] and "镉" in zh["pollutant"]
    assert "field scale" in zh["scale"]  # no Chinese label: English
    assert "mg/kg" in fr["unit"] and "EUR" in zh["currency"]  # units and currencies by symbol/code
    assert fr["boolean"] == ("oui", "non") and zh["boolean"] == ("是", "否")
    assert len(zh["country"]) == 252 and len(fr["technology"]) == 59


@pytest.mark.parametrize("lang", ["fr", "zh", "ar"])
def test_every_list_entry_reads_back_to_its_concept(lang: str) -> None:
    """What the drop-down offers, the reader accepts: each entry reconciles exactly to one concept of its scheme."""
    reconciler = default_reconciler()
    for scheme, entries in vocab_lists(lang).items():
        if scheme in ("boolean", "language"):
            continue
        members = set(default_vocabulary().subjects_in_scheme(scheme_iri(scheme)))
        found = set()
        for entry in entries:
            result = reconciler.concept(scheme, entry)
            assert result.match is not None and result.match.method != "fuzzy", (scheme, entry, result)
            assert result.match.iri in members
            found.add(result.match.iri)
        assert found == members, scheme


# --- XLSX ---------------------------------------------------------------------------------------------------
def test_xlsx_template_layout_french(tmp_path: Path) -> None:
    book = load_workbook(template_copy(tmp_path, "fr"))
    titles = [sheet_title(s.key, "fr") for s in SHEETS]
    assert book.sheetnames == [README_SHEET, *titles, LISTS_SHEET]
    assert book[LISTS_SHEET].sheet_state == "hidden"
    ws = book["Résultats"]
    assert [c.value for c in ws[HEADER_ROW]][:4] == ["Identifiant du cas", "Polluant", "Métrique", "Milieu"]
    assert ws.cell(HELP_ROW, 2).value == "Obligatoire. Polluant mesuré. [choisir dans la liste]"
    assert ws.freeze_panes == "B3"
    assert ws.cell(HEADER_ROW, 2).fill.fgColor.rgb.endswith("F8CBAD")  # required
    assert ws.cell(HEADER_ROW, 4).fill.fgColor.rgb.endswith("DDEBF7")  # optional
    example = [c.value for c in ws[EXAMPLE_ROW]]
    assert example[:4] == ["EXAMPLE-EGY-1", "cadmium", "removal percentage", "sol"]
    validations = {str(dv.sqref): dv.formula1 for dv in ws.data_validations.dataValidation}
    lists = book[LISTS_SHEET]
    pollutant_column = [c.value for c in lists[1]].index("pollutant") + 1
    letter = lists.cell(1, pollutant_column).column_letter
    assert validations["B3:B1003"] == f"'lists'!${letter}$2:${letter}${len(vocab_lists('fr')['pollutant']) + 1}"
    assert "manganèse" in [c.value for c in lists[letter]]
    readme = book[README_SHEET]
    assert readme["A1"].value == "Enquête SRKG : études de cas de remédiation des sols"
    assert any(c.value == "Version du modèle" for c in readme["A"])


def test_arabic_template_is_right_to_left(tmp_path: Path) -> None:
    book = load_workbook(write_template(tmp_path / "ar.xlsx", "ar"))
    assert book["دراسات الحالة"].sheet_view.rightToLeft
    assert book["دراسات الحالة"].cell(HEADER_ROW, 1).value == "معرّف الحالة"


def test_example_rows_reproduce_the_egyptian_case(tmp_path: Path) -> None:
    """The example rows of cases, technologies and outcomes are the real kenaf/flax case: read back, they give
    the facts of examples/cases/egy-sahl-el-husseiniya-kenaf-flax.ttl."""
    path = template_copy(tmp_path, "zh")
    data = read_survey(path, include_examples=True)
    info = describe_file(path, "tests", key="x")
    result = map_survey(data, default_reconciler(), submission_key="x", source_file=info.file_iri)
    truth = Graph().parse(examples_dir() / "cases" / "egy-sahl-el-husseiniya-kenaf-flax.ttl")
    ours = URIRef("https://w3id.org/srkg/id/case/x-example-egy-1")
    theirs = URIRef("https://w3id.org/srkg/id/case/egy-sahl-el-husseiniya-kenaf-flax")
    for prop in (DCTERMS.title, DCTERMS.source, DCTERMS.license, SRKG.pollutant, SRKG.treatedMedium, SRKG.scale,
                 SRKG.natureBasedCategory, SRKG.outcomeSummary):
        assert _texts(result.graph.objects(ours, prop)) == _texts(truth.objects(theirs, prop)), prop
    assert result.graph.value(ours, DCTERMS.title).language == "en"
    site, their_site = result.graph.value(ours, SRKG.site), truth.value(theirs, SRKG.site)
    for prop in (SRKG.country, SRKG.siteType, SRKG.landUseBefore, SRKG.locationDescription):
        assert set(result.graph.objects(site, prop)) == set(truth.objects(their_site, prop)), prop
    step, their_step = (g.value(c, SRKG.technologyApplication) for g, c in ((result.graph, ours), (truth, theirs)))
    for prop in (SRKG.technology, SRKG.role, SRKG.organismName, SRKG.amendment, SRKG.applicationDescription):
        assert set(result.graph.objects(step, prop)) == set(truth.objects(their_step, prop)), prop
    outcome = result.graph.value(ours, SRKG.outcome)
    cadmium = truth.value(predicate=SRKG.statedAs, object=Literal("Kenaf removal efficiency: Cd 14.43%"))
    for prop in (SRKG.pollutant, SRKG.metric, SRKG.medium, SRKG.statedAs, SRKG.reductionPercent):
        assert set(result.graph.objects(outcome, prop)) == set(truth.objects(cadmium, prop)), prop


def _texts(terms: Iterable[Node]) -> set[str]:
    return {str(t) for t in terms}


def test_example_rows_are_skipped_when_reading(tmp_path: Path) -> None:
    data = read_survey(template_copy(tmp_path, "fr"))
    assert data.language == "fr" and data.rows_read == 0
    assert [str(p) for p in data.problems][1] == (
        "Info: survey-fr.xlsx, sheet 'Études de cas', row 3: example row (first cell starts with EXAMPLE); "
        "not read")
    assert all(p.severity == "Info" for p in data.problems) and len(data.problems) == len(SHEETS)
    assert FIRST_DATA_ROW == EXAMPLE_ROW + 1 and EXAMPLE_MARK == "EXAMPLE"


# --- CSV ----------------------------------------------------------------------------------------------------
def test_csv_zip_has_one_utf8_bom_file_per_sheet(tmp_path: Path) -> None:
    path = write_template(tmp_path / "survey-es.zip", "es", "csv")
    with zipfile.ZipFile(path) as archive:
        names = sorted(archive.namelist())
        cases = archive.read("cases.csv")
    assert names == sorted([f"{s.key}.csv" for s in SHEETS] + ["lists.csv", "README.txt"])
    assert cases.startswith(b"\xef\xbb\xbf")
    first_line = cases.decode("utf-8-sig").split("\r\n")[0]
    assert first_line.startswith("Identificador del caso,Título,Idioma de los textos,Fuente,Licencia,País")
    data = read_survey(path)
    assert data.language == "es" and data.rows_read == 0 and len(data.problems) == len(SHEETS)


def test_csv_folder_reads_back(tmp_path: Path) -> None:
    folder = write_template(tmp_path / "survey-ru", "ru", "csv")
    assert (folder / "outcomes.csv").is_file() and (folder / "README.txt").is_file()
    data = read_survey(folder, include_examples=True)
    assert data.language == "ru"
    row = data.sheets["outcomes"].rows[0]
    assert row.location.sheet == "outcomes.csv" and row.location.row == EXAMPLE_ROW
    assert row.cells["reduction_percent"].location.column == "Снижение (%)"
    assert row.value("reduction_percent") == "14.43"


# --- command line -------------------------------------------------------------------------------------------
def test_cli_writes_the_template(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "survey-fr.xlsx"
    assert main(["template", "--lang", "fr", "--format", "xlsx", "-o", str(out)]) == 0
    assert capsys.readouterr().err == f"srkg template: wrote {out} (xlsx, fr)\n"
    assert load_workbook(out, read_only=True).sheetnames[1] == "Répondant"
    zipped = tmp_path / "survey-zh.zip"
    assert main(["template", "--lang", "zh", "--format", "csv", "-o", str(zipped)]) == 0
    assert zipfile.is_zipfile(zipped)


def test_cli_reports_an_unwritable_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "missing" / "survey.xlsx"
    assert main(["template", "--lang", "en", "-o", str(out)]) == 2
    assert capsys.readouterr().err.startswith(f"srkg template: cannot write {out}: ")


def test_term_display_uses_symbols_for_units() -> None:
    vocabulary = default_vocabulary()
    assert term_display(URIRef("http://qudt.org/vocab/unit/HA"), "unit", "zh", vocabulary) == "ha"
    assert term_display(URIRef("https://w3id.org/srkg/vocab/country/EGY"), "country", "ar", vocabulary) == "مصر"
    assert Kind.VOCAB.value == "vocab"
