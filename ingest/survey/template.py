"""Write the survey template from the schema: an XLSX workbook, or CSV files (a ZIP, or a folder).

XLSX: a README sheet, one sheet per entity (header row, help row, example row; frozen panes; required
headers coloured; drop-down lists), and a hidden 'lists' sheet with the vocabulary labels in the chosen
language (English where a term has no label in it). CSV: the same sheets as ``{sheet key}.csv`` (UTF-8 with
BOM), plus ``lists.csv`` and ``README.txt``.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable
from functools import cache
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation
from rdflib import SKOS, URIRef

from ingest.namespaces import scheme_iri
from ingest.survey.schema import (
    EXAMPLE_ROW,
    HEADER_ROW,
    HELP_ROW,
    LANGUAGES,
    LISTS_SHEET,
    README_SHEET,
    SCHEMA_VERSION,
    SHEETS,
    Column,
    Kind,
    Sheet,
    header,
    help_text,
    phrase,
    sheet_help,
    sheet_title,
    vocab_schemes,
)
from ingest.vocabulary import Vocabulary, default_vocabulary

FORMATS = ("xlsx", "csv")
DATA_ROWS = 1000  # rows given drop-down lists
NOTATION_SCHEMES = frozenset({"unit", "currency"})  # listed by symbol or code (mg/kg, EUR), not by name
BOOLEAN_LIST = "boolean"
LANGUAGE_LIST = "language"
REQUIRED_FILL = PatternFill("solid", fgColor="F8CBAD")
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
HELP_FONT = Font(italic=True, color="595959", size=9)
EXAMPLE_FONT = Font(italic=True, color="2F5597")
README_TEXTS = ("readme.intro", "readme.rows", "readme.lists", "readme.values", "readme.required", "readme.open",
                "readme.translation")


def write_template(path: Path, lang: str, fmt: str = "xlsx", vocabulary: Vocabulary | None = None) -> Path:
    """Write the template in ``lang`` as ``fmt`` ('xlsx', or 'csv': a ZIP when ``path`` ends in .zip, else a
    folder). Returns ``path``."""
    if lang not in LANGUAGES:
        raise ValueError(f"language {lang!r} is not one of {', '.join(LANGUAGES)}")
    if fmt not in FORMATS:
        raise ValueError(f"format {fmt!r} is not one of {', '.join(FORMATS)}")
    vocabulary = vocabulary or default_vocabulary()
    if fmt == "xlsx":
        build_workbook(lang, vocabulary).save(path)
    elif path.suffix.lower() == ".zip":
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, data in csv_files(lang, vocabulary).items():
                archive.writestr(name, data)
    else:
        path.mkdir(parents=True, exist_ok=True)
        for name, data in csv_files(lang, vocabulary).items():
            (path / name).write_bytes(data)
    return path


# ---------------------------------------------------------------------------------------------------------
# Lists and example values
# ---------------------------------------------------------------------------------------------------------
def list_name(column: Column) -> str | None:
    """The drop-down list a column uses, if any."""
    if column.type.kind is Kind.VOCAB:
        return column.type.scheme
    if column.type.kind is Kind.BOOLEAN:
        return BOOLEAN_LIST
    if column.type.kind is Kind.LANGUAGE:
        return LANGUAGE_LIST
    return None


def term_display(iri: URIRef, scheme: str, lang: str, vocabulary: Vocabulary) -> str:
    """How a term appears in lists and examples: its symbol/code for units and currencies, else its label."""
    if scheme in NOTATION_SCHEMES:
        for _, predicate, obj in vocabulary.triples(str(iri)):
            if predicate == SKOS.notation:
                return str(obj)
    return vocabulary.label(str(iri), lang) or str(iri)


@cache
def _lists(lang: str, vocabulary: Vocabulary) -> dict[str, tuple[str, ...]]:
    lists: dict[str, tuple[str, ...]] = {}
    for scheme in vocab_schemes():
        shown = {term_display(t, scheme, lang, vocabulary) for t in vocabulary.subjects_in_scheme(scheme_iri(scheme))}
        lists[scheme] = tuple(sorted(shown, key=lambda s: (s.casefold(), s)))
    lists[BOOLEAN_LIST] = (phrase("yes", lang), phrase("no", lang))
    lists[LANGUAGE_LIST] = LANGUAGES
    return lists


def vocab_lists(lang: str, vocabulary: Vocabulary | None = None) -> dict[str, tuple[str, ...]]:
    """Every drop-down list (scheme slug, 'boolean', 'language') with its entries in ``lang``."""
    return _lists(lang, vocabulary or default_vocabulary())


def example_values(sheet: Sheet, lang: str, vocabulary: Vocabulary) -> list[object]:
    """The sheet's example row, with vocabulary values shown as in the drop-down lists of ``lang``."""
    values: list[object] = []
    for column in sheet.columns:
        example = column.example
        if isinstance(example, tuple):
            scheme = column.type.scheme or ""
            values.append("; ".join(term_display(t, scheme, lang, vocabulary) for t in example))
        elif column.type.kind is Kind.BOOLEAN and isinstance(example, bool):
            values.append(phrase("yes" if example else "no", lang))
        else:
            values.append(example)
    return values


def readme_lines(lang: str) -> list[tuple[str, str]]:
    """The README as (first column, second column) lines."""
    lines = [(phrase("readme.title", lang), ""), ("", "")]
    lines += [(phrase(key, lang), "") for key in README_TEXTS]
    lines += [("", ""), (phrase("readme.sheets", lang), "")]
    lines += [(sheet_title(s.key, lang), sheet_help(s.key, lang)) for s in SHEETS]
    lines += [("", ""), (phrase("readme.version", lang), f"{SCHEMA_VERSION} ({lang})")]
    return lines


