"""Reconciliation of free text to vocabulary IRIs (ingest.reconcile): exact expected IRIs, match methods, policy."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import URIRef

from ingest.reconcile import Match, Reconciler, Reconciliation, default_reconciler, match_record, problem_for
from ingest.reconcile.api import Reconciles
from ingest.reconcile.normalise import cas_key, clean, fold, is_slip, is_symbol, m49_key, unit_key
from ingest.records import SourceLocation
from ingest.vocabulary import Vocabulary, default_vocabulary

VOCAB = "https://w3id.org/srkg/vocab/"
COUNTRY = VOCAB + "country/"
POLLUTANT = VOCAB + "pollutant/"
TECHNOLOGY = VOCAB + "technology/"
CURRENCY = VOCAB + "currency/"
UNIT = "http://qudt.org/vocab/unit/"


@pytest.fixture(scope="module")
def reconciler() -> Reconciler:
    return default_reconciler()


def matched(result: Reconciliation) -> Match:
    assert result.match is not None, f"{result.text!r} unmatched; candidates {result.candidates}"
    assert result.ok and not result.ambiguous
    return result.match


def candidate_iris(result: Reconciliation) -> list[str]:
    return [str(c.iri) for c in result.candidates]


def test_reconciler_implements_the_protocol_and_is_cached(reconciler: Reconciler) -> None:
    protocol: Reconciles = reconciler  # checked statically; the Protocol is not runtime_checkable
    for name in ("country", "pollutant", "technology", "unit", "currency", "concept"):
        assert callable(getattr(protocol, name))
    assert default_reconciler() is reconciler


# ----------------------------------------------------------------------------------------------- countries
@pytest.mark.parametrize(
    ("text", "iri", "method", "language"),
    [
        ("France", "FRA", "exact label", "en"),
        ("france", "FRA", "exact label", "en"),
        ("  FRANCE ", "FRA", "exact label", "en"),
        ("FRA", "FRA", "code", None),
        ("FR", "FRA", "code", None),
        ("250", "FRA", "code", None),
        ("Côte d'Ivoire", "CIV", "exact label", "en"),
        ("Cote d'Ivoire", "CIV", "exact label", "en"),
        ("Côte d’Ivoire", "CIV", "exact label", "en"),
        ("cote d ivoire", "CIV", "exact label", "en"),
        ("Russian Federation", "RUS", "exact label", "en"),
        ("Российская Федерация", "RUS", "exact label", "ru"),
        ("Россия", "RUS", "synonym", "ru"),  # AGROVOC c_33240 alt_ru, through RUS skos:exactMatch
        ("中国", "CHN", "exact label", "zh"),
        ("مصر", "EGY", "exact label", "ar"),
        ("Viet Nam", "VNM", "exact label", "en"),
        ("Vietnam", "VNM", "synonym", "en"),  # common English name (SRKG addition to countries.ttl)
        ("UK", "GBR", "synonym", "en"),
        ("GB", "GBR", "code", None),
        ("United Kingdom", "GBR", "synonym", "en"),  # AGROVOC c_8068 alt_en
        ("Ivory Coast", "CIV", "synonym", "en"),  # AGROVOC c_4027 alt_en
        ("USA", "USA", "code", None),
        ("NO", "NOR", "code", None),
        ("4", "AFG", "code", None),  # M49 004 with the zeros a spreadsheet drops
        ("004", "AFG", "code", None),
    ],
)
def test_countries(reconciler: Reconciler, text: str, iri: str, method: str, language: str | None) -> None:
    match = matched(reconciler.country(text))
    assert match.iri == URIRef(COUNTRY + iri)
    assert (match.method, match.language, match.score) == (method, language, 1.0)


def test_country_match_carries_label_and_matched_text(reconciler: Reconciler) -> None:
    match = matched(reconciler.country("Cote d'Ivoire"))
    assert match.label == "Côte d’Ivoire"
    assert match.matched_text == "Côte d’Ivoire"
    assert matched(reconciler.country("250")).matched_text == "250"


@pytest.mark.parametrize(("text", "suggested"), [("fra", "FRA"), ("fr", "FRA"), ("no", "NOR"), ("gbr", "GBR")])
def test_iso_country_codes_must_be_upper_case(reconciler: Reconciler, text: str, suggested: str) -> None:
    """ "no" in a country column means none, not Norway: lower-case ISO codes are suggestions, not matches."""
    result = reconciler.country(text)
    assert result.match is None and not result.ambiguous
    assert result.candidates[0].iri == URIRef(COUNTRY + suggested)
    assert result.candidates[0].score == pytest.approx(0.99)


# ----------------------------------------------------------------------------------------------- pollutants
@pytest.mark.parametrize(
    ("text", "slug", "method"),
    [
        ("Cd", "cadmium", "code"),
        ("cadmium", "cadmium", "exact label"),
        ("Cadmium", "cadmium", "exact label"),
        ("CADMIUM", "cadmium", "exact label"),
        ("7440-43-9", "cadmium", "code"),
        ("CAS 7440-43-9", "cadmium", "code"),
        ("cadmio", "cadmium", "exact label"),  # es prefLabel "Cadmio", copied from AGROVOC c_1178
        ("镉", "cadmium", "exact label"),
        ("Cd (symbol)", "cadmium", "synonym"),  # AGROVOC c_1178 alt_en only
        ("Pb", "lead", "code"),
        ("As", "arsenic", "code"),
        ("TPH", "tph", "synonym"),
        ("tph", "tph", "synonym"),
        ("total petroleum hydrocarbons", "tph", "exact label"),
        ("mineral oil", "mineral-oil", "exact label"),
        ("mineral oils", "mineral-oil", "synonym"),
        ("PER", "pce", "synonym"),
        ("PCE", "pce", "synonym"),
        ("perchloroethylene", "pce", "synonym"),
        ("127-18-4", "pce", "code"),
        ("Cs-137", "caesium-137", "synonym"),
        ("Cs 137", "caesium-137", "synonym"),
        ("cesium-137", "caesium-137", "exact label"),  # = fr prefLabel "césium 137" once folded
        ("benzo[a]pyrene", "benzo-a-pyrene", "exact label"),
        ("Benzo(a)pyrene", "benzo-a-pyrene", "exact label"),
        ("BENZO[A]PYRENE", "benzo-a-pyrene", "exact label"),
        ("B(a)P", "benzo-a-pyrene", "synonym"),  # altLabel "B[a]P": brackets are punctuation
        ("BaP", "benzo-a-pyrene", "synonym"),
        ("benzopyrene", "benzo-a-pyrene", "synonym"),  # AGROVOC c_28256, through skos:closeMatch
        ("DDT", "ddt", "exact label"),
        ("p,p'-DDT", "ddt", "synonym"),
        ("mineral-oil", "mineral-oil", "exact label"),  # = "mineral oil" once folded
        ("sum-ddt", "sum-ddt", "code"),  # the slug notation
        ("Cadmium (Cd)", "cadmium", "exact label"),  # both parts name the same concept: the weaker method
        ("trichloroethylene (TCE)", "tce", "synonym"),
        ("hexachlorobenzene", "hexachlorobenzene", "exact label"),
        ("HCB (hexachlorobenzene)", "hexachlorobenzene", "synonym"),
    ],
)
def test_pollutants(reconciler: Reconciler, text: str, slug: str, method: str) -> None:
    match = matched(reconciler.pollutant(text))
    assert match.iri == URIRef(POLLUTANT + slug)
    assert match.method == method
    assert match.score == 1.0


def test_pollutant_labels_in_other_languages(reconciler: Reconciler) -> None:
    assert matched(reconciler.pollutant("cadmio")).language == "es"
    assert matched(reconciler.pollutant("镉")).language == "zh"
    assert matched(reconciler.pollutant("кадмий")).language == "ru"
    assert matched(reconciler.pollutant("B(a)P")).matched_text == "B[a]P"


@pytest.mark.parametrize("text", ["CD", "cd"])
def test_element_symbols_are_case_sensitive(reconciler: Reconciler, text: str) -> None:
    result = reconciler.pollutant(text)
    assert result.match is None and not result.ambiguous
    assert result.candidates[0].iri == URIRef(POLLUTANT + "cadmium")


def test_cas_number_needs_a_valid_check_digit(reconciler: Reconciler) -> None:
    assert reconciler.pollutant("7440-43-8").match is None


def test_agrovoc_labels_hch_curators_left_out_are_not_brought_back(reconciler: Reconciler) -> None:
    """AGROVOC c_31386 (HCH) lists hexachlorobenzene labels; pol:hch maps to it but must not get them."""
    for text in ("六氯苯", "гексахлорбензол", "Hexaclorobenzena", "héxachlorobenzène"):
        result = reconciler.pollutant(text)
        assert result.match is None or result.match.iri != URIRef(POLLUTANT + "hch"), text
    assert matched(reconciler.pollutant("гексахлоран")).iri == URIRef(POLLUTANT + "hch")  # copied by curators


def test_agrovoc_concepts_we_do_not_map_are_never_targets(reconciler: Reconciler) -> None:
    # "aromatic hydrocarbons" is AGROVOC c_28994, a concept no SRKG pollutant maps to: its labels are not ours.
    result = reconciler.pollutant("aromatic hydrocarbons")
    assert result.match is None
    assert all(str(c.iri).startswith(POLLUTANT) for c in result.candidates)


def test_agrovoc_labels_come_from_the_label_table(tmp_path: Path) -> None:
    without = Reconciler(default_vocabulary(), agrovoc_labels=tmp_path / "missing.tsv.gz")
    assert without.country("Россия").match is None
    assert without.country("Russian Federation").match is not None


# ----------------------------------------------------------------------------------------------- technologies
@pytest.mark.parametrize(
    ("text", "slug", "method"),
    [
        ("phytoextraction", "phytoextraction", "exact label"),
        ("phytoremediation", "phytoremediation", "exact label"),
        ("landfarming", "landfarming", "exact label"),
        ("land farming", "landfarming", "synonym"),
        ("land treatment", "landfarming", "synonym"),
        ("SVE", "soil-vapour-extraction", "synonym"),
        ("soil vapour extraction", "soil-vapour-extraction", "exact label"),
        ("soil vapor extraction", "soil-vapour-extraction", "synonym"),
        ("dig and dump", "excavation-and-off-site-disposal", "synonym"),
        ("in situ thermal treatment", "in-situ-thermal-treatment", "exact label"),
        ("ISCO", "in-situ-chemical-oxidation", "synonym"),
        ("S/S", "solidification-stabilisation", "synonym"),
        ("biorremediación", None, None),  # not a slip of "bioremediation" (changed letter): a suggestion
    ],
)
def test_technologies(reconciler: Reconciler, text: str, slug: str | None, method: str | None) -> None:
    result = reconciler.technology(text)
    if slug is None:
        assert result.match is None
        assert result.candidates[0].iri == URIRef(TECHNOLOGY + "bioremediation")
        return
    match = matched(result)
    assert (match.iri, match.method) == (URIRef(TECHNOLOGY + slug), method)


def test_phytoextraction_is_not_confused_with_the_agrovoc_phytoremediation_synonym(reconciler: Reconciler) -> None:
    """AGROVOC c_36976 (phytoremediation, our exactMatch) has the altLabel "phytoextraction": our own prefLabel of
    tech:phytoextraction is a higher tier, so there is no ambiguity."""
    result = reconciler.technology("phytoextraction")
    assert matched(result).iri == URIRef(TECHNOLOGY + "phytoextraction")


# ----------------------------------------------------------------------------------------------- units
@pytest.mark.parametrize(
    ("text", "unit"),
    [
        ("mg/kg", "MilliGM-PER-KiloGM"),
        ("mg kg-1", "MilliGM-PER-KiloGM"),
        ("mg·kg⁻¹", "MilliGM-PER-KiloGM"),
        ("mg.kg-1", "MilliGM-PER-KiloGM"),
        ("mg kg^-1", "MilliGM-PER-KiloGM"),
        ("mg / kg", "MilliGM-PER-KiloGM"),
        ("MG/KG", "MilliGM-PER-KiloGM"),  # all capitals: case carries no information
        ("ppm", "PPM"),
        ("PPM", "PPM"),
        ("µg/g", "MicroGM-PER-GM"),  # micro sign U+00B5
        ("μg/g", "MicroGM-PER-GM"),  # Greek mu U+03BC
        ("ug/g", "MicroGM-PER-GM"),
        ("µg g-1", "MicroGM-PER-GM"),
        ("ug/kg", "MicroGM-PER-KiloGM"),
        ("ug/l", "MicroGM-PER-L"),
        ("mg/L", "MilliGM-PER-L"),
        ("%", "PERCENT"),
        ("m²", "M2"),
        ("m2", "M2"),
        ("Mg", "TONNE"),
        ("kWh", "KiloW-HR"),
        ("mcg/kg", "MicroGM-PER-KiloGM"),  # synonyms.UNIT_NOTATIONS
    ],
)
def test_units_match_by_symbol(reconciler: Reconciler, text: str, unit: str) -> None:
    match = matched(reconciler.unit(text))
    assert (match.iri, match.method) == (URIRef(UNIT + unit), "code")


def test_unit_words(reconciler: Reconciler) -> None:
    assert matched(reconciler.unit("milligram per kilogram")).method == "exact label"
    match = matched(reconciler.unit("Milligrams per Kilogram"))
    assert (match.iri, match.method) == (URIRef(UNIT + "MilliGM-PER-KiloGM"), "synonym")


def test_ppm_is_not_silently_equated_with_mg_per_kg(reconciler: Reconciler) -> None:
    """units.ttl has unit:PPM (a dimensionless ratio) apart from unit:MilliGM-PER-KiloGM; so does reconciliation."""
    assert matched(reconciler.unit("ppm")).iri == URIRef(UNIT + "PPM")
    assert matched(reconciler.unit("mg/kg")).iri != matched(reconciler.unit("ppm")).iri


@pytest.mark.parametrize(("text", "suggested"), [("mg", "TONNE"), ("mg/Kg", "MilliGM-PER-KiloGM"), ("KWH", "KiloW-HR")])
def test_unit_symbols_are_case_sensitive(reconciler: Reconciler, text: str, suggested: str) -> None:
    """ "mg" is not "Mg" (megagram): mixed- or lower-case inputs never match another case; they are suggested."""
    result = reconciler.unit(text)
    assert result.match is None
    assert result.candidates[0].iri == URIRef(UNIT + suggested)


def test_units_are_never_fuzzy(reconciler: Reconciler) -> None:
    for text in ("mg/kgg", "ug/kgs", "milligram per kilogramm"):
        result = reconciler.unit(text)
        assert result.match is None or result.match.method != "fuzzy", text


def test_unit_with_a_note_is_not_guessed(reconciler: Reconciler) -> None:
    result = reconciler.unit("mg/kg (soil Pb before)")
    assert result.match is None
    assert result.candidates[0].iri == URIRef(UNIT + "MilliGM-PER-KiloGM")


# ----------------------------------------------------------------------------------------------- currencies
@pytest.mark.parametrize(
    ("text", "code", "method"),
    [
        ("USD", "usd", "code"),
        ("usd", "usd", "code"),
        ("US$", "usd", "synonym"),
        ("US $", "usd", "synonym"),
        ("US Dollar", "usd", "exact label"),
        ("EUR", "eur", "code"),
        ("€", "eur", "synonym"),
        ("euro", "eur", "exact label"),
        ("£", "gbp", "synonym"),
        ("RMB", "cny", "synonym"),
        ("₹", "inr", "synonym"),  # synonyms.CURRENCY_SYMBOLS
        ("R$", "brl", "synonym"),
    ],
)
def test_currencies(reconciler: Reconciler, text: str, code: str, method: str) -> None:
    match = matched(reconciler.currency(text))
    assert (match.iri, match.method) == (URIRef(CURRENCY + code), method)


# ----------------------------------------------------------------------------------------------- ambiguity
def test_dollar_sign_is_ambiguous(reconciler: Reconciler) -> None:
    """units.ttl deliberately has no "$": it is the sign of many currencies. Reconciled: ambiguous, all listed."""
    result = reconciler.currency("$")
    assert result.match is None and result.ambiguous and not result.ok
    iris = set(candidate_iris(result))
    assert {CURRENCY + "usd", CURRENCY + "cad", CURRENCY + "aud", CURRENCY + "mxn"} <= iris
    assert all(c.method == "synonym" and c.matched_text == "$" for c in result.candidates)


def test_yen_sign_is_ambiguous_between_yen_and_yuan(reconciler: Reconciler) -> None:
    result = reconciler.currency("¥")
    assert result.ambiguous
    assert sorted(candidate_iris(result)) == [CURRENCY + "cny", CURRENCY + "jpy"]


def test_slip_of_two_countries_is_ambiguous(reconciler: Reconciler) -> None:
    """ "Austrlia" is one letter from "Australia" and from "Austria": no guess, both candidates."""
    result = reconciler.country("Austrlia")
    assert result.match is None and result.ambiguous
    assert sorted(candidate_iris(result)) == [COUNTRY + "AUS", COUNTRY + "AUT"]
    assert all(c.method == "fuzzy" and c.score < 1 for c in result.candidates)


SHARED_LABEL_VOCABULARY = """
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix ex: <https://w3id.org/srkg/vocab/test-scheme/> .
<https://w3id.org/srkg/vocab/test-scheme> a skos:ConceptScheme .
ex:one a skos:Concept ; skos:inScheme <https://w3id.org/srkg/vocab/test-scheme> ; skos:notation "one" ;
    skos:prefLabel "first thing"@en ; skos:altLabel "shared name"@en .
