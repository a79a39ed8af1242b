"""The assessment form's data: the frameworks and criteria it offers (read from the store), the checks on what a
curator typed, and the Turtle of the resulting ``srkg:SustainabilityAssessment``.

The form checks only what it must to build well-formed RDF (known case, framework, criteria and ratings; numbers
that are numbers); the framework rules themselves (tier-1 SuRF-UK coverage, EPA fixed units, IUCN ratings only
in the IUCN framework) are the SHACL shapes' job, reported on the submission's page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from rdflib import RDF, XSD, Graph, Literal, URIRef

from ingest.namespaces import QUDT, SRKG
from sparql_api.store.base import Store
from sparql_api.web import i18n

IUCN_NBS = "iucn-nbs"
PILLAR_ORDER = {"environmental": 0, "social": 1, "economic": 2}
VALUE_FIELDS = ("score", "rating", "value", "text")
MAX_TEXT = 2000

FRAMEWORKS_QUERY = """
PREFIX srkg: <https://w3id.org/srkg/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?framework ?notation ?label WHERE {
  ?framework a srkg:SustainabilityFramework ; skos:notation ?notation .
  OPTIONAL { ?framework skos:prefLabel ?label }
}"""

CRITERIA_QUERY = """
PREFIX srkg: <https://w3id.org/srkg/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?criterion ?notation ?label ?pillar ?broader ?unit ?unitNotation WHERE {
  ?criterion srkg:inFramework ?framework ; skos:notation ?notation .
  OPTIONAL { ?criterion skos:prefLabel ?label }
  OPTIONAL { ?criterion srkg:pillar ?pillar }
  OPTIONAL { ?criterion skos:broader ?broader }
  OPTIONAL { ?criterion srkg:requiredUnit ?unit . OPTIONAL { ?unit skos:notation ?unitNotation } }
}"""

SCHEME_QUERY = """
PREFIX srkg: <https://w3id.org/srkg/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?concept ?label ?rank WHERE {
  ?concept skos:inScheme ?scheme .
  OPTIONAL { ?concept skos:prefLabel ?label }
  OPTIONAL { ?concept srkg:ordinalValue ?rank }
}"""

CASE_QUERY = """
PREFIX srkg: <https://w3id.org/srkg/ontology#>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?title WHERE { ?case a srkg:CaseStudy . OPTIONAL { ?case dcterms:title ?title } }"""


def _text(term: object) -> str | None:
    return None if term is None else str(term)


def slug(iri: str) -> str:
    """The last path segment of an IRI (``…/criterion/mw-1`` → ``mw-1``)."""
    return iri.rstrip("/").rsplit("/", 1)[-1]


@dataclass(frozen=True)
class Option:
    iri: str
    label: str

    @property
    def key(self) -> str:
        return slug(self.iri)


@dataclass(frozen=True)
class Criterion(Option):
    notation: str = ""
    unit: str | None = None  # the fixed QUDT unit of an EPA footprint metric
    unit_label: str | None = None
    indent: bool = False  # a metric listed under its core element


@dataclass(frozen=True)
class Framework(Option):
    notation: str = ""

    @property
    def allows_rating(self) -> bool:
        return self.key == IUCN_NBS


def _pick(labels: dict[str, str], lang: str, fallback: str) -> str:
    for code in i18n.language_order(lang):
        if code in labels:
            return labels[code]
    return labels.get("", fallback)


def _labelled(rows: list[dict], key: str) -> dict[str, dict[str, str]]:
    labels: dict[str, dict[str, str]] = {}
    for row in rows:
        entry = labels.setdefault(str(row[key]), {})
        label = row.get("label")
        if isinstance(label, Literal):
            entry[label.language or ""] = str(label)
    return labels


