"""THE definition of the survey: sheets, columns, types and texts. Template writer, reader and mapper use it.

Each sheet and column has a stable key (used in code, CSV file names and IRIs) and localized titles, headers
and help texts (``labels.json``, in en fr es ru zh ar). Column types are written as short specs:
``text``, ``integer``, ``year``, ``decimal``, ``percent``, ``boolean``, ``date``, ``url``, ``language``,
``vocab:<scheme>``, ``case ref``, and ``list of <type>`` for several values separated by ';'.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache
from pathlib import Path

from rdflib import RDFS, URIRef
from rdflib.namespace import DCTERMS

from ingest.namespaces import SRKG, concept_iri

SCHEMA_VERSION = "1"
LANGUAGES: tuple[str, ...] = ("en", "fr", "es", "ru", "zh", "ar")
LABELS_FILE = Path(__file__).with_name("labels.json")

# Layout shared by the XLSX sheets and the CSV files (rows count from 1).
HEADER_ROW = 1
HELP_ROW = 2
EXAMPLE_ROW = 3
EXAMPLE_MARK = "EXAMPLE"  # a row whose first cell starts with this is an example and is not read
README_SHEET = "README"
LISTS_SHEET = "lists"
LIST_SEPARATORS = ";；؛"  # ASCII, full-width (Chinese) and Arabic semicolons


class Kind(StrEnum):
    TEXT = "text"
    INTEGER = "integer"
    YEAR = "year"
    DECIMAL = "decimal"
    PERCENT = "percent"
    BOOLEAN = "boolean"
    DATE = "date"
    URL = "url"
    LANGUAGE = "language"
    VOCAB = "vocab"
    CASE_REF = "case ref"


@dataclass(frozen=True)
class ColumnType:
    kind: Kind
    scheme: str | None = None  # for VOCAB: the SRKG scheme slug, e.g. "pollutant"
    many: bool = False  # several values separated by ';'

    @classmethod
    def parse(cls, spec: str) -> ColumnType:
        many = spec.startswith("list of ")
        base = spec.removeprefix("list of ")
        if base.startswith("vocab:"):
            return cls(Kind.VOCAB, base.removeprefix("vocab:"), many)
        return cls(Kind(base), None, many)

    def __str__(self) -> str:
        base = f"vocab:{self.scheme}" if self.kind is Kind.VOCAB else self.kind.value
        return f"list of {base}" if self.many else base

    @property
    def hint_key(self) -> str:
        """Key of the localized type hint in ``labels.json`` phrases."""
        if self.kind is Kind.VOCAB:
            return "type.vocab_list" if self.many else "type.vocab"
        if self.kind is Kind.CASE_REF:
            return "type.case_ref"
        return f"type.{self.kind.value}_list" if self.many else f"type.{self.kind.value}"


# Example values are language-neutral: text and numbers as written, vocabulary values as concept IRIs
# (the writer shows their label in the template's language).
Example = str | int | float | tuple[URIRef, ...] | None


@dataclass(frozen=True)
class Column:
    key: str
    type: ColumnType
    required: bool = False
    prop: URIRef | None = None  # a direct mapping: values become this property; None = mapped by special code
    on: str = "record"  # subject of ``prop``: the sheet's record, or (cases sheet) its "site"
    language_tagged: bool = False  # text literals get the case's language tag
    example: Example = None
    width: int = 20


@dataclass(frozen=True)
class Sheet:
    key: str
    columns: tuple[Column, ...]
    rdf_class: URIRef | None = None
    columns_by_key: dict[str, Column] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "columns_by_key", {c.key: c for c in self.columns})

    def column(self, key: str) -> Column:
        return self.columns_by_key[key]

    @property
    def required_columns(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.required)


def col(key: str, spec: str, required: bool = False, **kwargs: object) -> Column:
    return Column(key, ColumnType.parse(spec), required, **kwargs)  # type: ignore[arg-type]


def v(scheme: str, *slugs: str) -> tuple[URIRef, ...]:
    return tuple(concept_iri(scheme, s) for s in slugs)


# The example rows come from documented cases: the Egyptian kenaf/flax case
# (examples/cases/egy-sahl-el-husseiniya-kenaf-flax.ttl) and the Morogoro DDT case (costs). The respondent,
# assessment, barrier and checklist rows are illustrative (no documented case has them yet): their case id
# is plain "EXAMPLE".
EGY = "EXAMPLE-EGY-1"
TZA = "EXAMPLE-TZA-1"
ILLUSTRATIVE = "EXAMPLE"
CASE_ID_WIDTH = 16

SHEETS: tuple[Sheet, ...] = (
    Sheet("respondent", (
        col("organisation", "text", prop=SRKG.respondentOrganisation, width=30,
            example="EXAMPLE - your organisation"),
        col("role", "text", prop=SRKG.respondentRole, example="remediation consultant"),
        col("country", "vocab:country", True, prop=SRKG.country, example=v("country", "EGY")),
        col("technologies_used", "list of vocab:technology", prop=SRKG.technologyUsed, width=30,
            example=v("technology", "phytoremediation")),
        col("barriers_met", "list of vocab:barrier", prop=SRKG.barrierMet, width=30,
            example=v("barrier", "tim-01")),
        col("success_factors", "text", prop=SRKG.successFactor, width=40),
    ), SRKG.SurveyResponse),
    Sheet("cases", (
        col("case_id", "text", True, width=CASE_ID_WIDTH, example=EGY),
        col("title", "text", True, prop=DCTERMS.title, language_tagged=True, width=40,
            example="Field phytoremediation with kenaf and flax plus soil additives, Sahl El Husseiniya"),
        col("text_language", "language", example="en", width=12),
        col("source", "list of url", True, prop=DCTERMS.source, width=40,
            example="https://bnrc.springeropen.com/articles/10.1186/s42269-019-0214-7"),
        col("licence", "url", True, prop=DCTERMS.license, example="https://creativecommons.org/licenses/by/4.0/"),
        col("country", "vocab:country", True, prop=SRKG.country, on="site", example=v("country", "EGY")),
        col("site_name", "text", prop=RDFS.label, on="site", width=30,
            example="Agricultural land at Sahl El Husseiniya, Al-Sharqia"),
        col("location", "text", prop=SRKG.locationDescription, on="site", width=30,
            example="Sahl El Husseiniya, Al-Sharqia Governorate, Egypt"),
        col("latitude", "decimal", width=12),
        col("longitude", "decimal", width=12),
        col("site_type", "list of vocab:site-type", prop=SRKG.siteType, on="site",
            example=v("site-type", "agricultural")),
        col("land_use_before", "vocab:land-use", prop=SRKG.landUseBefore, on="site",
            example=v("land-use", "agriculture")),
        col("land_use_after", "vocab:land-use", prop=SRKG.landUseAfter, on="site"),
        col("climate", "vocab:climate", prop=SRKG.climate, on="site"),
        col("soil", "text", prop=SRKG.soilDescription, on="site"),
        col("pollutants", "list of vocab:pollutant", True, prop=SRKG.pollutant, width=30,
            example=v("pollutant", "cadmium", "chromium", "cobalt", "manganese")),
        col("media", "list of vocab:medium", prop=SRKG.treatedMedium, example=v("medium", "soil")),
        col("scale", "vocab:scale", prop=SRKG.scale, example=v("scale", "field")),
        col("status", "vocab:case-status", prop=SRKG.caseStatus),
        col("nature_based", "vocab:nbs-category", prop=SRKG.natureBasedCategory, example=v("nbs-category", "yes")),
        col("start_year", "year", prop=SRKG.startYear, width=12),
        col("end_year", "year", prop=SRKG.endYear, width=12),
        col("duration_months", "decimal", prop=SRKG.durationMonths, width=12),
        col("area", "decimal", width=12),
        col("area_unit", "vocab:unit", width=12),
        col("volume", "decimal", width=12),
        col("volume_unit", "vocab:unit", width=12),
        col("mass", "decimal", width=12),
        col("mass_unit", "vocab:unit", width=12),
        col("outcome_summary", "text", prop=SRKG.outcomeSummary, language_tagged=True, width=40,
            example="Kenaf removal efficiency: Cr 50.71%, Co 38.27%, Mn 33.98%, Cd 14.43%; flax most efficient "
            "for Mn; sulfur was the additive with most pronounced effect on uptake; metals more concentrated in "
            "roots than shoots"),
        col("lessons_learned", "text", prop=SRKG.lessonsLearned, language_tagged=True, width=40),
        col("data_note", "text", prop=SRKG.dataNote, width=40,
            example="Abstract only; plot area and dates not given."),
    ), SRKG.CaseStudy),
    Sheet("technologies", (
        col("case_id", "case ref", True, width=CASE_ID_WIDTH, example=EGY),
        col("step_order", "integer", width=8, example=1),
        col("technology", "vocab:technology", True, prop=SRKG.technology, width=30,
            example=v("technology", "phytoremediation")),
        col("role", "vocab:technology-role", prop=SRKG.role, example=v("technology-role", "primary")),
        col("organisms", "list of text", prop=SRKG.organismName, width=30,
            example="Hibiscus cannabinus; Linum usitatissimum"),
        col("hyperaccumulator", "boolean", prop=SRKG.isHyperaccumulator, width=12),
        col("amendment", "text", prop=SRKG.amendment, width=30,
            example="soil additives (sulfur, vermiculite, compost) and foliar humic acid or gibberellin"),
        col("biomass_fate", "vocab:biomass-fate", prop=SRKG.biomassFate),
        col("description", "text", prop=SRKG.applicationDescription, width=40,
            example="successive cultivation of kenaf (Hibiscus cannabinus) and flax (Linum usitatissimum) with "
            "soil additives (sulfur, vermiculite, compost) and foliar humic acid or gibberellin"),
    ), SRKG.TechnologyApplication),
    Sheet("outcomes", (
        col("case_id", "case ref", True, width=CASE_ID_WIDTH, example=EGY),
        col("pollutant", "vocab:pollutant", True, prop=SRKG.pollutant, example=v("pollutant", "cadmium")),
        col("metric", "vocab:outcome-metric", True, prop=SRKG.metric, width=24,
            example=v("outcome-metric", "removal-percent")),
        col("medium", "vocab:medium", prop=SRKG.medium, example=v("medium", "soil")),
        col("value_before", "decimal", width=12),
        col("value_after", "decimal", width=12),
        col("target_value", "decimal", width=12),
        col("unit", "vocab:unit", width=12),
        col("reduction_percent", "percent", prop=SRKG.reductionPercent, width=12, example=14.43),
        col("reduction_as_stated", "text", prop=SRKG.reductionAsStated),
        col("target_met", "boolean", prop=SRKG.targetMet, width=12),
        col("depth_top_cm", "decimal", prop=SRKG.depthTopCm, width=12),
        col("depth_bottom_cm", "decimal", prop=SRKG.depthBottomCm, width=12),
        col("stated_as", "text", prop=SRKG.statedAs, width=30, example="Kenaf removal efficiency: Cd 14.43%"),
    ), SRKG.Outcome),
    Sheet("costs", (
        col("case_id", "case ref", True, width=CASE_ID_WIDTH, example=TZA),
        col("amount", "decimal", True, prop=SRKG.amount, width=14, example=4000),
        col("currency", "vocab:currency", True, prop=SRKG.currency, width=12, example=v("currency", "usd")),
        col("price_year", "year", prop=SRKG.priceYear, width=12, example=2012),
        col("cost_type", "vocab:cost-type", prop=SRKG.costType, example=v("cost-type", "budget")),
        col("cost_basis", "vocab:cost-basis", prop=SRKG.costBasis, example=v("cost-basis", "per-tonne")),
        col("covers", "text", prop=SRKG.costCovers, width=30, example="digging, packing, transport"),
        col("stated_as", "text", prop=SRKG.statedAs, width=40,
            example="Approx. USD 4,000 per tonne of contaminated soil (digging, packing, transport) per site "
            "field manager (2012)"),
    ), SRKG.Cost),
    Sheet("assessment", (
        col("case_id", "case ref", True, width=CASE_ID_WIDTH, example=ILLUSTRATIVE),
        col("framework", "vocab:framework", True, width=30, example=v("framework", "surf-uk")),
        col("tier", "vocab:assessment-tier", example=v("assessment-tier", "tier-1")),
        col("assessor", "text"),
        col("date", "date", width=12),
        col("criterion", "vocab:criterion", True, prop=SRKG.criterion, width=30, example=v("criterion", "env1")),
        col("value", "decimal", width=12),
        col("unit", "vocab:unit", width=12),
        col("score", "decimal", prop=SRKG.score, width=10),
        col("rating", "vocab:iucn-rating", prop=SRKG.rating, width=12),
        col("text", "text", prop=SRKG.textValue, language_tagged=True, width=40,
            example="Low emissions: no heavy machinery on site."),
        col("weight", "decimal", prop=SRKG.weight, width=10),
        col("evidence", "text", prop=SRKG.evidence, width=30),
        col("partial", "boolean", width=10),  # last, so that the older columns keep their letters
    ), SRKG.IndicatorResult),
    Sheet("barriers", (
        col("case_id", "case ref", True, width=CASE_ID_WIDTH, example=ILLUSTRATIVE),
        col("barrier", "vocab:barrier", True, prop=SRKG.barrierMet, width=40, example=v("barrier", "tim-01")),
    )),
    Sheet("checklist", (
        col("case_id", "case ref", True, width=CASE_ID_WIDTH, example=ILLUSTRATIVE),
        col("stage", "vocab:checklist-stage", True, prop=SRKG.checklistStageDone, width=40,
            example=v("checklist-stage", "rap-04")),
    )),
)
SHEETS_BY_KEY: dict[str, Sheet] = {s.key: s for s in SHEETS}

def sheet(key: str) -> Sheet:
    return SHEETS_BY_KEY[key]


def vocab_schemes() -> list[str]:
    """Every scheme a column takes values from, in order of first use."""
    seen: dict[str, None] = {}
    for s in SHEETS:
        for c in s.columns:
            if c.type.kind is Kind.VOCAB and c.type.scheme:
                seen.setdefault(c.type.scheme, None)
    return list(seen)


# ---------------------------------------------------------------------------------------------------------
# Localized texts
# ---------------------------------------------------------------------------------------------------------
@cache
def labels() -> dict:
    with LABELS_FILE.open(encoding="utf-8") as handle:
        return json.load(handle)


def _pick(texts: dict[str, str], lang: str) -> str:
    return texts.get(lang) or texts["en"]


def sheet_title(key: str, lang: str) -> str:
    return _pick(labels()["sheets"][key], lang)


def sheet_help(key: str, lang: str) -> str:
    return _pick(labels()["sheet_help"][key], lang)


def header(sheet_key: str, column_key: str, lang: str) -> str:
    return _pick(labels()["columns"][sheet_key][column_key]["header"], lang)


def phrase(key: str, lang: str) -> str:
    return _pick(labels()["phrases"][key], lang)


def help_text(sheet_key: str, column: Column, lang: str) -> str:
    """The text of the help row: 'Required.' when required, the column's help, and the type hint."""
    base = _pick(labels()["columns"][sheet_key][column.key]["help"], lang)
    required = phrase("required", lang) + " " if column.required else ""
    return f"{required}{base} [{phrase(column.type.hint_key, lang)}]"


