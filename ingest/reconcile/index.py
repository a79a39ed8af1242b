"""The label index: every code, label and synonym of every SKOS scheme, keyed for lookup, built once.

For each concept scheme the index holds ordered *tiers*; a lookup walks them in order and the first tier with a
hit decides (see ``ingest.reconcile.reconciler`` for the match policy). Each tier says which key function turns
text into its key (``normalise``) and which ``method`` a hit reports.

Codes (method "code")
    country       srkg:iso3Code, skos:notation (= ISO 3166 alpha-3), srkg:iso2Code — exactly as written: upper
                  case ("NO" is Norway, "no" is not); srkg:m49Code — 1 to 3 digits, zero-padded.
    currency      skos:notation (ISO 4217), case-insensitive ("usd" = "USD").
    unit          skos:notation and every altLabel that is a symbol rather than words ("mg kg-1", "ug/L", "Mg"),
                  case-sensitive under ``unit_key``; an input in capitals only ("MG/KG") also matches a symbol
                  written without capitals ("mg/kg"), never one with capitals ("MG" is not "Mg", the megagram).
    m49-region    skos:notation (3-digit M49 code).
    any scheme    srkg:casNumber (with check digit); labels that are element-style symbols ("Cd", "P"),
                  case-sensitive; and, after the labels, the slug skos:notation ("mineral-oil"), case-insensitive.
Exact labels (method "exact label")
    skos:prefLabel in every language, under ``fold``.
Synonyms (method "synonym")
    skos:altLabel and skos:hiddenLabel in every language; the spelling conventions of ``synonyms``; then the
    AGROVOC labels (en fr es ru zh ar, preferred and alternative) of the AGROVOC concepts our concept is
    skos:exactMatch to, then of those it is skos:closeMatch to. AGROVOC enters ONLY through these mappings: an
    AGROVOC concept none of ours maps to is never a target. An AGROVOC label is left out when
    - it names a different concept of the same scheme: its key, or its part outside or inside parentheses, is a
      label of another concept of ours (AGROVOC lists "hexachlorobenzene" and "HCB (hexachlorobenzene)" under
      HCH, c_31386; our vocabulary has hexachlorobenzene as a concept of its own), or
    - it is in a language our concept's curators already copied from that AGROVOC concept (two or more of its
      labels in that language are ours too, in two or more languages): the ones they did not copy were left
      out on purpose ("Hexaclorobenzena", "гексахлорбензол", "六氯苯" under HCH).

Every label (folded) also goes into the scheme's list of names, with its character bigrams, for fuzzy matching
and suggestions.
"""

from __future__ import annotations

import gzip
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import pyoxigraph as ox

from ingest import paths
from ingest.reconcile import synonyms
from ingest.reconcile.api import MatchMethod
from ingest.reconcile.normalise import (
    cas_key,
    clean,
    fold,
    has_lowercase,
    has_uppercase,
    is_symbol,
    m49_key,
    unit_key,
)
from ingest.vocabulary import Vocabulary

SKOS = "http://www.w3.org/2004/02/skos/core#"
SRKG = "https://w3id.org/srkg/ontology#"
VOCAB = "https://w3id.org/srkg/vocab/"
AGROVOC = "http://aims.fao.org/aos/agrovoc/"

# The scheme each Reconciler method reconciles against.
KIND_SCHEMES: dict[str, str] = {
    "country": VOCAB + "country",
    "pollutant": VOCAB + "pollutant",
    "technology": VOCAB + "technology",
    "unit": VOCAB + "unit",
    "currency": VOCAB + "currency",
}

KeyKind = Literal["exact", "upper", "cas", "m49", "unit", "unit-caps", "slug", "fold"]

_WORD_LABEL = re.compile(r"[A-Za-z]+(?:[ -][A-Za-z]+)*")


def input_key(kind: KeyKind, text: str) -> str | None:
    """The key of an input text for a tier of the given kind (None: the text cannot be such a key)."""
    if kind == "exact":
        return clean(text)
    if kind == "upper":
        return clean(text).upper()
    if kind == "cas":
        return cas_key(text)
    if kind == "m49":
        return m49_key(text)
    if kind == "unit":
        return unit_key(text)
    if kind == "unit-caps":
        cleaned = clean(text)
        return unit_key(cleaned, fold_case=True) if has_uppercase(cleaned) and not has_lowercase(cleaned) else None
    if kind == "slug":
        return clean(text).casefold()
    return fold(text)