class Catalogue:
    """The vocabulary the form offers, in the reader's language (read once per request, with bound parameters)."""

    def __init__(self, store: Store, lang: str, timeout: float | None = None) -> None:
        self.store, self.lang, self.timeout = store, lang, timeout
        rows = store.select(FRAMEWORKS_QUERY, timeout=timeout)
        labels = _labelled(rows, "framework")
        notations = {str(r["framework"]): str(r["notation"]) for r in rows}
        self.frameworks = sorted(
            (Framework(iri, _pick(labels[iri], lang, notations[iri]), notations[iri]) for iri in labels),
            key=lambda f: f.label.casefold())

    def framework(self, key: str) -> Framework | None:
        return next((f for f in self.frameworks if f.key == key), None)

    def criteria(self, framework: Framework) -> list[Criterion]:
        rows = self.store.select(CRITERIA_QUERY, {"framework": URIRef(framework.iri)}, timeout=self.timeout)
        labels = _labelled(rows, "criterion")
        facts: dict[str, dict] = {}
        for row in rows:
            facts.setdefault(str(row["criterion"]), {}).update({k: v for k, v in row.items() if v is not None})
        notation = {iri: str(f["notation"]) for iri, f in facts.items()}

        def order(iri: str) -> tuple:
            f = facts[iri]
            parent = str(f["broader"]) if str(f.get("broader", "")) in facts else None
            pillar = PILLAR_ORDER.get(slug(str(f.get("pillar", ""))), 3)
            return (pillar, notation[parent] if parent else notation[iri], parent is not None, _natural(notation[iri]))

        return [
            Criterion(iri, _pick(labels[iri], self.lang, notation[iri]), notation[iri],
                      _text(facts[iri].get("unit")), _text(facts[iri].get("unitNotation")),
                      str(facts[iri].get("broader", "")) in facts)
            for iri in sorted(facts, key=order)
        ]

    def scheme(self, name: str, base: str) -> list[Option]:
        rows = self.store.select(SCHEME_QUERY, {"scheme": URIRef(f"{base}vocab/{name}")}, timeout=self.timeout)
        labels = _labelled(rows, "concept")
        rank = {str(r["concept"]): int(r["rank"]) for r in rows if r.get("rank") is not None}
        return sorted((Option(iri, _pick(labels[iri], self.lang, slug(iri))) for iri in labels),
                      key=lambda o: (rank.get(o.iri, 0), o.key))


def _natural(text: str) -> tuple:
    """Sort key that puts ENV2 before ENV10 and M&W-2 before M&W-10."""
    return tuple(int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text))


def find_case(store: Store, candidates: list[str], lang: str, timeout: float | None = None) -> tuple[str, str] | None:
    """The first candidate IRI that is a published case study, with its title; None when none is."""
    for iri in candidates:
        rows = store.select(CASE_QUERY, {"case": URIRef(iri)}, timeout=timeout)
        if rows:
            titles = {r["title"].language or "": str(r["title"]) for r in rows if isinstance(r.get("title"), Literal)}
            return iri, _pick(titles, lang, slug(iri))
    return None


# --- what the curator typed -----------------------------------------------------------------------------------
@dataclass
class Row:
    criterion: Criterion
    score: Decimal | None = None
    rating: Option | None = None
    value: Decimal | None = None
    text: str | None = None


@dataclass
class Entry:
    """A checked form: everything needed to write the assessment."""

    case: str
    framework: Framework
    tier: Option | None = None
    partial: bool = False
    assessor: str | None = None
    when: date | None = None
    rows: list[Row] = field(default_factory=list)


MAX_EXPONENT = 30


def parse_number(raw: str) -> Decimal | None:
    """A decimal number as typed ('3', '2.5', '2,5'); None when it is not one."""
    try:
        number = Decimal(raw.strip().replace(",", "."))
    except InvalidOperation:
        return None
    # A finite decimal with a huge exponent ('1e3000000000') would be written out digit by digit.
    if not number.is_finite() or abs(number.adjusted()) > MAX_EXPONENT:
        return None
    return number


