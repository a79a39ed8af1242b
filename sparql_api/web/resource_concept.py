"""Pages of SKOS concepts and schemes: what every concept shows, and what technologies, pollutants and countries
show besides (facets and outcomes by pollutant; identifiers; codes, regions and coverage), with the cases
that refer to them.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from urllib.parse import urlencode

from markupsafe import Markup
from rdflib import Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS

from sparql_api.web.resource_case import parse_point
from sparql_api.web.resource_data import CaseList, CaseRow, Facts, Member, OutcomeNumbers
from sparql_api.web.resource_view import Link, Presenter, Shown, Text
from sparql_api.web.search_index import local_key
from sparql_api.web.worldmap import MapPoint, render_overlay_map

SRKG = Namespace("https://w3id.org/srkg/ontology#")
METRICS = "https://w3id.org/srkg/vocab/outcome-metric/"

MATCHES = (SKOS.exactMatch, SKOS.closeMatch, SKOS.broadMatch, SKOS.narrowMatch, SKOS.relatedMatch)
# Identifier systems, by IRI prefix: (name, prefix, how the identifier is written).
ID_SYSTEMS: tuple[tuple[str, str, str], ...] = (
    ("ChEBI", "http://purl.obolibrary.org/obo/CHEBI_", "CHEBI:{}"),
    ("ENVO", "http://purl.obolibrary.org/obo/ENVO_", "ENVO:{}"),
    ("AGROVOC", "http://aims.fao.org/aos/agrovoc/", "{}"),
    ("Wikidata", "http://www.wikidata.org/entity/", "{}"),
    ("GeoNames", "http://sws.geonames.org/", "{}"),
)
TECHNOLOGY_FACETS = (SRKG.treatsMedium, SRKG.treatmentLocation, SRKG.treatmentFunction, SRKG.processClass,
                     SRKG.natureBasedCategory, SRKG.isNatureBased, SRKG.applicablePollutantClass, SRKG.maturity)
POLLUTANT_FACTS = (SRKG.pollutantClass, SRKG.isSumParameter)
COUNTRY_REGIONS = (SRKG.m49Region, SRKG.m49SubRegion, SRKG.m49IntermediateRegion)
CONCEPT_SHOWN = {RDF.type, SKOS.prefLabel, SKOS.altLabel, SKOS.hiddenLabel, SKOS.definition, SKOS.scopeNote,
                 SKOS.notation, SKOS.inScheme, SKOS.topConceptOf, SKOS.broader, SKOS.narrower, SKOS.related,
                 DCTERMS.source, *MATCHES}


@dataclass
class Identifier:
    system: str
    text: str
    href: str
    relation: Link


@dataclass
class Row:
    label: Link
    values: list[Shown]


@dataclass
class CaseItem:
    link: Link
    country: Link | None
    used: list[Link]


@dataclass
class OutcomeStat:
    metric: Link
    pollutant: Link
    n: int
    n_reduction: int
    median: str


@dataclass
class ConceptView:
    iri: str
    label: Text
    alt_labels: list[Text]
    definition: Text | None
    notes: list[Text]
    notation: str
    types: list[Link]
    schemes: list[Link]
    broader: list[Link]
    narrower: list[Link]
    related: list[Link]
    identifiers: list[Identifier]
    sources: list[Shown]
    facets: list[Row] = field(default_factory=list)
    other: list[Row] = field(default_factory=list)
    cases: list[CaseItem] = field(default_factory=list)
    more_cases: bool = False  # the concept has more cases than the page lists (resource_data.CASE_LIST_LIMIT)
    total_cases: int | None = None  # how many, when known (countries)
    cases_search: str = ""  # the search listing all of them: "/search?pollutant=cadmium"
    outcome_stats: list[OutcomeStat] = field(default_factory=list)
    names: list[Text] = field(default_factory=list)
    covered: bool = False
    map: Markup | None = None


@dataclass
class SchemeView:
    iri: str
    title: Text
    description: Text | None
    top: list[Link]
    members: list[Link]
    other: list[Row]


def identifier(iri: str) -> tuple[str, str] | None:
    """(system, identifier as written) for an IRI of a known identifier system."""
    for system, prefix, pattern in ID_SYSTEMS:
        if iri.startswith(prefix) and len(iri) > len(prefix):
            return system, pattern.format(iri[len(prefix):].rstrip("/"))
    return None


def is_concentration(metric: URIRef) -> bool:
    """Metrics where a lower value after remediation means a reduction (concentrations, plant uptake)."""
    name = str(metric).removeprefix(METRICS)
    return str(metric).startswith(METRICS) and (name.endswith("concentration") or name == "plant-uptake")


def reduction(numbers: OutcomeNumbers) -> float | None:
    """Reduction in percent the outcome states, or that its exact before/after concentrations give; else None."""
    try:
        if numbers.reduction_percent is not None:
            return float(Decimal(str(numbers.reduction_percent)))
        if not is_concentration(numbers.metric) or numbers.qualified or numbers.before is None \
                or numbers.after is None:
            return None
        before, after = Decimal(str(numbers.before)), Decimal(str(numbers.after))
    except (InvalidOperation, ValueError):
        return None
    if before <= 0:
        return None
    return float((before - after) / before * 100)


class ConceptBuilder:
    def __init__(self, iri: URIRef, facts: Facts, show: Presenter) -> None:
        self.iri = iri
        self.facts = facts
        self.show = show

    def _rows(self, props: tuple[URIRef, ...] | list[URIRef]) -> list[Row]:
        return [Row(self.show.property_label(p), sorted(self.show.values(self.facts.values(self.iri, p)),
                                                        key=lambda v: v.text.casefold()))
                for p in props if self.facts.values(self.iri, p)]

    def identifiers(self) -> list[Identifier]:
        found = []
        for prop in MATCHES:
            for node in self.facts.resources(self.iri, prop):
                known = identifier(str(node))
                if known:
                    found.append(Identifier(known[0], known[1], str(node), self.show.property_label(prop)))
        return sorted(found, key=lambda i: (i.system, i.text))

    def build(self, shown_elsewhere: tuple[URIRef, ...] = ()) -> ConceptView:
        iri, facts, show = self.iri, self.facts, self.show
        label = show.label(iri)
        matches_elsewhere = [node for prop in MATCHES for node in facts.resources(iri, prop)
                             if identifier(str(node)) is None]
        other_props = [p for p in facts.properties(iri) if p not in CONCEPT_SHOWN and p not in shown_elsewhere]
        return ConceptView(
            iri=str(iri),
            label=Text(label.text, label.lang),
            alt_labels=show.texts(facts.literals(iri, SKOS.altLabel)),
            definition=show.text(facts.literals(iri, SKOS.definition)),
            notes=show.texts(facts.literals(iri, SKOS.scopeNote)),
            notation=", ".join(str(n) for n in facts.literals(iri, SKOS.notation)),
            types=show.links(facts.resources(iri, RDF.type)),
            schemes=show.links(facts.resources(iri, SKOS.inScheme)),
            broader=show.links(facts.resources(iri, SKOS.broader)),
            narrower=show.links(facts.resources(iri, SKOS.narrower)),
            related=show.links([*facts.resources(iri, SKOS.related), *matches_elsewhere]),
            identifiers=self.identifiers(),
            sources=show.values(facts.values(iri, DCTERMS.source)),
            other=self._rows(other_props),
        )


def case_items(cases: list[CaseRow], show: Presenter, with_used: bool = False) -> list[CaseItem]:
    items = []
    for case in cases:
        title = show.text(case.titles)
        link = show.link(case.iri)
        items.append(CaseItem(
            link=Link(title.text, link.href, title.lang, link.iri) if title else link,
            country=show.link(case.country) if case.country is not None else None,
            used=show.links(sorted(case.used, key=str)) if with_used else [],
        ))
    return sorted(items, key=lambda item: item.link.text.casefold())


def outcome_stats(outcomes: list[OutcomeNumbers], show: Presenter) -> list[OutcomeStat]:
    """One row per (metric, pollutant): how many outcomes, how many with a reduction, the median reduction."""
    groups: dict[tuple[URIRef, URIRef], list[OutcomeNumbers]] = {}
    for outcome in outcomes:
        groups.setdefault((outcome.metric, outcome.pollutant), []).append(outcome)
    stats = []
    for (metric, pollutant), members in groups.items():
        reductions = [r for r in (reduction(m) for m in members) if r is not None]
        stats.append(OutcomeStat(
            metric=show.link(metric),
            pollutant=show.link(pollutant),
            n=len(members),
            n_reduction=len(reductions),
            median=f"{statistics.median(reductions):.1f} %" if reductions else "",
        ))
    return sorted(stats, key=lambda s: (s.pollutant.text.casefold(), s.metric.text.casefold()))


def _list_cases(view: ConceptView, listed: CaseList, show: Presenter, facet: str, with_used: bool = False) -> None:
    view.cases = case_items(listed.cases, show, with_used=with_used)
    view.more_cases = listed.more
    view.total_cases = listed.total
    view.cases_search = f"/search?{urlencode({facet: local_key(view.iri)})}"


def technology_view(iri: URIRef, facts: Facts, show: Presenter, cases: CaseList,
                    outcomes: list[OutcomeNumbers]) -> ConceptView:
    builder = ConceptBuilder(iri, facts, show)
    view = builder.build(TECHNOLOGY_FACETS)
    view.facets = builder._rows(TECHNOLOGY_FACETS)
    _list_cases(view, cases, show, "technology", with_used=True)
    view.outcome_stats = outcome_stats(outcomes, show)
    return view


def pollutant_view(iri: URIRef, facts: Facts, show: Presenter, cases: CaseList) -> ConceptView:
    builder = ConceptBuilder(iri, facts, show)
    view = builder.build((*POLLUTANT_FACTS, SRKG.casNumber))
    view.identifiers += [Identifier("CAS", str(cas), "", show.property_label(SRKG.casNumber))
                         for cas in facts.literals(iri, SRKG.casNumber)]
    view.facets = builder._rows(POLLUTANT_FACTS)
    _list_cases(view, cases, show, "pollutant")
    return view


def country_view(iri: URIRef, facts: Facts, show: Presenter, listed: CaseList) -> ConceptView:
    codes = (SRKG.iso3Code, SRKG.iso2Code, SRKG.m49Code)
    builder = ConceptBuilder(iri, facts, show)
    view = builder.build((*codes, *COUNTRY_REGIONS, SRKG.isUNMember))
    view.names = sorted((Text(str(n), n.language or "") for n in facts.literals(iri, SKOS.prefLabel)),
                        key=lambda t: t.lang)
    view.facets = builder._rows((*codes, *COUNTRY_REGIONS, SRKG.isUNMember))
    _list_cases(view, listed, show, "country")
    cases = listed.cases
    view.covered = bool(cases)
    code = facts.one(iri, SRKG.m49Code)
    points = []
    for case in cases:
        point = parse_point(case.wkt) if case.wkt else None
        if point:
            title = show.text(case.site_labels) or show.text(case.titles)
            points.append(MapPoint(point[0], point[1], title.text if title else "", show.href(str(case.iri))))
    fills = {str(code): "case-country" if cases else "selected-country"} if isinstance(code, Literal) else {}
    if fills or points:
        view.map = render_overlay_map(fills, points=points, title=view.label.text)
    return view


def scheme_view(iri: URIRef, facts: Facts, show: Presenter, members: list[Member]) -> SchemeView:
    title = show.text(facts.literals(iri, DCTERMS.title)) or show.text(facts.literals(iri, SKOS.prefLabel)) \
        or show.text(facts.literals(iri, RDFS.label))
    shown = {RDF.type, DCTERMS.title, DCTERMS.description, SKOS.prefLabel, SKOS.hasTopConcept}
    other = [Row(show.property_label(p), show.values(facts.values(iri, p)))
             for p in facts.properties(iri) if p not in shown]
    return SchemeView(
        iri=str(iri),
        title=title or Text(show.label(iri).text),
        description=show.text(facts.literals(iri, DCTERMS.description)),
        top=show.links([m.iri for m in members if m.top]),
        members=show.links([m.iri for m in members]),
        other=other,
    )
