"""The ontology, every vocabulary and the examples together are consistent for HermiT (owlready2).

HermiT accepts only datatypes of the OWL 2 datatype map; literals typed with others (xsd:date, geo:wktLiteral)
are passed as plain strings, which changes nothing about classes and property axioms.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
import rdflib
from rdflib import XSD, Literal, URIRef

from ingest import paths

owlready2 = pytest.importorskip("owlready2")

pytestmark = pytest.mark.reasoner

OWL2_DATATYPES = {
    str(XSD[name])
    for name in (
        "string", "decimal", "integer", "nonNegativeInteger", "nonPositiveInteger", "positiveInteger",
        "negativeInteger", "long", "int", "short", "byte", "unsignedLong", "unsignedInt", "unsignedShort",
        "unsignedByte", "double", "float", "boolean", "dateTime", "dateTimeStamp", "anyURI", "hexBinary",
        "base64Binary", "normalizedString", "token", "language", "Name", "NCName", "NMTOKEN",
    )
} | {
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#PlainLiteral",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#XMLLiteral",
    "http://www.w3.org/2000/01/rdf-schema#Literal",
    "http://www.w3.org/2002/07/owl#real",
    "http://www.w3.org/2002/07/owl#rational",
}


def require_java() -> None:
    if shutil.which("java"):
        return
    message = "Java is needed for owlready2's HermiT reasoner (apt-get install default-jre-headless)"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


def model_files(include_examples: bool = True) -> list[Path]:
    files = [paths.ontology_file(), *sorted(paths.vocab_dir().glob("*.ttl")), paths.external_dir() / "countries.ttl"]
    if include_examples:
        files += sorted((paths.examples_dir() / "cases").glob("*.ttl"))
    return files


def owl2_safe(graph: rdflib.Graph) -> rdflib.Graph:
    safe = rdflib.Graph()
    for s, p, o in graph:
        if isinstance(o, Literal) and o.datatype is not None and str(o.datatype) not in OWL2_DATATYPES:
            o = Literal(str(o), datatype=XSD.string)
        safe.add((s, p, o))
    return safe


def reason(graph: rdflib.Graph, tmp_path: Path) -> list[str]:
    """Run HermiT; return the unsatisfiable classes (raises when the whole is inconsistent)."""
    require_java()
    target = tmp_path / "model.nt"
    owl2_safe(graph).serialize(target, format="nt", encoding="utf-8")
    world = owlready2.World()
    world.get_ontology(target.as_uri()).load()
    owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
    return [str(c.iri) for c in world.inconsistent_classes() if str(c.iri) != str(owlready2.Nothing.iri)]


def load(files: list[Path]) -> rdflib.Graph:
    graph = rdflib.Graph()
    for path in files:
        graph.parse(path)
    return graph


def test_model_and_examples_are_consistent_with_no_unsatisfiable_classes(tmp_path: Path) -> None:
    files = model_files()
    assert any("examples" in str(f) for f in files), "no example case studies found"
    assert reason(load(files), tmp_path) == []


def test_reasoner_detects_a_record_that_is_two_disjoint_things(tmp_path: Path) -> None:
    """Negative control: a case study that is also a site contradicts the disjointness axioms."""
    graph = load(model_files(include_examples=False))
    srkg = "https://w3id.org/srkg/ontology#"
    thing = URIRef("https://w3id.org/srkg/id/case/contradiction")
    graph.add((thing, rdflib.RDF.type, URIRef(srkg + "CaseStudy")))
    graph.add((thing, rdflib.RDF.type, URIRef(srkg + "Site")))
    with pytest.raises(owlready2.OwlReadyInconsistentOntologyError):
        reason(graph, tmp_path)


def test_reasoner_detects_a_technology_step_given_a_pollutant_as_technology(tmp_path: Path) -> None:
    """Negative control: srkg:technology ranges over technologies, which are disjoint from pollutants."""
    graph = load(model_files(include_examples=False))
    srkg = "https://w3id.org/srkg/ontology#"
    step = URIRef("https://w3id.org/srkg/id/step/wrong")
    pollutant = URIRef("https://w3id.org/srkg/vocab/pollutant/contradiction")
    graph.add((pollutant, rdflib.RDF.type, URIRef(srkg + "Pollutant")))
    graph.add((step, URIRef(srkg + "technology"), pollutant))
    with pytest.raises(owlready2.OwlReadyInconsistentOntologyError):
        reason(graph, tmp_path)
