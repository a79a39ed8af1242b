"""Free text → vocabulary IRIs: the ``Reconciler`` behind ``ingest.reconcile.api.Reconciles``.

Match policy
------------
A text is looked up in the tiers of the scheme's label index (``ingest.reconcile.index``), in this order:

1. codes — ISO 3166 alpha-2/alpha-3 (upper case as ISO writes them), UN M49, ISO 4217 (any case), CAS numbers,
   unit symbols (case-sensitive), element symbols ("Cd"; case-sensitive)                        → "code"
2. skos:prefLabel in any language                                                               → "exact label"
3. skos:altLabel / skos:hiddenLabel in any language, and the spelling conventions of ``synonyms`` → "synonym"
4. the slug skos:notation of other schemes ("mineral-oil")                                       → "code"
5. AGROVOC labels of the AGROVOC concepts ours are skos:exactMatch to, then skos:closeMatch to   → "synonym"
6. "Name (Other name)": both parts reconciled alone (tiers 1–5) to the same concept              → the weaker method
7. fuzzy: a label the text misses by a slip of the keyboard (``normalise.is_slip``: one swapped pair of
   letters, or one missing or doubled letter or space — two for names of 10 characters or more; never a changed
   letter, a digit, an added word or anything in the first two characters) — only for names (never for units
   or currencies, whose symbols differ by one letter: "mg/kg" / "µg/kg") of at least ``FUZZY_MIN_LENGTH``
   characters                                           → "fuzzy", score = ``difflib`` ratio of the folded keys

The first tier with a hit decides. **Ambiguity**: when that tier's hits are two or more different concepts (a
label shared by two concepts, "$" for several currencies, a slip away from two concepts), there is no
match: ``ambiguous`` is True and ``candidates`` lists every competing concept. **Unmatched**: ``match`` is None
and ``candidates`` holds up to ``SUGGESTIONS`` suggestions — the same code in another letter case ("fra" → FRA,
"CD" → Cd), the concepts both parts of "Name (Other)" point to, then the most similar labels — so the curator
sees what was probably meant. Nothing is ever dropped silently and nothing is guessed into a fact.

Policy for the pipeline (``problem_for``): a code, exact-label or synonym match is used without comment; a fuzzy
match is used **and reported as a Warning** naming the label it was taken for and its score, so the curator
confirms or corrects it; an unmatched or ambiguous value is left out of the graph and reported (as a Violation
by default, or the severity the mapper gives) with its candidates as suggestions.

Why fuzzy is so narrow: names of different things are often one letter apart ("trichloroethane" and
"trichloroethene", "1,1-dichloroethane" and "1,1-dichloroethene", "Gambia" and "Zambia", "methyl-" and "ethyl-"),
and a plain similarity threshold takes one for the other (on the US EPA Superfund concentrations, a 0.88
difflib threshold matched dibenz[a,h]anthracene to benz[a]anthracene and diethyl phthalate to dibutyl
phthalate). Only slips are accepted; everything else similar is a suggestion. Even a slip can be another
substance ("dibenzofuran" vs the altLabel "dibenzofurans" of PCDFs), hence the Warning.

Speed: the index is built once per Reconciler (``default_reconciler()`` is cached; about 0.4 s on top of the
Vocabulary); exact lookups are dictionary hits (about 10–30 µs); an unmatched text is compared with every label
of the scheme by shared character bigrams, the closest 40 scored with difflib (a few ms); results are memoised
per (scheme, text). ``bench/bench_reconcile.py`` measures it.
"""

from __future__ import annotations

import heapq
import re
from collections import Counter
from difflib import SequenceMatcher
from functools import cache, lru_cache
from pathlib import Path

from rdflib import URIRef

from ingest.reconcile.api import Match, MatchMethod, Reconciliation
from ingest.reconcile.index import KIND_SCHEMES, Entry, LabelIndex, SchemeIndex, bigrams, input_key
from ingest.reconcile.normalise import clean, fold, is_slip, unit_key
from ingest.records import MatchRecord, Problem, Severity, SourceLocation
from ingest.vocabulary import Vocabulary, default_vocabulary

FUZZY_MIN_LENGTH = 5  # folded input shorter than this is never fuzzy-matched (acronyms, symbols)
FUZZY_MAX_LENGTH = 200  # longer input is not compared at all (it is a sentence, not a value)
SUGGESTIONS = 3
CASE_VARIANT_SCORE = 0.99  # the score of a suggestion that differs from the input only in letter case
CACHE_SIZE = 65536  # memoised (scheme, text) results
CANDIDATES = 40  # names scored with difflib for suggestions: those sharing the most character bigrams

_METHOD_RANK: dict[MatchMethod, int] = {"code": 0, "exact label": 1, "synonym": 2, "fuzzy": 3}
_PARENTHESES = re.compile(r"(.+?)\s*[(\[](.+)[)\]]")


