"""Turn raw cell values (text from CSV, typed values from XLSX) into typed values, or say clearly why not."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal

from ingest.survey.schema import LIST_SEPARATORS, boolean_words, normalize

Raw = str | int | float | bool | date | datetime | Decimal | None


class CellError(ValueError):
    """A cell value that cannot be used; ``message`` speaks to the person who filled the sheet."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


NOT_A_NUMBER = "not a number: write digits with at most one decimal separator, e.g. 12.5 or 12,5"
GROUP_SPACES = "\u00a0\u202f\u2009 '’"
_INT = re.compile(r"[+-]?\d+")
_DOT_DECIMAL = re.compile(r"[+-]?\d*\.\d+")
_COMMA_DECIMAL = re.compile(r"[+-]?\d*,\d+")
_COMMA_GROUPS = re.compile(r"[+-]?\d{1,3}(,\d{3})+")
_DOT_GROUPS = re.compile(r"[+-]?\d{1,3}(\.\d{3})+")
_COMMA_GROUPS_DOT_DECIMAL = re.compile(r"[+-]?\d{1,3}(,\d{3})+\.\d+")
_DOT_GROUPS_COMMA_DECIMAL = re.compile(r"[+-]?\d{1,3}(\.\d{3})+,\d+")
_LANGUAGE = re.compile(r"[a-zA-Z]{2,3}(-[a-zA-Z0-9]{1,8})*")


def text_of(raw: Raw) -> str:
    """The cell as the user would read it (numbers without a spurious '.0')."""
    if raw is None:
        return ""
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    if isinstance(raw, datetime) and raw.time() == datetime.min.time():
        return raw.date().isoformat()
    if isinstance(raw, date):
        return raw.isoformat()
    return str(raw).strip()


def split_list(raw: Raw) -> list[str]:
    """Values of a multi-value cell, split on ';' (ASCII, full-width or Arabic), blanks dropped."""
    text = text_of(raw)
    parts = re.split(f"[{LIST_SEPARATORS}]", text)
    return [p.strip() for p in parts if p.strip()]


def parse_decimal(raw: Raw) -> Decimal:
    """A number: Excel numbers as they are; text with '.' or ',' decimals and thousands separators.

    "12,5" → 12.5; "1 250,5", "1.250,5" and "1,250.5" → 1250.5; "1,250" is ambiguous (1250 or 1.25) and
    "12,5,3" is not a number: both raise ``CellError``.
    """
    if isinstance(raw, bool | date):
        raise CellError(NOT_A_NUMBER)
    if isinstance(raw, int | Decimal):
        return Decimal(raw)
    if isinstance(raw, float):
        return Decimal(int(raw)) if raw.is_integer() else Decimal(repr(raw))
    text = text_of(raw)
    compact = re.sub(f"(?<=\\d)[{GROUP_SPACES}](?=\\d{{3}}(\\D|$))", "", text)
    if _INT.fullmatch(compact) or _DOT_DECIMAL.fullmatch(compact):
        return Decimal(compact)
    if _COMMA_DECIMAL.fullmatch(compact):
        whole, decimals = compact.split(",")
        if len(decimals) == 3 and whole.lstrip("+-") not in ("", "0"):
            raise CellError(
                f"ambiguous number: write {whole}{decimals} (thousands) or {whole}.{decimals} (decimal)"
            )
        return Decimal(f"{whole}.{decimals}")
    if _COMMA_GROUPS.fullmatch(compact) or _DOT_GROUPS.fullmatch(compact):
        return Decimal(compact.replace(",", "").replace(".", ""))
    if _COMMA_GROUPS_DOT_DECIMAL.fullmatch(compact):
        return Decimal(compact.replace(",", ""))
    if _DOT_GROUPS_COMMA_DECIMAL.fullmatch(compact):
        return Decimal(compact.replace(".", "").replace(",", "."))
    raise CellError(NOT_A_NUMBER)


QUALIFIERS = {"<": "<", "<=": "≤", "≤": "≤", ">": ">", ">=": "≥", "≥": "≥", "~": "~", "≈": "~"}
_QUALIFIED = re.compile(r"\s*(<=|>=|[<>≤≥~≈])\s*(\S.*)")


def split_qualifier(raw: Raw) -> tuple[str | None, Raw]:
    """'< 0.5' → ('<', '0.5'): a censored or approximate value's qualifier (<, ≤, >, ≥, ~) and its number."""
    found = _QUALIFIED.fullmatch(raw) if isinstance(raw, str) else None
    if found is None:
        return None, raw
    return QUALIFIERS[found.group(1)], found.group(2)


def parse_percent(raw: Raw) -> Decimal:
    """A percentage 0–100 ('45', '45 %', '45,5%'); more than 100 or negative raises ``CellError``."""
    text = raw.strip().rstrip("%％").strip() if isinstance(raw, str) else raw
    value = parse_decimal(text)
    if value < 0 or value > 100:
        raise CellError("a percentage must be between 0 and 100")
    return value


def parse_integer(raw: Raw) -> int:
    value = parse_decimal(raw)
    if value != value.to_integral_value():
        raise CellError("not a whole number")
    return int(value)


def parse_year(raw: Raw, today: date) -> int:
    """A four-digit year, not in the future."""
    if isinstance(raw, datetime | date):
        raise CellError("a year is four digits such as 2019, not a date")
    try:
        year = parse_integer(raw)
    except CellError:
        raise CellError("not a year: write four digits such as 2019") from None
    if not 1000 <= year <= 9999:
        raise CellError("not a year: write four digits such as 2019")
    if year > today.year:
        raise CellError(f"the year {year} is in the future")
    return year


def parse_date(raw: Raw, today: date) -> date:
    """An Excel date or ISO text 'YYYY-MM-DD', not in the future."""
    if isinstance(raw, datetime):
        value = raw.date()
    elif isinstance(raw, date):
        value = raw
    else:
        text = text_of(raw)
        try:
            value = date.fromisoformat(text) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text) else None
        except ValueError:
            value = None
        if value is None:
            raise CellError("not a date: write it as YYYY-MM-DD, e.g. 2021-06-30")
    if value > today:
        raise CellError(f"the date {value.isoformat()} is in the future")
    return value


def parse_boolean(raw: Raw) -> bool:
    if isinstance(raw, bool):
        return raw
    word = normalize(text_of(raw))
    if word in boolean_words():
        return boolean_words()[word]
    raise CellError("answer yes or no")


def parse_url(raw: Raw) -> str:
    """A web address; a DOI ('10.…' or 'doi:10.…') becomes its https://doi.org/ address."""
    text = text_of(raw)
    doi = re.fullmatch(r"(?:doi:\s*)?(10\.\d{4,9}/\S+)", text, flags=re.IGNORECASE)
    if doi:
        return f"https://doi.org/{doi.group(1)}"
    if re.fullmatch(r"https?://[^\s<>\"{}|\\^`]+", text):
        return text
    raise CellError("not a web address: it must start with http:// or https:// (or be a DOI such as 10.1000/xyz)")


def parse_language(raw: Raw) -> str:
    text = text_of(raw)
    if _LANGUAGE.fullmatch(text):
        return text.lower()
    raise CellError("not a language code: use a code such as en, fr, es, ru, zh or ar")