def read_rows(form: dict[str, str], framework: Framework, criteria: list[Criterion], ratings: list[Option],
              errors: dict[str, str]) -> list[Row]:
    """The filled rows of the form; problems go into ``errors`` (field name → message key)."""
    by_key = {c.key: c for c in criteria}
    rating_by_key = {r.key: r for r in ratings}
    rows: dict[str, Row] = {}
    for name, raw in form.items():
        kind, _, key = name.partition("-")
        if kind not in VALUE_FIELDS or not key or not raw.strip():
            continue
        criterion = by_key.get(key)
        if criterion is None:
            errors[name] = "assessment.error.criterion"
            continue
        row = rows.setdefault(key, Row(criterion))
        if kind == "score":
            row.score = parse_number(raw)
            if row.score is None or framework.allows_rating:
                errors[name] = "assessment.error.rating_only" if framework.allows_rating else "assessment.error.number"
        elif kind == "value":
            row.value = parse_number(raw)
            if criterion.unit is None:
                errors[name] = "assessment.error.no_unit"
            elif row.value is None:
                errors[name] = "assessment.error.number"
        elif kind == "rating":
            row.rating = rating_by_key.get(raw.strip())
            if not framework.allows_rating:
                errors[name] = "assessment.error.rating_framework"
            elif row.rating is None:
                errors[name] = "assessment.error.rating"
        else:
            row.text = raw.strip()[:MAX_TEXT]
    return [rows[c.key] for c in criteria if c.key in rows]


# --- the Turtle ------------------------------------------------------------------------------------------------
def assessment_key(entry: Entry) -> str:
    """Stable: the same case, framework, tier and date give the same IRIs."""
    parts = [slug(entry.case), entry.framework.key]
    if entry.tier is not None:
        parts.append(entry.tier.key)
    if entry.when is not None:
        parts.append(entry.when.isoformat())
    return "-".join(parts)


def assessment_graph(entry: Entry, base: str, lang: str) -> Graph:
    """The assessment and its indicator results, attached to the case with ``srkg:assessment``."""
    graph = Graph()
    graph.bind("srkg", SRKG)
    graph.bind("qudt", QUDT)
    key = assessment_key(entry)
    assessment = URIRef(f"{base}id/assessment/{key}")
    graph.add((URIRef(entry.case), SRKG.assessment, assessment))
    graph.add((assessment, RDF.type, SRKG.SustainabilityAssessment))
    graph.add((assessment, SRKG.framework, URIRef(entry.framework.iri)))
    if entry.tier is not None:
        graph.add((assessment, SRKG.tier, URIRef(entry.tier.iri)))
    if entry.partial:
        graph.add((assessment, SRKG.isPartial, Literal(True)))
    if entry.assessor:
        graph.add((assessment, SRKG.assessor, Literal(entry.assessor)))
    if entry.when is not None:
        graph.add((assessment, SRKG.assessmentDate, Literal(entry.when.isoformat(), datatype=XSD.date)))
    for row in entry.rows:
        result = URIRef(f"{base}id/result/{key}-{row.criterion.key}")
        graph.add((assessment, SRKG.indicatorResult, result))
        graph.add((result, RDF.type, SRKG.IndicatorResult))
        graph.add((result, SRKG.criterion, URIRef(row.criterion.iri)))
        if row.score is not None:
            graph.add((result, SRKG.score, Literal(row.score, datatype=XSD.decimal)))
        if row.rating is not None:
            graph.add((result, SRKG.rating, URIRef(row.rating.iri)))
        if row.value is not None and row.criterion.unit:
            quantity = URIRef(f"{base}id/quantity/{key}-{row.criterion.key}")
            graph.add((result, SRKG.quantity, quantity))
            graph.add((quantity, RDF.type, QUDT.QuantityValue))
            graph.add((quantity, QUDT.numericValue, Literal(row.value, datatype=XSD.decimal)))
            graph.add((quantity, QUDT.unit, URIRef(row.criterion.unit)))
        if row.text:
            graph.add((result, SRKG.textValue, Literal(row.text, lang=lang)))
    return graph
