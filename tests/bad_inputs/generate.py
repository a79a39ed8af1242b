"""Generators for the bad inputs too big (or too binary) to commit: each writes one file into ``directory``.

The manifest names them with ``generator = "NAME"``; ``GENERATORS[NAME](directory)`` returns the file's path.
Everything is built in well under a second (zip bombs are made of zeros, which deflate ~1000:1).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path

from openpyxl import Workbook, load_workbook

MB = 1024 * 1024
LISTENER = "@@LISTENER@@"  # replaced by the test with the URL of a socket that must never be contacted


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def _small_workbook() -> bytes:
    book = Workbook()
    book.active.append(["Case ID", "Title"])
    book.active.append(["CHN-1", "Hunan"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def xlsx_zip_bomb(directory: Path) -> Path:
    """A workbook whose one sheet unpacks to 120 MB of zeros (about 120 KB on disk)."""
    with zipfile.ZipFile(directory / "bomb.xlsx", "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("xl/workbook.xml", b"<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            block = b"\0" * MB
            for _ in range(120):
                member.write(block)
    return directory / "bomb.xlsx"


def xlsx_zip_bomb_lying_sizes(directory: Path) -> Path:
    """A 60 MB sheet whose zip headers claim 1 KB: the size check passes, so unpacking must stop at the claim."""
    path = directory / "lying-bomb.xlsx"
    _zip(path, {"xl/workbook.xml": b"<workbook/>", "xl/worksheets/sheet1.xml": b"\0" * (60 * MB)})
    data = bytearray(path.read_bytes())
    name = b"xl/worksheets/sheet1.xml"
    for signature, size_at, name_at in ((b"PK\x03\x04", 22, 30), (b"PK\x01\x02", 24, 46)):
        start = 0
        while (start := data.find(signature, start)) >= 0:
            if data[start + name_at:start + name_at + len(name)] == name:
                data[start + size_at:start + size_at + 4] = (1024).to_bytes(4, "little")
            start += 4
    path.write_bytes(bytes(data))
    return path


def xlsx_many_members(directory: Path) -> Path:
    """A workbook archive with 1,500 members (archive-of-many-files bombs)."""
    members = {f"xl/media/image{i}.png": b"" for i in range(1500)}
    return _zip(directory / "many-members.xlsx", {"xl/workbook.xml": b"<workbook/>", **members})


def xlsx_truncated(directory: Path) -> Path:
    """A real workbook cut in half (an interrupted download)."""
    data = _small_workbook()
    path = directory / "truncated.xlsx"
    path.write_bytes(data[: len(data) // 2])
    return path


def xlsx_central_directory_missing(directory: Path) -> Path:
    """A real workbook without its last 200 bytes: the zip's central directory is gone."""
    data = _small_workbook()
    path = directory / "no-central-directory.xlsx"
    path.write_bytes(data[:-200])
    return path


def zip_without_workbook(directory: Path) -> Path:
    """A zip that is neither a workbook nor CSV sheets."""
    return _zip(directory / "holiday-photos.zip", {"IMG_0001.jpg": b"\xff\xd8\xff\xe0JFIF", "notes.txt": b"hi"})


def xlsx_xml_entity_bomb(directory: Path) -> Path:
    """A real workbook whose shared strings declare nested XML entities ("billion laughs" inside the zip)."""
    source = io.BytesIO(_small_workbook())
    entities = '<!ENTITY a "aaaaaaaaaa">' + "".join(
        f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(8))
    path = directory / "xml-entity-bomb.xlsx"
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for item in original.infolist():
            data = original.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                text = data.decode("utf-8")
                head, _, rest = text.partition("?>")
                text = f'{head}?><!DOCTYPE worksheet [{entities}]>{rest}'.replace(">Hunan<", ">&i;<")
                data = text.encode("utf-8")
            archive.writestr(item, data)
    return path


def _survey_with(directory: Path, name: str, column_key: str, value: object) -> Path:
    """The corrected two-case test workbook with one column of every case overwritten."""
    from fixtures.submissions.workbooks import FIRST_DATA_ROW, LANG, fixed_workbook

    from ingest.survey.schema import HEADER_ROW, header, sheet_title

    scratch = directory / "scratch"
    scratch.mkdir()
    book = load_workbook(fixed_workbook(scratch))
    sheet = book[sheet_title("cases", LANG)]
    columns = {cell.value: cell.column for cell in sheet[HEADER_ROW] if cell.value}
    for row in range(FIRST_DATA_ROW, sheet.max_row + 1):
        if sheet.cell(row, 1).value:  # every case, so that nothing of the file is acceptable
            sheet.cell(row, columns[header("cases", column_key, LANG)], value)
    target = directory / name
    book.save(target)
    return target


def xlsx_formula(directory: Path) -> Path:
    return _survey_with(directory, "formula.xlsx", "area", "=SUM(1,2)")


def xlsx_ambiguous_thousands(directory: Path) -> Path:
    return _survey_with(directory, "ambiguous-number.xlsx", "area", "1,500")


