"""Read a pollutant cell written as the source names the pollutants: ``dioxins (TCDD)``, ``Cu;Zn;Pb``,
``obsolete pesticides incl. DDT (Marlate);dieldrin``, ``crude oil (TPH)``.

The cell is cut on ';' outside brackets. Each item is reconciled whole first ("benzo(a)pyrene" must stay one
name); when that fails it is taken apart, and each part is reconciled on its own:
1. brackets: ``head (inner) tail`` → head, every ';'/','-separated part of inner, and tail;
2. inclusions and origins: ``X incl. Y``, ``X including Y``, ``X e.g. Y``, ``X from Y`` → X and Y;
3. lists: ``X, Y``, ``X and Y``, ``X/Y``, ``X + Y`` (a '/' only splits text without digits, so 'g/kg' stays whole).
A part that still matches nothing is reported, never dropped and never guessed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from rdflib import URIRef

_INCLUSION = re.compile(r"\s+(?:incl\.?|including|e\.g\.|such as|from)\s+", re.IGNORECASE)
_LEADING_QUALIFIER = re.compile(
    r"^(?:incl\.?|including|e\.g\.|such as|esp\.|mainly|with|and|as|plus)\s+", re.IGNORECASE
)
_LIST = re.compile(r"\s*(?<!\d),\s*|\s*,(?!\d)\s*|\s+and\s+|\s+\+\s+|\s*/\s*")
_LIST_NO_SLASH = re.compile(r"\s*(?<!\d),\s*|\s*,(?!\d)\s*|\s+and\s+|\s+\+\s+")

Resolve = Callable[[str], URIRef | None]


@dataclass
class ItemReading:
    """What one ';'-item of a pollutant cell gave: accepted parts and the parts nothing matched."""

    item: str
    matched: list[tuple[str, URIRef]] = field(default_factory=list)
    unmatched: list[str] = field(default_factory=list)


def split_top_level(text: str, separators: str = ";") -> list[str]:
    """Split on separators outside (), [] and {}; a comma between digits ("1,1,2,2-PCA") never splits."""
    parts: list[str] = []
    depth = 0
    current: list[str] = []
    for index, char in enumerate(text):
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth = max(0, depth - 1)
        between_digits = char == "," and 0 < index < len(text) - 1 and text[index - 1].isdigit() and (
            text[index + 1].isdigit()
        )
        if char in separators and depth == 0 and not between_digits:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return [p.strip() for p in parts if p.strip()]


def _strip(text: str) -> str:
    text = text.strip().strip(".,;:-–+").strip()
    return _LEADING_QUALIFIER.sub("", text).strip()


def brackets(text: str) -> tuple[str, str, str] | None:
    """``head (inner) tail`` for the first top-level bracket pair, or None."""
    start = text.find("(")
    if start < 0:
        return None
    depth = 0
    for index in range(start, len(text)):
        if text[index] == "(":
            depth += 1
        elif text[index] == ")":
            depth -= 1
            if depth == 0:
                return text[:start], text[start + 1 : index], text[index + 1 :]
    return text[:start], text[start + 1 :], ""  # unclosed bracket: the rest is the inner part


def read_item(item: str, resolve: Resolve) -> ItemReading:
    reading = ItemReading(item)
    _read(item, resolve, reading)
    return reading


def _read(text: str, resolve: Resolve, reading: ItemReading) -> None:
    text = _strip(text)
    if not text:
        return
    iri = resolve(text)
    if iri is not None:
        reading.matched.append((text, iri))
        return
    bracketed = brackets(text)
    if bracketed is not None:
        head, inner, tail = bracketed
        for part in [head, *split_top_level(inner, ";,"), tail]:
            _read(part, resolve, reading)
        return
    for pattern in (_INCLUSION, _LIST if not re.search(r"\d", text) else _LIST_NO_SLASH):
        parts = [p for p in pattern.split(text) if p.strip()]
        if len(parts) > 1:
            for part in parts:
                _read(part, resolve, reading)
            return
    reading.unmatched.append(text)


def read_cell(cell: str, resolve: Resolve) -> list[ItemReading]:
    """Every ';'-item of a pollutant cell, read as above."""
    return [read_item(item, resolve) for item in split_top_level(cell)]
