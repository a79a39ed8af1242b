"""In-memory full-text and faceted search over the case studies, and over the concepts they cite.

**Built** from the store with five SELECTs (``queries/search-*.rq``: case facts, case text, case → pollutant /
technology links, concept labels, concept relations), never one query per case. One document per case study:
its own text (title, summary, site, details) plus the labels (prefLabel and altLabel, every language) of its
country, pollutants and technologies, and, weighted lower, of the broader pollutants and technologies, the
pollutant classes, the M49 region / sub-region and the scale. A second, small index holds the concepts
themselves (countries, pollutants, pollutant classes, technologies), so "cadmium" also lists the pollutant.

**Text** is normalised (casefold, NFKD, combining marks dropped, NFC again, so "Phytoremédiation" matches
"phytoremediation" while Cyrillic, Arabic or Chinese keep their letters; Arabic tatweel dropped and alef
maqsura read as yeh) and cut into words for alphabetic scripts (an Arabic definite article "ال" and its
prefixed forms are removed) and, for Chinese and Japanese, which write no spaces, into single characters plus
character bigrams.

**Ranking** is BM25 (k1 = 1.2, b = 0.75) over one weighted bag of words per document (BM25F-style field
weights: title ×3; labels of the case's own country, pollutants and technologies ×1.5; summary, site and
detail text ×1; labels of broader concepts ×0.5). Each (term, document) score is computed at build time, so a
query only adds numbers up. Every query word must match (AND); a run of Chinese characters matches when all
its bigrams do. The last word, unless the query ends in a space, also matches as a prefix (as-you-type) of up
to ``MAX_EXPANSIONS`` indexed terms, at half weight. Ties, and browsing without words, follow title order.

**Facets** (country, region, subregion, pollutant, pollutant_class, technology, nature_based, scale, year) are
bitsets (Python ints, one bit per case). Several values of one facet are OR-ed, facets are AND-ed. A facet's
counts are taken over the cases matching the words and every *other* facet's filter (disjunctive faceting):
the values next to a selected one stay visible with the number of cases choosing them would add. Selected
values come first, then the most frequent (years: the newest). Values:
pollutant and technology include the broader concepts (phytoremediation counts phytoextraction cases),
pollutant_class the classes of those pollutants; nature_based is derived from the treatment train as the
technology vocabulary models it — ``yes`` when every technology applied is nature-based, ``partial`` when at
least one is nature-based or partly so, else ``no`` (a case's own statement is not used); year is the start
year, else the end year.

**Cache**: ``index_for(ctx)`` keeps the index in ``ctx.extras``. On a store whose ``SummarisingStore`` says which
graphs each write changed, a write naming its graphs is followed by ``update_index``: only the case studies those
graphs typed before or type now are read again (with ``VALUES``), and only those graphs are asked about. On a
small index (``SEGMENT_MIN_CASES``) the result is made whole at once; on a large one the cases read again are
appended in a text segment of their own and the ones they replace marked gone (``SearchIndex.with_changes``:
the work of the changed cases, not of the whole index), and once writes pause (``COMPACT_DELAY_S``) the index
is made whole again in the background while searches go on using the appended one. A write to a graph holding
concepts, or of unknown graphs, is followed by a whole build; on a store that does not say which graphs a
write changed, every write (``ctx.on_data_changed``) is. Either happens in the background shortly after the
write (see ``_Cache``); a search never gets an index from before the last write.
"""

from __future__ import annotations

import copy
import heapq
import logging
import math
import re
import sys
import threading
import time
import unicodedata
from array import array
from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence, Set
from dataclasses import dataclass, field
from functools import cache
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from sparql_api.background import Debounced
from sparql_api.sparql_text import token_list
from sparql_api.store.base import DEFAULT_GRAPH
from sparql_api.summaries.revisions import Revision, RevisionLog
from sparql_api.summaries.store import find_summaries
from sparql_api.web import i18n, search_snapshot

if TYPE_CHECKING:

    from sparql_api.server.context import ServerContext
    from sparql_api.store.base import Store

QUERIES_DIR = Path(__file__).parent / "queries"
WARM_DELAY_S = 1.0  # after the last write, before the index is rebuilt in the background
COMPACT_DELAY_S = 30.0  # after the last update that appended cases, before the index is made whole again
VOCAB = "https://w3id.org/srkg/vocab/"
EXTRAS_KEY = "search"

# BM25 parameters and field weights (see the module docstring).
K1 = 1.2
B = 0.75
TITLE_WEIGHT = 3.0
TEXT_WEIGHT = 1.0
OWN_CONCEPT_WEIGHT = 1.5
BROADER_CONCEPT_WEIGHT = 0.5
PREF_LABEL_WEIGHT = 2.0
PREFIX_WEIGHT = 0.5
MIN_PREFIX = 2
MAX_EXPANSIONS = 30
MAX_CONCEPTS = 8
MAX_SEGMENTS = 8  # text segments appended after writes, before they are made one
SEGMENT_MIN_CASES = 5000  # smaller indexes are made whole again after each write (~2 s at this size)

# Facets in display order; the name is also the URL parameter.
FACETS: tuple[str, ...] = (
    "country", "region", "subregion", "pollutant_class", "pollutant", "technology", "nature_based", "scale", "year",
)
SCHEME_KINDS: dict[str, str] = {
    VOCAB + "country": "country",
    VOCAB + "m49-region": "region",
    VOCAB + "pollutant": "pollutant",
    VOCAB + "pollutant-class": "pollutant_class",
    VOCAB + "technology": "technology",
    VOCAB + "scale": "scale",
    VOCAB + "nbs-category": "nature_based",
}
SEARCHABLE_KINDS: tuple[str, ...] = ("pollutant", "technology", "country", "pollutant_class")
NBS_YES, NBS_PARTIAL, NBS_NO = (VOCAB + "nbs-category/" + key for key in ("yes", "partial", "no"))
YEAR_PATTERN = re.compile(r"[0-9]{1,4}")


# --------------------------------------------------------------------------------------------------------------
# Text analysis
# --------------------------------------------------------------------------------------------------------------
# CJK radicals, kana, bopomofo, unified ideographs (with extensions A to H) and compatibility ideographs.
_CJK = ("\u2e80-\u2fdf\u3040-\u30ff\u3100-\u312f\u31a0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
        "\U00020000-\U0003134f")
_RUNS = re.compile(f"([{_CJK}]+)|([^\\W_{_CJK}]+)")
_ARABIC_ARTICLES = ("وال", "بال", "كال", "فال", "لل", "ال")
_OPEN_END = re.compile(r"[^\W_]\Z")


@cache
def _fold_table() -> dict[int, int | None]:
    """Code points dropped or replaced after NFKD: combining marks, tatweel, zero-width characters."""
    points = [*range(0x20000), *range(0xE0100, 0xE01F0)]
    table: dict[int, int | None] = {cp: None for cp in points if unicodedata.category(chr(cp)) == "Mn"}
    table.update({0x0640: None, 0x200B: None, 0x200C: None, 0x200D: None, 0xFEFF: None, 0x0649: 0x064A})
    return table