ex:two a skos:Concept ; skos:inScheme <https://w3id.org/srkg/vocab/test-scheme> ; skos:notation "two" ;
    skos:prefLabel "second thing"@en ; skos:altLabel "Shared-Name"@fr ; skos:hiddenLabel "first thing"@en .
"""


def test_label_shared_by_two_concepts_is_ambiguous(tmp_path: Path) -> None:
    path = tmp_path / "shared.ttl"
    path.write_text(SHARED_LABEL_VOCABULARY, encoding="utf-8")
    small = Reconciler(Vocabulary([path]), agrovoc_labels=tmp_path / "none.tsv.gz")
    result = small.concept("test-scheme", "shared name")
    assert result.match is None and result.ambiguous
    assert [(str(c.iri), c.method) for c in result.candidates] == [
        ("https://w3id.org/srkg/vocab/test-scheme/one", "synonym"),
        ("https://w3id.org/srkg/vocab/test-scheme/two", "synonym"),
    ]
    # a prefLabel outranks another concept's hiddenLabel: not ambiguous
    assert matched(small.concept("test-scheme", "first thing")).iri.endswith("/one")


# ----------------------------------------------------------------------------------------------- unmatched, fuzzy
def test_unmatched_gives_suggestions(reconciler: Reconciler) -> None:
    result = reconciler.pollutant("unobtainium")
    assert result.match is None and not result.ambiguous
    assert 1 <= len(result.candidates) <= 3
    assert result.candidates[0].iri == URIRef(POLLUTANT + "uranium")
    scores = [c.score for c in result.candidates]
    assert scores == sorted(scores, reverse=True) and all(0 < s < 1 for s in scores)
    assert all(c.method == "fuzzy" for c in result.candidates)


def test_fuzzy_match_of_a_slip(reconciler: Reconciler) -> None:
    match = matched(reconciler.pollutant("cadmim"))
    assert match.iri == URIRef(POLLUTANT + "cadmium")
    assert match.method == "fuzzy"
    assert 0.85 < match.score < 1
    assert match.matched_text == "cadmium"
    assert matched(reconciler.technology("phytoextration")).method == "fuzzy"


@pytest.mark.parametrize(
    ("text", "not_this"),
    [
        ("trichloroethane", "tce"),  # a different compound, one letter from "trichloroethene"
        ("1,1-dichloroethane", "11-dce"),
        ("ethylmercury", "methylmercury"),
        ("endosulfan I", "endosulfan"),
        ("diethyl phthalate", "dibutyl-phthalate"),
        ("dibenzo(a,h)anthracene", "benz-a-anthracene"),
    ],
)
def test_similar_names_of_other_substances_are_only_suggestions(
    reconciler: Reconciler, text: str, not_this: str
) -> None:
    result = reconciler.pollutant(text)
    assert result.match is None
    assert not result.ambiguous


def test_parts_that_disagree_are_suggestions(reconciler: Reconciler) -> None:
    result = reconciler.pollutant("TPH (crude oil)")
    assert result.match is None and not result.ambiguous
    assert candidate_iris(result)[:2] == [POLLUTANT + "tph", POLLUTANT + "crude-oil"]


@pytest.mark.parametrize("text", ["", "   ", "\t\n", "\u200b"])
def test_empty_text_is_unmatched_without_suggestions(reconciler: Reconciler, text: str) -> None:
    result = reconciler.pollutant(text)
    assert result == Reconciliation(text, None)


# ----------------------------------------------------------------------------------------------- any scheme
def test_concept_by_scheme_name_or_iri(reconciler: Reconciler) -> None:
    match = matched(reconciler.concept("land-use", "allotment"))
    assert match.iri == URIRef(VOCAB + "land-use/urban-garden")
    assert matched(reconciler.concept(VOCAB + "land-use", "Agriculture")).iri == URIRef(VOCAB + "land-use/agriculture")
    assert matched(reconciler.concept("m49-region", "150")).iri == URIRef(VOCAB + "m49-region/150")
    assert matched(reconciler.concept("pollutant-class", "heavy metals")).iri == URIRef(
        VOCAB + "pollutant-class/metals-metalloids"
    )
    assert VOCAB + "technology" in reconciler.schemes()


def test_unknown_scheme_is_an_error(reconciler: Reconciler) -> None:
    with pytest.raises(KeyError, match="unknown concept scheme"):
        reconciler.concept("no-such-scheme", "x")


# ----------------------------------------------------------------------------------------------- pipeline policy
LOCATION = SourceLocation("cases.xlsx", "cases", 7, "pollutant")


def test_policy_clean_match_has_no_problem(reconciler: Reconciler) -> None:
    result = reconciler.pollutant("Cd")
    assert problem_for(LOCATION, "pollutant", result) is None
    record = match_record(LOCATION, "pollutant", result)
    assert (record.iri, record.method, record.label, record.score) == (
        URIRef(POLLUTANT + "cadmium"),
        "code",
        "cadmium",
        1.0,
    )


def test_policy_fuzzy_match_is_a_warning(reconciler: Reconciler) -> None:
    result = reconciler.pollutant("cadmim")
    problem = problem_for(LOCATION, "pollutant", result)
    assert problem is not None and problem.severity == "Warning"
    assert "fuzzy" in problem.message and "cadmium" in problem.message
    assert problem.location == LOCATION and problem.value == "cadmim"
    assert match_record(LOCATION, "pollutant", result).method == "fuzzy"


def test_policy_unmatched_and_ambiguous_are_reported_with_suggestions(reconciler: Reconciler) -> None:
    problem = problem_for(LOCATION, "pollutant", reconciler.pollutant("unobtainium"))
    assert problem is not None and problem.severity == "Violation"
    assert problem.suggestions and "uranium" in problem.suggestions[0]
    ambiguous = problem_for(LOCATION, "currency", reconciler.currency("¥"), unmatched="Warning")
    assert ambiguous is not None and ambiguous.severity == "Warning" and "ambiguous" in ambiguous.message
    record = match_record(LOCATION, "currency", reconciler.currency("¥"))
    assert record.iri is None and record.method is None and len(record.suggestions) == 2


# ----------------------------------------------------------------------------------------------- normalisation
def test_normalise_clean_and_fold() -> None:
    assert clean("  a\u00a0 b\u200b ") == "a b"
    assert clean("d’Ivoire – x") == "d'Ivoire - x"
    assert fold("Côte d’Ivoire") == fold("COTE D'IVOIRE") == "cote d ivoire"
    assert fold("Straße") == "strasse"
    assert fold("кадмий") == "кадмий"  # no accent stripping outside Latin script: й stays й
    assert fold("Ёж") == "ёж"
    assert fold("benzo[a]pyrene") == fold("benzo(a)pyrene") == "benzo a pyrene"
    assert fold("%") == "%" and fold("€") == "€" and fold("US $") == "us$"
    assert fold("ﺩﻗﺎﺋﻖ") == "دقائق"  # Arabic presentation forms → letters (NFKC)


def test_normalise_unit_key() -> None:
    for text in ("mg/kg", "mg kg-1", "mg.kg-1", "mg·kg⁻¹", "mg kg^-1", "mg per kg", "mg * kg**-1"):
        assert unit_key(text) == "mg/kg", text
    assert unit_key("ug/g") == unit_key("µg/g") == unit_key("μg/g") == "μg/g"
    assert unit_key("m²") == unit_key("m^2") == "m2"
    assert unit_key("Mg") == "Mg" and unit_key("MG", fold_case=True) == "mg"
    assert unit_key("gal (US)") == "gal (US)"


def test_normalise_codes_and_symbols() -> None:
    assert cas_key("7440-43-9") == cas_key("CAS RN 7440-43-9") == "7440-43-9"
    assert cas_key("7440-43-8") is None and cas_key("744043-9") is None
    assert m49_key("4") == "004" and m49_key("250") == "250" and m49_key("2500") is None
    assert is_symbol("Cd") and is_symbol("P") and not is_symbol("CD") and not is_symbol("cd")


def test_normalise_slips() -> None:
    assert is_slip("cadmim", "cadmium") and is_slip("cadmuim", "cadmium") and is_slip("vietnam", "viet nam")
    assert not is_slip("cadmiun", "cadmium")  # changed letter
    assert not is_slip("trichloroethane", "trichloroethene")
    assert not is_slip("pcb 15", "pcb 153")  # digit
    assert not is_slip("ethylmercury", "methylmercury")  # at the start
    assert not is_slip("endosulfan i", "endosulfan")  # added word
    assert not is_slip("lead", "lead")
