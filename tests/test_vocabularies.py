"""SKOS integrity of the project's vocabularies and the content the knowledge model promises."""

from __future__ import annotations

from collections import Counter, defaultdict
from functools import cache

import rdflib
from rdflib import RDF, XSD, Literal, URIRef
from rdflib.namespace import SKOS

from ingest import paths
from ingest.namespaces import SRKG

VOCAB = "https://w3id.org/srkg/vocab/"


@cache
def vocabularies() -> rdflib.Graph:
    graph = rdflib.Graph()
    for path in [*sorted(paths.vocab_dir().glob("*.ttl")), paths.external_dir() / "countries.ttl"]:
        graph.parse(path)
    return graph


def scheme(name: str) -> URIRef:
    return URIRef(VOCAB + name)


def concepts_in(name: str) -> set[URIRef]:
    return set(vocabularies().subjects(SKOS.inScheme, scheme(name)))


def own_concepts() -> set[URIRef]:
    graph = vocabularies()
    return {s for s in graph.subjects(RDF.type, SKOS.Concept) if str(s).startswith(VOCAB)}


def test_every_concept_has_one_english_preflabel_and_at_most_one_per_language() -> None:
    graph = vocabularies()
    problems = []
    for concept in own_concepts():
        languages = Counter(label.language for label in graph.objects(concept, SKOS.prefLabel))
        if languages.get("en") != 1:
            problems.append(f"{concept}: {languages.get('en', 0)} English prefLabels")
        problems += [f"{concept}: {n} prefLabels @{lang}" for lang, n in languages.items() if n > 1]
    assert problems == []


def test_every_concept_is_in_exactly_one_scheme_that_exists_and_has_a_notation() -> None:
    graph = vocabularies()
    schemes = set(graph.subjects(RDF.type, SKOS.ConceptScheme))
    problems = []
    for concept in own_concepts():
        in_schemes = set(graph.objects(concept, SKOS.inScheme))
        if len(in_schemes) != 1 or not in_schemes <= schemes:
            problems.append(f"{concept}: schemes {sorted(in_schemes)}")
        if graph.value(concept, SKOS.notation) is None:
            problems.append(f"{concept}: no skos:notation")
    assert problems == []


def test_every_scheme_states_title_licence_and_top_concepts() -> None:
    graph = vocabularies()
    dcterms = rdflib.Namespace("http://purl.org/dc/terms/")
    problems = []
    for concept_scheme in graph.subjects(RDF.type, SKOS.ConceptScheme):
        for prop in (dcterms.title, dcterms.license, SKOS.hasTopConcept):
            if graph.value(concept_scheme, prop) is None:
                problems.append(f"{concept_scheme}: no {prop}")
    assert problems == []


def test_broader_and_narrower_are_stated_both_ways_within_the_vocabularies() -> None:
    graph = vocabularies()
    missing = [
        (str(child), str(parent))
        for child, parent in graph.subject_objects(SKOS.broader)
        if str(parent).startswith(VOCAB) and (parent, SKOS.narrower, child) not in graph
    ]
    missing += [
        (str(child), str(parent))
        for parent, child in graph.subject_objects(SKOS.narrower)
        if str(child).startswith(VOCAB) and (child, SKOS.broader, parent) not in graph
    ]
    assert missing == []


def test_every_vocabulary_iri_referenced_anywhere_is_defined() -> None:
    """A reference to a concept of an SRKG scheme that no file defines is a typo."""
    graph = vocabularies()
    defined = own_concepts() | set(graph.subjects(RDF.type, SKOS.ConceptScheme))
    referenced = {o for o in graph.objects() if isinstance(o, URIRef) and str(o).startswith(VOCAB)}
    referenced |= {
        o for path in paths.ontology_dir().glob("srkg.ttl") for o in rdflib.Graph().parse(path).objects()
        if isinstance(o, URIRef) and str(o).startswith(VOCAB)
    }
    undefined = sorted(str(iri) for iri in referenced - defined if not str(iri).endswith("/ordered"))
    assert undefined == []


def test_technologies_are_faceted() -> None:
    graph = vocabularies()
    technologies = concepts_in("technology")
    assert len(technologies) >= 35
    for facet in (SRKG.treatmentLocation, SRKG.processClass, SRKG.natureBasedCategory):
        lacking = [str(t) for t in technologies if graph.value(t, facet) is None
                   and not list(graph.objects(t, SKOS.narrower))]
        assert lacking == [], f"{facet} missing on {lacking}"
    nature_based = {t for t in technologies if graph.value(t, SRKG.isNatureBased) == Literal(True)}
    phyto = URIRef(VOCAB + "technology/phytoextraction")
    thermal = URIRef(VOCAB + "technology/thermal-desorption")
    assert phyto in nature_based and thermal not in nature_based
    yes = URIRef(VOCAB + "nbs-category/yes")
    assert nature_based == {t for t in technologies if graph.value(t, SRKG.natureBasedCategory) == yes}


def test_pollutants_carry_identifiers_and_classes() -> None:
    graph = vocabularies()
    pollutants = concepts_in("pollutant")
    assert len(pollutants) >= 60
    cadmium = URIRef(VOCAB + "pollutant/cadmium")
    assert URIRef("http://purl.obolibrary.org/obo/CHEBI_22977") in set(graph.objects(cadmium, SKOS.exactMatch))
    assert graph.value(cadmium, SRKG.casNumber) == Literal("7440-43-9")
    assert URIRef(VOCAB + "pollutant-class/metals-metalloids") in set(graph.objects(cadmium, SRKG.pollutantClass))
    unclassified = [str(p) for p in pollutants if graph.value(p, SRKG.pollutantClass) is None]
    assert unclassified == []
    sums_with_chebi = [
        str(p) for p in pollutants
        if graph.value(p, SRKG.isSumParameter) == Literal(True)
        and any("CHEBI_" in str(m) for m in graph.objects(p, SKOS.exactMatch))
    ]
    assert sums_with_chebi == []
    cas_ok = all(
        str(cas).replace("-", "").isdigit() and str(cas).count("-") == 2
        for cas in graph.objects(None, SRKG.casNumber)
    )
    assert cas_ok


