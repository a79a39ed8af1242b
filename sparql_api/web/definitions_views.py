"""Definitions of sustainable remediation side by side with each framework's criteria (issue #9, CQ17).

``GET /definitions`` (HTML; JSON with ``format=json`` or an Accept header preferring it). Everything comes from the
vocabularies (``vocab/sr-definition``, ``vocab/framework``, ``vocab/criterion``, ``vocab/pillar``) with two
SELECTs: each definition with its body, year, sources and the framework that issued it; each framework with its
scoring note and its criteria (EPA footprint metrics under their core element), grouped by the pillars they
belong to. Frameworks no definition names (e.g. the US NCP remedy-selection criteria) follow at the end. Labels
are in the reader's language with English as the fallback; the definitions are the vocabulary's paraphrases.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, Request
from rdflib import Literal
from rdflib.term import Node
from starlette.responses import JSONResponse, Response

from sparql_api.server.context import ServerContext, context
from sparql_api.server.data_cache import data_cache
from sparql_api.server.errors import HTTPProblem
from sparql_api.web import i18n
from sparql_api.web.accept import prefers_json
from sparql_api.web.coverage_views import local_path
from sparql_api.web.render import render_page

router = APIRouter(tags=["Definitions"])

PILLAR_ORDER = ("environmental", "social", "economic")
CACHE_KEY = "definitions.rows"

PREFIXES = """PREFIX srkg:    <https://w3id.org/srkg/ontology#>
PREFIX skos:    <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
"""

# One row per (definition, field, value): every language variant and source without a cross product.
DEFINITIONS_QUERY = PREFIXES + """SELECT ?item ?field ?value WHERE {
  ?item a srkg:SustainableRemediationDefinition .
  { ?item skos:prefLabel ?value . BIND ("label" AS ?field) }
  UNION { ?item skos:notation ?value . BIND ("notation" AS ?field) }
  UNION { ?item skos:definition ?value . BIND ("definition" AS ?field) }
  UNION { ?item skos:editorialNote ?value . BIND ("note" AS ?field) }
  UNION { ?item dcterms:creator ?value . BIND ("creator" AS ?field) }
  UNION { ?item dcterms:issued ?value . BIND ("issued" AS ?field) }
  UNION { ?item dcterms:source ?value . BIND ("source" AS ?field) }
  UNION { ?item srkg:definedByFramework ?value . BIND ("framework" AS ?field) }
  UNION { ?item srkg:emphasisesCriterion ?value . BIND ("emphasis" AS ?field) }
}"""

# Frameworks, criteria and pillars, one row per (concept, field, value).
FRAMEWORKS_QUERY = PREFIXES + """SELECT ?item ?field ?value WHERE {
  { ?item a srkg:SustainabilityFramework } UNION { ?item a srkg:Criterion }
  UNION { ?item skos:inScheme <https://w3id.org/srkg/vocab/pillar> }
  { ?item skos:prefLabel ?value . BIND ("label" AS ?field) }
  UNION { ?item skos:notation ?value . BIND ("notation" AS ?field) }
  UNION { ?item skos:definition ?value . BIND ("definition" AS ?field) }
  UNION { ?item skos:scopeNote ?value . BIND ("scopeNote" AS ?field) }
  UNION { ?item dcterms:issued ?value . BIND ("issued" AS ?field) }
  UNION { ?item dcterms:source ?value . BIND ("source" AS ?field) }
  UNION { ?item srkg:inFramework ?value . BIND ("framework" AS ?field) }
  UNION { ?item srkg:pillar ?value . BIND ("pillar" AS ?field) }
  UNION { ?item skos:broader ?value . BIND ("broader" AS ?field) }
  UNION { ?item a ?value . BIND ("type" AS ?field) }
}"""


@dataclass
class Record:
    """One concept's fields: texts by language, IRIs and plain values in order of appearance."""

    iri: str
    texts: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    values: dict[str, list[str]] = field(default_factory=dict)

    def texts_in(self, name: str, lang: str) -> list[str]:
        """Every text of ``name`` in ``lang``, else English, else untagged, else any language (sorted)."""
        found = self.texts.get(name, {})
        for code in (*i18n.language_order(lang), ""):
            if found.get(code):
                return sorted(found[code])
        return sorted(next(iter(found.values()), []))

    def text(self, name: str, lang: str) -> str | None:
        return next(iter(self.texts_in(name, lang)), None)

    def all(self, name: str) -> list[str]:
        return self.values.get(name, [])

    def first(self, name: str) -> str | None:
        return next(iter(self.all(name)), None)


def records(rows: Iterable[Mapping[str, Node]]) -> dict[str, Record]:
    out: dict[str, Record] = {}
    for row in rows:
        record = out.setdefault(str(row["item"]), Record(str(row["item"])))
        name, value = str(row["field"]), row["value"]
        if isinstance(value, Literal) and value.language:
            texts = record.texts.setdefault(name, {}).setdefault(value.language.lower().split("-")[0], [])
            if str(value) not in texts:
                texts.append(str(value))
        elif str(value) not in record.values.setdefault(name, []):
            record.values[name].append(str(value))
    return out


def natural(text: str) -> tuple[tuple[int, str], ...]:
    return tuple((int(p), "") if p.isdigit() else (0, p.casefold()) for p in re.split(r"(\d+)", text))


@dataclass(frozen=True)
class Vocabulary:
    definitions: dict[str, Record]
    concepts: dict[str, Record]


def vocabulary(ctx: ServerContext) -> Vocabulary:
    """The two SELECTs' records, cached until the data change."""
    timeout = ctx.limits.query_timeout_s
    return data_cache(ctx, CACHE_KEY).get(lambda: Vocabulary(
        records(ctx.store.select(DEFINITIONS_QUERY, timeout=timeout)),
        records(ctx.store.select(FRAMEWORKS_QUERY, timeout=timeout))))


class Page:
    """Shapes the records for the page and the JSON, in one language."""

    def __init__(self, vocab: Vocabulary, lang: str, page_of: Any) -> None:
        self.vocab, self.lang, self.page_of = vocab, lang, page_of

    def label(self, iri: str) -> str:
        record = self.vocab.concepts.get(iri) or self.vocab.definitions.get(iri)
        return (record.text("label", self.lang) if record else None) or iri.rsplit("/", 1)[-1]

    def _is(self, record: Record, kind: str) -> bool:
        return f"https://w3id.org/srkg/ontology#{kind}" in record.all("type")

    def pillar_key(self, iri: str) -> tuple[int, str]:
        notation = (self.vocab.concepts.get(iri) or Record(iri)).first("notation") or iri
        return (PILLAR_ORDER.index(notation) if notation in PILLAR_ORDER else len(PILLAR_ORDER), notation)

    def criterion(self, record: Record) -> dict[str, Any]:
        narrower = sorted((c for c in self.vocab.concepts.values() if record.iri in c.all("broader")
                           and self._is(c, "Criterion")), key=lambda c: natural(c.first("notation") or c.iri))
        return {"iri": record.iri, "page": self.page_of(record.iri), "notation": record.first("notation") or "",
                "label": self.label(record.iri), "definition": record.text("definition", self.lang),
                "pillars": [self.label(p) for p in sorted(record.all("pillar"), key=self.pillar_key)],
                "narrower": [self.criterion(c) for c in narrower]}

    def framework(self, iri: str) -> dict[str, Any]:
        record = self.vocab.concepts.get(iri) or Record(iri)
        mine = [c for c in self.vocab.concepts.values() if self._is(c, "Criterion") and iri in c.all("framework")
                and not any(b in self.vocab.concepts and iri in self.vocab.concepts[b].all("framework")
                            for b in c.all("broader"))]
        groups: dict[tuple[str, ...], list[Record]] = {}
        for c in mine:
            groups.setdefault(tuple(sorted(c.all("pillar"), key=self.pillar_key)), []).append(c)
        ordered = sorted(groups.items(), key=lambda kv: (len(kv[0]) != 1, [self.pillar_key(p) for p in kv[0]]))
        return {
            "iri": iri, "page": self.page_of(iri), "notation": record.first("notation") or "",
            "label": self.label(iri), "definition": record.text("definition", self.lang),
            "scoring": record.text("scopeNote", self.lang), "issued": record.first("issued"),
            "sources": record.all("source"),
            "criteria_count": sum(1 for c in self.vocab.concepts.values()
                                  if self._is(c, "Criterion") and iri in c.all("framework")),
            "pillar_groups": [{"pillars": [self.label(p) for p in pillars],
                               "criteria": [self.criterion(c) for c in sorted(found, key=lambda c: natural(
                                   c.first("notation") or c.iri))]}
                              for pillars, found in ordered],
        }

    def definition(self, record: Record) -> dict[str, Any]:
        framework = record.first("framework")
        emphasis = sorted(record.all("emphasis"), key=lambda e: (e not in self.vocab.concepts or
                                                                 not self._is(self.vocab.concepts[e], "Criterion"),
                                                                 natural(self.label(e))))
        return {
            "iri": record.iri, "page": self.page_of(record.iri), "notation": record.first("notation") or "",
            "label": record.text("label", self.lang) or record.iri, "text": record.text("definition", self.lang),
            "creator": record.first("creator"), "issued": record.first("issued"), "sources": record.all("source"),
            "notes": record.texts_in("note", self.lang),
            "emphasises": [{"iri": e, "label": self.label(e), "page": self.page_of(e)} for e in emphasis],
            "framework": self.framework(framework) if framework else None,
        }

    def body(self) -> dict[str, Any]:
        definitions = sorted(self.vocab.definitions.values(),
                             key=lambda r: (r.first("issued") is None, r.first("issued") or "", self.label(r.iri)))
        shown = [self.definition(r) for r in definitions]
        used = {d["framework"]["iri"] for d in shown if d["framework"]}
        others = sorted((r.iri for r in self.vocab.concepts.values()
                         if self._is(r, "SustainabilityFramework") and r.iri not in used), key=self.label)
        return {"language": self.lang, "definitions": shown, "other_frameworks": [self.framework(f) for f in others]}


@router.get("/definitions", summary="Definitions of sustainable remediation and each framework's criteria",
            response_class=Response)
def definitions_page(request: Request) -> Response:
    fmt = request.query_params.get("format")
    if fmt not in (None, "", "html", "json"):
        raise HTTPProblem(400, f"format must be 'html' or 'json', not {fmt!r}")
    ctx = context(request)
    lang = i18n.choose_language(request)
    body = Page(vocabulary(ctx), lang, lambda iri: local_path(iri, ctx)).body()
    if fmt == "json" or (not fmt and prefers_json(request.headers.get("accept"))):
        return JSONResponse(body, headers={"Content-Language": lang, "Vary": "Accept, Accept-Language, Cookie"})
    return render_page(request, "definitions.html", lang=lang, d=body,
                       alternates=[{"media_type": "application/json", "href": f"/definitions?format=json&lang={lang}",
                                    "label": "JSON"}])

