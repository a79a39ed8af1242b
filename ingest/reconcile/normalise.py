"""Text normalisation for reconciliation: the keys under which labels are indexed and inputs looked up.

The same function always builds both sides (the vocabulary's label and the curator's text), so a rule here can
never make a label unreachable; it can only make two labels share a key, which the index reports as ambiguity.

``clean`` (every key starts here; case is kept)
    Unicode NFKC (full-width forms, ligatures such as "ﬁ", superscripts "²" → "2", "⁻¹" → "-1", the micro sign
    "µ" U+00B5 → Greek "μ" U+03BC, Arabic presentation forms → letters, no-break spaces → spaces); typographic
    apostrophes and quotes → ASCII; every dash and minus sign → "-"; control and format characters (zero-width
    space, soft hyphen, BOM) removed; runs of white space → one space; trimmed.

``fold`` — the key of names (labels in any language)
    ``clean``, then Unicode case-folding ("Straße" → "strasse"); accents removed **for Latin letters only**
    ("Côte" → "cote", "manganèse" → "manganese"), never from Cyrillic, Greek or Arabic letters, where the mark is
    part of the letter ("й" stays "й", "ё" stays "ё"); æ œ ø ł đ ð þ ı → ae oe o l d d th i; every punctuation
    character (Unicode category P*: . , ; : ' " - ( ) [ ] { } / …) → a space, so "in-situ" = "in situ",
    "benzo[a]pyrene" = "benzo(a)pyrene", "B(a)P" = "B[a]P", "Cs-137" = "Cs 137", "Côte d’Ivoire" = "Cote d'Ivoire".
    Symbols (category S*: $ € £ + < > ° ±) are kept, and a space next to a currency sign is dropped
    ("US $" = "US$"). A label made only of punctuation ("%") keeps its cleaned form.

``unit_key`` — the key of unit symbols (case is significant: "Mg" is a megagram, "mg" a milligram)
    ``clean``; "^" and "**" before an exponent dropped ("m^2" → "m2"); a simple unit expression — symbols joined
    by spaces, "·", "⋅", "*", "×" or a dot between letters, with optional signed integer exponents, or split by
    "/" or the word "per" — is rewritten in one canonical form "num·num/den·den": "mg kg-1", "mg.kg-1",
    "mg·kg⁻¹", "mg kg^-1", "mg per kg" and "mg/kg" all become "mg/kg". A leading "u" before g, l, L, m, M or mol
    is read as micro ("ug/g" → "μg/g"). Anything else ("gal (US)") keeps its cleaned form.

Chemical element symbols are matched **case-sensitively** (``is_symbol``): "Cd" is cadmium, but "CD" and "cd" are
not ("CO" is carbon monoxide, not cobalt; "As", "In", "Be" are words). Unmatched case variants are offered as
suggestions. All other names and acronyms ("TPH", "tph", "Tph") are case-insensitive.

CAS registry numbers (``cas_key``) must have their two hyphens and a valid check digit; an optional "CAS",
"CAS RN", "CAS No." prefix is allowed. UN M49 codes (``m49_key``) are 1–3 digits, zero-padded to three, because
spreadsheets drop the leading zeros of "004".

``is_slip`` decides which near-misses may become fuzzy matches: a swapped pair of letters or a missing or doubled
letter or space — never a changed letter, a digit, a word or the first two characters (see its docstring).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_QUOTES = {ord(c): "'" for c in "‘’‚‛′´`ʼʹ"} | {ord(c): '"' for c in "“”„‟″«»"}
_DASHES = {ord(c): "-" for c in "‐‑‒–—―−⁃﹘﹣"}
_LATIN_EXTRA = str.maketrans({"æ": "ae", "œ": "oe", "ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ı": "i"})
_SPACE = re.compile(r"\s+")


def clean(text: str) -> str:
    """NFKC, ASCII quotes and dashes, no control/format characters, single spaces, trimmed (case kept)."""
    s = unicodedata.normalize("NFKC", text).translate(_QUOTES).translate(_DASHES)
    if not s.isprintable():
        s = "".join(c if c.isprintable() or c.isspace() else "" for c in s)
    return _SPACE.sub(" ", s).strip()


@lru_cache(maxsize=4096)
def _is_latin(ch: str) -> bool:
    return ch.isascii() or unicodedata.name(ch, "").startswith("LATIN ")


def strip_latin_accents(text: str) -> str:
    """Remove combining marks that sit on Latin letters; keep those on any other script."""
    decomposed = unicodedata.normalize("NFD", text)
    if decomposed.isascii():
        return decomposed
    out: list[str] = []
    on_latin = False
    for ch in decomposed:
        if unicodedata.combining(ch):
            if not on_latin:
                out.append(ch)
        else:
            on_latin = _is_latin(ch)
            out.append(ch)
    return unicodedata.normalize("NFC", "".join(out))


class _PunctuationToSpace(dict):
    """A str.translate table mapping every punctuation character (Unicode category P*) to a space, built lazily."""

    def __missing__(self, code: int) -> int:
        value = 32 if unicodedata.category(chr(code))[0] == "P" else code
        self[code] = value
        return value


_PUNCTUATION_TO_SPACE = _PunctuationToSpace()


def fold(text: str) -> str:
    """The case-, accent- and punctuation-insensitive key of a name (see the module docstring)."""
    s = strip_latin_accents(clean(text).casefold()).translate(_LATIN_EXTRA)
    loose = s.translate(_PUNCTUATION_TO_SPACE)
    loose = _SPACE.sub(" ", loose).strip()
    if (" " in loose and not loose.isascii()) or "$" in loose:
        loose = _join_currency_signs(loose)
    return loose or s


def _join_currency_signs(text: str) -> str:
    """Drop the spaces next to a currency sign: "us $" → "us$"."""
    words = text.split(" ")
    out = words[0]
    for word in words[1:]:
        if (out and unicodedata.category(out[-1]) == "Sc") or unicodedata.category(word[0]) == "Sc":
            out += word
        else:
            out += " " + word
    return out


_EXPONENT_MARK = re.compile(r"\s*(?:\^|\*\*)\s*(?=[-+]?\d)")
_SLASH = re.compile(r"\s*/\s*")
_PRODUCT = re.compile(r"[\s·⋅*×]+|(?<=[A-Za-zμ])\.(?=[A-Za-zμ])")
_UNIT_TOKEN = re.compile(r"([A-Za-zμΩ°%‰]+)([-+]?\d+)?")
_MICRO = re.compile(r"u(?=(?:g|l|L|m|M|mol)$)")


def unit_key(text: str, *, fold_case: bool = False) -> str:
    """The case-sensitive key of a unit symbol: "mg kg-1", "mg.kg-1", "mg·kg⁻¹" → "mg/kg"; "ug/g" → "μg/g"."""
    s = clean(text)
    if fold_case:
        s = s.casefold()
    s = _SLASH.sub("/", _EXPONENT_MARK.sub("", s))
    numerator: list[tuple[str, int]] = []
    denominator: list[tuple[str, int]] = []
    for i, part in enumerate(s.split("/")):
        tokens = [t for t in _PRODUCT.split(part) if t]
        if not tokens:
            return s
        below = i > 0
        for token in tokens:
            if token.casefold() == "per" and (numerator or denominator):
                below = True
                continue
            match = _UNIT_TOKEN.fullmatch(token)
            if match is None:
                return s
            symbol = _MICRO.sub("μ", match.group(1))
            exponent = int(match.group(2) or 1)
            if below:
                exponent = -exponent
            if exponent > 0:
                numerator.append((symbol, exponent))
            elif exponent < 0:
                denominator.append((symbol, -exponent))
    if not numerator and not denominator:
        return s

    def render(factors: list[tuple[str, int]]) -> str:
        return "·".join(f"{sym}{exp if exp != 1 else ''}" for sym, exp in factors)

    top = render(numerator) if numerator else "1"
    return f"{top}/{render(denominator)}" if denominator else top


_SYMBOL = re.compile(r"[A-Z][a-z]?")


def is_symbol(label: str) -> bool:
    """A chemical-element-style symbol ("Cd", "P", "U"), matched case-sensitively."""
    return _SYMBOL.fullmatch(label) is not None


def has_lowercase(text: str) -> bool:
    return any(c.islower() for c in text)


def has_uppercase(text: str) -> bool:
    return any(c.isupper() for c in text)


_CAS = re.compile(r"(?:CAS(?:[ -]?(?:RN|No\.?|number|#))?\s*[:#]?\s*)?(\d{2,7})-(\d{2})-(\d)", re.IGNORECASE)


def cas_key(text: str) -> str | None:
    """ "7440-43-9" (or "CAS 7440-43-9") when ``text`` is a CAS registry number with a valid check digit."""
    match = _CAS.fullmatch(clean(text))
    if match is None:
        return None
    body = match.group(1) + match.group(2)
    if int(match.group(3)) != sum(int(d) * w for w, d in enumerate(reversed(body), start=1)) % 10:
        return None
    return f"{int(match.group(1))}-{match.group(2)}-{match.group(3)}"


_DIGITS = re.compile(r"\d{1,3}")


def m49_key(text: str) -> str | None:
    """A UN M49 code, zero-padded to three digits ("4" → "004"), or None."""
    s = clean(text)
    return s.zfill(3) if _DIGITS.fullmatch(s) and s.isascii() else None


def is_slip(typed: str, label: str) -> bool:
    """Whether folded ``typed`` differs from folded ``label`` by a slip of the keyboard, not by a different word.

    A slip is one adjacent transposition of two letters ("cadmuim"), or letters or spaces missing or doubled —
    one for names shorter than 10 characters, up to two for longer ones ("cadmim", "phytoextration",
    "viet nam"/"vietnam"). Never a changed letter ("trichloroethane" is not "trichloroethene", "Gambia" is not
    "Zambia"), never a digit ("PCB 15" / "PCB 153"), never an added word ("endosulfan I"), and nothing in the
    first two characters ("ethylmercury" is not "methylmercury").
    """
    if typed == label or min(len(typed), len(label)) < 5:
        return False
    if len(typed) == len(label):
        diffs = [i for i, (x, y) in enumerate(zip(typed, label, strict=True)) if x != y]
        return (
            len(diffs) == 2
            and diffs[1] == diffs[0] + 1
            and diffs[0] >= 2
            and typed[diffs[0]] == label[diffs[1]]
            and typed[diffs[1]] == label[diffs[0]]
            and typed[diffs[0]].isalpha()
            and typed[diffs[1]].isalpha()
        )
    longer, shorter = (typed, label) if len(typed) > len(label) else (label, typed)
    allowed = 1 if len(shorter) < 10 else 2
    if len(longer) - len(shorter) > allowed:
        return False
    extras: list[int] = []
    j = 0
    for i, ch in enumerate(longer):
        if j < len(shorter) and ch == shorter[j]:
            j += 1
        else:
            extras.append(i)
            if len(extras) > allowed:
                return False
    if j != len(shorter) or not extras or extras[0] < 2:
        return False
    added = [longer[i] for i in extras]
    return all(c.isalpha() for c in added) or all(c == " " for c in added)
