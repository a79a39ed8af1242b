"""The case-study page: what the case's description (and its provenance context) says, arranged for reading.

Sections: facts (scale, status, years, size…), site and map point, pollutants, treatment train, outcomes
(values with their units and qualifiers as stated), costs, sustainability assessments, sources, provenance.
Whatever the case states that no section shows is listed under "other facts", so nothing is hidden.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from markupsafe import Markup
from rdflib import Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS
from rdflib.term import Node

from sparql_api.web.resource_data import CaseContext, Facts
from sparql_api.web.resource_view import Link, Presenter, Shown, Text, grouped
from sparql_api.web.worldmap import MapPoint, render_overlay_map

SRKG = Namespace("https://w3id.org/srkg/ontology#")
GEO = Namespace("http://www.opengis.net/ont/geosparql#")
QUDT = Namespace("http://qudt.org/schema/qudt/")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")

CASE_FACTS = (SRKG.scale, SRKG.caseStatus, SRKG.natureBasedCategory, SRKG.isNatureBased, SRKG.startYear,
              SRKG.endYear, SRKG.durationMonths, SRKG.areaTreated, SRKG.volumeTreated, SRKG.massTreated,
              SRKG.treatedMedium, SRKG.barrierMet, SRKG.checklistStageDone)
SITE_FACTS = (SRKG.country, SRKG.locationDescription, SRKG.siteType, SRKG.siteTypeAsStated, SRKG.landUseBefore,
              SRKG.landUseAfter, SRKG.climate, SRKG.soilDescription)
# Shown in their own sections (so not repeated under "other facts").
CASE_SECTIONS = {RDF.type, DCTERMS.title, DCTERMS.description, DCTERMS.abstract, DCTERMS.source, DCTERMS.license,
                 SRKG.site, SRKG.pollutant, SRKG.pollutantAsStated, SRKG.technologyApplication, SRKG.outcome,
                 SRKG.outcomeSummary, SRKG.cost, SRKG.assessment, SRKG.lessonsLearned, SRKG.dataNote,
                 SRKG.derivedFromRecord, PROV.wasGeneratedBy}
SITE_SECTIONS = {RDF.type, RDFS.label, GEO.hasGeometry, SRKG.derivedFromRecord, PROV.wasGeneratedBy}
_POINT = re.compile(r"POINT\s*\(\s*([-+0-9.eE]+)\s+([-+0-9.eE]+)\s*\)", re.IGNORECASE)
_LAT_LON_CRS = ("EPSG/0/4326",)  # CRSs whose axis order is latitude first (GeoSPARQL's default CRS84 is lon lat)


@dataclass
class Row:
    label: Link
    values: list[Shown]


@dataclass
class Step:
    order: str
    technology: Link | None
    role: Link | None
    description: Text | None
    organisms: list[Shown]
    amendments: list[Text]
    biomass_fate: list[Link]
    extra: list[Row]


@dataclass
class Outcome:
    metric: Link | None
    pollutant: Link | None
    medium: Link | None
    before: str
    after: str
    unit: Link | None
    reduction: str
    target: str
    target_stated: Text | None
    target_met: bool | None
    depth: str
    stated: Text | None
    steps: list[Link]


@dataclass
class Cost:
    amount: str
    currency: Link | None
    cost_type: Link | None
    basis: Link | None
    price_year: str
    covers: Text | None
    stated: Text | None


@dataclass
class Indicator:
    criterion: Link | None
    value: list[Shown]
    weight: str
    evidence: list[Text]


@dataclass
class Assessment:
    framework: Link | None
    tier: Link | None
    assessor: list[Text]
    date: str
    indicators: list[Indicator]


@dataclass
class Record:
    link: Link
    file_name: str
    file: Link | None
    sheet: str
    row: str


@dataclass
class Submission:
    link: Link
    started: str
    agents: list[Link]
    status: Link | None
    graph: Link | None


@dataclass
class CaseView:
    iri: str
    title: Text
    summary: Text | None
    facts: list[Row]
    site: Link | None
    site_facts: list[Row]
    coordinates: str
    pollutants: list[Link]
    pollutants_stated: list[Text]
    steps: list[Step]
    outcomes: list[Outcome]
    outcome_summary: list[Text]
    costs: list[Cost]
    assessments: list[Assessment]
    lessons: list[Text]
    sources: list[Shown]
    licence: list[Link]
    records: list[Record]
    submissions: list[Submission]
    graphs: list[Link]
    notes: list[Text]
    other: list[Row]
    map: Markup | None = None
    map_title: str = ""


def parse_point(wkt: str) -> tuple[float, float] | None:
    """(lat, lon) of a WKT point; GeoSPARQL's default axis order is longitude first."""
    match = _POINT.search(wkt)
    if not match:
        return None
    first, second = float(match.group(1)), float(match.group(2))
    lat_first = any(crs in wkt for crs in _LAT_LON_CRS)
    lat, lon = (first, second) if lat_first else (second, first)
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    return lat, lon


