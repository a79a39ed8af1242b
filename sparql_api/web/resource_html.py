"""Which HTML view each kind of resource gets: its template, and the store queries its view needs.

The kind comes from the resource's types (first match in ``KINDS``): case study, technology, pollutant,
country, concept scheme, ontology, any other SKOS concept; everything else is shown generically.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rdflib import OWL, RDF, Namespace, URIRef
from rdflib.namespace import SKOS

from sparql_api.store.base import Store
from sparql_api.web import resource_data
from sparql_api.web.resource_case import CaseBuilder
from sparql_api.web.resource_concept import (
    ConceptBuilder,
    country_view,
    pollutant_view,
    scheme_view,
    technology_view,
)
from sparql_api.web.resource_data import Facts
from sparql_api.web.resource_generic import generic_view, ontology_view
from sparql_api.web.resource_view import Presenter

SRKG = Namespace("https://w3id.org/srkg/ontology#")
KINDS: tuple[tuple[URIRef, str], ...] = (
    (SRKG.CaseStudy, "case"),
    (SRKG.Technology, "technology"),
    (SRKG.Pollutant, "pollutant"),
    (SRKG.Country, "country"),
    (SKOS.ConceptScheme, "scheme"),
    (OWL.Ontology, "ontology"),
    (SKOS.Concept, "concept"),
)

MakePresenter = Callable[[Facts], Presenter]
Page = tuple[str, dict[str, Any]]  # template, context


def kind_of(facts: Facts, iri: URIRef) -> str:
    types = set(facts.values(iri, RDF.type))
    return next((kind for cls, kind in KINDS if cls in types), "generic")


def _case(store: Store, iri: URIRef, facts: Facts, presenter: MakePresenter) -> Page:
    context = resource_data.case_context(store, iri)
    show = presenter(Facts([*facts, *context.facts]))
    return "resource/case.html", {"view": CaseBuilder(iri, facts, context, show).build()}


def _technology(store: Store, iri: URIRef, facts: Facts, presenter: MakePresenter) -> Page:
    view = technology_view(iri, facts, presenter(facts), resource_data.technology_cases(store, iri),
                           resource_data.technology_outcomes(store, iri))
    return "resource/technology.html", {"view": view}


def _pollutant(store: Store, iri: URIRef, facts: Facts, presenter: MakePresenter) -> Page:
    view = pollutant_view(iri, facts, presenter(facts), resource_data.pollutant_cases(store, iri))
    return "resource/pollutant.html", {"view": view}


def _country(store: Store, iri: URIRef, facts: Facts, presenter: MakePresenter) -> Page:
    view = country_view(iri, facts, presenter(facts), resource_data.country_cases(store, iri))
    return "resource/country.html", {"view": view}


def _scheme(store: Store, iri: URIRef, facts: Facts, presenter: MakePresenter) -> Page:
    view = scheme_view(iri, facts, presenter(facts), resource_data.scheme_members(store, iri))
    return "resource/scheme.html", {"view": view}


def _ontology(store: Store, iri: URIRef, facts: Facts, presenter: MakePresenter) -> Page:
    terms = resource_data.ontology_terms(store, str(iri) + "#")
    return "resource/ontology.html", {"view": ontology_view(iri, facts, presenter(facts), terms)}


def _concept(store: Store, iri: URIRef, facts: Facts, presenter: MakePresenter) -> Page:
    show = presenter(facts)
    generic = generic_view(iri, facts, show, resource_data.incoming(store, iri))
    return "resource/concept.html", {"view": ConceptBuilder(iri, facts, show).build(), "generic": generic}


def _generic(store: Store, iri: URIRef, facts: Facts, presenter: MakePresenter) -> Page:
    view = generic_view(iri, facts, presenter(facts), resource_data.incoming(store, iri))
    return "resource/generic.html", {"view": view}


VIEWS: dict[str, Callable[[Store, URIRef, Facts, MakePresenter], Page]] = {
    "case": _case,
    "technology": _technology,
    "pollutant": _pollutant,
    "country": _country,
    "scheme": _scheme,
    "ontology": _ontology,
    "concept": _concept,
    "generic": _generic,
}


def resource_page(store: Store, iri: URIRef, facts: Facts, presenter: MakePresenter) -> Page:
    """The template and context for the resource described by ``facts``."""
    return VIEWS[kind_of(facts, iri)](store, iri, facts, presenter)
