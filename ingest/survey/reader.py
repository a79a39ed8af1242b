"""Read a filled survey: an XLSX workbook, or a ZIP or folder of CSV files (one per sheet).

Headers and sheet titles are recognised in any of the template's languages (or by their stable keys), so a
French template filled in and sent back reads like an English one. Every value keeps its location (file,
sheet, row, column header, cell). Whole-file faults raise ``SourceError``; cell faults become ``Problem``s.
"""

from __future__ import annotations

import csv
import io
import warnings
import zipfile
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path, PurePosixPath

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from ingest.records import Problem, SourceError, SourceLocation
from ingest.survey.schema import (
    EXAMPLE_MARK,
    HEADER_ROW,
    HELP_ROW,
    LANGUAGES,
    LISTS_SHEET,
    README_SHEET,
    SHEETS,
    Sheet,
    header,
    header_index,
    help_texts,
    normalize,
    sheet_index,
    sheet_title,
)
from ingest.survey.values import Raw, text_of

MAX_UNCOMPRESSED_BYTES = 50 * 1024 * 1024
MAX_ARCHIVE_MEMBERS = 1000
IGNORED_SHEETS = frozenset({normalize(README_SHEET), normalize(LISTS_SHEET)})
DAMAGED = "the workbook is damaged and cannot be read; open it in Excel, save it again as .xlsx and resend it"
EXPECTED = "expected an Excel workbook (.xlsx) or a ZIP archive or folder of CSV files made from the SRKG template"


@dataclass(frozen=True)
class Cell:
    value: Raw
    ref: str  # spreadsheet cell reference, e.g. "D7"
    location: SourceLocation


@dataclass(frozen=True)
class Row:
    sheet: str  # the sheet's stable key
    location: SourceLocation  # file, sheet title as written, row number
    cells: dict[str, Cell]  # column key → cell (columns present in the file)

    def value(self, key: str) -> Raw:
        cell = self.cells.get(key)
        return cell.value if cell is not None else None

    def text(self, key: str) -> str:
        return text_of(self.value(key))

    def location_of(self, key: str, header_text: str | None = None) -> SourceLocation:
        cell = self.cells.get(key)
        if cell is not None:
            return cell.location
        return SourceLocation(self.location.file, self.location.sheet, self.location.row, header_text or key)


@dataclass
class SheetData:
    key: str
    title: str  # as written in the file (for CSV: the member file name)
    headers: dict[str, str]  # column key → header as written
    rows: list[Row] = field(default_factory=list)


@dataclass
class SurveyData:
    file: str
    language: str  # the template language the headers are written in
    sheets: dict[str, SheetData]
    problems: list[Problem] = field(default_factory=list)

    @property
    def rows_read(self) -> int:
        return sum(len(s.rows) for s in self.sheets.values())


@dataclass(frozen=True)
class _Formula:
    text: str


@dataclass(frozen=True)
class _ErrorValue:
    code: str


@dataclass
class _Grid:
    """One sheet as raw values: its title as written and rows of cell values (row numbers from 1)."""

    title: str  # as written: the sheet title, or the CSV member's file name
    rows: list[list[object]]
    csv: bool = False

    @property
    def name(self) -> str:
        """The name matched against sheet titles and keys (a CSV file's name without '.csv')."""
        return PurePosixPath(self.title).stem if self.csv else self.title


def read_survey(path: Path, name: str | None = None, *, include_examples: bool = False) -> SurveyData:
    """Read a survey file (XLSX, ZIP of CSV, or folder of CSV). ``name`` is the file name shown in messages."""
    file = name or path.name
    problems: list[Problem] = []
    grids = _csv_folder(path, file, problems) if path.is_dir() else _open_file(path, file, problems)
    return _assemble(file, grids, problems, include_examples)


# ---------------------------------------------------------------------------------------------------------
# File types
# ---------------------------------------------------------------------------------------------------------
def _open_file(path: Path, file: str, problems: list[Problem]) -> list[_Grid]:
    where = SourceLocation(file)
    with path.open("rb") as handle:
        magic = handle.read(8)
    if magic.startswith(b"\xd0\xcf\x11\xe0"):
        raise SourceError(where, "this is an Excel 97-2003 (.xls) file or a password-protected workbook; "
                                 "save it as an unprotected Excel workbook (.xlsx) and resend it")
    if not magic.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        suffix = path.suffix.lower()
        if suffix in (".xlsx", ".xlsm"):
            raise SourceError(where, DAMAGED)
        if suffix in (".csv", ".txt", ".tsv"):
            raise SourceError(where, "a single CSV file cannot hold the survey: send a ZIP archive (or folder) "
                                     "with one CSV file per sheet, as written by 'srkg template --format csv'")
        what = "a PDF document" if magic.startswith(b"%PDF") else f"a '{suffix or 'unknown'}' file"
        raise SourceError(where, f"wrong file type: this is {what}; {EXPECTED}")
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        raise SourceError(where, DAMAGED) from None
    with archive:
        members = _checked_members(archive, where)
        names = {m.filename for m in members}
        if "xl/workbook.xml" in names:
            return _xlsx(path, file)
        csv_members = [m for m in members if _is_csv_member(m.filename)]
        if csv_members:
            return _csv_zip(archive, csv_members, file, problems)
        raise SourceError(where, f"wrong file type: this is {_zip_kind(archive, names)}; {EXPECTED}")