# ---------------------------------------------------------------------------------------------------------
# XLSX
# ---------------------------------------------------------------------------------------------------------
def build_workbook(lang: str, vocabulary: Vocabulary | None = None) -> Workbook:
    vocabulary = vocabulary or default_vocabulary()
    lists = _lists(lang, vocabulary)
    book = Workbook()
    readme = book.active
    readme.title = README_SHEET
    _fill_readme(readme, lang)
    list_columns = _fill_lists(book.create_sheet(LISTS_SHEET), lists)
    for sheet in SHEETS:
        _fill_sheet(book.create_sheet(sheet_title(sheet.key, lang)), sheet, lang, vocabulary, lists, list_columns)
    book.move_sheet(LISTS_SHEET, offset=len(SHEETS))
    book.properties.title = phrase("readme.title", lang)
    book.properties.keywords = f"srkg-survey-template {SCHEMA_VERSION} {lang}"
    return book


def _fill_readme(ws, lang: str) -> None:
    for row, (first, second) in enumerate(readme_lines(lang), start=1):
        ws.cell(row, 1, first or None).alignment = Alignment(wrap_text=True, vertical="top")
        if second:
            ws.cell(row, 2, second).alignment = Alignment(wrap_text=True, vertical="top")
    ws["A1"].font = Font(bold=True, size=14)
    ws.column_dimensions["A"].width = 90
    ws.column_dimensions["B"].width = 70
    ws.sheet_view.rightToLeft = lang == "ar"


def _fill_lists(ws, lists: dict[str, tuple[str, ...]]) -> dict[str, str]:
    """One column per list (name in row 1, entries below); returns list name → absolute range formula."""
    ranges: dict[str, str] = {}
    for index, (name, entries) in enumerate(lists.items(), start=1):
        letter = get_column_letter(index)
        ws.cell(1, index, name)
        for row, entry in enumerate(entries, start=2):
            ws.cell(row, index, entry)
        ranges[name] = f"{quote_sheetname(LISTS_SHEET)}!${letter}$2:${letter}${len(entries) + 1}"
    ws.sheet_state = "hidden"
    return ranges


def _fill_sheet(ws, sheet: Sheet, lang: str, vocabulary: Vocabulary, lists: dict[str, tuple[str, ...]],
                list_ranges: dict[str, str]) -> None:
    example = example_values(sheet, lang, vocabulary)
    for index, column in enumerate(sheet.columns, start=1):
        letter = get_column_letter(index)
        head = ws.cell(HEADER_ROW, index, header(sheet.key, column.key, lang))
        head.font = Font(bold=True)
        head.fill = REQUIRED_FILL if column.required else HEADER_FILL
        head.alignment = Alignment(wrap_text=True, vertical="top")
        hint = ws.cell(HELP_ROW, index, help_text(sheet.key, column, lang))
        hint.font = HELP_FONT
        hint.alignment = Alignment(wrap_text=True, vertical="top")
        if example[index - 1] is not None:
            ws.cell(EXAMPLE_ROW, index, example[index - 1]).font = EXAMPLE_FONT
        ws.column_dimensions[letter].width = column.width
        name = list_name(column)
        if name is not None and lists[name]:
            ws.add_data_validation(_validation(list_ranges[name], column, lang, f"{letter}{EXAMPLE_ROW}:"
                                               f"{letter}{EXAMPLE_ROW + DATA_ROWS}"))
    ws.row_dimensions[HELP_ROW].height = 75
    ws.freeze_panes = ws.cell(EXAMPLE_ROW, 2)
    ws.sheet_view.rightToLeft = lang == "ar"


def _validation(formula: str, column: Column, lang: str, cells: str) -> DataValidation:
    """A drop-down list. Several values ('a; b') or codes ('FRA', 'Cd') are allowed, so a value outside the
    list only warns (single values) or passes (lists); the reader checks every value anyway."""
    validation = DataValidation(type="list", formula1=formula, allow_blank=True)
    validation.showErrorMessage = not column.type.many
    validation.errorStyle = "warning"
    validation.error = phrase(column.type.hint_key, lang)
    validation.add(cells)
    return validation


# ---------------------------------------------------------------------------------------------------------
# CSV
# ---------------------------------------------------------------------------------------------------------
def csv_files(lang: str, vocabulary: Vocabulary | None = None) -> dict[str, bytes]:
    """File name → UTF-8 (with BOM) content: one CSV per sheet, ``lists.csv`` and ``README.txt``."""
    vocabulary = vocabulary or default_vocabulary()
    files: dict[str, bytes] = {}
    for sheet in SHEETS:
        rows = [
            [header(sheet.key, c.key, lang) for c in sheet.columns],
            [help_text(sheet.key, c, lang) for c in sheet.columns],
            ["" if v is None else str(v) for v in example_values(sheet, lang, vocabulary)],
        ]
        files[f"{sheet.key}.csv"] = _csv_bytes(rows)
    lists = _lists(lang, vocabulary)
    files[f"{LISTS_SHEET}.csv"] = _csv_bytes([["list", "entry"]] + [[n, e] for n, es in lists.items() for e in es])
    text = "\n".join(f"{a}\t{b}".rstrip() for a, b in readme_lines(lang)) + "\n"
    files["README.txt"] = ("\ufeff" + text).encode("utf-8")
    return files


def _csv_bytes(rows: Iterable[list[str]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
