"""Reading the descriptive columns that several sources share: pollutant lists, technology and site-type prose.

Each reader reconciles what it finds, records every match and reports every part that matched nothing (with
suggestions), and returns only accepted concepts.
"""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import SKOS, URIRef

from ingest.sources.common import Recorder, accepted, suggestion_labels
from ingest.sources.phrases import Mention, recogniser_for
from ingest.sources.pollutant_text import read_cell, split_top_level
from ingest.vocabulary import Vocabulary, default_vocabulary


@dataclass(frozen=True)
class Found:
    """A concept found in a cell: the words that named it and the ';'-segment they stand in."""

    iri: URIRef
    phrase: str
    segment: str


def read_pollutants(rec: Recorder, row: int, column: str, cell: str) -> list[URIRef]:
    """Pollutant concepts named in a ';'-list cell (brackets and 'incl.' handled, see pollutant_text).

    A name the vocabulary has only in the other grammatical number is accepted ("PAH" for "PAHs").
    """
    found: list[URIRef] = []
    spelled: dict[str, str] = {}  # text → the spelling that matched

    def resolve(text: str) -> URIRef | None:
        for variant in (text, *_number_variants(text)):
            iri = accepted(rec.reconcile("pollutant", variant))
            if iri is not None:
                spelled[text] = variant
                return iri
        return None

    for reading in read_cell(cell, resolve):
        for text, iri in reading.matched:
            rec.lookup("pollutant", spelled.get(text, text), row, column)  # keeps the match record
            if iri not in found:
                found.append(iri)
        for text in reading.unmatched:
            _, reconciliation = rec.lookup("pollutant", text, row, column)
            partly = bool(reading.matched)
            rec.problem(
                "Info" if partly else "Warning",
                row,
                column,
                f"'{text}' is not in the SRKG pollutant list and is left out"
                + (f" (the rest of '{reading.item}' was recognised)" if partly else ""),
                value=text,
                suggestions=suggestion_labels(reconciliation),
            )
    return found


def _number_variants(text: str) -> tuple[str, ...]:
    """The singular or plural of a name of three letters or more ('PAH' ↔ 'PAHs'); never of symbols."""
    if len(text) < 3 or not text[-1].isalpha():
        return ()
    return (text[:-1],) if text.endswith("s") and not text.endswith("ss") else (text + "s",)


def find_concepts(
    rec: Recorder,
    row: int,
    column: str,
    cell: str,
    scheme: str,
    kind: str | None = None,
    vocabulary: Vocabulary | None = None,
) -> list[Found]:
    """Concepts of ``scheme`` whose labels the text mentions, in reading order, each once.

    Within one ';'-segment, a concept is dropped when a narrower concept of it is named too.

    Each mention is also put to the reconciler; its method is recorded when it confirms the concept, otherwise
    the match is recorded as 'label phrase' (a spelling variant of a label, see ``phrases``).
    """
    vocabulary = vocabulary or default_vocabulary()
    recogniser = recogniser_for(scheme, vocabulary)
    kind = kind or scheme
    found: dict[URIRef, Found] = {}
    for segment in split_top_level(cell, ";"):
        mentions = recogniser.find(segment)
        named = {m.iri for m in mentions}
        for mention in mentions:
            if named & _narrower_closure(mention.iri, vocabulary):
                continue  # "bioremediation … (biostimulation)": the narrower concept says it all
            _record(rec, row, column, kind, mention, vocabulary)
            found.setdefault(mention.iri, Found(mention.iri, mention.phrase, segment))
    return list(found.values())


def _narrower_closure(iri: URIRef, vocabulary: Vocabulary) -> set[URIRef]:
    """Every concept below ``iri`` (skos:narrower, transitively)."""
    below: set[URIRef] = set()
    pending = [iri]
    while pending:
        for _, predicate, child in vocabulary.triples(str(pending.pop())):
            if predicate == SKOS.narrower and isinstance(child, URIRef) and child not in below:
                below.add(child)
                pending.append(child)
    return below


def _record(rec: Recorder, row: int, column: str, kind: str, mention: Mention, vocabulary: Vocabulary) -> None:
    reconciliation = rec.reconcile(kind, mention.phrase)
    confirmed = accepted(reconciliation) == mention.iri and reconciliation.match is not None
    method = reconciliation.match.method if confirmed else "label phrase"  # type: ignore[union-attr]
    label = vocabulary.label(str(mention.iri)) or mention.label
    rec.record_match(row, column, kind, mention.phrase, mention.iri, label, method)


def unrecognised(rec: Recorder, row: int, column: str, cell: str, kind: str, what: str, severity: str) -> None:
    """Report a prose cell in which no concept of the scheme was recognised, with the reconciler's suggestions."""
    reconciliation = rec.reconcile(kind, cell)
    rec.problem(
        severity,  # type: ignore[arg-type]
        row,
        column,
        f"no {what} from the SRKG list is named in this text",
        value=cell,
        suggestions=suggestion_labels(reconciliation),
    )
