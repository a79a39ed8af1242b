"""The remediation action-plan checklist for a site (issue #9; competency question 5).

Input: the site's pollutants, land use, site type and country as the user writes them ("Pb", "lead", "allotment",
"GBR"), resolved to vocabulary IRIs with the ingest reconciler (``describe_site``). Output (``build``):

- the stages of the checklist vocabulary in their order (``srkg:stageOrder``) with guidance (``skos:scopeNote``),
  definition, key outputs, sources, and the sustainability criteria the vocabulary itself links to the stage
  (``srkg:relevantCriterion``). Nothing is added: a stage without guidance or criteria has ``None`` / ``()``;
- per pollutant, the candidate technologies as the technology comparison ranks them on the evidence of the
  published cases (``comparison.compare``), with the number of cases and the nature-based category;
- the most similar documented cases (``checklist-similar-cases.rq``, run once per pollutant). A case must share a
  pollutant: 3 points for each of the site's pollutants it has (or a narrower one), 1 for each of which it has
  only another pollutant of the same class. Cases are ranked by those points first, then by the context points —
  land use +2, site type (or a narrower one) +2, same country +3 / same M49 sub-region +2 / same M49 region +1 —
  then by title. The first ``SIMILAR_LIMIT`` are kept.

Every query is a SELECT of ``queries/checklist-*.rq`` with bound parameters; labels are chosen in the reader's
language with English as the fallback.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from rdflib import Literal, URIRef
from rdflib.term import Node

from ingest.reconcile import Reconciles
from sparql_api.analysis.comparison import compare
from sparql_api.analysis.evidence import Filters, fetch
from sparql_api.analysis.money import MoneyTables, default_tables
from sparql_api.analysis.resolve import FilterError, Resolved, resolve_concept, resolve_pollutant
from sparql_api.store.base import Store

QUERIES_DIR = Path(__file__).parent / "queries"
LANGUAGES = ("en", "fr", "es", "ru", "zh", "ar")
MAX_POLLUTANTS = 10
SIMILAR_LIMIT = 10
LAND_USE_POINTS, SITE_TYPE_POINTS = 2, 2
PLACE_POINTS = {"country": 3, "sub-region": 2, "region": 1}
PILLAR_ORDER = ("environmental", "social", "economic")

Row = Mapping[str, Node]
Texts = dict[str, str]  # language → text ("" for a text without a language tag)


@cache
def query_text(name: str) -> str:
    """The text of ``queries/checklist-{name}.rq``."""
    return (QUERIES_DIR / f"checklist-{name}.rq").read_text("utf-8")


def pick(texts: Mapping[str, str], lang: str) -> str | None:
    """The text in ``lang``, else English, else untagged, else any language; None when there is none."""
    for code in (lang, "en", "", *LANGUAGES):
        if texts.get(code):
            return texts[code]
    return next(iter(texts.values()), None)


def _add_text(texts: Texts, value: Node) -> None:
    lang = (value.language or "").lower().split("-")[0] if isinstance(value, Literal) else ""
    texts.setdefault(lang, str(value))


# --- the site ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SiteDescription:
    """The site the checklist is for, each value resolved to a vocabulary concept."""

    pollutants: tuple[Resolved, ...]
    land_use: Resolved | None = None
    site_type: Resolved | None = None
    country: Resolved | None = None

    def concepts(self) -> tuple[Resolved, ...]:
        return self.pollutants + tuple(c for c in (self.land_use, self.site_type, self.country) if c)


def split_values(values: Iterable[str]) -> list[str]:
    """Pollutants as given (repeated parameters and/or comma- or semicolon-separated), blanks dropped."""
    out: list[str] = []
    for value in values:
        out += [part.strip() for part in value.replace(";", ",").split(",") if part.strip()]
    return list(dict.fromkeys(out))


def describe_site(pollutants: Sequence[str], land_use: str | None = None, site_type: str | None = None,
                  country: str | None = None, reconciler: Reconciles | None = None) -> SiteDescription:
    """Resolve the user's words; FilterError names the field (and suggestions) when a value names nothing."""
    words = split_values(pollutants)
    if not words:
        raise FilterError("pollutant", "give at least one pollutant (a symbol, name or class such as Pb or lead)")
    if len(words) > MAX_POLLUTANTS:
        raise FilterError("pollutant", f"at most {MAX_POLLUTANTS} pollutants, {len(words)} given")
    unique = tuple({r.iri: r for r in (resolve_pollutant(w, reconciler) for w in words)}.values())

    def optional(field_name: str, scheme: str, text: str | None) -> Resolved | None:
        text = (text or "").strip()
        return resolve_concept(field_name, scheme, text, reconciler) if text else None

    return SiteDescription(unique, optional("land_use", "land-use", land_use),
                           optional("site_type", "site-type", site_type), optional("country", "country", country))