class Reconciler:
    """Reconciles free text to the IRIs of SRKG's SKOS schemes (countries, pollutants, technologies, units…)."""

    def __init__(self, vocabulary: Vocabulary | None = None, agrovoc_labels: Path | None = None) -> None:
        self.index = LabelIndex(vocabulary if vocabulary is not None else default_vocabulary(), agrovoc_labels)
        self._memo = lru_cache(maxsize=CACHE_SIZE)(self._reconcile)

    # --- the Reconciles protocol -------------------------------------------------------------------------------
    def country(self, text: str) -> Reconciliation:
        return self.concept(KIND_SCHEMES["country"], text)

    def pollutant(self, text: str) -> Reconciliation:
        return self.concept(KIND_SCHEMES["pollutant"], text)

    def technology(self, text: str) -> Reconciliation:
        return self.concept(KIND_SCHEMES["technology"], text)

    def unit(self, text: str) -> Reconciliation:
        return self.concept(KIND_SCHEMES["unit"], text)

    def currency(self, text: str) -> Reconciliation:
        return self.concept(KIND_SCHEMES["currency"], text)

    def concept(self, scheme: str, text: str) -> Reconciliation:
        """Reconcile ``text`` against a scheme given by IRI or name ("land-use"); KeyError if no such scheme."""
        return self._memo(self.index.scheme(scheme).iri, text if isinstance(text, str) else str(text))

    def schemes(self) -> list[str]:
        """The IRIs of every scheme this reconciler knows."""
        return sorted(self.index.schemes)

    # --- tiers ---------------------------------------------------------------------------------------------------
    def _reconcile(self, scheme: str, text: str) -> Reconciliation:
        index = self.index.schemes[scheme]
        if not clean(text):
            return Reconciliation(text, None)
        found = self._exact(index, text)
        if found is not None:
            return found
        parts = self._parts(index, text)
        if parts is not None and parts.match is not None:
            return parts
        return self._fuzzy(index, text, parts.candidates if parts is not None else ())

    def _exact(self, index: SchemeIndex, text: str) -> Reconciliation | None:
        keys: dict[str, str | None] = {}
        for tier in index.tiers:
            if tier.key not in keys:
                keys[tier.key] = input_key(tier.key, text)
            key = keys[tier.key]
            entries = tier.table.get(key) if key else None
            if not entries:
                continue
            matches = _per_concept(index, entries, tier.method)
            if len(matches) == 1:
                return Reconciliation(text, matches[0])
            return Reconciliation(text, None, tuple(matches), ambiguous=True)
        return None

    def _parts(self, index: SchemeIndex, text: str) -> Reconciliation | None:
        """ "polychlorinated biphenyls (PCBs)": a match if both parts match the same concept, else suggestions."""
        found = _PARENTHESES.fullmatch(clean(text))
        if found is None:
            return None
        results = [self._exact(index, part) for part in found.groups()]
        matched = [r.match for r in results if r is not None and r.match is not None]
        if len(matched) == 2 and matched[0].iri == matched[1].iri:
            weaker = max(matched, key=lambda m: _METHOD_RANK[m.method])
            both = f"{matched[0].matched_text} ({matched[1].matched_text})"
            return Reconciliation(text, Match(weaker.iri, weaker.label, weaker.method, 1.0, both, weaker.language))
        candidates = [m for r in results if r is not None for m in ((r.match,) if r.match else r.candidates)]
        return Reconciliation(text, None, _distinct(candidates))

    def _fuzzy(self, index: SchemeIndex, text: str, leads: tuple[Match, ...]) -> Reconciliation:
        suggestions = list(leads) + _case_variants(index, text)
        key = fold(text)
        if len(key) > FUZZY_MAX_LENGTH:
            return Reconciliation(text, None, _distinct(suggestions)[:SUGGESTIONS])
        may_slip = index.fuzzy and not suggestions and len(key) >= FUZZY_MIN_LENGTH
        ranked, slips = _similar(index, key, may_slip)
        if len(slips) == 1:
            return Reconciliation(text, slips[0])
        if slips:
            return Reconciliation(text, None, tuple(slips), ambiguous=True)
        return Reconciliation(text, None, _distinct(suggestions + ranked)[:SUGGESTIONS])


def match_record(location: SourceLocation, kind: str, result: Reconciliation) -> MatchRecord:
    """The report line of one reconciliation (kept for every value, matched or not)."""
    match = result.match
    return MatchRecord(
        location=location,
        kind=kind,
        text=result.text,
        iri=match.iri if match else None,
        label=match.label if match else None,
        method=match.method if match else None,
        score=match.score if match else None,
        suggestions=tuple(_describe(c) for c in result.candidates),
    )


