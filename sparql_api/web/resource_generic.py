"""Pages for every other resource: a table of its properties and the links pointing at it; the ontology
document (classes and properties, each with an anchor so ``…/ontology#CaseStudy`` lands on it); a named graph
(its size and where to download it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

from rdflib import OWL, RDF, RDFS, Literal, URIRef
from rdflib.namespace import DCTERMS
from rdflib.term import Node

from sparql_api.web.resource_concept import Row
from sparql_api.web.resource_data import INCOMING_LIMIT, Facts, OntologyTerm
from sparql_api.web.resource_view import Link, Presenter, Shown, Text, local_name

TERM_KINDS: tuple[tuple[URIRef, str], ...] = (
    (OWL.Class, "pages.ontology.classes"),
    (OWL.ObjectProperty, "pages.ontology.object_properties"),
    (OWL.DatatypeProperty, "pages.ontology.datatype_properties"),
    (OWL.AnnotationProperty, "pages.ontology.annotation_properties"),
)


@dataclass
class Incoming:
    subject: Link
    property: Link


@dataclass
class GenericView:
    iri: str
    title: Text
    types: list[Link]
    rows: list[Row]
    nested: list[tuple[Link, list[Row]]]
    incoming: list[Incoming]
    more_incoming: bool


@dataclass
class TermView:
    anchor: str
    iri: str
    label: Text
    comment: Text | None
    parents: list[Link]
    domain: list[Link]
    range: list[Link]


@dataclass
class OntologyView:
    iri: str
    title: Text
    description: Text | None
    facts: list[Row]
    sections: list[tuple[str, list[TermView]]] = field(default_factory=list)


@dataclass
class GraphView:
    iri: str
    triples: int
    store_url: str
    submissions: list[Link]


def property_rows(subject: Node, facts: Facts, show: Presenter, skip: set[URIRef] | None = None) -> list[Row]:
    rows = []
    for prop, values in facts.properties(subject).items():
        if skip and prop in skip:
            continue
        shown: list[Shown] = sorted(show.values(values), key=lambda v: v.text.casefold())
        rows.append(Row(show.property_label(prop), shown))
    return sorted(rows, key=lambda r: r.label.text.casefold())


def generic_view(iri: URIRef, facts: Facts, show: Presenter, incoming: list[tuple[Node, URIRef]]) -> GenericView:
    label = show.label(iri)
    nested = [(show.link(node), property_rows(node, facts, show)) for node in facts_subjects(facts) if node != iri]
    return GenericView(
        iri=str(iri),
        title=Text(label.text, label.lang),
        types=show.links(facts.resources(iri, RDF.type)),
        rows=property_rows(iri, facts, show),
        nested=nested,
        incoming=[Incoming(show.link(s), show.property_label(p)) for s, p in incoming[:INCOMING_LIMIT]],
        more_incoming=len(incoming) > INCOMING_LIMIT,
    )


def facts_subjects(facts: Facts) -> list[Node]:
    seen: dict[Node, None] = {}
    for s, _, _ in facts:
        seen.setdefault(s, None)
    return list(seen)


def _term_view(term: OntologyTerm, show: Presenter) -> TermView:
    label = show.text([o for o in term.facts.get(RDFS.label, []) if isinstance(o, Literal)])
    parents = [o for p in (RDFS.subClassOf, RDFS.subPropertyOf) for o in term.facts.get(p, []) if isinstance(o, URIRef)]
    return TermView(
        anchor=local_name(str(term.iri)),
        iri=str(term.iri),
        label=label or Text(local_name(str(term.iri))),
        comment=show.text([o for o in term.facts.get(RDFS.comment, []) if isinstance(o, Literal)]),
        parents=show.links(parents),
        domain=show.links([o for o in term.facts.get(RDFS.domain, []) if isinstance(o, URIRef)]),
        range=show.links([o for o in term.facts.get(RDFS.range, []) if isinstance(o, URIRef)]),
    )


def ontology_view(iri: URIRef, facts: Facts, show: Presenter, terms: list[OntologyTerm]) -> OntologyView:
    sections = []
    for kind, heading in TERM_KINDS:
        members = [t for t in terms if kind in t.types and (kind == OWL.Class or OWL.Class not in t.types)]
        if kind == OWL.ObjectProperty:
            members = [t for t in members if OWL.DatatypeProperty not in t.types]
        views = sorted((_term_view(t, show) for t in members), key=lambda v: v.anchor.casefold())
        if views:
            sections.append((heading, views))
    title = show.text(facts.literals(iri, DCTERMS.title))
    skip = {DCTERMS.title, DCTERMS.description}
    return OntologyView(
        iri=str(iri),
        title=title or Text(show.label(iri).text),
        description=show.text(facts.literals(iri, DCTERMS.description)),
        facts=property_rows(iri, facts, show, skip),
        sections=sections,
    )


def graph_view(iri: URIRef, triples: int, show: Presenter, submissions: list[URIRef]) -> GraphView:
    return GraphView(
        iri=str(iri),
        triples=triples,
        store_url="/rdf-graph-store?" + urlencode({"graph": str(iri)}),
        submissions=show.links(list(submissions)),
    )