@dataclass(frozen=True)
class Entry:
    """One code or label of one concept, as the vocabulary (or the synonym table, or AGROVOC) writes it."""

    iri: str
    text: str
    language: str | None
    source: str  # where it comes from, e.g. "skos:altLabel", "srkg:iso2Code", "AGROVOC c_1178 (exactMatch)"


@dataclass(frozen=True)
class Tier:
    name: str
    method: MatchMethod
    key: KeyKind
    table: Mapping[str, tuple[Entry, ...]]


@dataclass
class SchemeIndex:
    """Everything needed to reconcile text against one concept scheme."""

    iri: str
    name: str
    labels: dict[str, str]  # concept IRI → its display label (English prefLabel, else any)
    tiers: tuple[Tier, ...]
    fuzzy: bool  # whether a fuzzy match may be proposed (never for units and currencies: symbols)
    names: tuple[tuple[str, tuple[Entry, ...]], ...]  # every folded label key and its entries, for similarity
    gram_sizes: tuple[int, ...]  # the number of distinct character bigrams of each name (same order as names)
    gram_postings: dict[str, tuple[int, ...]]  # character bigram → the positions in names of the names having it
    by_length: dict[int, tuple[int, ...]]  # name length → positions in names (slips change the length by ≤ 2)
    codes_folded: dict[str, tuple[Entry, ...]]  # case-folded codes and symbols, to suggest "fra" → FRA

    @property
    def concepts(self) -> list[str]:
        return sorted(self.labels)


@dataclass
class _Concept:
    iri: str
    schemes: set[str] = field(default_factory=set)
    notations: list[str] = field(default_factory=list)
    pref: list[tuple[str, str | None]] = field(default_factory=list)
    alt: list[tuple[str, str | None, str]] = field(default_factory=list)  # text, language, predicate
    codes: list[tuple[str, str]] = field(default_factory=list)  # value, predicate (iso2/iso3/m49/cas)
    agrovoc: list[tuple[str, str]] = field(default_factory=list)  # AGROVOC code, "exactMatch" | "closeMatch"


_PREDICATES = {
    SKOS + "inScheme": "inScheme",
    SKOS + "notation": "notation",
    SKOS + "prefLabel": "prefLabel",
    SKOS + "altLabel": "altLabel",
    SKOS + "hiddenLabel": "hiddenLabel",
    SKOS + "exactMatch": "exactMatch",
    SKOS + "closeMatch": "closeMatch",
    SRKG + "iso2Code": "iso2Code",
    SRKG + "iso3Code": "iso3Code",
    SRKG + "m49Code": "m49Code",
    SRKG + "casNumber": "casNumber",
}


def _read_concepts(vocabulary: Vocabulary) -> dict[str, _Concept]:
    # The Vocabulary's pyoxigraph store, read by predicate: one pass over the ~5,000 relevant triples.
    store: ox.Store = vocabulary._store
    concepts: dict[str, _Concept] = {}
    for predicate_iri, name in _PREDICATES.items():
        for quad in store.quads_for_pattern(None, ox.NamedNode(predicate_iri), None):
            if not isinstance(quad.subject, ox.NamedNode):
                continue
            concept = concepts.get(quad.subject.value)
            if concept is None:
                concept = concepts[quad.subject.value] = _Concept(quad.subject.value)
            obj = quad.object
            if name == "inScheme":
                if isinstance(obj, ox.NamedNode):
                    concept.schemes.add(obj.value)
            elif name in ("exactMatch", "closeMatch"):
                if isinstance(obj, ox.NamedNode) and obj.value.startswith(AGROVOC):
                    concept.agrovoc.append((obj.value[len(AGROVOC) :], name))
            elif isinstance(obj, ox.Literal):
                if name == "notation":
                    concept.notations.append(obj.value)
                elif name == "prefLabel":
                    concept.pref.append((obj.value, obj.language or None))
                elif name in ("altLabel", "hiddenLabel"):
                    concept.alt.append((obj.value, obj.language or None, "skos:" + name))
                else:
                    concept.codes.append((obj.value, name))
    for concept in concepts.values():  # deterministic order whatever the store's
        concept.notations.sort()
        concept.pref.sort(key=lambda p: (p[1] or "", p[0]))
        concept.alt.sort(key=lambda a: (a[2], a[1] or "", a[0]))
        concept.codes.sort()
        concept.agrovoc.sort()
    return concepts