def xlsx_nul_in_cell(directory: Path) -> Path:
    """A workbook whose XML holds a NUL character reference (Excel never writes one; XML 1.0 forbids it)."""
    source = io.BytesIO(_small_workbook())
    path = directory / "nul-in-cell.xlsx"
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for item in original.infolist():
            data = original.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b">Hunan<", b">Hu&#0;nan<")
            archive.writestr(item, data)
    return path


def csv_zip_gbk_formulas(directory: Path) -> Path:
    """The test workbook's sheets as CSV files in GBK/GB18030 (Chinese Windows), with a formula in every case."""
    import csv

    book = load_workbook(_survey_with(directory / "..", f"{directory.name}-source.xlsx", "area", "=SUM(1,2)"))
    path = directory / "survey-sheets-gbk.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for sheet in book.worksheets:
            text = io.StringIO()
            rows = sheet.iter_rows(values_only=True)
            csv.writer(text).writerows([["" if value is None else value for value in row] for row in rows])
            chinese = text.getvalue().replace("Hunan", "\u6e56\u5357\u7701")  # 湖南省
            archive.writestr(f"{sheet.title}.csv", chinese.encode("gb18030"))  # GBK, and the few signs it lacks
    return path


def ttl_huge_literal(directory: Path) -> Path:
    """One 10 MB literal."""
    path = directory / "huge-literal.ttl"
    with path.open("wb") as out:
        out.write(b'<http://bad-inputs.test/a> <http://bad-inputs.test/p> "')
        out.write(b"x" * (10 * MB))
        out.write(b'" .\n')
    return path


def ttl_literal_over_parser_buffer(directory: Path) -> Path:
    """One 20 MB literal: more than pyoxigraph's 16 MiB token buffer (no server takes a body this big here)."""
    path = directory / "twenty-megabyte-literal.ttl"
    with path.open("wb") as out:
        out.write(b'<http://bad-inputs.test/a> <http://bad-inputs.test/p> "')
        out.write(b"x" * (20 * MB))
        out.write(b'" .\n')
    return path


def jsonld_huge_literal(directory: Path) -> Path:
    path = directory / "huge-literal.jsonld"
    path.write_bytes(b'{"@id": "http://bad-inputs.test/a", "http://bad-inputs.test/p": "' + b"y" * (10 * MB) + b'"}')
    return path


def ttl_deep_nesting(directory: Path) -> Path:
    """50,000 nested blank nodes (a parser that recurses would blow its stack)."""
    path = directory / "deep-nesting.ttl"
    depth = 50_000
    opening = b"[ <http://bad-inputs.test/p> " * depth
    path.write_bytes(b"<http://bad-inputs.test/a> <http://bad-inputs.test/p> " + opening + b"]" * (depth - 1) + b" .\n")
    return path


def rdfxml_quadratic_blowup(directory: Path) -> Path:
    """One flat 100 KB entity referenced 300 times: no nesting, yet 30 MB once expanded."""
    entity = "x" * 100_000
    path = directory / "quadratic-blowup.rdf"
    path.write_text(
        f'<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [<!ENTITY big "{entity}">]>\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://bad-inputs.test/">'
        f'<rdf:Description rdf:about="http://bad-inputs.test/a"><ex:p>{"&big;" * 300}</ex:p></rdf:Description>'
        "</rdf:RDF>\n", encoding="utf-8")
    return path


def body_60mb(directory: Path) -> Path:
    """60 MB of zeros, over every size limit (sent with and without a declared Content-Length)."""
    path = directory / "sixty-megabytes.xlsx"
    with path.open("wb") as out:
        out.truncate(60 * MB)
    return path


def query_1mb(directory: Path) -> Path:
    """A 1 MB query: a long filter of alternatives that never closes its brace."""
    path = directory / "one-megabyte.rq"
    alternatives = " || ".join(f'?o = "{i:07d}"' for i in range(1 * MB // 16))
    path.write_text(f"SELECT * WHERE {{ ?s ?p ?o FILTER({alternatives})\n", encoding="utf-8")
    return path


def login_huge_field(directory: Path) -> Path:
    path = directory / "huge-login.txt"
    path.write_text("username=" + "a" * 200_000 + "&password=x&csrf_token=forged", encoding="utf-8")
    return path


GENERATORS: dict[str, Callable[[Path], Path]] = {
    f.__name__: f
    for f in (
        xlsx_zip_bomb, xlsx_zip_bomb_lying_sizes, xlsx_many_members, xlsx_truncated, xlsx_central_directory_missing,
        zip_without_workbook, xlsx_xml_entity_bomb, xlsx_formula, xlsx_ambiguous_thousands, xlsx_nul_in_cell,
        csv_zip_gbk_formulas, ttl_huge_literal, ttl_literal_over_parser_buffer, jsonld_huge_literal, ttl_deep_nesting,
        rdfxml_quadratic_blowup, body_60mb, query_1mb, login_huge_field,
    )
}
