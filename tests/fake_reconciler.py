"""A small exact-match reconciler over the project's vocabularies, for source-mapper tests.

It matches a text to a concept of the right scheme by notation or CAS number ("code") or by a label, compared
case-insensitively ("exact label" for prefLabel, "synonym" for alt/hidden labels). No fuzzy matching.
"""

from __future__ import annotations

from functools import cache

from rdflib import SKOS, URIRef

from ingest.namespaces import SRKG, scheme_iri
from ingest.reconcile.api import Match, Reconciliation
from ingest.vocabulary import Vocabulary, default_vocabulary

KIND_SCHEMES = {"country": "country", "pollutant": "pollutant", "technology": "technology", "unit": "unit",
                "currency": "currency"}


class FakeReconciler:
    def __init__(self, vocabulary: Vocabulary | None = None) -> None:
        self.vocabulary = vocabulary or default_vocabulary()
        self._indexes: dict[str, dict[str, list[Match]]] = {}

    def _index(self, scheme: str) -> dict[str, list[Match]]:
        if scheme not in self._indexes:
            index: dict[str, list[Match]] = {}
            for concept in self.vocabulary.subjects_in_scheme(str(scheme_iri(scheme))):
                label = self.vocabulary.label(str(concept)) or str(concept)
                for _, predicate, obj in self.vocabulary.triples(str(concept)):
                    method = {SKOS.notation: "code", SRKG.casNumber: "code", SRKG.iso3Code: "code",
                              SKOS.prefLabel: "exact label", SKOS.altLabel: "synonym",
                              SKOS.hiddenLabel: "synonym"}.get(predicate)
                    if method is None:
                        continue
                    key = str(obj).strip().lower()
                    match = Match(URIRef(concept), label, method, 1.0, str(obj))  # type: ignore[arg-type]
                    index.setdefault(key, [])
                    if all(m.iri != match.iri for m in index[key]):
                        index[key].append(match)
            self._indexes[scheme] = index
        return self._indexes[scheme]

    def _reconcile(self, scheme: str, text: str) -> Reconciliation:
        matches = self._index(scheme).get(text.strip().lower(), [])
        if len(matches) == 1:
            return Reconciliation(text, matches[0])
        return Reconciliation(text, None, tuple(matches), ambiguous=len(matches) > 1)

    def country(self, text: str) -> Reconciliation:
        return self._reconcile("country", text)

    def pollutant(self, text: str) -> Reconciliation:
        return self._reconcile("pollutant", text)

    def technology(self, text: str) -> Reconciliation:
        return self._reconcile("technology", text)

    def unit(self, text: str) -> Reconciliation:
        return self._reconcile("unit", text)

    def currency(self, text: str) -> Reconciliation:
        return self._reconcile("currency", text)

    def concept(self, scheme: str, text: str) -> Reconciliation:
        return self._reconcile(scheme, text)


@cache
def fake_reconciler() -> FakeReconciler:
    return FakeReconciler()