def read_agrovoc_labels(path: Path, codes: Iterable[str]) -> dict[str, list[tuple[str, str, str]]]:
    """AGROVOC labels (text, language, "pref"|"alt") of the given concept codes ("c_1178"), from the label table."""
    wanted = set(codes)
    found: dict[str, list[tuple[str, str, str]]] = {}
    if not wanted or not path.is_file():
        return found
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        header = next(lines).rstrip("\n").split("\t")
        columns = [
            (i, language, kind)
            for i, (kind, _, language) in enumerate(col.partition("_") for col in header)
            if kind in ("pref", "alt") and language
        ]
        for line in lines:
            if line[: line.find("\t")] not in wanted:
                continue
            cells = line.rstrip("\n").split("\t")
            labels = found.setdefault(cells[0], [])
            for i, language, kind in columns:
                if i < len(cells) and cells[i]:
                    for text in cells[i].split("|") if kind == "alt" else (cells[i],):
                        if text.strip():
                            labels.append((text.strip(), language, kind))
    return found


class _TierBuilder:
    def __init__(self, name: str, method: MatchMethod, key: KeyKind) -> None:
        self.name, self.method, self.key = name, method, key
        self.table: dict[str, list[Entry]] = defaultdict(list)

    def add(self, key: str | None, entry: Entry) -> None:
        if key and entry not in self.table[key]:
            self.table[key].append(entry)

    def build(self) -> Tier:
        return Tier(self.name, self.method, self.key, {k: tuple(v) for k, v in self.table.items()})


def _is_word_label(text: str) -> bool:
    """A unit label made of words ("milligrams per kilogram"), matched case-insensitively, not a symbol."""
    return _WORD_LABEL.fullmatch(text) is not None and any(len(w) >= 4 for w in re.split("[ -]", text))


_OUTER_INNER = re.compile(r"(.+?)\s*\((.+)\)")


def _names_another(key: str, iri: str, own: Mapping[str, set[str]]) -> bool:
    """Whether an AGROVOC label (folded) is, or has as its part outside or inside parentheses, a label of another
    of our concepts: "hexachlorobenzene" or "HCB (hexachlorobenzene)" under HCH, "Congo (Kinshasa)" under COD."""
    parts = [key]
    found = _OUTER_INNER.fullmatch(key)
    if found is not None:
        parts += [fold(found.group(1)), fold(found.group(2))]
    return any(own.get(part, set()) - {iri} for part in parts)


def _curated_languages(concept: _Concept, agrovoc_labels: list[tuple[str, str, str, str]]) -> set[str]:
    """Languages in which our concept already carries two or more of the AGROVOC concept's labels, when there are
    at least two such languages: the curators copied AGROVOC's labels in those languages and left the others out
    on purpose (pollutants.ttl: "nor the hexachlorobenzene labels AGROVOC attaches to HCH"), so the rest are not
    brought back in."""
    ours: dict[str | None, set[str]] = defaultdict(set)
    for text, language in concept.pref:
        ours[language].add(fold(text))
    for text, language, _ in concept.alt:
        ours[language].add(fold(text))
    shared: dict[str, set[str]] = defaultdict(set)
    for key, _, language, _ in agrovoc_labels:
        if key in ours.get(language, ()):
            shared[language].add(key)
    curated = {language for language, keys in shared.items() if len(keys) >= 2}
    # One such language can be chance (an official English name and its short form, as in the country list);
    # two or more show the concept's labels were copied from AGROVOC.
    return curated if len(curated) >= 2 else set()