# --- the checklist's parts -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Criterion:
    """A sustainability criterion the vocabulary links to a stage, with its framework and pillar."""

    iri: str
    notation: str
    label: str
    framework: str | None = None
    framework_label: str | None = None
    pillar: str | None = None
    pillar_label: str | None = None


@dataclass(frozen=True)
class Stage:
    """One checklist stage; ``guidance``, ``key_outputs`` None and ``criteria`` empty where the vocabulary has none."""

    iri: str
    order: int
    notation: str
    label: str
    guidance: str | None
    definition: str | None
    key_outputs: str | None
    sources: tuple[str, ...]
    criteria: tuple[Criterion, ...]

    @property
    def key(self) -> str:
        """The stage's key in plan IRIs and URLs: the last segment of its IRI (``rap-04``)."""
        return self.iri.rsplit("/", 1)[-1]


@dataclass(frozen=True)
class Candidate:
    """A technology applied in published cases with the pollutant, as the comparison ranks it."""

    technology: str
    label: str
    rank: int
    n_cases: int
    strength: str  # thin | moderate | substantial
    nature_based: str | None  # nbs-category notation: yes | partial | no
    highest_scale: str | None
    cases: tuple[str, ...]


@dataclass(frozen=True)
class CandidateList:
    pollutant: Resolved
    candidates: tuple[Candidate, ...]
    evidence_cases: int  # distinct published cases with the pollutant


@dataclass(frozen=True)
class SimilarCase:
    case: str
    title: str
    country: str | None
    country_label: str | None
    pollutant_points: int
    pollutants_shared: tuple[str, ...]  # IRIs of the site's pollutants the case shares (or shares the class of)
    land_use_match: bool
    site_type_match: bool
    place: str | None  # country | sub-region | region

    @property
    def context_points(self) -> int:
        return (LAND_USE_POINTS * self.land_use_match + SITE_TYPE_POINTS * self.site_type_match
                + PLACE_POINTS.get(self.place or "", 0))

    @property
    def score(self) -> int:
        return self.pollutant_points + self.context_points

    def rank_key(self) -> tuple[int, int, str, str]:
        return (-self.pollutant_points, -self.context_points, self.title.casefold(), self.case)


@dataclass(frozen=True)
class Checklist:
    site: SiteDescription
    lang: str
    stages: tuple[Stage, ...]
    candidates: tuple[CandidateList, ...]
    similar: tuple[SimilarCase, ...]
    labels: Mapping[str, str] = field(default_factory=dict)  # site concept IRI → label in ``lang``

    def label(self, concept: Resolved | None) -> str:
        if concept is None:
            return ""
        return self.labels.get(concept.iri) or concept.label


# --- reading the store ---------------------------------------------------------------------------------------


