"""Find the concepts of an SRKG scheme that a free text mentions, by their labels.

Used for columns that describe things in prose ("phytoextraction with As-hyperaccumulator fern Pteris vittata",
"informal used lead-acid battery recycling (residential)"). The recogniser only knows the scheme's own labels
(``skos:prefLabel``, ``skos:altLabel``, ``skos:hiddenLabel``; English and untagged): it never invents a concept.

How a label is found in the text:
- Text and labels are cut into words; a word is compared lower-cased, with British and American spellings made
  equal (-isation/-ization, -ise/-ize, -yse/-yze, vapour/vapor), a plural 's' dropped, hyphens inside words
  removed ("bio-remediation" = "bioremediation") and "in situ" / "in-situ" / "ex situ" read as one word.
  A second reading takes hyphens as spaces, so that "smelter-affected land" also names "smelter"; its finds are
  kept where they do not overlap the first reading's.
- Labels written in capitals (acronyms such as "ISCO", "MNA", "ISTD") match only the same capitals, so the word
  "see" never matches the acronym "SEE".
- The longest label wins and labels do not overlap: "soil vapour extraction" is found once, not also
  "vapour extraction"; "excavation and off-site disposal" is not read as two concepts.
- A label shared by two concepts of the scheme is ambiguous and is ignored.
- A two-word label "<thing> <action>" ("landfill closure", "dumpsite rehabilitation", "soil removal") is also found
  in the English inverted form "<action> of <up to three words> <thing>" ("closure of the former dumpsite"), and
  with one coordinated action ("closure and phase-out of the dumpsite"). The words in between must not be cut by
  punctuation, and the inverted finding never overlaps a direct one.

Each ``Mention`` keeps the words as written in the source and the label they matched, so a report can show why
a concept was recognised.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

from rdflib import SKOS, URIRef

from ingest.namespaces import scheme_iri
from ingest.vocabulary import Vocabulary, default_vocabulary

LABEL_PREDICATES = (SKOS.prefLabel, SKOS.altLabel, SKOS.hiddenLabel)
_WORD = re.compile(r"[^\W_]+(?:-+[^\W_]+)*", re.UNICODE)
_PART = re.compile(r"[^\W_]+", re.UNICODE)
_SITU = re.compile(r"\b(in|ex)[\s-]+situ\b", re.IGNORECASE)
_SPELLING = (
    (re.compile(r"ization"), "isation"),
    (re.compile(r"izing"), "ising"),
    (re.compile(r"ized$"), "ised"),
    (re.compile(r"ize$"), "ise"),
    (re.compile(r"yze"), "yse"),
    (re.compile(r"vapor"), "vapour"),
)


@dataclass(frozen=True)
class Mention:
    """A concept found in a text: where, with which words, through which label."""

    iri: URIRef
    phrase: str  # the words as written in the source
    label: str  # the vocabulary label they matched
    start: int
    end: int


@dataclass(frozen=True)
class _Token:
    key: str  # normalised form, compared with label keys
    raw: str  # as written (acronyms compare on this)
    start: int
    end: int
    gap: str  # what separates it from the next word: " " for spaces, else the punctuation ("," "/" ")" …)


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def _normalise_word(word: str) -> str:
    word = _ascii(word).lower().replace("-", "")
    for pattern, replacement in _SPELLING:
        word = pattern.sub(replacement, word)
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    return word


def _tokens(text: str, split_hyphens: bool = False) -> list[_Token]:
    # "in situ" -> "in-situ" (same length, so positions still point into the original text)
    joined = _SITU.sub(lambda m: m.group(1) + "-" * (m.end() - m.start() - len(m.group(1)) - 4) + "situ", text)
    matches = list((_PART if split_hyphens else _WORD).finditer(joined))
    tokens = []
    for n, m in enumerate(matches):
        following = joined[m.end() : matches[n + 1].start()] if n + 1 < len(matches) else ""
        gap = "".join(following.split()) or " "
        if split_hyphens and set(gap) == {"-"}:
            gap = " "
        tokens.append(_Token(_normalise_word(m.group()), m.group(), m.start(), m.end(), gap))
    return tokens


def _key(tokens: list[_Token], raw: bool) -> tuple[str, ...]:
    """Words and the separators between them, so that a label never matches across a comma or bracket."""
    key: list[str] = []
    for n, token in enumerate(tokens):
        key.append(token.raw if raw else token.key)
        if n + 1 < len(tokens):
            key.append(token.gap)
    return tuple(key)


def _is_acronym(label: str) -> bool:
    letters = [c for c in label if c.isalpha()]
    return bool(letters) and sum(c.isupper() for c in letters) >= max(2, len(letters) - 1) and len(label) <= 8


class _Index:
    """Label keys → concept for one way of reading words (hyphens joined, or hyphens as spaces)."""

    def __init__(self, labels: Mapping[URIRef, Iterable[str]], split_hyphens: bool) -> None:
        self.split_hyphens = split_hyphens
        words: dict[tuple[str, ...], set[URIRef]] = {}
        acronyms: dict[tuple[str, ...], set[URIRef]] = {}
        self.label_text: dict[tuple[bool, tuple[str, ...]], str] = {}
        for iri, concept_labels in labels.items():
            for label in concept_labels:
                acronym = _is_acronym(label)
                key = _key(_tokens(label, split_hyphens), raw=acronym)
                if not key:
                    continue
                (acronyms if acronym else words).setdefault(key, set()).add(iri)
                self.label_text.setdefault((acronym, key), label)
        # a label shared by two concepts is ambiguous: left out
        self.words = {k: next(iter(v)) for k, v in words.items() if len(v) == 1}
        self.acronyms = {k: next(iter(v)) for k, v in acronyms.items() if len(v) == 1}
        self.longest = max(((len(k) + 1) // 2 for k in [*self.words, *self.acronyms]), default=0)
        # "<thing> <action>" labels by action word, then thing word: for "<action> of … <thing>"
        self.inverted: dict[str, dict[str, tuple[URIRef, str]]] = {}
        for key, iri in self.words.items():
            if len(key) == 3 and key[1] == " ":
                self.inverted.setdefault(key[2], {})[key[0]] = (iri, self.label_text[(False, key)])

    def find(self, text: str) -> list[Mention]:
        tokens = _tokens(text, self.split_hyphens)
        mentions: list[Mention] = []
        i = 0
        while i < len(tokens):
            found = self._match_at(tokens, i)
            if found is None:
                i += 1
                continue
            length, iri, label = found
            start, end = tokens[i].start, tokens[i + length - 1].end
            mentions.append(Mention(iri, text[start:end], label, start, end))
            i += length
        for mention in self._inverted(text, tokens):
            if all(mention.end <= m.start or mention.start >= m.end for m in mentions):
                mentions.append(mention)
        return sorted(mentions, key=lambda m: m.start)

    def _inverted(self, text: str, tokens: list[_Token]) -> list[Mention]:
        """Mentions of two-word labels written "<action> [and <word>] of <≤ 3 words> <thing>"."""
        found: list[Mention] = []
        for i, token in enumerate(tokens):
            things = self.inverted.get(token.key)
            if not things:
                continue
            j = i + 1
            if j + 1 < len(tokens) and tokens[j].key == "and":
                j += 2  # "closure and phase-out of …"
            if j >= len(tokens) or tokens[j].key != "of":
                continue
            for k in range(j + 1, min(j + 5, len(tokens))):
                if any(t.gap != " " for t in tokens[i:k]):
                    break  # never across punctuation
                if tokens[k].key in things:
                    iri, label = things[tokens[k].key]
                    start, end = token.start, tokens[k].end
                    found.append(Mention(iri, text[start:end], label, start, end))
                    break
        return found

    def _match_at(self, tokens: list[_Token], i: int) -> tuple[int, URIRef, str] | None:
        for length in range(min(self.longest, len(tokens) - i), 0, -1):
            window = tokens[i : i + length]
            raw = _key(window, raw=True)
            if raw in self.acronyms:
                return length, self.acronyms[raw], self.label_text[(True, raw)]
            key = _key(window, raw=False)
            if key in self.words:
                return length, self.words[key], self.label_text[(False, key)]
        return None


class PhraseRecogniser:
    """Finds mentions of a fixed set of concepts, given each concept's labels."""

    def __init__(self, labels: Mapping[URIRef, Iterable[str]]) -> None:
        self._joined = _Index(labels, split_hyphens=False)
        self._split = _Index(labels, split_hyphens=True)

    def find(self, text: str) -> list[Mention]:
        """Concept mentions in reading order (longest label first, no overlaps)."""
        mentions = self._joined.find(text)
        for mention in self._split.find(text):
            if all(mention.end <= m.start or mention.start >= m.end for m in mentions):
                mentions.append(mention)
        return sorted(mentions, key=lambda m: m.start)


def scheme_labels(scheme: str, vocabulary: Vocabulary) -> dict[URIRef, list[str]]:
    """English and untagged pref/alt/hidden labels of every concept of an SRKG scheme (e.g. ``technology``)."""
    labels: dict[URIRef, list[str]] = {}
    for concept in vocabulary.subjects_in_scheme(str(scheme_iri(scheme))):
        labels[concept] = [
            str(obj)
            for _, predicate, obj in vocabulary.triples(str(concept))
            if predicate in LABEL_PREDICATES and getattr(obj, "language", None) in (None, "", "en")
        ]
    return labels


@lru_cache(maxsize=64)
def _recogniser(scheme: str, vocabulary: Vocabulary) -> PhraseRecogniser:
    return PhraseRecogniser(scheme_labels(scheme, vocabulary))


def recogniser_for(scheme: str, vocabulary: Vocabulary | None = None) -> PhraseRecogniser:
    """A recogniser over one scheme's labels (built once per scheme and vocabulary)."""
    return _recogniser(scheme, vocabulary or default_vocabulary())
