"""The user's words for the comparison's filters → vocabulary IRIs, with the reconciler of ``ingest``.

A pollutant is given by symbol, label, notation or IRI ("Cd", "cadmium", "TPH", "Pb"); a pollutant class the same
way ("heavy metals", "petroleum hydrocarbons"). When a text matches both a pollutant and a class, the stronger
match wins (code > exact label > synonym > fuzzy) and a tie goes to the class, which includes the pollutant.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.namespaces import DEFAULT_BASE_IRI
from ingest.reconcile import Reconciles, Reconciliation
from ingest.sources.common import default_reconciler

_STRENGTH = {"code": 3, "exact label": 2, "synonym": 1, "fuzzy": 0}


class FilterError(ValueError):
    """A filter value that names no concept (or several); the message says which filter and what to try."""

    def __init__(self, field: str, message: str, suggestions: tuple[str, ...] = ()) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.suggestions = suggestions


@dataclass(frozen=True)
class Resolved:
    """A filter value read as a concept: what was typed, the IRI, its label, its scheme and how it matched."""

    text: str
    iri: str
    label: str
    scheme: str
    method: str


def resolve_pollutant(text: str, reconciler: Reconciles | None = None) -> Resolved:
    """A pollutant or pollutant class; FilterError when the text names neither."""
    rec = reconciler or default_reconciler()
    direct = _by_iri(text, ("pollutant", "pollutant-class"))
    if direct is not None:
        return direct
    try:
        as_pollutant = rec.pollutant(text)
        as_class = rec.concept("pollutant-class", text)
    except KeyError:  # the vocabularies loaded (SRKG_RESOURCES) have no pollutant lists
        raise FilterError("pollutant", "the SRKG vocabularies loaded here have no pollutant lists") from None
    found = [(r, scheme) for r, scheme in ((as_class, "pollutant-class"), (as_pollutant, "pollutant")) if r.ok]
    if not found:
        raise FilterError("pollutant", f"'{text}' is not a pollutant or pollutant class of the SRKG vocabulary",
                          _suggestions(as_pollutant) + _suggestions(as_class))
    best, scheme = max(found, key=lambda pair: _STRENGTH.get(pair[0].match.method, 0))  # type: ignore[union-attr]
    return _resolved(text, best, scheme)


def resolve_concept(field: str, scheme: str, text: str, reconciler: Reconciles | None = None) -> Resolved:
    """A concept of one SRKG scheme (medium, site-type, m49-region) or a country (scheme ``country``)."""
    rec = reconciler or default_reconciler()
    direct = _by_iri(text, (scheme,))
    if direct is not None:
        return direct
    try:
        result = rec.country(text) if scheme == "country" else rec.concept(scheme, text)
    except KeyError:  # the vocabularies loaded (SRKG_RESOURCES) have no such scheme
        raise FilterError(field, f"the SRKG vocabularies loaded here have no {scheme} list") from None
    if not result.ok:
        what = "several concepts" if result.ambiguous else f"nothing in the SRKG {scheme} list"
        raise FilterError(field, f"'{text}' matches {what}", _suggestions(result))
    return _resolved(text, result, scheme)


def _resolved(text: str, result: Reconciliation, scheme: str) -> Resolved:
    match = result.match
    assert match is not None
    return Resolved(text, str(match.iri), match.label, scheme, match.method)


def _suggestions(result: Reconciliation) -> tuple[str, ...]:
    return tuple(dict.fromkeys(c.label for c in result.candidates))[:5]


_NOTATION = re.compile(r"[A-Za-z0-9._~-]+")  # what a concept notation may be (never a quote or '>')


def _by_iri(text: str, schemes: tuple[str, ...]) -> Resolved | None:
    """A vocabulary IRI typed as is (the web form sends IRIs back); the label is its last segment."""
    for scheme in schemes:
        prefix = f"{DEFAULT_BASE_IRI}vocab/{scheme}/"
        if text.startswith(prefix) and _NOTATION.fullmatch(text[len(prefix):]):
            return Resolved(text, text, text[len(prefix):], scheme, "iri")
    return None
