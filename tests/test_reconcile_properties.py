"""Property tests of reconciliation (hypothesis): every concept is found by its own label and code, results do
not depend on letter case or white space, arbitrary text never raises, and a match is always in the scheme asked."""

from __future__ import annotations

from functools import cache

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import URIRef

from ingest.reconcile import Reconciler, Reconciliation, default_reconciler
from ingest.reconcile.index import KIND_SCHEMES, _read_concepts
from ingest.reconcile.reconciler import SUGGESTIONS
from ingest.vocabulary import default_vocabulary

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
CODE_SCHEMES = ("country", "currency", "unit", "m49-region")


def reconciler() -> Reconciler:
    return default_reconciler()


@cache
def concepts() -> dict:
    return _read_concepts(default_vocabulary())


@cache
def scheme_names() -> tuple[str, ...]:
    return tuple(sorted(s.name for s in reconciler().index.schemes.values()))


@cache
def english_labels(scheme: str) -> tuple[tuple[str, str], ...]:
    """(concept IRI, English prefLabel) of every concept of a scheme."""
    index = reconciler().index.scheme(scheme)
    found = []
    for iri in index.concepts:
        english = [text for text, language in concepts()[iri].pref if language == "en"]
        if english:
            found.append((iri, english[0]))
    return tuple(found)


@cache
def every_label() -> tuple[str, ...]:
    """Every label and code of every scheme (to throw at the wrong scheme)."""
    texts = set()
    for concept in concepts().values():
        texts.update(text for text, _ in concept.pref)
        texts.update(text for text, _, _ in concept.alt)
        texts.update(concept.notations)
        texts.update(value for value, _ in concept.codes)
    return tuple(sorted(texts))


def codes_of(scheme: str) -> list[tuple[str, str]]:
    """(concept IRI, code) for the notations and code properties that are codes in a scheme."""
    out = []
    for iri in reconciler().index.scheme(scheme).concepts:
        concept = concepts()[iri]
        out += [(iri, n) for n in concept.notations]
        out += [(iri, value) for value, _ in concept.codes]
    return out


def check_invariants(result: Reconciliation, text: str, scheme: str) -> None:
    members = set(reconciler().index.scheme(scheme).labels)
    assert isinstance(result, Reconciliation)
    assert result.text == text
    assert result.ok == (result.match is not None)
    if result.match is not None:
        assert not result.ambiguous and result.candidates == ()
        assert str(result.match.iri) in members
        assert isinstance(result.match.iri, URIRef)
        assert (result.match.score < 1) == (result.match.method == "fuzzy")
        assert 0 < result.match.score <= 1
    if result.ambiguous:
        assert result.match is None and len(result.candidates) >= 2
    elif result.match is None:
        assert len(result.candidates) <= SUGGESTIONS
    assert len({c.iri for c in result.candidates}) == len(result.candidates)
    for candidate in result.candidates:
        assert str(candidate.iri) in members
        assert 0 <= candidate.score <= 1


# ------------------------------------------------------------------------------------------- every concept
@pytest.mark.parametrize("scheme", [*KIND_SCHEMES, "pollutant-class", "land-use", "barrier", "criterion", "medium"])
def test_every_english_preflabel_finds_its_concept(scheme: str) -> None:
    assert english_labels(scheme), scheme
    for iri, label in english_labels(scheme):
        match = reconciler().concept(scheme, label).match
        assert match is not None, (scheme, label)
        assert (str(match.iri), match.method) in ((iri, "exact label"), (iri, "code")), (scheme, label, match)


def test_every_preflabel_of_every_scheme_finds_its_concept() -> None:
    for name in scheme_names():
        for iri, label in english_labels(name):
            match = reconciler().concept(name, label).match
            assert match is not None and str(match.iri) == iri, (name, label)


@pytest.mark.parametrize("scheme", CODE_SCHEMES)
def test_every_code_finds_its_concept_as_a_code(scheme: str) -> None:
    codes = codes_of(scheme)
    assert codes
    for iri, code in codes:
        match = reconciler().concept(scheme, code).match
        assert match is not None, (scheme, code)
        assert (str(match.iri), match.method) == (iri, "code"), (scheme, code, match)


def test_every_cas_number_finds_its_pollutant() -> None:
    cas = [(c.iri, v) for c in concepts().values() for v, p in c.codes if p == "casNumber"]
    assert len(cas) > 20
    for iri, number in cas:
        match = reconciler().pollutant(number).match
        assert match is not None and (str(match.iri), match.method) == (iri, "code"), number


# ------------------------------------------------------------------------------------------- hypothesis
@st.composite
def scheme_and_label(draw: st.DrawFn, schemes: tuple[str, ...] = tuple(KIND_SCHEMES)) -> tuple[str, str, str]:
    scheme = draw(st.sampled_from(schemes))
    iri, label = draw(st.sampled_from(english_labels(scheme)))
    return scheme, iri, label


