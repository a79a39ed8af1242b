"""Reading a price year for a stated amount from a free-text cost note."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from ingest.sources.pollutant_text import split_top_level

_AMOUNT = re.compile(
    r"(?<![\w.])(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)\s*(millions?|mn|m|bn|billions?|thousand|k)?\b",
    re.IGNORECASE,
)
_YEAR = re.compile(r"(?<![\w.,/-])(19\d{2}|20\d{2})(?![\w/-]|,\d)")
_SCALE = {"million": 10**6, "millions": 10**6, "mn": 10**6, "m": 10**6, "bn": 10**9, "billion": 10**9,
          "billions": 10**9, "thousand": 10**3, "k": 10**3}


def amounts_in(text: str) -> set[Decimal]:
    """Every number in the text, scaled by a following 'million', 'm', 'bn', 'thousand' or 'k'."""
    found: set[Decimal] = set()
    for number, scale in _AMOUNT.findall(text):
        value = Decimal(number.replace(",", ""))
        found.add(value * _SCALE[scale.lower()] if scale else value)
    return found


def years_in(text: str) -> set[int]:
    """Four-digit years 1900…this year standing on their own ('c.2011' and '2010-2012' do not count)."""
    return {int(y) for y in _YEAR.findall(text) if int(y) <= date.today().year}


def price_year_for(amount: Decimal, note: str) -> tuple[int, str] | None:
    """(year, clause) when one ';'-clause of the note states this amount and exactly one year; else None."""
    for clause in split_top_level(note or "", ";"):
        years = years_in(clause)
        if len(years) == 1 and amount in amounts_in(clause):
            return years.pop(), clause
    return None