def test_sustainability_frameworks_have_their_published_criteria() -> None:
    graph = vocabularies()
    by_framework: dict[str, set[URIRef]] = defaultdict(set)
    for criterion in concepts_in("criterion"):
        for framework in graph.objects(criterion, SRKG.inFramework):
            by_framework[str(framework).rsplit("/", 1)[-1]].add(criterion)
    surf_uk = by_framework["surf-uk"]
    assert {str(graph.value(c, SKOS.notation)) for c in surf_uk} == {
        f"{pillar}{n}" for pillar in ("ENV", "SOC", "ECON") for n in range(1, 6)
    }
    assert len(by_framework["iucn-nbs"]) == 8
    assert len(by_framework["us-ncp"]) == 9
    pillars = {graph.value(c, SRKG.pillar) for c in surf_uk}
    assert pillars == {URIRef(VOCAB + f"pillar/{p}") for p in ("environmental", "social", "economic")}
    without_pillar = [str(c) for c in concepts_in("criterion") if graph.value(c, SRKG.pillar) is None]
    assert without_pillar == []


def test_epa_footprint_metrics_have_fixed_units_from_the_unit_list() -> None:
    graph = vocabularies()
    units = concepts_in("unit")
    metrics = [c for c in concepts_in("criterion") if graph.value(c, SRKG.coreElement) is not None]
    assert len(metrics) >= 17
    with_unit = [m for m in metrics if graph.value(m, SRKG.requiredUnit) is not None]
    assert len(with_unit) >= 12
    assert all(graph.value(m, SRKG.requiredUnit) in units for m in with_unit)


def test_checklist_has_sixteen_ordered_stages_with_guidance() -> None:
    graph = vocabularies()
    stages = concepts_in("checklist-stage")
    orders = sorted(int(graph.value(s, SRKG.stageOrder)) for s in stages)
    assert orders == list(range(1, 17))
    assert all(graph.value(s, SKOS.scopeNote) is not None for s in stages)
    ordered = URIRef(VOCAB + "checklist-stage/ordered")
    members = list(rdflib.collection.Collection(graph, graph.value(ordered, SKOS.memberList)))
    assert members == sorted(stages, key=lambda s: int(graph.value(s, SRKG.stageOrder)))


def test_barriers_are_eight_groups_of_items() -> None:
    graph = vocabularies()
    barrier = scheme("barrier")
    groups = set(graph.objects(barrier, SKOS.hasTopConcept))
    assert {str(graph.value(g, SKOS.notation)) for g in groups} == {
        "REG", "ECO", "TIM", "TEC", "KNO", "SOC", "ORG", "DAT"
    }
    items = concepts_in("barrier") - groups
    assert len(items) >= 30
    assert all(graph.value(i, SKOS.broader) in groups for i in items)


def test_definitions_of_sustainable_remediation_are_cited() -> None:
    graph = vocabularies()
    dcterms = rdflib.Namespace("http://purl.org/dc/terms/")
    definitions = concepts_in("sr-definition")
    assert len(definitions) >= 6
    uncited = [str(d) for d in definitions
               if graph.value(d, dcterms.source) is None or graph.value(d, SKOS.definition) is None]
    assert uncited == []


def test_units_are_qudt_iris_and_currencies_iso_codes() -> None:
    graph = vocabularies()
    units = concepts_in("unit")
    assert URIRef("http://qudt.org/vocab/unit/MilliGM-PER-KiloGM") in units
    assert all(str(u).startswith("http://qudt.org/vocab/unit/") for u in units)
    codes = {str(graph.value(c, SKOS.notation)) for c in concepts_in("currency")}
    assert {"USD", "EUR", "GBP", "CNY"} <= codes
    assert all(len(code) == 3 and code.isupper() for code in codes)


def test_countries_cover_the_193_un_member_states_with_regions() -> None:
    graph = vocabularies()
    members = set(graph.subjects(SRKG.isUNMember, Literal(True)))
    assert len(members) == 193
    lacking_region = [str(c) for c in members if graph.value(c, SRKG.m49Region) is None]
    assert lacking_region == []
    kenya = URIRef(VOCAB + "country/KEN")
    assert graph.value(kenya, SRKG.m49Code) == Literal("404")
    assert graph.value(kenya, SRKG.m49Code).datatype in (None, XSD.string)


def test_top_concepts_have_no_broader_concept_in_their_scheme() -> None:
    graph = vocabularies()
    wrong = [
        (str(top), str(parent))
        for top, concept_scheme in graph.subject_objects(SKOS.topConceptOf)
        for parent in graph.objects(top, SKOS.broader)
        if (parent, SKOS.inScheme, concept_scheme) in graph
    ]
    wrong += [(str(top), "listed by hasTopConcept but has a broader concept")
              for concept_scheme, top in graph.subject_objects(SKOS.hasTopConcept)
              if any((p, SKOS.inScheme, concept_scheme) in graph for p in graph.objects(top, SKOS.broader))]
    assert wrong == []