class LabelIndex:
    """Code and label tables of every concept scheme in a Vocabulary (plus AGROVOC labels through mappings)."""

    def __init__(self, vocabulary: Vocabulary, agrovoc_labels: Path | None = None) -> None:
        concepts = _read_concepts(vocabulary)
        agrovoc_path = agrovoc_labels if agrovoc_labels is not None else default_agrovoc_labels()
        agrovoc = read_agrovoc_labels(agrovoc_path, (code for c in concepts.values() for code, _ in c.agrovoc))
        members: dict[str, list[_Concept]] = defaultdict(list)
        for concept in concepts.values():
            for scheme in concept.schemes:
                members[scheme].append(concept)
        self.schemes: dict[str, SchemeIndex] = {
            scheme: _build_scheme(scheme, sorted(found, key=lambda c: c.iri), agrovoc)
            for scheme, found in sorted(members.items())
        }

    def scheme(self, scheme: str) -> SchemeIndex:
        """The index of a scheme, by IRI or by its name under https://w3id.org/srkg/vocab/ ("land-use")."""
        found = self.schemes.get(scheme) or self.schemes.get(VOCAB + scheme)
        if found is None:
            raise KeyError(f"unknown concept scheme {scheme!r}; known: {', '.join(sorted(self.names()))}")
        return found

    def names(self) -> list[str]:
        return [s.name for s in self.schemes.values()]


def bigrams(key: str) -> frozenset[str]:
    """The character bigrams of a key padded with a space at each end ("cd" → " c", "cd", "d ")."""
    padded = f" {key} "
    return frozenset(padded[i : i + 2] for i in range(len(padded) - 1))


def default_agrovoc_labels() -> Path:
    return paths.external_dir() / "agrovoc-labels-6lang.tsv.gz"


def _display_label(concept: _Concept) -> str:
    by_language = {language: text for text, language in reversed(concept.pref)}
    for language in ("en", None):
        if language in by_language:
            return by_language[language]
    if concept.pref:
        return concept.pref[0][0]
    return concept.notations[0] if concept.notations else concept.iri