def _checked_members(archive: zipfile.ZipFile, where: SourceLocation) -> list[zipfile.ZipInfo]:
    """The archive's members, refusing archives that would unpack to too much (zip bombs)."""
    members = archive.infolist()
    if len(members) > MAX_ARCHIVE_MEMBERS:
        raise SourceError(where, f"the archive holds {len(members)} files, more than the {MAX_ARCHIVE_MEMBERS} "
                                 "allowed; it is refused")
    total = sum(m.file_size for m in members)
    if total > MAX_UNCOMPRESSED_BYTES:
        raise SourceError(where, f"the archive would unpack to {total // (1024 * 1024)} MB, more than the "
                                 f"{MAX_UNCOMPRESSED_BYTES // (1024 * 1024)} MB allowed; it is refused")
    return members


def _zip_kind(archive: zipfile.ZipFile, names: set[str]) -> str:
    if "mimetype" in names and b"opendocument.spreadsheet" in archive.read("mimetype"):
        return "an OpenDocument spreadsheet (.ods): save it as an Excel workbook (.xlsx)"
    if "word/document.xml" in names:
        return "a Word document"
    if "ppt/presentation.xml" in names:
        return "a PowerPoint presentation"
    return "a ZIP archive without a workbook or CSV files"


def _is_csv_member(name: str) -> bool:
    path = PurePosixPath(name)
    return path.suffix.lower() == ".csv" and not name.endswith("/") and "__MACOSX" not in path.parts


# ---------------------------------------------------------------------------------------------------------
# XLSX
# ---------------------------------------------------------------------------------------------------------
def _xlsx(path: Path, file: str) -> list[_Grid]:
    """Every sheet as raw values; formulas (data_only=False) and error values are kept as markers."""
    grids: list[_Grid] = []
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about extensions it does not read
            book = load_workbook(path, read_only=True, data_only=False, keep_links=False)
            try:
                for sheet in book.worksheets:
                    sheet.reset_dimensions()  # do not trust the stored size: read what is there
                    rows = [[_xlsx_value(cell) for cell in row] for row in sheet.iter_rows()]
                    grids.append(_Grid(sheet.title, rows))
            finally:
                book.close()
    except SourceError:
        raise
    except Exception as error:  # openpyxl raises many kinds (zip, XML, KeyError…) on a damaged file
        raise SourceError(SourceLocation(file), DAMAGED) from error
    return grids


def _xlsx_value(cell: object) -> object:
    value = getattr(cell, "value", None)
    kind = getattr(cell, "data_type", None)
    if value is None:
        return None
    if kind == "f":
        return _Formula(str(value))
    if kind == "e":
        return _ErrorValue(str(value))
    if kind == "n" and not isinstance(value, bool) and "%" in (getattr(cell, "number_format", "") or ""):
        return f"{(Decimal(repr(value)) * 100).normalize():f}%"  # a cell formatted as percent holds 0.45 for 45 %
    return value


# ---------------------------------------------------------------------------------------------------------
# CSV (ZIP or folder)
# ---------------------------------------------------------------------------------------------------------
def _csv_zip(
    archive: zipfile.ZipFile, members: list[zipfile.ZipInfo], file: str, problems: list[Problem]
) -> list[_Grid]:
    sources = [(PurePosixPath(m.filename).name, archive.read(m)) for m in members]
    return _csv_grids(sources, file, problems)


def _csv_folder(path: Path, file: str, problems: list[Problem]) -> list[_Grid]:
    files = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() == ".csv")
    if not files:
        raise SourceError(SourceLocation(file), f"the folder holds no CSV files; {EXPECTED}")
    total = sum(p.stat().st_size for p in files)
    if total > MAX_UNCOMPRESSED_BYTES:
        raise SourceError(SourceLocation(file), f"the CSV files total {total // (1024 * 1024)} MB, more than "
                                                f"the {MAX_UNCOMPRESSED_BYTES // (1024 * 1024)} MB allowed")
    return _csv_grids([(p.name, p.read_bytes()) for p in files], file, problems)