def normalize(text: str) -> str:
    """Header/title comparison key: NFKC, case-folded, single spaces, no trailing '*' or ':'."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = re.sub(r"\s+", " ", text).strip()
    return text.rstrip("*:： ").strip()


@cache
def sheet_index() -> dict[str, tuple[str, str | None]]:
    """Normalized sheet title (any language) or key → (sheet key, language or None for the key)."""
    index: dict[str, tuple[str, str | None]] = {}
    for s in SHEETS:
        index[normalize(s.key)] = (s.key, None)
        for lang in LANGUAGES:
            index.setdefault(normalize(sheet_title(s.key, lang)), (s.key, lang))
    return index


@cache
def header_index(sheet_key: str) -> dict[str, tuple[str, frozenset[str]]]:
    """Normalized header (any language) or key → (column key, languages whose header it is)."""
    index: dict[str, tuple[str, set[str]]] = {}
    for c in sheet(sheet_key).columns:
        index.setdefault(normalize(c.key), (c.key, set()))
        for lang in LANGUAGES:
            entry = index.setdefault(normalize(header(sheet_key, c.key, lang)), (c.key, set()))
            if entry[0] == c.key:
                entry[1].add(lang)
    return {k: (key, frozenset(langs)) for k, (key, langs) in index.items()}


@cache
def help_texts(sheet_key: str) -> frozenset[str]:
    """Every help-row text of the sheet in every language (to recognise the help row when reading)."""
    return frozenset(
        normalize(help_text(sheet_key, c, lang)) for c in sheet(sheet_key).columns for lang in LANGUAGES
    )


@cache
def boolean_words() -> dict[str, bool]:
    words = {"true": True, "false": False, "1": True, "0": False, "y": True, "n": False}
    for lang in LANGUAGES:
        words[normalize(phrase("yes", lang))] = True
        words[normalize(phrase("no", lang))] = False
    words.update({"si": True, "vrai": True, "faux": False, "verdadero": True, "falso": False})
    return words