class CaseBuilder:
    """Builds the ``CaseView`` of one case from its facts."""

    def __init__(self, case: URIRef, facts: Facts, context: CaseContext, show: Presenter) -> None:
        self.case = case
        self.facts = facts
        self.context = context
        self.show = show

    # --- small helpers ---------------------------------------------------------------------------------
    def _one_link(self, subject: Node, prop: URIRef) -> Link | None:
        node = self.facts.one(subject, prop)
        return self.show.link(node) if node is not None else None

    def _lexical(self, subject: Node, prop: URIRef) -> str:
        node = self.facts.one(subject, prop)
        return str(node) if isinstance(node, Literal) else ""

    def _quantity(self, node: Node) -> Text:
        value = self.facts.one(node, QUDT.numericValue)
        unit = self.facts.one(node, QUDT.unit)
        if value is None:
            return Text("…")
        symbol = self.show.symbol(unit).text if unit is not None else ""
        return Text(f"{grouped(str(value))} {symbol}".strip())

    def _values(self, subject: Node, prop: URIRef) -> list[Shown]:
        shown: list[Shown] = []
        for node in self.facts.values(subject, prop):
            if isinstance(node, Literal):
                shown.append(self.show.literal(node))
            elif self.facts.one(node, QUDT.numericValue) is not None:
                shown.append(self._quantity(node))
            else:
                shown.append(self.show.link(node))
        return sorted(shown, key=lambda s: s.text.casefold()) if len(shown) > 1 else shown

    def _rows(self, subject: Node, props: tuple[URIRef, ...] | list[URIRef]) -> list[Row]:
        return [Row(self.show.property_label(p), self._values(subject, p)) for p in props
                if self.facts.values(subject, p)]

    def _other_rows(self, subject: Node, skip: set[URIRef]) -> list[Row]:
        return self._rows(subject, [p for p in self.facts.properties(subject) if p not in skip])

    # --- sections --------------------------------------------------------------------------------------
    def _steps(self) -> list[Step]:
        nodes = self.facts.resources(self.case, SRKG.technologyApplication)

        def order(node: Node) -> tuple[int, str]:
            value = self.facts.one(node, SRKG.stepOrder)
            return (int(value) if isinstance(value, Literal) and str(value).isdigit() else 10**6, str(node))

        steps = []
        shown = {RDF.type, SRKG.stepOrder, SRKG.technology, SRKG.role, SRKG.applicationDescription,
                 SRKG.organismName, SRKG.organism, SRKG.amendment, SRKG.biomassFate, SRKG.derivedFromRecord}
        for node in sorted(nodes, key=order):
            steps.append(Step(
                order=self._lexical(node, SRKG.stepOrder),
                technology=self._one_link(node, SRKG.technology),
                role=self._one_link(node, SRKG.role),
                description=self.show.text(self.facts.literals(node, SRKG.applicationDescription)),
                organisms=[*self._values(node, SRKG.organismName), *self._values(node, SRKG.organism)],
                amendments=[Text(str(a), a.language or "") for a in self.facts.literals(node, SRKG.amendment)],
                biomass_fate=self.show.links(self.facts.resources(node, SRKG.biomassFate)),
                extra=self._other_rows(node, shown),
            ))
        return steps

    def _step_link(self, step: Node) -> Link:
        technology = self.facts.one(step, SRKG.technology)
        order = self._lexical(step, SRKG.stepOrder)
        name = self.show.label(technology).text if technology is not None else ""
        text = self.show.translate("pages.case.step_n", n=order) + (f" ({name})" if name else "") if order else name
        return Link(text or "…", self.show.href(str(step)), "", str(step))

    def _outcomes(self) -> list[Outcome]:
        outcomes = []
        for node in self.facts.resources(self.case, SRKG.outcome):
            unit = self.facts.one(node, SRKG.unit)
            symbol = self.show.symbol(unit).text if unit is not None else ""

            def amount(prop: URIRef, qualifier: URIRef | None, node: Node = node, symbol: str = symbol) -> str:
                value = self._lexical(node, prop)
                if not value:
                    return ""
                sign = self._lexical(node, qualifier) if qualifier is not None else ""
                return f"{sign}{' ' if sign else ''}{grouped(value)} {symbol}".strip()

            pct = self._lexical(node, SRKG.reductionPercent)
            stated_reduction = self._lexical(node, SRKG.reductionAsStated)
            reduction = f"{pct} %" if pct else stated_reduction
            top, bottom = self._lexical(node, SRKG.depthTopCm), self._lexical(node, SRKG.depthBottomCm)
            met = self.facts.one(node, SRKG.targetMet)
            outcomes.append(Outcome(
                metric=self._one_link(node, SRKG.metric),
                pollutant=self._one_link(node, SRKG.pollutant),
                medium=self._one_link(node, SRKG.medium),
                before=amount(SRKG.valueBefore, SRKG.valueBeforeQualifier),
                after=amount(SRKG.valueAfter, SRKG.valueAfterQualifier),
                unit=self.show.symbol(unit) if unit is not None else None,
                reduction=reduction,
                target=amount(SRKG.targetValue, None),
                target_stated=self.show.text(self.facts.literals(node, SRKG.targetAsStated)),
                target_met=met.toPython() if isinstance(met, Literal) and isinstance(met.toPython(), bool) else None,
                depth=f"{top}–{bottom} cm" if top and bottom else (f"{top or bottom} cm" if top or bottom else ""),
                stated=self.show.text(self.facts.literals(node, SRKG.statedAs)),
                steps=[self._step_link(s) for s in self.facts.resources(node, SRKG.technologyStep)],
            ))
        return sorted(outcomes, key=lambda o: (o.pollutant.text if o.pollutant else "", o.metric.text if o.metric
                                               else ""))

    def _costs(self) -> list[Cost]:
        costs = []
        for node in self.facts.resources(self.case, SRKG.cost):
            amount = self._lexical(node, SRKG.amount)
            currency = self.facts.one(node, SRKG.currency)
            costs.append(Cost(
                amount=grouped(amount) if amount else "",
                currency=self.show.symbol(currency) if currency is not None else None,
                cost_type=self._one_link(node, SRKG.costType),
                basis=self._one_link(node, SRKG.costBasis),
                price_year=self._lexical(node, SRKG.priceYear),
                covers=self.show.text(self.facts.literals(node, SRKG.costCovers)),
                stated=self.show.text(self.facts.literals(node, SRKG.statedAs)),
            ))
        return costs

    def _indicator(self, node: Node) -> Indicator:
        value: list[Shown] = []
        for quantity in self.facts.resources(node, SRKG.quantity):
            value.append(self._quantity(quantity))
        value += [self.show.literal(s) for s in self.facts.literals(node, SRKG.score)]
        value += self.show.links(self.facts.resources(node, SRKG.rating))
        value += self.show.texts(self.facts.literals(node, SRKG.textValue))
        return Indicator(
            criterion=self._one_link(node, SRKG.criterion),
            value=value,
            weight=self._lexical(node, SRKG.weight),
            evidence=self.show.texts(self.facts.literals(node, SRKG.evidence)),
        )

    def _assessments(self) -> list[Assessment]:
        return [Assessment(
            framework=self._one_link(node, SRKG.framework),
            tier=self._one_link(node, SRKG.tier),
            assessor=[Text(str(a), a.language or "") for a in self.facts.literals(node, SRKG.assessor)],
            date=self._lexical(node, SRKG.assessmentDate),
            indicators=[self._indicator(r) for r in self.facts.resources(node, SRKG.indicatorResult)],
        ) for node in self.facts.resources(self.case, SRKG.assessment)]

    def _records(self) -> list[Record]:
        records = []
        for node in self.facts.resources(self.case, SRKG.derivedFromRecord):
            file = self.facts.one(node, SRKG.inFile)
            name = self._lexical(file, SRKG.fileName) if file is not None else ""
            file_link = self.show.link(file) if file is not None else None
            if file_link is not None and name:
                file_link = Link(name, file_link.href, "", file_link.iri)
            records.append(Record(
                link=self.show.link(node),
                file_name=name,
                file=file_link,
                sheet=self._lexical(node, SRKG.sheetName),
                row=self._lexical(node, SRKG.rowNumber),
            ))
        return records

    def _submissions(self) -> list[Submission]:
        known = self.context.facts
        submissions = []
        for node in self.facts.resources(self.case, PROV.wasGeneratedBy):
            agents = []
            for agent in known.resources(node, PROV.wasAssociatedWith):
                names = known.literals(agent, RDFS.label) or known.literals(agent, FOAF.name)
                chosen = self.show.text(names)
                link = self.show.link(agent)
                agents.append(Link(chosen.text, link.href, chosen.lang, link.iri) if chosen else link)
            label = self.show.text(known.literals(node, RDFS.label))
            link = self.show.link(node)
            started = known.one(node, PROV.startedAtTime)
            status = known.one(node, SRKG.submissionStatus)
            graph = known.one(node, SRKG.namedGraph)
            submissions.append(Submission(
                link=Link(label.text, link.href, label.lang, link.iri) if label else link,
                started=str(started) if started is not None else "",
                agents=agents,
                status=self.show.link(status) if status is not None else None,
                graph=Link(str(graph), self.show.href(str(graph)), "", str(graph)) if graph is not None else None,
            ))
        return submissions

    def _points(self, site: Node | None) -> list[tuple[float, float]]:
        """(lat, lon) of the site's point geometries."""
        if site is None:
            return []
        return [point for geometry in self.facts.resources(site, GEO.hasGeometry)
                for wkt in self.facts.literals(geometry, GEO.asWKT) if (point := parse_point(str(wkt)))]

    def _map(self, site: Node | None) -> tuple[Markup | None, str]:
        """The world map with the case's country filled and the site's point(s); None when neither is known."""
        fills: dict[str, str] = {}
        country = self.facts.one(site, SRKG.country) if site is not None else None
        if country is not None:
            code = self.context.facts.one(country, SRKG.m49Code)
            if isinstance(code, Literal):
                fills[str(code)] = "case-country"
        site_name = self.show.label(site).text if site is not None else ""
        points = [MapPoint(lat, lon, site_name) for lat, lon in self._points(site)]
        if not fills and not points:
            return None, ""
        title = site_name or (self.show.label(country).text if country is not None else "")
        return render_overlay_map(fills, points=points, title=title), title

    def build(self) -> CaseView:
        case, show, facts = self.case, self.show, self.facts
        site = facts.one(case, SRKG.site)
        shown_case = CASE_SECTIONS | set(CASE_FACTS)
        map_markup, map_title = self._map(site)
        points = self._points(site)
        return CaseView(
            iri=str(case),
            title=show.text(facts.literals(case, DCTERMS.title)) or Text(show.label(case).text),
            summary=show.text(facts.literals(case, DCTERMS.description) or facts.literals(case, DCTERMS.abstract)),
            facts=self._rows(case, CASE_FACTS),
            site=show.link(site) if site is not None else None,
            site_facts=(self._rows(site, SITE_FACTS) + self._other_rows(site, SITE_SECTIONS | set(SITE_FACTS))
                        if site is not None else []),
            coordinates=f"{points[0][0]:.4f}, {points[0][1]:.4f}" if points else "",
            pollutants=show.links(facts.resources(case, SRKG.pollutant)),
            pollutants_stated=show.texts(facts.literals(case, SRKG.pollutantAsStated)),
            steps=self._steps(),
            outcomes=self._outcomes(),
            outcome_summary=show.texts(facts.literals(case, SRKG.outcomeSummary)),
            costs=self._costs(),
            assessments=self._assessments(),
            lessons=show.texts(facts.literals(case, SRKG.lessonsLearned)),
            sources=show.values(facts.values(case, DCTERMS.source)),
            licence=show.links(facts.resources(case, DCTERMS.license)),
            records=self._records(),
            submissions=self._submissions(),
            graphs=[Link(str(g), show.href(str(g)), "", str(g)) for g in self.context.graphs],
            notes=[Text(str(n), n.language or "") for n in facts.literals(case, SRKG.dataNote)],
            other=self._other_rows(case, shown_case),
            map=map_markup,
            map_title=map_title,
        )