def _csv_grids(sources: Iterable[tuple[str, bytes]], file: str, problems: list[Problem]) -> list[_Grid]:
    grids: list[_Grid] = []
    for member, data in sources:
        if normalize(PurePosixPath(member).stem) in IGNORED_SHEETS:
            continue
        text, encoding = decode_text(data)
        if encoding is not None:
            problems.append(Problem(
                "Warning",
                f"the file is not UTF-8; it was read as {encoding}. Check the text, and save as CSV UTF-8 next time",
                SourceLocation(file, member),
            ))
        reader = csv.reader(io.StringIO(text), delimiter=_delimiter(text))
        try:
            rows = [[_csv_value(v) for v in row] for row in reader]
        except csv.Error as error:  # e.g. a cell longer than the csv module's field limit (131,072 characters)
            raise SourceError(SourceLocation(file, member, reader.line_num),
                              f"this CSV file cannot be read: {error}") from None
        grids.append(_Grid(member, rows, csv=True))
    return grids


def _csv_value(text: str) -> object:
    text = text.strip()
    if not text:
        return None
    if text.startswith("=") and len(text) > 1:
        return _Formula(text)
    return text


def _delimiter(text: str) -> str:
    first = text.split("\n", 1)[0]
    counts = {d: first.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def decode_text(data: bytes) -> tuple[str, str | None]:
    """Text of a CSV file and, when it was not UTF-8, the encoding used: GB18030 for Chinese-looking bytes,
    else Windows-1252, else Latin-1."""
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError:
        pass
    if _looks_chinese(data):
        return data.decode("gb18030"), "GB18030 (GBK)"
    try:
        return data.decode("cp1252"), "Windows-1252 (Latin-1)"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "Latin-1 (ISO-8859-1)"


def _looks_chinese(data: bytes) -> bool:
    """Decodes as GB18030 and nearly all two-byte characters lie in the GB2312 area (both bytes ≥ 0xA1);
    Latin-1 text rarely does, because its accented letters sit between ASCII letters."""
    try:
        data.decode("gb18030")
    except UnicodeDecodeError:
        return False
    pairs = gb2312 = 0
    i = 0
    while i < len(data):
        if data[i] < 0x80:
            i += 1
            continue
        if i + 1 < len(data) and 0x30 <= data[i + 1] <= 0x39:  # four-byte GB18030 sequence
            i += 4
            continue
        pairs += 1
        gb2312 += data[i] >= 0xA1 and i + 1 < len(data) and data[i + 1] >= 0xA1
        i += 2
    return pairs > 0 and gb2312 >= 0.9 * pairs


# ---------------------------------------------------------------------------------------------------------
# Sheets, headers, rows
# ---------------------------------------------------------------------------------------------------------
@dataclass
class _Matched:
    sheet: Sheet
    grid: _Grid
    columns: dict[int, str]  # 0-based column index → column key
    headers: dict[str, str]  # column key → header as written
    unknown: dict[int, str]  # columns whose header is not in the template


def _assemble(file: str, grids: list[_Grid], problems: list[Problem], include_examples: bool) -> SurveyData:
    votes: Counter[str] = Counter()
    matched: dict[str, _Matched] = {}
    for grid in grids:
        key, lang = sheet_index().get(normalize(grid.name), (None, None))
        if key is None:
            if normalize(grid.name) not in IGNORED_SHEETS:
                problems.append(Problem("Warning", "this sheet is not part of the SRKG template; it is not read",
                                        SourceLocation(file, grid.title)))
            continue
        if key in matched:
            raise SourceError(SourceLocation(file, grid.title),
                              f"two sheets hold the same part of the survey: '{matched[key].grid.title}' and "
                              f"'{grid.title}'; keep one")
        if lang:
            votes[lang] += 1
        matched[key] = _match_headers(file, key, grid, votes)
    language = max(LANGUAGES, key=lambda lang: (votes[lang], -LANGUAGES.index(lang)))
    _check_complete(file, matched, language)
    sheets: dict[str, SheetData] = {}
    for sheet in SHEETS:
        m = matched[sheet.key]
        problems.extend(_column_warnings(file, m))
        rows = list(_rows(file, m, problems, include_examples))
        sheets[sheet.key] = SheetData(sheet.key, m.grid.title, m.headers, rows)
    return SurveyData(file, language, sheets, problems)


def _match_headers(file: str, key: str, grid: _Grid, votes: Counter[str]) -> _Matched:
    sheet = next(s for s in SHEETS if s.key == key)
    header_cells = grid.rows[HEADER_ROW - 1] if len(grid.rows) >= HEADER_ROW else []
    columns: dict[int, str] = {}
    headers: dict[str, str] = {}
    unknown: dict[int, str] = {}
    index = header_index(key)
    for i, raw in enumerate(header_cells):
        written = text_of(raw) if not isinstance(raw, _Formula | _ErrorValue) else ""
        if not written:
            continue
        column_key, langs = index.get(normalize(written), (None, frozenset()))
        if column_key is None:
            unknown[i] = written
            continue
        if column_key in headers:
            first = get_column_letter(next(c for c, k in columns.items() if k == column_key) + 1)
            raise SourceError(SourceLocation(file, grid.title, HEADER_ROW, written),
                              f"the column '{written}' appears twice (columns {first} and "
                              f"{get_column_letter(i + 1)}); keep one")
        columns[i] = column_key
        headers[column_key] = written
        votes.update(langs)
    return _Matched(sheet, grid, columns, headers, unknown)


def _check_complete(file: str, matched: dict[str, _Matched], language: str) -> None:
    missing = [s for s in SHEETS if s.key not in matched]
    if missing:
        names = ", ".join(f"'{sheet_title(s.key, language)}'" for s in missing)
        plural = "sheets" if len(missing) > 1 else "sheet"
        raise SourceError(SourceLocation(file),
                          f"missing {plural} {names}; keep every sheet of the SRKG template, even when empty")
    for sheet in SHEETS:
        m = matched[sheet.key]
        absent = [c for c in sheet.required_columns if c.key not in m.headers]
        if absent:
            names = ", ".join(f"'{header(sheet.key, c.key, language)}'" for c in absent)
            which = "columns" if len(absent) > 1 else "column"
            them = "them" if len(absent) > 1 else "it"
            raise SourceError(SourceLocation(file, m.grid.title),
                              f"missing required {which} {names}; restore {them} from the SRKG template")


def _column_warnings(file: str, m: _Matched) -> Iterator[Problem]:
    for written in m.unknown.values():
        yield Problem("Warning", "this column is not part of the SRKG template; its values are not read",
                      SourceLocation(file, m.grid.title, HEADER_ROW, written))
    named = set(m.columns) | set(m.unknown)
    width = max((len(r) for r in m.grid.rows), default=0)
    for i in range(width):
        if i not in named and any(i < len(r) and not _blank(r[i]) for r in m.grid.rows[HEADER_ROW:]):
            yield Problem("Warning", f"column {get_column_letter(i + 1)} has no header; its values are not read",
                          SourceLocation(file, m.grid.title, HEADER_ROW))


def _rows(file: str, m: _Matched, problems: list[Problem], include_examples: bool) -> Iterator[Row]:
    first_column = m.sheet.columns[0].key
    for number, values in enumerate(m.grid.rows, start=1):
        if number <= HEADER_ROW:
            continue
        present = {m.columns[i]: (i, raw) for i, raw in enumerate(values) if i in m.columns and not _blank(raw)}
        if not present:
            continue
        if number == HELP_ROW and _is_help_row(m.sheet.key, [raw for _, raw in present.values()]):
            continue
        location = SourceLocation(file, m.grid.title, number)
        first = present.get(first_column, (0, None))[1]
        if isinstance(first, str) and first.strip().startswith(EXAMPLE_MARK) and not include_examples:
            problems.append(Problem("Info", f"example row (first cell starts with {EXAMPLE_MARK}); not read",
                                    location))
            continue
        cells: dict[str, Cell] = {}
        for key, (i, raw) in present.items():
            ref = f"{get_column_letter(i + 1)}{number}"
            where = SourceLocation(file, m.grid.title, number, m.headers[key])
            if isinstance(raw, _Formula):
                problems.append(Problem("Violation", f"cell {ref} contains a formula; paste values", where,
                                        value=raw.text))
                continue
            if isinstance(raw, _ErrorValue):
                problems.append(Problem("Violation", f"cell {ref} shows the error {raw.code}; enter a value",
                                        where))
                continue
            cells[key] = Cell(raw, ref, where)
        yield Row(m.sheet.key, location, cells)


def _blank(raw: object) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def _is_help_row(sheet_key: str, values: list[object]) -> bool:
    texts = [normalize(text_of(v)) for v in values if isinstance(v, str)]
    known = help_texts(sheet_key)
    return bool(texts) and sum(t in known for t in texts) * 2 >= len(values)