def problem_for(
    location: SourceLocation, kind: str, result: Reconciliation, *, unmatched: Severity = "Violation"
) -> Problem | None:
    """The Problem the pipeline reports for a reconciliation: None for a clean match, a Warning for a fuzzy one,
    ``unmatched`` (default Violation) for an ambiguous or unmatched value, which must be left out of the graph."""
    match = result.match
    if match is not None:
        if match.method != "fuzzy":
            return None
        message = f"{kind} {result.text!r} taken as {match.label!r} by fuzzy match (score {match.score:.2f})"
        return Problem("Warning", message, location, result.text, (_describe(match),))
    if result.ambiguous:
        message = f"{kind} {result.text!r} is ambiguous: it names {len(result.candidates)} concepts; left out"
    else:
        message = f"{kind} {result.text!r} not found in the vocabulary; left out"
    return Problem(unmatched, message, location, result.text, tuple(_describe(c) for c in result.candidates))


@cache
def default_reconciler() -> Reconciler:
    """The Reconciler of the project's vocabularies (built once per process)."""
    return Reconciler()


# --- helpers -------------------------------------------------------------------------------------------------------
def _describe(match: Match) -> str:
    return f"{match.label} <{match.iri}>"


def _to_match(index: SchemeIndex, entry: Entry, method: MatchMethod, score: float = 1.0) -> Match:
    return Match(URIRef(entry.iri), index.labels[entry.iri], method, score, entry.text, entry.language)


def _per_concept(index: SchemeIndex, entries: tuple[Entry, ...], method: MatchMethod) -> list[Match]:
    """One Match per concept (its first entry: English first), ordered by label."""
    best: dict[str, Entry] = {}
    for entry in entries:
        current = best.get(entry.iri)
        if current is None or (entry.language == "en" and current.language != "en"):
            best[entry.iri] = entry
    matches = [_to_match(index, entry, method) for entry in best.values()]
    return sorted(matches, key=lambda m: (m.label.casefold(), str(m.iri)))


def _distinct(matches: list[Match] | tuple[Match, ...]) -> tuple[Match, ...]:
    seen: set[URIRef] = set()
    out: list[Match] = []
    for match in matches:
        if match.iri not in seen:
            seen.add(match.iri)
            out.append(match)
    return tuple(out)


def _case_variants(index: SchemeIndex, text: str) -> list[Match]:
    """Codes and symbols equal to the input but for letter case ("fra" → FRA, "CD" → Cd, "MG" → Mg)."""
    entries: list[Entry] = []
    for key in {clean(text).casefold(), unit_key(text, fold_case=True)}:
        entries.extend(index.codes_folded.get(key, ()))
    return [_to_match(index, e, "fuzzy", CASE_VARIANT_SCORE) for e in entries]


def _similar(index: SchemeIndex, key: str, find_slips: bool) -> tuple[list[Match], list[Match]]:
    """The SUGGESTIONS concepts with the most similar names, best first; and, if asked, every concept with a name
    ``key`` is a slip of (``normalise.is_slip``), best first.

    Similarity is difflib's ratio, computed for the CANDIDATES names sharing the most character bigrams with
    ``key`` (Dice coefficient, counted through the bigram postings of the index); slips are looked for among the
    names at most two characters longer or shorter."""
    matcher = SequenceMatcher(None, autojunk=False)
    matcher.set_seq2(key)
    slips: dict[str, tuple[float, Entry]] = {}
    if find_slips:
        for length in range(len(key) - 2, len(key) + 3):
            for position in index.by_length.get(length, ()):
                name, entries = index.names[position]
                if is_slip(key, name):
                    matcher.set_seq1(name)
                    _keep_best(slips, entries, matcher.ratio())
    grams = bigrams(key)
    shared: Counter[int] = Counter()
    for gram in grams:
        shared.update(index.gram_postings.get(gram, ()))
    size, sizes = len(grams), index.gram_sizes
    closest = heapq.nlargest(CANDIDATES, shared.items(), key=lambda pc: (2 * pc[1] / (size + sizes[pc[0]]), -pc[0]))
    best: dict[str, tuple[float, Entry]] = {}
    for position, _ in closest:
        name, entries = index.names[position]
        matcher.set_seq1(name)
        _keep_best(best, entries, matcher.ratio())

    def ranked(found: dict[str, tuple[float, Entry]]) -> list[Match]:
        order = sorted(found.values(), key=lambda se: (-se[0], index.labels[se[1].iri].casefold(), se[1].iri))
        return [_to_match(index, entry, "fuzzy", round(score, 4)) for score, entry in order]

    return ranked(best)[:SUGGESTIONS], ranked(slips)


def _keep_best(found: dict[str, tuple[float, Entry]], entries: tuple[Entry, ...], score: float) -> None:
    for entry in entries:
        if entry.iri not in found or score > found[entry.iri][0]:
            found[entry.iri] = (score, entry)