def _build_scheme(scheme: str, concepts: list[_Concept], agrovoc: dict[str, list[tuple[str, str, str]]]) -> SchemeIndex:
    name = scheme[len(VOCAB) :] if scheme.startswith(VOCAB) else scheme
    by_notation = {n: c.iri for c in concepts for n in c.notations}
    code_tiers: list[_TierBuilder] = []
    label_tiers: list[_TierBuilder] = []
    pref = _TierBuilder("prefLabel", "exact label", "fold")
    alt = _TierBuilder("altLabel/hiddenLabel", "synonym", "fold")
    is_unit = name == "unit"

    if name == "country":
        iso = _TierBuilder("ISO 3166 code", "code", "exact")
        m49 = _TierBuilder("UN M49 code", "code", "m49")
        for c in concepts:
            for n in c.notations:
                iso.add(clean(n), Entry(c.iri, n, None, "skos:notation"))
            for value, predicate in c.codes:
                entry = Entry(c.iri, value, None, "srkg:" + predicate)
                if predicate in ("iso2Code", "iso3Code"):
                    iso.add(clean(value), entry)
                elif predicate == "m49Code":
                    m49.add(m49_key(value), entry)
        code_tiers += [iso, m49]
    elif name == "currency":
        codes = _TierBuilder("ISO 4217 code", "code", "upper")
        for c in concepts:
            for n in c.notations:
                codes.add(clean(n).upper(), Entry(c.iri, n, None, "skos:notation"))
        code_tiers.append(codes)
        for text, code in synonyms.CURRENCY_SYMBOLS.items():
            if code in by_notation:
                alt.add(fold(text), Entry(by_notation[code], text, None, "synonyms.CURRENCY_SYMBOLS"))
        for text, codes_ in synonyms.AMBIGUOUS_CURRENCY_SYMBOLS.items():
            for code in codes_:
                if code in by_notation:
                    alt.add(fold(text), Entry(by_notation[code], text, None, "synonyms.AMBIGUOUS_CURRENCY_SYMBOLS"))
    elif name == "m49-region":
        m49 = _TierBuilder("UN M49 code", "code", "m49")
        for c in concepts:
            for n in c.notations:
                m49.add(m49_key(n) or clean(n), Entry(c.iri, n, None, "skos:notation"))
        code_tiers.append(m49)
    elif is_unit:
        symbols = _TierBuilder("unit symbol", "code", "unit")
        caps = _TierBuilder("unit symbol (input in capitals)", "code", "unit-caps")

        def add_symbol(text: str, entry: Entry) -> None:
            key = unit_key(text)
            symbols.add(key, entry)
            if not has_uppercase(key):
                caps.add(key, entry)

        for c in concepts:
            for n in c.notations:
                add_symbol(n, Entry(c.iri, n, None, "skos:notation"))
            for text, language, predicate in c.alt:
                if not _is_word_label(text):
                    add_symbol(text, Entry(c.iri, text, language, predicate))
        for text, notation in synonyms.UNIT_NOTATIONS.items():
            if notation in by_notation:
                add_symbol(text, Entry(by_notation[notation], text, None, "synonyms.UNIT_NOTATIONS"))
        code_tiers += [symbols, caps]
    else:
        cas = _TierBuilder("CAS registry number", "code", "cas")
        for c in concepts:
            for value, predicate in c.codes:
                if predicate == "casNumber":
                    cas.add(cas_key(value), Entry(c.iri, value, None, "srkg:casNumber"))
        if cas.table:
            code_tiers.append(cas)

    symbol_tier = _TierBuilder("symbol", "code", "exact")
    for c in concepts:
        for text, language in c.pref:
            entry = Entry(c.iri, text, language, "skos:prefLabel")
            if is_symbol(text) and not is_unit:
                symbol_tier.add(text, entry)
            else:
                pref.add(fold(text), entry)
        for text, language, predicate in c.alt:
            entry = Entry(c.iri, text, language, predicate)
            if is_unit:
                if _is_word_label(text):
                    alt.add(fold(text), entry)
            elif is_symbol(text):
                symbol_tier.add(text, entry)
            else:
                alt.add(fold(text), entry)
    if symbol_tier.table:
        code_tiers.append(symbol_tier)
    label_tiers += [pref, alt]

    if name not in ("country", "currency", "m49-region", "unit"):
        slug = _TierBuilder("notation", "code", "slug")
        for c in concepts:
            for n in c.notations:
                slug.add(clean(n).casefold(), Entry(c.iri, n, None, "skos:notation"))
        label_tiers.append(slug)

    # AGROVOC labels through exactMatch, then closeMatch — minus those naming another concept of this scheme.
    own: dict[str, set[str]] = defaultdict(set)
    for tier in (pref, alt):
        for key, entries in tier.table.items():
            own[key].update(e.iri for e in entries)
    for key, entries in symbol_tier.table.items():
        own[key.casefold()].update(e.iri for e in entries)
    for relation in ("exactMatch", "closeMatch"):
        tier = _TierBuilder(f"AGROVOC label ({relation})", "synonym", "fold")
        for c in concepts:
            for code, rel in c.agrovoc:
                if rel != relation:
                    continue
                labels = [(fold(text), text, language, kind) for text, language, kind in agrovoc.get(code, ())]
                curated = _curated_languages(c, labels)
                for key, text, language, kind in labels:
                    if language in curated or _names_another(key, c.iri, own):
                        continue
                    tier.add(key, Entry(c.iri, text, language, f"AGROVOC {code} {kind}_{language} ({relation})"))
        if tier.table:
            label_tiers.append(tier)

    tiers = tuple(t.build() for t in (*code_tiers, *label_tiers))
    by_key: dict[str, list[Entry]] = defaultdict(list)
    for tier in tiers:
        if tier.key == "fold":
            for key, entries in tier.table.items():
                by_key[key].extend(entries)
    names = tuple((key, tuple(entries)) for key, entries in by_key.items())
    grams = [bigrams(key) for key, _ in names]
    postings: dict[str, list[int]] = defaultdict(list)
    lengths: dict[int, list[int]] = defaultdict(list)
    for position, (key, _) in enumerate(names):
        lengths[len(key)].append(position)
        for gram in grams[position]:
            postings[gram].append(position)
    codes_folded: dict[str, list[Entry]] = defaultdict(list)
    for tier in tiers:
        if tier.key in ("exact", "unit", "upper"):
            for key, entries in tier.table.items():
                codes_folded[key.casefold()].extend(e for e in entries if e not in codes_folded[key.casefold()])
    return SchemeIndex(
        iri=scheme,
        name=name,
        labels={c.iri: _display_label(c) for c in concepts},
        tiers=tiers,
        fuzzy=name not in ("unit", "currency"),
        names=names,
        gram_sizes=tuple(len(g) for g in grams),
        gram_postings={gram: tuple(found) for gram, found in postings.items()},
        by_length={length: tuple(found) for length, found in lengths.items()},
        codes_folded={k: tuple(v) for k, v in codes_folded.items()},
    )