def _fields(rows: Iterable[Row], key: str) -> dict[str, dict[str, object]]:
    """Long-format rows (?key ?field ?value) → {key: {field: Texts | [IRIs]}}, first-seen order kept."""
    out: dict[str, dict[str, object]] = {}
    for row in rows:
        entry = out.setdefault(str(row[key]), {"_row": row})
        name, value = row.get("field"), row.get("value")
        if name is None or value is None:
            continue
        if isinstance(value, URIRef):
            values = entry.setdefault(str(name), [])
            assert isinstance(values, list)
            if str(value) not in values:
                values.append(str(value))
        else:
            texts = entry.setdefault(str(name), {})
            assert isinstance(texts, dict)
            _add_text(texts, value)
    return out


def _text_of(entry: Mapping[str, object], name: str, lang: str) -> str | None:
    texts = entry.get(name)
    return pick(texts, lang) if isinstance(texts, dict) else None


def _natural(text: str) -> tuple[tuple[int, str], ...]:
    """Sort key that puts NCP-2 before NCP-10."""
    return tuple((int(part), "") if part.isdigit() else (0, part.casefold()) for part in re.split(r"(\d+)", text))


def _pillar_rank(criterion: Criterion) -> int:
    pillar = (criterion.pillar or "").rsplit("/", 1)[-1]
    return PILLAR_ORDER.index(pillar) if pillar in PILLAR_ORDER else len(PILLAR_ORDER)


def _prefix(notation: str) -> str:
    return re.sub(r"[^A-Za-z].*", "", notation).upper()


def in_order(criteria: Iterable[Criterion]) -> tuple[Criterion, ...]:
    """By framework; within one, notation families by pillar (ENV, SOC, ECON), then notation (NCP-2 < NCP-10)."""
    items = list(criteria)
    rank: dict[tuple[str, str], int] = {}
    for c in items:
        key = (c.framework_label or "", _prefix(c.notation))
        rank[key] = min(rank.get(key, len(PILLAR_ORDER)), _pillar_rank(c))
    return tuple(sorted(items, key=lambda c: (c.framework_label or "", rank[(c.framework_label or "",
                                              _prefix(c.notation))], _natural(c.notation))))


def _iris_of(entry: Mapping[str, object], name: str) -> tuple[str, ...]:
    values = entry.get(name)
    return tuple(values) if isinstance(values, list) else ()


def criteria(store: Store, lang: str, timeout: float | None = None) -> dict[str, Criterion]:
    """Every criterion a stage links to, by IRI."""
    out: dict[str, Criterion] = {}
    for iri, entry in _fields(store.select(query_text("criteria"), timeout=timeout), "criterion").items():
        row = entry["_row"]
        assert isinstance(row, Mapping)
        notation = str(row.get("notation") or iri.rsplit("/", 1)[-1])
        frameworks, pillars = _iris_of(entry, "framework"), _iris_of(entry, "pillar")
        out[iri] = Criterion(iri, notation, _text_of(entry, "label", lang) or notation,
                             frameworks[0] if frameworks else None, _text_of(entry, "frameworkLabel", lang),
                             pillars[0] if pillars else None, _text_of(entry, "pillarLabel", lang))
    return out


def stages(store: Store, lang: str, timeout: float | None = None) -> tuple[Stage, ...]:
    """The checklist's stages in order, each with its criteria (by framework, pillar, notation)."""
    known = criteria(store, lang, timeout)
    out = []
    for iri, entry in _fields(store.select(query_text("stages"), timeout=timeout), "stage").items():
        row = entry["_row"]
        assert isinstance(row, Mapping)
        order, notation = row["order"], str(row["notation"])
        linked = [known.get(c) or Criterion(c, c.rsplit("/", 1)[-1], c.rsplit("/", 1)[-1])
                  for c in _iris_of(entry, "criterion")]
        out.append(Stage(
            iri=iri, order=int(order.toPython()) if isinstance(order, Literal) else 0, notation=notation,
            label=_text_of(entry, "label", lang) or notation, guidance=_text_of(entry, "guidance", lang),
            definition=_text_of(entry, "definition", lang), key_outputs=_text_of(entry, "keyOutputs", lang),
            sources=tuple(sorted(_iris_of(entry, "source"))),
            criteria=in_order(linked),
        ))
    return tuple(sorted(out, key=lambda s: (s.order, s.notation)))


