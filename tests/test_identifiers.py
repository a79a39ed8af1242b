"""External identifiers are real: AGROVOC codes exist, ChEBI/ENVO/Wikidata IRIs are registered as verified,
QUDT units come from units.ttl; and the country vocabulary is complete."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from pathlib import Path

import pytest
from rdflib import RDF, SKOS, Graph, Literal, Namespace, URIRef

from ingest import identifiers as ids
from ingest.namespaces import AGROVOC, OBO, QUDT_UNIT, SRKG, WIKIDATA, concept_iri, scheme_iri
from ingest.paths import external_dir, resource_root

EX = Namespace("https://example.org/test/")


@cache
def _graphs() -> tuple[tuple[Path, Graph], ...]:
    return tuple((path, ids.load(path)) for path in ids.turtle_files())


def _report(check: Callable[[Graph], set[str]], skip: Path | None = None) -> dict[str, list[str]]:
    problems: dict[str, list[str]] = {}
    for path, graph in _graphs():
        if skip is not None and path.resolve() == skip.resolve():
            continue
        bad = check(graph)
        if bad:
            problems[str(path.relative_to(resource_root()))] = sorted(bad)
    return problems


def _fmt(problems: dict[str, list[str]]) -> str:
    return "\n".join(f"{file}:\n  " + "\n  ".join(iris) for file, iris in sorted(problems.items()))


def test_turtle_files_found() -> None:
    names = {p.name for p in ids.turtle_files()}
    assert {"agrovoc-subset.ttl", "countries.ttl"} <= names


def test_agrovoc_table_loads() -> None:
    codes = ids.agrovoc_codes()
    assert len(codes) > 40_000
    assert {"c_7156", "c_7183", "c_3081"} <= codes  # soil, soil pollution, France


def test_agrovoc_iris_exist() -> None:
    problems = _report(ids.unknown_agrovoc_iris)
    assert not problems, "AGROVOC IRIs not in agrovoc-labels-6lang.tsv.gz:\n" + _fmt(problems)


def test_verified_register_well_formed() -> None:
    rows = ids.read_verified_register()
    assert rows, "verified-identifiers.csv is empty"
    seen: set[str] = set()
    duplicates: list[str] = []
    for row in rows:
        iri = row["iri"].strip()
        assert iri.startswith(ids.VERIFIED_PREFIXES), f"not an OBO/Wikidata entity IRI: {iri!r}"
        assert re.fullmatch(r"\S+", iri), f"whitespace in IRI {iri!r}"
        assert (row["verified_in"] or "").strip(), f"{iri}: verified_in is empty"
        if iri in seen:
            duplicates.append(iri)
        seen.add(iri)
    assert not duplicates, f"duplicate IRIs in verified-identifiers.csv: {duplicates}"
    assert f"{OBO}CHEBI_22977" in seen and f"{WIKIDATA}Q1091" in seen


def test_obo_and_wikidata_iris_verified() -> None:
    problems = _report(ids.unverified_external_iris)
    assert not problems, "IRIs missing from ontology/external/verified-identifiers.csv:\n" + _fmt(problems)


def test_units_file_exists() -> None:
    assert ids.units_path().is_file(), f"{ids.units_path()} is missing"
    assert ids.unit_iris(), "units.ttl declares no QUDT unit concepts"


def test_qudt_units_declared_in_units_ttl() -> None:
    assert ids.units_path().is_file(), f"{ids.units_path()} is missing"
    problems = _report(ids.unknown_unit_iris, skip=ids.units_path())
    message = "QUDT unit IRIs that are not concepts of ontology/vocab/units.ttl:\n"
    assert not problems, message + _fmt(problems)


def test_checks_report_made_up_identifiers() -> None:
    """Negative control: each check flags identifiers that do not exist / are not registered."""
    fake_agrovoc = URIRef(f"{AGROVOC}c_0000000000")
    fake_chebi = URIRef(f"{OBO}CHEBI_999999999")
    fake_wikidata = URIRef(f"{WIKIDATA}Q999999999999")
    fake_unit = URIRef(f"{QUDT_UNIT}NOT-A-UNIT")
    real_agrovoc = URIRef(f"{AGROVOC}c_7156")
    real_chebi = URIRef(f"{OBO}CHEBI_22977")
    g = Graph()
    g.add((EX.a, SKOS.exactMatch, fake_agrovoc))
    g.add((EX.a, SKOS.closeMatch, real_agrovoc))
    g.add((fake_chebi, SKOS.prefLabel, Literal("nothing", lang="en")))
    g.add((EX.a, SKOS.exactMatch, real_chebi))
    g.add((EX.a, SKOS.exactMatch, fake_wikidata))
    g.add((EX.a, EX.unit, fake_unit))

    assert ids.unknown_agrovoc_iris(g) == {str(fake_agrovoc)}
    assert ids.unverified_external_iris(g) == {str(fake_chebi), str(fake_wikidata)}
    assert ids.unknown_unit_iris(g, units=frozenset()) == {str(fake_unit)}
    # and with the real reference sets a known unit passes
    assert ids.unknown_unit_iris(g, units=frozenset({str(fake_unit)})) == set()


# --- countries.ttl ---------------------------------------------------------------------------------

COUNTRY = Namespace(str(scheme_iri("country")) + "/")
LANGS = ("en", "fr", "es", "ru", "zh", "ar")
NO_M49 = {"XKX"}  # Kosovo: user-assigned code, no UN M49 code
NO_REGION = {"ATA", "SCG"}  # Antarctica has no M49 region; Serbia and Montenegro only in the FAO source


@pytest.fixture(scope="module")
def countries() -> Graph:
    return ids.load(external_dir() / "countries.ttl")


def test_countries_complete(countries: Graph) -> None:
    scheme = scheme_iri("country")
    region_scheme = scheme_iri("m49-region")
    members = set(countries.subjects(SKOS.inScheme, scheme))
    assert members == set(countries.subjects(RDF.type, SRKG.Country))
    assert len(members) >= 240
    problems: list[str] = []
    for c in sorted(members):
        iso3 = [str(v) for v in countries.objects(c, SRKG.iso3Code)]
        if len(iso3) != 1 or not re.fullmatch(r"[A-Z]{3}", iso3[0]) or c != COUNTRY[iso3[0]]:
            problems.append(f"{c}: bad iso3 {iso3}")
            continue
        code = iso3[0]
        if [str(n) for n in countries.objects(c, SKOS.notation)] != [code]:
            problems.append(f"{code}: notation must be the ISO3 code")
        m49 = [str(v) for v in countries.objects(c, SRKG.m49Code)]
        if code not in NO_M49 and (len(m49) != 1 or not re.fullmatch(r"\d{3}", m49[0])):
            problems.append(f"{code}: M49 {m49}")
        regions = list(countries.objects(c, SRKG.m49Region))
        if code not in NO_REGION and len(regions) != 1:
            problems.append(f"{code}: region {regions}")
        for r in regions:
            if (r, SKOS.inScheme, region_scheme) not in countries:
                problems.append(f"{code}: region {r} not in the m49-region scheme")
        en = [v for v in countries.objects(c, SKOS.prefLabel) if v.language == "en"]
        if len(en) != 1:
            problems.append(f"{code}: {len(en)} English prefLabels")
    assert not problems, "\n".join(problems)


def test_m49_regions(countries: Graph) -> None:
    africa, ssa = concept_iri("m49-region", "002"), concept_iri("m49-region", "202")
    assert (africa, SKOS.notation, Literal("002")) in countries
    assert (ssa, SKOS.broader, africa) in countries and (africa, SKOS.narrower, ssa) in countries
    assert countries.value(ssa, SKOS.prefLabel) == Literal("Sub-Saharan Africa", lang="en")
    for sub in countries.objects(None, SRKG.m49SubRegion):
        assert countries.value(sub, SKOS.broader) is not None, f"sub-region {sub} has no broader region"
    for inter in countries.objects(None, SRKG.m49IntermediateRegion):
        broader = countries.value(inter, SKOS.broader)
        assert broader is not None and countries.value(broader, SKOS.broader) is not None, inter


def test_france_has_six_languages(countries: Graph) -> None:
    fra = COUNTRY["FRA"]
    langs = {v.language for v in countries.objects(fra, SKOS.prefLabel)}
    assert langs == set(LANGS)
    assert (fra, SRKG.m49Code, Literal("250")) in countries
    assert (fra, SRKG.iso2Code, Literal("FR")) in countries
    assert (fra, SKOS.exactMatch, URIRef(f"{AGROVOC}c_3081")) in countries
    assert (fra, SRKG.m49Region, concept_iri("m49-region", "150")) in countries


def test_m49_codes_keep_leading_zeros(countries: Graph) -> None:
    assert (COUNTRY["AFG"], SRKG.m49Code, Literal("004")) in countries
    assert (COUNTRY["XKX"], RDF.type, SRKG.Country) in countries
