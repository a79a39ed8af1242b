"""Spelling conventions the vocabularies do not (yet) carry: currency symbols and unit notations.

This table is deliberately small. It holds *conventions of writing* — a currency symbol, a unit spelling — never
a domain synonym (pollutant, technology or country names belong in the vocabularies as skos:altLabel, where
their curators can review them). Each entry points at a concept by its skos:notation, and is used only if that
concept exists in the scheme. A match through this table is reported with method "synonym" and language None.

When the vocabulary gains the same altLabel, the entry here becomes redundant (harmless) and can be removed.
"""

from __future__ import annotations

# Currency symbols that stand for exactly one of the ISO 4217 codes in the currency scheme (Unicode names of the
# signs, and the prefixed dollar forms in common use). "$", "¥" and "kr" are NOT here: see AMBIGUOUS below.
CURRENCY_SYMBOLS: dict[str, str] = {
    "₹": "INR",  # INDIAN RUPEE SIGN
    "₩": "KRW",  # WON SIGN
    "₽": "RUB",  # RUBLE SIGN
    "₺": "TRY",  # TURKISH LIRA SIGN
    "₫": "VND",  # DONG SIGN
    "₱": "PHP",  # PESO SIGN (Philippine peso)
    "₪": "ILS",  # NEW SHEQEL SIGN
    "₴": "UAH",  # HRYVNIA SIGN
    "₸": "KZT",  # TENGE SIGN
    "฿": "THB",  # THAI CURRENCY SYMBOL BAHT
    "zł": "PLN",
    "Kč": "CZK",
    "R$": "BRL",
    "NZ$": "NZD",
    "HK$": "HKD",
    "S$": "SGD",
    "NT$": "TWD",
    "Mex$": "MXN",
}

# Signs shared by several currencies of the scheme: reconciled as *ambiguous* with these candidates (never guessed).
AMBIGUOUS_CURRENCY_SYMBOLS: dict[str, tuple[str, ...]] = {
    "$": ("USD", "CAD", "AUD", "NZD", "HKD", "SGD", "TWD", "MXN", "ARS", "CLP", "COP"),
    "¥": ("JPY", "CNY"),
    "kr": ("SEK", "NOK", "DKK"),
}

# Unit spellings that ``normalise.unit_key`` cannot derive and the unit scheme lacks, keyed to the unit's
# skos:notation. Matched case-sensitively, like every unit symbol.
UNIT_NOTATIONS: dict[str, str] = {
    "mcg/kg": "µg/kg",  # "mcg" is the pharmacists' spelling of microgram
    "mcg/g": "µg/g",
    "mcg/L": "µg/L",
    "sq. m": "m²",
    "sq. km": "km²",
}