@st.composite
def case_noise(draw: st.DrawFn, text: str) -> str:
    flips = draw(st.lists(st.booleans(), min_size=len(text), max_size=len(text)))
    return "".join(c.swapcase() if flip else c for c, flip in zip(text, flips, strict=True))


WHITESPACE = st.sampled_from([" ", "  ", "\t", "\u00a0", "\u3000", "\n"])


@st.composite
def whitespace_noise(draw: st.DrawFn, text: str) -> str:
    words = text.split(" ")
    joined = words[0]
    for word in words[1:]:
        joined += draw(WHITESPACE) + word
    return draw(st.sampled_from(["", " ", "\t", "\u00a0"])) + joined + draw(st.sampled_from(["", " ", "\n", "  "]))


@SETTINGS
@given(data=st.data(), picked=scheme_and_label(tuple(k for k in KIND_SCHEMES if k != "unit")))
def test_names_ignore_case_and_whitespace(data: st.DataObject, picked: tuple[str, str, str]) -> None:
    scheme, iri, label = picked
    noisy = data.draw(whitespace_noise(data.draw(case_noise(label))))
    plain, shaken = reconciler().concept(scheme, label), reconciler().concept(scheme, noisy)
    assert shaken.match is not None, (label, noisy)
    assert (str(shaken.match.iri), shaken.match.method) == (iri, plain.match.method)  # type: ignore[union-attr]


@SETTINGS
@given(data=st.data(), picked=scheme_and_label(tuple(KIND_SCHEMES)))
def test_whitespace_never_changes_the_result(data: st.DataObject, picked: tuple[str, str, str]) -> None:
    scheme, _, label = picked
    noisy = data.draw(whitespace_noise(label))
    assert reconciler().concept(scheme, noisy).match == reconciler().concept(scheme, label).match


@SETTINGS
@given(data=st.data(), scheme=st.sampled_from(CODE_SCHEMES))
def test_codes_ignore_surrounding_whitespace(data: st.DataObject, scheme: str) -> None:
    iri, code = data.draw(st.sampled_from(codes_of(scheme)))
    padded = data.draw(st.sampled_from(["", " ", "\t"])) + code + data.draw(st.sampled_from(["", " ", "\n"]))
    match = reconciler().concept(scheme, padded).match
    assert match is not None and str(match.iri) == iri


@SETTINGS
@given(picked=scheme_and_label(tuple(KIND_SCHEMES)))
def test_reconciling_a_match_label_is_idempotent(picked: tuple[str, str, str]) -> None:
    scheme, _, label = picked
    first = reconciler().concept(scheme, label).match
    assert first is not None
    again = reconciler().concept(scheme, first.label).match
    assert again is not None and again.iri == first.iri
    assert reconciler().concept(scheme, first.matched_text).match.iri == first.iri  # type: ignore[union-attr]


@SETTINGS
@given(text=st.text(max_size=60), scheme=st.sampled_from(tuple(KIND_SCHEMES)))
def test_arbitrary_text_never_raises_and_stays_in_scheme(text: str, scheme: str) -> None:
    check_invariants(reconciler().concept(scheme, text), text, KIND_SCHEMES[scheme])


@SETTINGS
@given(
    text=st.text(alphabet=st.characters(codec="utf-8", exclude_categories=()), max_size=300),
    scheme=st.sampled_from(("pollutant", "country", "unit")),
)
def test_control_characters_and_long_text_never_raise(text: str, scheme: str) -> None:
    check_invariants(reconciler().concept(scheme, text), text, KIND_SCHEMES[scheme])


@SETTINGS
@given(data=st.data(), scheme=st.sampled_from(tuple(KIND_SCHEMES)))
def test_labels_of_other_schemes_only_ever_match_inside_the_scheme_asked(data: st.DataObject, scheme: str) -> None:
    text = data.draw(st.sampled_from(every_label()))
    check_invariants(reconciler().concept(scheme, text), text, KIND_SCHEMES[scheme])


@SETTINGS
@given(data=st.data(), name=st.sampled_from(("land-use", "site-type", "barrier", "criterion", "m49-region")))
def test_generic_schemes_stay_in_scheme(data: st.DataObject, name: str) -> None:
    text = data.draw(st.one_of(st.sampled_from(every_label()), st.text(max_size=30)))
    check_invariants(reconciler().concept(name, text), text, reconciler().index.scheme(name).iri)


@SETTINGS
@given(text=st.text(min_size=1, max_size=40), scheme=st.sampled_from(tuple(KIND_SCHEMES)))
def test_results_are_deterministic(text: str, scheme: str) -> None:
    fresh = reconciler()._reconcile(KIND_SCHEMES[scheme], text)
    assert fresh == reconciler().concept(scheme, text)