def normalise(text: str) -> str:
    """Casefold and strip diacritics, keeping every script's letters ("Ré" → "re", "Кадмий" → "кадмии")."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return unicodedata.normalize("NFC", decomposed.translate(_fold_table()))


def _runs(normalised: str) -> Iterator[tuple[bool, str]]:
    """(is CJK, run) for each run of CJK characters or of other letters and digits."""
    for cjk, word in _RUNS.findall(normalised):
        yield (True, cjk) if cjk else (False, word)


def _word(word: str) -> str:
    """A word as indexed: Arabic words lose a leading definite article ("الكادميوم" → "كادميوم")."""
    if "\u0600" <= word[0] <= "\u06ff":
        for article in _ARABIC_ARTICLES:
            if word.startswith(article) and len(word) - len(article) >= 2:
                return word[len(article):]
    return word


def _bigrams(run: str) -> list[str]:
    return [run[i:i + 2] for i in range(len(run) - 1)]


def analyse(text: str) -> list[str]:
    """Index terms of ``text``: words, and for CJK runs every character and every character bigram."""
    terms: list[str] = []
    for cjk, word in _RUNS.findall(normalise(text)):
        if cjk:
            terms.extend(cjk)
            terms.extend(_bigrams(cjk))
        else:
            terms.append(word if word[0] < "\u0600" else _word(word))
    return terms


@dataclass(frozen=True)
class QueryWord:
    """One word of a query: every term must occur (a CJK run's bigrams); ``prefix`` also matches as a prefix."""

    terms: tuple[str, ...]
    prefix: bool = False


def parse_query(text: str) -> list[QueryWord]:
    """The query's words, in order, without repeats; the last one is a prefix unless the text ends in a space."""
    runs = list(_runs(normalise(text)))
    open_end = bool(_OPEN_END.search(text))
    words: dict[tuple[str, ...], bool] = {}
    for position, (cjk, run) in enumerate(runs):
        if cjk:
            terms = (run,) if len(run) == 1 else tuple(dict.fromkeys(_bigrams(run)))
            prefix = False
        else:
            terms = (_word(run),)
            prefix = position == len(runs) - 1 and open_end and len(terms[0]) >= MIN_PREFIX
        words[terms] = words.get(terms, True) and prefix
    return [QueryWord(terms, prefix) for terms, prefix in words.items()]


def query_terms(words: Sequence[QueryWord]) -> tuple[frozenset[str], tuple[str, ...]]:
    """All exact terms of the words, and the prefixes (for highlighting)."""
    exact = frozenset(term for word in words for term in word.terms)
    prefixes = tuple(word.terms[0] for word in words if word.prefix)
    return exact, prefixes


_PIECES = re.compile(r"[^\W_]+|[\W_]+")
SNIPPET_CHARS = 240


def snippet(text: str, words: Sequence[QueryWord], limit: int = SNIPPET_CHARS,
            also: frozenset[str] = frozenset()) -> list[tuple[str, bool]]:
    """Up to ``limit`` characters of ``text`` around the first word the query (or a term in ``also``) matches,
    as (text, matched) pieces (an ellipsis where cut), for the page to mark up safely."""
    exact, prefixes = query_terms(words)
    exact |= also
    pieces = _PIECES.findall(text)
    marks = [bool(exact) and any(t in exact or t.startswith(prefixes) for t in analyse(p)) for p in pieces]
    first = next((i for i, marked in enumerate(marks) if marked), 0)
    start, context = first, 0
    while start > 0 and context + len(pieces[start - 1]) <= limit // 4:
        start -= 1
        context += len(pieces[start])
    parts: list[tuple[str, bool]] = [("…", False)] if start > 0 else []
    used = 0
    for piece, marked in zip(pieces[start:], marks[start:], strict=True):
        if used + len(piece) > limit:
            parts.append((piece[: max(0, limit - used)] + "…", marked) if used == 0 else ("…", False))
            break
        parts.append((piece, marked))
        used += len(piece)
    return _merge(parts)


def _merge(parts: list[tuple[str, bool]]) -> list[tuple[str, bool]]:
    merged: list[tuple[str, bool]] = []
    for text, marked in parts:
        if merged and merged[-1][1] == marked:
            merged[-1] = (merged[-1][0] + text, marked)
        else:
            merged.append((text, marked))
    return merged


# --------------------------------------------------------------------------------------------------------------
# A BM25 index over weighted bags of words
# --------------------------------------------------------------------------------------------------------------
class TextIndex:
    """BM25 over one weighted bag of terms per document; (term, document) scores precomputed.

    Postings are two parallel arrays per term (document ids, scores), not a dict per term: 12 bytes per
    (term, document) instead of ~100 (8.7 million of them at 100k cases: ~0.9 GB as dicts). The bags are read once,
    as they come, so the caller may pass a generator and never hold them all.

    A segment added to an index (``after``; its documents numbered from ``first_id``) is scored as if it were
    part of that index: with the documents of both, a term's document frequency in both, and that index's average
    length. Adding a few cases to a large index then computes no other score again; the large index's own scores
    drift from what a whole build would give by as little as the few cases move its statistics (``TextSegments``).
    """

    def __init__(self, bags: Iterable[Mapping[str, float]], first_id: int = 0,
                 after: TextIndex | None = None) -> None:
        docs: dict[str, array[int]] = {}
        weights: dict[str, array[float]] = {}
        lengths = array("d")
        for doc, bag in enumerate(bags, first_id):
            lengths.append(sum(bag.values()))
            for term, tf in bag.items():
                if term not in docs:
                    docs[term], weights[term] = array("I"), array("d")
                docs[term].append(doc)
                weights[term].append(tf)
        self.count = len(lengths)
        self.average = (sum(lengths) / self.count) if self.count else 1.0
        count, average = (after.count + self.count, after.average) if after is not None else (self.count, self.average)
        norms = [K1 * (1 - B + B * length / (average or 1.0)) for length in lengths]
        self.postings: dict[str, tuple[array[int], array[float]]] = {}
        for term, ids in docs.items():
            df = len(ids) + (after.frequency(term) if after is not None else 0)
            scale = math.log(1 + (count - df + 0.5) / (df + 0.5)) * (K1 + 1)
            tfs = weights.pop(term)
            scores = array("d", [scale * tf / (tf + norms[doc - first_id]) for doc, tf in zip(ids, tfs, strict=True)])
            self.postings[sys.intern(term)] = (ids, scores)
        self.terms = sorted(self.postings)

    def posting(self, term: str) -> dict[int, float]:
        """The documents containing ``term``, with the term's score in each."""
        found = self.postings.get(term)
        return dict(zip(*found, strict=True)) if found else {}

    def frequency(self, term: str) -> int:
        found = self.postings.get(term)
        return len(found[0]) if found else 0

    def starting_with(self, prefix: str) -> list[str]:
        """Indexed terms that start with ``prefix`` and are longer than it."""
        start = bisect_left(self.terms, prefix)
        found: list[str] = []
        for term in self.terms[start:]:
            if not term.startswith(prefix):
                break
            if term != prefix:
                found.append(term)
        return found

    def expansions(self, prefix: str) -> list[str]:
        """Indexed terms that start with ``prefix`` (longer than it), the most frequent ``MAX_EXPANSIONS``."""
        return TextSegments((self,)).expansions(prefix)

    def word_scores(self, word: QueryWord, expansions: Iterable[str]) -> dict[int, float]:
        """The documents holding every term of ``word`` with their summed scores; and those holding one of
        ``expansions`` (the prefix word's longer forms) at ``PREFIX_WEIGHT`` unless they score higher already."""
        scores: dict[int, float] | None = None
        for term in word.terms:
            posting = self.posting(term)
            scores = posting if scores is None else {d: s + posting[d] for d, s in scores.items() if d in posting}
            if not scores:
                break
        scores = scores or {}
        for term in expansions:
            found = self.postings.get(term)
            if found is None:
                continue
            for doc, score in zip(*found, strict=True):
                weighted = score * PREFIX_WEIGHT
                if weighted > scores.get(doc, 0.0):
                    scores[doc] = weighted
        return scores

    def search(self, words: Sequence[QueryWord]) -> dict[int, float]:
        """Documents matching every word, with the sum of their BM25 scores."""
        return TextSegments((self,)).search(words)


class TextSegments:
    """Text indexes of disjoint document ranges searched as one: a large index and the few small ones added to it
    after writes (see ``TextIndex``'s ``after``). ``dead_terms``: how many documents removed or read again since
    (their postings stay until the index is compacted) hold each term, so that frequencies count live ones."""

    def __init__(self, parts: Sequence[TextIndex], dead_terms: Mapping[str, int] | None = None) -> None:
        self.parts = tuple(parts)
        self.dead_terms: Mapping[str, int] = dead_terms or {}

    def frequency(self, term: str) -> int:
        """Live documents holding ``term``."""
        return sum(part.frequency(term) for part in self.parts) - self.dead_terms.get(term, 0)

    def expansions(self, prefix: str) -> list[str]:
        """Indexed terms that start with ``prefix`` (longer than it), the most frequent ``MAX_EXPANSIONS``."""
        found = sorted({term for part in self.parts for term in part.starting_with(prefix)})
        if len(found) > MAX_EXPANSIONS:
            counted = [(self.frequency(t), t) for t in found]
            found = [t for _, t in heapq.nlargest(MAX_EXPANSIONS, ((n, t) for n, t in counted if n))]
        return found

    def search(self, words: Sequence[QueryWord]) -> dict[int, float]:
        """Documents matching every word, with the sum of their BM25 scores."""
        result: dict[int, float] | None = None
        for word in words:
            expansions = self.expansions(word.terms[0]) if word.prefix else []
            scores: dict[int, float] = {}
            for part in self.parts:
                scores.update(part.word_scores(word, expansions))
            result = scores if result is None else {d: s + scores[d] for d, s in result.items() if d in scores}
            if not result:
                return {}
        return result or {}


# --------------------------------------------------------------------------------------------------------------
# Bitsets
# --------------------------------------------------------------------------------------------------------------
def bitmask(ids: Iterable[int], size: int) -> int:
    """A Python int with bit ``i`` set for each id."""
    buffer = bytearray((size + 7) // 8)
    for i in ids:
        buffer[i >> 3] |= 1 << (i & 7)
    return int.from_bytes(buffer, "little")


_SET_BYTES = re.compile(rb"[^\x00]")


def first_bit_ids(mask: int, count: int) -> list[int]:
    """The lowest ``count`` set bits of ``mask``, ascending: a page of a large mask without listing all its bits
    (the zero bytes are skipped by the regular-expression engine, in C)."""
    found: list[int] = []
    if count <= 0:
        return found
    for match in _SET_BYTES.finditer(mask.to_bytes((mask.bit_length() + 7) // 8, "little")):
        byte, base = match.group()[0], match.start() * 8
        for bit in range(8):
            if byte >> bit & 1:
                found.append(base + bit)
        if len(found) >= count:
            return found[:count]
    return found


def bit_ids(mask: int) -> list[int]:
    """The set bits of ``mask``, ascending."""
    bits = bin(mask)[:1:-1]
    found: list[int] = []
    position = bits.find("1")
    while position != -1:
        found.append(position)
        position = bits.find("1", position + 1)
    return found


# --------------------------------------------------------------------------------------------------------------
# Documents
# --------------------------------------------------------------------------------------------------------------
def pick_label(labels: Mapping[str, str], lang: str) -> str | None:
    """The label in ``lang``, else English, else untagged, else the other languages, else any."""
    for code in [*i18n.language_order(lang)[:2], "", *i18n.language_order(lang)[2:]]:
        if labels.get(code):
            return labels[code]
    return next(iter(sorted(labels.items())), ("", None))[1]


@dataclass(frozen=True)
class Concept:
    iri: str
    kind: str  # country | region | pollutant | pollutant_class | technology | scale | nature_based
    labels: Mapping[str, str]  # language tag ("" untagged) → prefLabel
    alt_labels: tuple[str, ...] = ()
    notation: str | None = None

    @property
    def key(self) -> str:
        """The short form used in URLs: the IRI's last segment (the notation in SRKG vocabularies)."""
        return local_key(self.iri)

    def label(self, lang: str) -> str:
        return pick_label(self.labels, lang) or self.notation or self.key

    def text(self) -> list[str]:
        return [*self.labels.values(), *self.alt_labels]

    def synonyms(self) -> frozenset[str]:
        """The one-word labels as index terms ("Cd", "Cadmio" → {"cd", "cadmio"}), to highlight in text."""
        terms = (analyse(text) for text in self.text())
        return frozenset(t[0] for t in terms if len(t) == 1)


def local_key(iri: str) -> str:
    return re.split(r"[/#]", iri.rstrip("/"))[-1]


@dataclass(frozen=True)
class CaseDoc:
    iri: str
    titles: Mapping[str, str]  # language tag ("" untagged) → title
    fields: tuple[tuple[str, str, str], ...]  # (field, language tag, text)
    values: Mapping[str, tuple[str, ...]]  # facet → values (IRIs; years as digits)
    pollutants: tuple[str, ...] = ()
    technologies: tuple[str, ...] = ()  # as applied (facet "technology" adds the broader ones)
    year: int | None = None

    def title(self, lang: str) -> str:
        return pick_label(self.titles, lang) or local_key(self.iri)

    def summary(self, lang: str) -> str:
        """The first summary text, in the reader's language when the data has one."""
        texts = {tag: text for name, tag, text in reversed(self.fields) if name == "summary"}
        return pick_label(texts, lang) or ""

    def first(self, facet: str) -> str | None:
        values = self.values.get(facet, ())
        return values[0] if values else None


FIELD_WEIGHTS = {"title": TITLE_WEIGHT, "summary": TEXT_WEIGHT, "site": TEXT_WEIGHT, "detail": TEXT_WEIGHT}
_BROADER_FACETS = ("region", "subregion", "pollutant_class", "scale", "pollutant", "technology")


def _case_bag(case: CaseDoc, concept_terms: Mapping[str, Counter[str]]) -> dict[str, float]:
    bag: dict[str, float] = defaultdict(float)
    for name, _, text in case.fields:
        weight = FIELD_WEIGHTS.get(name, TEXT_WEIGHT)
        for term in analyse(text):
            bag[term] += weight
    own = {*case.values.get("country", ()), *case.pollutants, *case.technologies}
    broader = {iri for facet in _BROADER_FACETS for iri in case.values.get(facet, ())} - own
    for iris, weight in ((own, OWN_CONCEPT_WEIGHT), (broader, BROADER_CONCEPT_WEIGHT)):
        for iri in iris:
            for term, count in concept_terms.get(iri, Counter()).items():
                bag[term] += weight * count
    return bag


def _concept_bag(concept: Concept) -> dict[str, float]:
    bag: dict[str, float] = defaultdict(float)
    for text, weight in [*((t, PREF_LABEL_WEIGHT) for t in concept.labels.values()),
                         *((t, TEXT_WEIGHT) for t in (*concept.alt_labels, concept.notation or ""))]:
        for term in analyse(text):
            bag[term] += weight
    return bag


def _browse_key(case: CaseDoc) -> tuple[str, str]:
    return normalise(case.title(i18n.DEFAULT)), case.iri


# --------------------------------------------------------------------------------------------------------------
# Requests and results
# --------------------------------------------------------------------------------------------------------------
class UnknownFacetValue(ValueError):
    """A filter names a value the facet does not have (the message says which and what is expected)."""


@dataclass(frozen=True)
class SearchRequest:
    text: str = ""
    filters: Mapping[str, frozenset[str]] = field(default_factory=dict)  # facet → resolved values
    page: int = 1
    page_size: int = 20


@dataclass(frozen=True)
class Hit:
    case: CaseDoc
    score: float | None  # None when browsing without words


@dataclass(frozen=True)
class FacetValue:
    value: str  # concept IRI, or the year as digits
    count: int
    selected: bool


@dataclass(frozen=True)
class ConceptHit:
    concept: Concept
    score: float
    cases: int


@dataclass(frozen=True)
class SearchResult:
    request: SearchRequest
    words: list[QueryWord]
    total: int
    hits: list[Hit]
    facets: dict[str, list[FacetValue]]
    concepts: list[ConceptHit]

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.request.page_size))


# --------------------------------------------------------------------------------------------------------------
# The index
# --------------------------------------------------------------------------------------------------------------
class SearchIndex:
    """Cases and concepts, searchable. A whole build numbers the cases in title order (a case's position is its id
    and its browse rank). ``with_changes`` (after a write) makes a new index that shares this one and appends the
    cases read again, in a small text segment of their own, and marks the ones they replace as gone
    (``dead``); ``order`` then says where the appended ones come in title order, and ``compact`` makes the whole
    index again (see ``_Cache``)."""

    def __init__(self, cases: Iterable[CaseDoc], concepts: Mapping[str, Concept],
                 valid: Mapping[str, frozenset[str]] | None = None) -> None:
        self.cases: list[CaseDoc] = sorted(cases, key=_browse_key)
        self.concepts = dict(concepts)
        size = len(self.cases)
        self.all = (1 << size) - 1  # the live cases
        self.case_count = size
        self.base_size = size  # ids below it: the whole build's cases, in title order
        self.dead: frozenset[int] = frozenset()  # ids of cases removed or read again since the whole build
        self.order: list[int] | None = None  # title-order numbers of the appended cases (``_order_of``)
        self.ranks: list[int] = []  # of each appended case: how many whole-build cases come before it
        self.keys: list[tuple[str, str]] = []  # of each appended case: its browse key
        self.concept_terms = {iri: Counter(term for text in c.text() for term in analyse(text))
                              for iri, c in self.concepts.items()}
        self.case_text = TextSegments((TextIndex(_case_bag(case, self.concept_terms) for case in self.cases),))
        self.masks: dict[str, dict[str, int]] = self._facet_masks(size)
        self.valid = {facet: frozenset(values) for facet, values in (valid or {}).items()}
        self.by_key = self._keys()
        self.searchable = [c for c in self.concepts.values() if c.kind in SEARCHABLE_KINDS]
        self.searchable.sort(key=lambda c: c.iri)
        self.concept_text = TextIndex([_concept_bag(c) for c in self.searchable])
        # What ``update_index`` needs (set by ``index_from_rows``): the concepts' links, the case studies each
        # graph types, and the graphs holding concepts.
        self.links: Mapping[str, Mapping[str, set[str]]] = {}
        self.case_graphs: Mapping[str, frozenset[str]] = {}
        self.concept_graphs: frozenset[str] = frozenset()
        self.revision: Revision | None = None  # the store revision it was made at (kept on disk with it)

    def _facet_masks(self, size: int) -> dict[str, dict[str, int]]:
        ids: dict[str, dict[str, list[int]]] = {facet: defaultdict(list) for facet in FACETS}
        for doc, case in enumerate(self.cases):
            for facet in FACETS:
                for value in case.values.get(facet, ()):
                    ids[facet][value].append(doc)
        return {facet: {value: bitmask(docs, size) for value, docs in values.items()} for facet, values in ids.items()}

    def _keys(self) -> dict[str, dict[str, list[str]]]:
        """Facet → short key (``THA``) → the values with that key."""
        by_key: dict[str, dict[str, list[str]]] = {}
        for facet in FACETS:
            keys: dict[str, list[str]] = defaultdict(list)
            for iri in sorted(self.valid.get(facet) or self.masks.get(facet, {})):
                keys[local_key(iri)].append(iri)
            by_key[facet] = dict(keys)
        return by_key

    # --- after writes -------------------------------------------------------------------------------------------
    def with_changes(self, gone: Set[str], fresh: Sequence[CaseDoc]) -> SearchIndex:
        """This index without the cases ``gone`` names, with ``fresh`` appended: the work of the few cases, not of
        a whole build (the live cases and facet counts are exactly a whole build's; the text scores of the older
        cases keep the statistics they were computed with, see ``TextIndex``)."""
        first, base = len(self.cases), self.base_size
        removed = [doc for doc, case in enumerate(self.cases) if case.iri in gone and doc not in self.dead]
        new = copy.copy(self)
        new.cases = [*self.cases, *sorted(fresh, key=_browse_key)]
        size = len(new.cases)
        added = range(first, size)
        new.dead = self.dead | frozenset(removed)
        new.all = (self.all & ~bitmask(removed, size)) | (((1 << len(fresh)) - 1) << first)
        new.case_count = self.case_count - len(removed) + len(fresh)
        new.masks = self._masks_with(new.cases, removed, added, size)
        new.by_key = new._keys()
        parts = [*self.case_text.parts]
        dead_terms = Counter(self.case_text.dead_terms)
        for doc in removed:
            dead_terms.update(_case_bag(self.cases[doc], self.concept_terms).keys())
        if len(parts) > MAX_SEGMENTS:  # the appended segments as one, without their dead documents
            parts = [parts[0], TextIndex(({} if doc in new.dead else _case_bag(case, self.concept_terms)
                                          for doc, case in enumerate(new.cases[base:first], base)), base, parts[0])]
            dead_terms = Counter(term for doc in new.dead if doc < base
                                 for term in _case_bag(new.cases[doc], self.concept_terms))
        parts.append(TextIndex((_case_bag(case, self.concept_terms) for case in new.cases[first:]), first, parts[0]))
        new.case_text = TextSegments(parts, dead_terms)
        new.keys = [*self.keys, *(_browse_key(case) for case in new.cases[first:])]
        new.ranks = [*self.ranks, *(self._rank(key) for key in new.keys[first - base:])]
        appended = len(new.keys)
        places = sorted(range(appended), key=lambda j: (new.ranks[j], new.keys[j]))
        new.order = [0] * appended
        for place, j in enumerate(places):
            new.order[j] = new.ranks[j] * (appended + 1) + place
        return new

    def _rank(self, key: tuple[str, str]) -> int:
        """How many whole-build cases come before a case with browse key ``key``."""
        return bisect_left(self.cases, key, hi=self.base_size, key=_browse_key)

    def _masks_with(self, cases: Sequence[CaseDoc], removed: Iterable[int], added: Iterable[int],
                    size: int) -> dict[str, dict[str, int]]:
        """The facet masks with the bits of ``removed`` cleared and those of ``added`` set."""
        changes: dict[tuple[str, str], tuple[list[int], list[int]]] = defaultdict(lambda: ([], []))
        for side, docs in enumerate((removed, added)):
            for doc in docs:
                for facet, values in cases[doc].values.items():
                    for value in values:
                        changes[facet, value][side].append(doc)
        masks = {facet: dict(values) for facet, values in self.masks.items()}
        for (facet, value), (off, on) in changes.items():
            mask = (masks[facet].get(value, 0) & ~bitmask(off, size)) | bitmask(on, size)
            if mask:
                masks[facet][value] = mask
            else:
                masks[facet].pop(value, None)
        return masks

    def _order_of(self, doc: int) -> int:
        """A number that sorts the cases in title order (only when cases were appended)."""
        assert self.order is not None
        base, appended = self.base_size, len(self.order)
        return doc * (appended + 1) + appended if doc < base else self.order[doc - base]

    def _title_order(self, ids: list[int]) -> Iterator[int]:
        """``ids`` (ascending) in title order."""
        if self.order is None:
            return iter(ids)
        split = bisect_left(ids, self.base_size)
        appended = sorted(ids[split:], key=self._order_of)
        return heapq.merge(ids[:split], appended, key=self._order_of)

    def _first_in_title_order(self, mask: int, count: int) -> list[int]:
        """The first ``count`` cases of ``mask`` in title order: at most that many whole-build ones, merged
        with the appended ones (``first_bit_ids``: no list of every bit of a large mask)."""
        if self.order is None:
            return first_bit_ids(mask, count)
        base = self.base_size
        first = first_bit_ids(mask & ((1 << base) - 1), count)
        appended = heapq.nsmallest(count, (base + doc for doc in bit_ids(mask >> base)), key=self._order_of)
        return list(islice(heapq.merge(first, appended, key=self._order_of), count))

    def live_cases(self) -> list[CaseDoc]:
        """The live cases in title order."""
        return [self.cases[doc] for doc in self._title_order(bit_ids(self.all))]

    def compact(self) -> SearchIndex:
        """The index a whole build makes of the same cases (exact scores; no appended segments)."""
        index = SearchIndex(self.live_cases(), self.concepts, self.valid)
        index.links, index.case_graphs, index.concept_graphs = self.links, self.case_graphs, self.concept_graphs
        index.revision = self.revision
        return index

    # --- filters ------------------------------------------------------------------------------------------------
    def resolve(self, facet: str, raw: str) -> str:
        """The value a URL parameter names: a concept's IRI or key (``THA``), or a year; else UnknownFacetValue."""
        if facet not in FACETS:
            raise UnknownFacetValue(f"there is no facet {facet!r}; facets are {', '.join(FACETS)}")
        if facet == "year":
            if not YEAR_PATTERN.fullmatch(raw):
                raise UnknownFacetValue(f"year must be a year such as 2012, not {raw!r}")
            return str(int(raw))
        allowed = self.valid.get(facet) or self.masks.get(facet, {})
        if raw in allowed:
            return raw
        by_key = self.by_key[facet].get(raw, [])
        if len(by_key) == 1:
            return by_key[0]
        examples = ", ".join(sorted(local_key(iri) for iri in self.masks.get(facet, {}))[:5])
        hint = f" (values look like: {examples})" if examples else ""
        raise UnknownFacetValue(f"{facet} has no value {raw!r}{hint}")

    # --- searching ----------------------------------------------------------------------------------------------
    def search(self, request: SearchRequest) -> SearchResult:
        words = parse_query(request.text)
        scores = self.case_text.search(words) if words else None
        if scores is not None:
            for doc in self.dead:  # a fresh dict: fewer cases are gone than match
                scores.pop(doc, None)
        text_mask = self.all if scores is None else bitmask(scores, len(self.cases))
        filters = {facet: self._filter_mask(facet, values) for facet, values in request.filters.items() if values}
        result_mask = text_mask
        for mask in filters.values():
            result_mask &= mask
        return SearchResult(
            request=request,
            words=words,
            total=result_mask.bit_count(),
            hits=self._page(result_mask, scores, request, filtered=bool(filters)),
            facets={facet: self._facet_counts(facet, text_mask, filters, request) for facet in FACETS},
            concepts=self._concepts(words) if words else [],
        )

    def _filter_mask(self, facet: str, values: Iterable[str]) -> int:
        mask = 0
        for value in values:
            mask |= self.masks.get(facet, {}).get(value, 0)
        return mask

    def _page(self, mask: int, scores: Mapping[int, float] | None, request: SearchRequest,
              filtered: bool) -> list[Hit]:
        """The requested page: by score then title order, or in title order when browsing."""
        start = (request.page - 1) * request.page_size
        end = start + request.page_size
        if scores is None:
            return [Hit(self.cases[doc], None) for doc in self._first_in_title_order(mask, end)[start:]]
        matching = bit_ids(mask) if filtered else scores.keys()
        if self.order is None:
            ranked = heapq.nsmallest(end, ((-scores[doc], doc) for doc in matching))
            return [Hit(self.cases[doc], -negative) for negative, doc in ranked[start:end]]
        order_of = self._order_of
        in_order = heapq.nsmallest(end, ((-scores[doc], order_of(doc), doc) for doc in matching))
        return [Hit(self.cases[doc], -negative) for negative, _, doc in in_order[start:end]]

    def _facet_counts(self, facet: str, text_mask: int, filters: Mapping[str, int],
                      request: SearchRequest) -> list[FacetValue]:
        base = text_mask
        for other, mask in filters.items():
            if other != facet:
                base &= mask
        selected = request.filters.get(facet, frozenset())
        if base == self.all:  # browsing with no other filter: no mask to intersect
            values = [FacetValue(value, mask.bit_count(), value in selected)
                      for value, mask in self.masks[facet].items()]
        else:
            values = [FacetValue(value, (base & mask).bit_count(), value in selected)
                      for value, mask in self.masks[facet].items()]
        values += [FacetValue(value, 0, True) for value in selected if value not in self.masks[facet]]
        shown = [v for v in values if v.count or v.selected]
        if facet == "year":
            return sorted(shown, key=lambda v: (not v.selected, -int(v.value)))
        return sorted(shown, key=lambda v: (not v.selected, -v.count, local_key(v.value)))

    def _concepts(self, words: Sequence[QueryWord]) -> list[ConceptHit]:
        hits = []
        for doc, score in self.concept_text.search(words).items():
            concept = self.searchable[doc]
            cases = self.masks.get(concept.kind, {}).get(concept.iri, 0).bit_count()
            hits.append(ConceptHit(concept, score, cases))
        hits.sort(key=lambda h: (-h.score, -h.cases, h.concept.iri))
        return hits[:MAX_CONCEPTS]


# --------------------------------------------------------------------------------------------------------------
# Building from the store
# --------------------------------------------------------------------------------------------------------------
QUERY_NAMES = ("cases", "case-text", "case-links", "concepts", "concept-links")


@cache
def query_text(name: str) -> str:
    return (QUERIES_DIR / f"search-{name}.rq").read_text("utf-8")


def fetch_rows(store: Store, timeout: float | None = None) -> dict[str, list[dict[str, str]]]:
    """Run the five index queries; each row as {variable: lexical value or IRI, "…@lang": language tag}."""
    return {name: [_plain(row) for row in store.select_text(query_text(name), timeout=timeout)]
            for name in QUERY_NAMES}


def _plain(row: Mapping[str, str]) -> dict[str, str]:
    """Short values (IRIs, field names, notations) and language tags repeat over hundreds of thousands of rows:
    one string object each. Tags are read as their primary language ("fr-CA" → "fr")."""
    plain = {variable: sys.intern(value) if len(value) < 120 else value for variable, value in row.items()}
    for variable, value in row.items():
        if variable.endswith("@lang"):
            plain[variable] = sys.intern(value.lower().split("-")[0])
    return plain


def build_index(store: Store, timeout: float | None = None) -> SearchIndex:
    """The whole index: the vocabulary's rows at once, the case studies' rows ``CASE_CHUNK`` cases at a time (no
    answer grows with the store); every case's rows at once only when a case study is a blank node."""
    cases = sorted({row["case"] for row in store.select_text(query_text("case-list"), timeout=timeout)})
    rows = _case_rows(store, cases, timeout)
    if rows is None:
        rows = fetch_rows(store, timeout)
    else:
        for name in ("concepts", "concept-links"):
            rows[name] = [_plain(row) for row in store.select_text(query_text(name), timeout=timeout)]
    index = index_from_rows(rows)
    index.case_graphs, index.concept_graphs = _graphs(store, timeout)
    return index


def _case_rows(store: Store, cases: Sequence[str], timeout: float | None) -> dict[str, list[dict[str, str]]] | None:
    """The rows of ``CASE_QUERIES`` for ``cases``, read ``CASE_CHUNK`` cases at a time, the text rows under
    "case-text" with their field; None when a case is a blank node (it cannot be named in a query)."""
    rows: dict[str, list[dict[str, str]]] = {name: [] for name in CASE_QUERIES}
    try:
        todo = [str(ox.NamedNode(iri)) for iri in cases]
    except ValueError:
        return None
    for start in range(0, len(todo), CASE_CHUNK):
        values = "VALUES ?case { " + " ".join(todo[start:start + CASE_CHUNK]) + " }"
        for name in CASE_QUERIES:
            query = _in_every_branch(query_text(name), values)
            rows[name] += [_plain(row) for row in store.select_text(query, timeout=timeout)]
    rows["case-text"] = rows.pop("case-text-of")
    for row in rows["case-text"]:
        row["field"] = TEXT_FIELDS[row.pop("property")]
    return rows


def _graphs(store: Store, timeout: float | None, among: Iterable[str] | None = None,
            ) -> tuple[dict[str, frozenset[str]], frozenset[str]]:
    """The case studies each graph types, and the graphs that hold concepts; of the graphs ``among`` only, when
    given (after a write, asking about every graph would read every case)."""
    try:
        named = None if among is None else " ".join(str(ox.NamedNode(graph)) for graph in sorted(among))
    except ValueError:  # not an IRI: ask about every graph
        named = None

    def narrow(query: str) -> str:
        return query if named is None else _in_every_branch(query, f"VALUES ?g {{ {named} }}")

    cases: dict[str, set[str]] = defaultdict(set)
    for row in store.select_text(narrow(query_text("case-graphs")), timeout=timeout):
        cases[row["g"]].add(sys.intern(row["case"]))
    concepts = frozenset(row["g"] for row in store.select_text(narrow(query_text("concept-graphs")), timeout=timeout))
    return {graph: frozenset(found) for graph, found in cases.items()}, concepts


CASE_QUERIES = ("cases", "case-text-of", "case-links")
_DC, _SRKG, _RDFS = "http://purl.org/dc/terms/", "https://w3id.org/srkg/ontology#", "http://www.w3.org/2000/01/rdf-schema#"
# search-case-text.rq's field of each property (search-case-text-of.rq gives the property).
TEXT_FIELDS = {
    _DC + "title": "title", _DC + "description": "summary", _DC + "abstract": "summary",
    _SRKG + "outcomeSummary": "summary", _SRKG + "lessonsLearned": "summary", _SRKG + "pollutantAsStated": "detail",
    _RDFS + "label": "site", _SRKG + "locationDescription": "site", _SRKG + "siteTypeAsStated": "site",
    _SRKG + "applicationDescription": "detail", _SRKG + "organismName": "detail", _SRKG + "amendment": "detail",
}
CASE_CHUNK = 1000  # case IRIs per VALUES block when reading cases (the cases of one submission graph: ~0.6 s)


def update_index(store: Store, last: SearchIndex, graphs: Iterable[str],
                 timeout: float | None = None) -> SearchIndex | None:
    """``last`` with the case studies of ``graphs`` read again (those the graphs typed before the write and
    those they type now), the others kept as they were; None when a changed graph holds concepts (every case's
    facets and text depend on them: build the whole index instead). Only the changed graphs are asked about.

    Under ``SEGMENT_MIN_CASES`` cases, or when the cases appended since the last whole build would pass half of
    it, the result is a whole index in memory, what ``build_index`` gives while a case study's record lives in its
    graph (tests/web/test_search_index.py checks it); else ``last.with_changes`` (at 100k cases: ~1 s instead of
    ~15 s), which ``_Cache`` compacts in the background once writes pause."""
    changed = frozenset(graphs)
    if changed & last.concept_graphs or DEFAULT_GRAPH in changed:  # the default graph cannot be named in GRAPH
        return None
    now_cases, now_concepts = _graphs(store, timeout, changed)
    if now_concepts:
        return None
    affected = {case for graph in changed for case in (*last.case_graphs.get(graph, ()), *now_cases.get(graph, ()))}
    rows = _case_rows(store, sorted(affected), timeout)
    if rows is None:
        return None
    fresh = _cases_from_rows(rows, last.concepts, last.links)
    case_graphs = {graph: cases for graph, cases in last.case_graphs.items() if graph not in changed} | now_cases
    appended = len(last.cases) - last.base_size + len(fresh)
    if last.base_size < SEGMENT_MIN_CASES or appended > last.base_size // 2:
        index = SearchIndex([*(case for case in last.live_cases() if case.iri not in affected), *fresh],
                            last.concepts, last.valid)
        index.links = last.links
    else:
        index = last.with_changes(affected, fresh)
    index.case_graphs, index.concept_graphs = case_graphs, last.concept_graphs
    return index


def _in_every_branch(query: str, values: str) -> str:
    """``values`` at the start of each branch of a top-level UNION, else of the WHERE group. Oxigraph 0.5 does not
    carry a binding from outside a UNION into it, and planned the whole query worse with one there too (the text
    of 10 cases at 100k: 45-49 s with the VALUES outside or both, as long as reading every case's text; the 1,000
    cases of one graph: 0.3 s with it in each branch only)."""
    toks = token_list(query)
    branches = [tok.end for i, tok in enumerate(toks) if tok.text == "{" and tok.depth == 1 and i > 0
                and toks[i - 1].text in ("{", "}", "UNION")]
    union = any(tok.keyword == "UNION" and tok.depth == 1 for tok in toks)
    spots = branches if union else [next(tok.end for tok in toks if tok.text == "{" and tok.depth == 0)]
    for spot in reversed(spots):
        query = query[:spot] + " " + values + " " + query[spot:]
    return query


def index_from_rows(rows: Mapping[str, Sequence[Mapping[str, str]]]) -> SearchIndex:
    """The index from the rows of the five queries (see ``fetch_rows``)."""
    concepts = _concepts_from_rows(rows["concepts"])
    links = _links_by_kind(rows["concept-links"])
    cases = _cases_from_rows(rows, concepts, links)
    valid = {facet: frozenset(iri for iri, c in concepts.items() if c.kind == facet) for facet in FACETS}
    valid["region"] = frozenset(t for targets in links["region"].values() for t in targets)
    valid["subregion"] = frozenset(t for targets in links["subregion"].values() for t in targets)
    index = SearchIndex(cases, concepts, valid)
    index.links = {kind: dict(targets) for kind, targets in links.items()}  # plain dicts: kept on disk
    return index


def _concepts_from_rows(rows: Iterable[Mapping[str, str]]) -> dict[str, Concept]:
    labels: dict[str, dict[str, str]] = defaultdict(dict)
    alts: dict[str, set[str]] = defaultdict(set)
    notations: dict[str, str] = {}
    kinds: dict[str, str] = {}
    for row in sorted(rows, key=lambda r: (r["concept"], r["property"], r["label"])):
        iri, prop, text = row["concept"], row["property"], row["label"]
        kinds.setdefault(iri, SCHEME_KINDS.get(row["scheme"], "other"))
        if prop.endswith("#prefLabel"):
            labels[iri].setdefault(row.get("label@lang", ""), text)
        elif prop.endswith("#altLabel"):
            alts[iri].add(text)
        else:
            notations.setdefault(iri, text)
    return {iri: Concept(iri, kind, labels.get(iri, {}), tuple(sorted(alts.get(iri, ()))), notations.get(iri))
            for iri, kind in kinds.items()}


def _links_by_kind(rows: Iterable[Mapping[str, str]]) -> dict[str, dict[str, set[str]]]:
    links: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for row in rows:
        links[row["link"]][row["concept"]].add(row["target"])
    return links


def _ancestors(iri: str, broader: Mapping[str, set[str]]) -> list[str]:
    """``iri`` and everything above it along skos:broader (cycles tolerated)."""
    seen: list[str] = []
    todo = [iri]
    while todo:
        current = todo.pop()
        if current not in seen:
            seen.append(current)
            todo.extend(sorted(broader.get(current, ())))
    return seen


def _nature_based(technologies: Iterable[str], categories: Mapping[str, set[str]]) -> str | None:
    """yes when every technology is nature-based, partial when one is (partly), no otherwise; None without any."""
    found = [categories.get(t, set()) for t in technologies]
    if not found:
        return None
    if all(NBS_YES in c for c in found):
        return NBS_YES
    if any(c & {NBS_YES, NBS_PARTIAL} for c in found):
        return NBS_PARTIAL
    return NBS_NO


def _year(row: Mapping[str, str]) -> int | None:
    for name in ("startYear", "endYear"):
        value = row.get(name, "")
        if YEAR_PATTERN.fullmatch(value.strip().lstrip("+")):
            return int(value)
    return None


def _cases_from_rows(rows: Mapping[str, Sequence[Mapping[str, str]]], concepts: Mapping[str, Concept],
                     links: Mapping[str, Mapping[str, set[str]]]) -> list[CaseDoc]:
    facts: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    years: dict[str, set[int]] = defaultdict(set)
    for row in rows["cases"]:
        case = facts[row["case"]]
        for name in ("country", "scale"):
            if name in row:
                case[name].add(row[name])
        year = _year(row)
        if year is not None:
            years[row["case"]].add(year)
    for row in rows["case-links"]:
        if row["case"] in facts:  # links and texts of other resources than case studies are not indexed
            facts[row["case"]][row["link"]].add(row["concept"])
    texts: dict[str, dict[tuple[str, str, str], None]] = defaultdict(dict)  # ordered and without repeats
    for row in rows["case-text"]:
        if row["case"] in facts:
            texts[row["case"]][(sys.intern(row["field"]), row.get("text@lang", ""), row["text"])] = None
    return [_case_doc(iri, facts[iri], min(years[iri], default=None), list(texts.get(iri, ())), links)
            for iri in facts]


def _case_doc(iri: str, facts: Mapping[str, set[str]], year: int | None, texts: list[tuple[str, str, str]],
              links: Mapping[str, Mapping[str, set[str]]]) -> CaseDoc:
    fields = tuple(sorted(texts, key=lambda t: (t[0] != "title", t[0], t[1], t[2])))
    titles: dict[str, str] = {}
    for name, lang, text in fields:
        if name == "title":
            titles.setdefault(lang, text)
    countries = sorted(facts.get("country", ()))
    pollutants = sorted(facts.get("pollutant", ()))
    technologies = sorted(facts.get("technology", ()))
    broader = links.get("broader", {})
    pollutant_tree = tuple(dict.fromkeys(a for p in pollutants for a in _ancestors(p, broader)))
    values = {
        "country": tuple(countries),
        "region": _linked(countries, links.get("region", {})),
        "subregion": _linked(countries, links.get("subregion", {})),
        "pollutant": pollutant_tree,
        "pollutant_class": _linked(pollutant_tree, links.get("class", {})),
        "technology": tuple(dict.fromkeys(a for t in technologies for a in _ancestors(t, broader))),
        "nature_based": tuple(filter(None, [_nature_based(technologies, links.get("nature_based", {}))])),
        "scale": tuple(sorted(facts.get("scale", ()))),
        "year": (str(year),) if year is not None else (),
    }
    return CaseDoc(iri, titles, fields, values, tuple(pollutants), tuple(technologies), year)


def _linked(sources: Iterable[str], links: Mapping[str, set[str]]) -> tuple[str, ...]:
    return tuple(sorted({target for source in sources for target in links.get(source, ())}))


# --------------------------------------------------------------------------------------------------------------
# The cache on the server context
# --------------------------------------------------------------------------------------------------------------
class _Cache:
    """The built index, a build lock, and a generation counter bumped by every data change.

    After a change the index is rebuilt in the background (``WARM_DELAY_S`` after the last change, so a burst of
    writes costs one build) when one had been built before, so that the next search finds it ready instead of
    waiting seconds for it. A search arriving before the rebuild is done waits for it: never the old index.
    With ``update`` (a store that says which graphs each write changed), a write naming its graphs is followed
    by ``update(last index, graphs)``, which reads only the cases of those graphs again (``update_index``; at
    100k cases, one graph of 1,000 cases: ~1 s instead of ~15 s for the earlier whole-in-memory update and ~80 s
    for a whole build); ``forget`` (graphs unknown) builds the whole index. An update that appended cases is
    compacted in the background (``_compact``) ``COMPACT_DELAY_S`` after the last one.

    Searches call ``wait``: the index is made in a background thread (``warm`` starts one at server start) and a
    search waits for it at most a few seconds, then gets ``IndexNotReady`` (a 503 with Retry-After) instead of
    holding its connection and a server thread for the whole build (at 1M cases: ~20 min).
    """

    def __init__(self, build: Callable[[], SearchIndex],
                 update: Callable[[SearchIndex, frozenset[str]], SearchIndex | None] | None = None,
                 stamp: Callable[[], Revision | None] | None = None,
                 on_made: Callable[[SearchIndex], None] | None = None) -> None:
        """``stamp``: the store revision, read together with the writes' marks (every write up to it is in what
        is read next); ``on_made``: called with each index made by ``build`` once searches have it."""
        self._stamp = stamp
        self._on_made = on_made
        self.build_lock = threading.Lock()
        self.index: SearchIndex | None = None
        self.generation = 0
        self._build = build
        self._update = update
        self._last: SearchIndex | None = None  # the last index made, which an update starts from
        self._changed: set[str] | None = set()  # graphs changed since it was made; None: build the whole index
        self._timer_lock = threading.Lock()  # guards ``_changed``, and ``index`` against ``generation``
        self._rebuild = Debounced(self._warm, lambda: WARM_DELAY_S, "srkg-search-index-rebuild")
        self._compaction = Debounced(self._compact, lambda: COMPACT_DELAY_S, "srkg-search-index-compact")
        self.updates = 0  # indexes made by updating the last one (tests check writes use them)
        self.compactions = 0  # indexes with appended cases made whole again
        self.disk: _Making | None = None  # set when the index is kept on disk between runs
        self._state = threading.Condition()  # guards the three below; notified when a background build ends
        self._building_since: float | None = None  # monotonic start of the background build running now
        self._failure: BaseException | None = None  # what ended the last background build, if it failed
        self.last_build_s: float | None = None  # how long the last index took to make

    def forget(self) -> None:
        with self._timer_lock:
            self._changed = None
        self._invalidate()

    def changed(self, graphs: frozenset[str] | None) -> None:
        """A write changed ``graphs`` (None: unknown)."""
        with self._timer_lock:
            if graphs is None or self._update is None:
                self._changed = None
            elif self._changed is not None:
                self._changed |= graphs
        self._invalidate()

    def _invalidate(self) -> None:
        had_index = self.index is not None or self._last is not None
        with self._timer_lock:
            self.generation += 1
            self.index = None
        if had_index or self._rebuild.pending:
            self._rebuild.poke()

    def _warm(self) -> None:
        """Make the index in this thread unless a background build is running; readers waiting are told."""
        with self._state:
            if self._building_since is not None:
                return
            self._building_since, self._failure = time.monotonic(), None
        try:
            while self.current() is not self.index:  # a write during the build: the index made was not kept
                pass
        except Exception as e:  # readers get it; the next ``wait`` tries again
            self._failure = e
            logging.getLogger(__name__).warning("making the search index failed", exc_info=True)
        finally:
            with self._state:
                self._building_since = None
                self._state.notify_all()

    def start(self) -> None:
        """Make the index in a background thread now, unless it is made or being made."""
        with self._state:
            if self.index is not None or self._building_since is not None:
                return
        threading.Thread(target=self._warm, name="srkg-search-index", daemon=True).start()

    def wait(self, wait_s: float) -> SearchIndex:
        """The index of the current data, waiting at most ``wait_s`` for the background build (started if none
        runs); ``IndexNotReady`` after that, the build's own error if it failed meanwhile."""
        deadline = time.monotonic() + wait_s
        failure_seen = self._failure
        while True:
            index = self.index
            if index is not None:
                return index
            with self._state:
                failure = self._failure
                if failure is not None and failure is not failure_seen and self._building_since is None:
                    raise failure
            self.start()
            with self._state:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    since = self._building_since
                    raise IndexNotReady(0.0 if since is None else time.monotonic() - since, self.last_build_s)
                if self.index is None:
                    self._state.wait(remaining)

    @property
    def building_for_s(self) -> float | None:
        since = self._building_since
        return None if since is None else time.monotonic() - since

    def current(self) -> SearchIndex:
        """The index, made in this thread when it is not (the background build and tests call this)."""
        index = self.index
        if index is not None:
            return index
        with self.build_lock:
            if self.index is not None:
                return self.index
            started = time.monotonic()
            with self._timer_lock:  # the marks and the revision at once: a write is marked before it is done
                generation = self.generation
                changed, self._changed = self._changed, set()
                revision = self._stamp() if self._stamp is not None else None
            built = False
            try:
                index = None
                if self._last is not None and changed and self._update is not None:
                    index = self._update(self._last, frozenset(changed))
                    self.updates += index is not None
                if index is None:
                    index, built = self._build(), True
            except BaseException:
                with self._timer_lock:  # read them again next time
                    self._changed = None if changed is None or self._changed is None else self._changed | changed
                raise
            if self._stamp is not None:
                index.revision = revision
            self._last = index
            self.last_build_s = time.monotonic() - started
            with self._timer_lock:
                if generation == self.generation:
                    self.index = index
            if index.order is not None:
                self._compaction.poke()
        if built and self._on_made is not None:
            self._on_made(index)
        return index

    def _compact(self) -> None:
        """Make the last index whole again (exact scores, one text segment) while searches use it, and put it in
        its place unless a write came meanwhile (the next pause in writes tries again)."""
        last = self._last
        if last is None or last.order is None:
            return
        try:
            whole = last.compact()
        except Exception:  # the appended segments keep answering
            logging.getLogger(__name__).warning("compacting the search index failed", exc_info=True)
            return
        with self.build_lock, self._timer_lock:
            if self._last is last:
                self._last = whole
                self.compactions += 1
                if self.index is last:
                    self.index = whole


class IndexNotReady(Exception):
    """The search index is still being made (at server start) or brought up to date after a write."""

    def __init__(self, building_for_s: float, last_build_s: float | None) -> None:
        super().__init__(f"the search index is being made ({building_for_s:.0f} s so far)")
        self.building_for_s = building_for_s
        self.last_build_s = last_build_s


_REGISTER_LOCK = threading.Lock()
# The index's own SELECTs read every case: at 100k cases one takes longer than a user's query may
# (SRKG_QUERY_TIMEOUT, 30 s by default), and a 503 there would make every search fail until the limit is raised.
INDEX_BUILD_TIMEOUT_S = 900.0


def _cache(ctx: ServerContext) -> _Cache:
    with _REGISTER_LOCK:
        cached = ctx.extras.get(EXTRAS_KEY)
        if not isinstance(cached, _Cache):
            user_limit = ctx.settings.query_timeout_s
            limit = None if user_limit is None else max(user_limit, INDEX_BUILD_TIMEOUT_S)  # None: no limit at all
            summaries = find_summaries(ctx.store)
            if summaries is None:  # no word on which graphs a write changed: build the whole index after each
                cached = _Cache(lambda: build_index(ctx.store, timeout=limit))
                ctx.on_data_changed.append(cached.forget)
            else:
                revisions = summaries.revisions  # None: writes are not logged, nothing is kept on disk
                path = None if revisions is None else ctx.settings.data_dir / search_snapshot.FILE_NAME
                made = _Making(ctx.store, limit, revisions, path)
                if revisions is None:
                    cached = _Cache(made.build, made.update)
                else:
                    cached = _Cache(made.build, made.update, revisions.current, made.made)
                    cached.disk = made
                summaries.watch(cached.changed)
            ctx.extras[EXTRAS_KEY] = cached
        return cached


class _Making:
    """How a store with summaries has its index made: read back from disk at the first build when the revision
    log says which graphs changed since (``search_snapshot``), else built; updated after writes. ``_Cache``
    stamps each index with the store revision read with the writes' marks; a whole build is then kept on disk
    (``made``, in the background once searches have it), and the index in use at stop (``keep_on_disk``)."""

    def __init__(self, store: Store, limit: float | None, revisions: RevisionLog | None, path: Path | None) -> None:
        self.store, self.limit, self.revisions, self.path = store, limit, revisions, path
        self.first = True  # no index read back or built yet
        self.restored = False  # the index in use was read back from disk (and brought up to date)
        self.saved: Revision | None = None
        self._save_lock = threading.Lock()

    def build(self) -> SearchIndex:
        if self.first and self.revisions is not None and self.path is not None:
            index = self._restore()  # an error here (the store) leaves ``first``: the next build tries again
            self.first = False
            if index is not None:
                self.restored = True
                return index
        self.first, self.restored = False, False
        # Written to disk before it is read: a power cut must not leave an index holding writes the store lost.
        self.store.flush()
        return build_index(self.store, timeout=self.limit)

    def _restore(self) -> SearchIndex | None:
        assert self.revisions is not None and self.path is not None
        found = search_snapshot.load(self.path)
        if found is None:
            return None
        index, saved = found
        logging.getLogger(__name__).info("search index of %d cases read back from disk", index.case_count)
        changed = self.revisions.changed_since(saved)
        if changed is None:
            logging.getLogger(__name__).info("the search index on disk is of another store revision: building it")
            return None
        self.saved = saved
        if not changed:
            return index
        return update_index(self.store, index, changed, timeout=self.limit)

    def update(self, last: SearchIndex, graphs: frozenset[str]) -> SearchIndex | None:
        return update_index(self.store, last, graphs, timeout=self.limit)

    def made(self, index: SearchIndex) -> None:
        """After a whole build, searches having it: keep it on disk in the background."""
        if not self.restored:
            threading.Thread(target=self.save, args=(index,), name="srkg-search-index-save", daemon=True).start()

    def save(self, index: SearchIndex | None) -> None:
        """Keep ``index`` on disk unless it is the one there (or the store keeps no revision log); a failure is
        logged, never raised (the index stays in use; the next start builds it)."""
        if index is None or index.revision is None or self.path is None:
            return
        with self._save_lock:
            if index.revision == self.saved:
                return
            try:
                started = time.monotonic()
                search_snapshot.save(index, index.revision, self.path)
                self.saved = index.revision
                logging.getLogger(__name__).info("search index of %d cases kept on disk in %.1f s (%.0f MB)",
                                                 index.case_count, time.monotonic() - started,
                                                 self.path.stat().st_size / 1e6)
            except Exception:
                logging.getLogger(__name__).warning("keeping the search index on disk failed", exc_info=True)


def index_for(ctx: ServerContext, wait_s: float | None = None) -> SearchIndex:
    """The search index of the store's current data, made on first use and after each data change; with
    ``wait_s``, waiting at most that long for it (``IndexNotReady`` after), else as long as making it takes."""
    cache = _cache(ctx)
    return cache.current() if wait_s is None else cache.wait(wait_s)


def keep_on_disk(ctx: ServerContext) -> None:
    """At server stop: write the index in use (or the last one made, before a write still pending) to disk
    unless it is there already, so that the next start reads it back instead of building it."""
    cache = ctx.extras.get(EXTRAS_KEY)
    if not isinstance(cache, _Cache) or cache.disk is None:
        return
    if not cache.build_lock.acquire(blocking=False):  # an index being made: never wait for it at stop
        return
    try:
        cache.disk.save(cache.index or cache._last)
    finally:
        cache.build_lock.release()


def warm(ctx: ServerContext) -> None:
    """Start making the search index in the background (at server start), so the first search finds it made."""
    _cache(ctx).start()


def metric_lines(extras: Mapping[str, object]) -> list[str]:
    """``/metrics`` samples of the search index: whether it is made, its case count, the last build's time."""
    cache = extras.get(EXTRAS_KEY)
    if not isinstance(cache, _Cache):
        return []
    index = cache.index
    out = ["# HELP srkg_search_index_ready 1 when searches are answered at once, 0 while the index is being made "
           "(a search then waits a few seconds, then gets 503 with Retry-After).",
           "# TYPE srkg_search_index_ready gauge",
           f"srkg_search_index_ready {int(index is not None)}"]
    if index is not None:
        out += ["# HELP srkg_search_index_cases Case studies in the search index.",
                "# TYPE srkg_search_index_cases gauge",
                f"srkg_search_index_cases {index.case_count}"]
    if cache.disk is not None:
        out += ["# HELP srkg_search_index_from_disk 1 when the index in use was read back from disk at start "
                "(and brought up to date with the writes since), 0 when it was built.",
                "# TYPE srkg_search_index_from_disk gauge",
                f"srkg_search_index_from_disk {int(cache.disk.restored)}"]
    if cache.last_build_s is not None:
        out += ["# HELP srkg_search_index_build_seconds How long the last search index took to make.",
                "# TYPE srkg_search_index_build_seconds gauge",
                f"srkg_search_index_build_seconds {cache.last_build_s:.3f}"]
    return out