def candidates(store: Store, pollutant: Resolved, lang: str, money: MoneyTables, *,
               timeout: float | None = None) -> CandidateList:
    """The technologies of the published cases with ``pollutant``, ranked by the technology comparison."""
    result = compare(fetch(store, Filters(target=pollutant.iri, lang=lang), timeout), money)
    found = tuple(
        Candidate(t.technology, t.label, t.rank, t.n_cases, t.strength, t.nature_based, t.highest_scale,
                  tuple(c.case for c in t.cases))
        for t in result.technologies
    )
    return CandidateList(pollutant, found, result.cases)


def _bool(row: Row, name: str) -> bool:
    value = row.get(name)
    return isinstance(value, Literal) and value.toPython() is True


def similar_cases(store: Store, site: SiteDescription, lang: str, *, limit: int = SIMILAR_LIMIT,
                  timeout: float | None = None) -> tuple[SimilarCase, ...]:
    """The documented cases most like the site (the method is in the module docstring)."""
    context: dict[str, Node] = {"lang": Literal(lang)}
    for name, concept in (("landUse", site.land_use), ("siteType", site.site_type), ("userCountry", site.country)):
        if concept is not None:
            context[name] = URIRef(concept.iri)
    points: dict[str, int] = {}
    shared: dict[str, list[str]] = {}
    first: dict[str, Row] = {}
    for pollutant in site.pollutants:
        seen: set[str] = set()
        for row in store.select(query_text("similar-cases"), {**context, "target": URIRef(pollutant.iri)},
                                timeout=timeout):
            case = str(row["case"])
            first.setdefault(case, row)
            if case in seen:
                continue
            seen.add(case)
            score = row["pollutantScore"]
            points[case] = points.get(case, 0) + (int(score.toPython()) if isinstance(score, Literal) else 0)
            shared.setdefault(case, []).append(pollutant.iri)
    found = [
        SimilarCase(
            case=case, title=str(row.get("title") or case.rsplit("/", 1)[-1]),
            country=str(row["country"]) if row.get("country") is not None else None,
            country_label=str(row["countryLabel"]) if row.get("countryLabel") is not None else None,
            pollutant_points=points[case], pollutants_shared=tuple(shared[case]),
            land_use_match=_bool(row, "landUseMatch"), site_type_match=_bool(row, "siteTypeMatch"),
            place=str(row["place"]) if row.get("place") is not None else None,
        )
        for case, row in first.items()
    ]
    return tuple(sorted(found, key=SimilarCase.rank_key)[:limit])


def concept_labels(store: Store, iris: Iterable[str], lang: str, timeout: float | None = None) -> dict[str, str]:
    """``skos:prefLabel`` of each concept in ``lang`` (English fallback); concepts without a label are left out."""
    out: dict[str, str] = {}
    for iri in dict.fromkeys(iris):
        texts: Texts = {}
        for row in store.select(query_text("labels"), {"concept": URIRef(iri)}, timeout=timeout):
            _add_text(texts, row["label"])
        label = pick(texts, lang)
        if label:
            out[iri] = label
    return out


def build(store: Store, site: SiteDescription, lang: str = "en", *, money: MoneyTables | None = None,
          timeout: float | None = None) -> Checklist:
    """The whole checklist for ``site``."""
    tables = money or default_tables()
    return Checklist(
        site=site,
        lang=lang,
        stages=stages(store, lang, timeout),
        candidates=tuple(candidates(store, p, lang, tables, timeout=timeout) for p in site.pollutants),
        similar=similar_cases(store, site, lang, timeout=timeout),
        labels=concept_labels(store, (c.iri for c in site.concepts()), lang, timeout),
    )
