"""Test data and comparisons shared by the backend suite."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

EX = "http://test.example/"
G1 = EX + "graph/one"
G2 = EX + "graph/two"
NT = "application/n-triples"
TTL = "text/turtle"
NQ = "application/n-quads"
TRIG = "application/trig"

# A small case-study-like graph: labels in the six FAO languages, numbers, a date, a WKT point, a blank node.
CASE_TTL = """\
@prefix ex: <http://test.example/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix geo: <http://www.opengis.net/ont/geosparql#> .
ex:case1 a ex:CaseStudy ;
    ex:title "Phytoremediation of Cd at site one"@en , "Phytoremédiation du Cd"@fr , "Fitorremediación"@es ,
        "Фиторемедиация"@ru , "植物修复"@zh , "المعالجة النباتية"@ar , "Sanierung"@de-AT ;
    ex:year "2019"^^xsd:integer ;
    ex:areaHa "1.5"^^xsd:decimal ;
    ex:started "2019-04-01"^^xsd:date ;
    ex:reported "2020-01-01T10:00:00Z"^^xsd:dateTime ;
    ex:targetMet "true"^^xsd:boolean ;
    ex:code "Cd-01"^^ex:localCode ;
    ex:note "emoji 😀, \\"quotes\\", a tab\\there,\\nand a new line" ;
    ex:site [ ex:geometry "POINT(105.2 10.9)"^^geo:wktLiteral ; ex:name "Site one" ] .
"""
CASE_TRIPLES = 18
CASE1_TRIPLES = 16  # with case1 as subject

OTHER_TTL = """\
@prefix ex: <http://test.example/> .
ex:case2 a ex:CaseStudy ; ex:title "Soil washing"@en .
ex:case3 a ex:CaseStudy ; ex:title "Biochar"@en .
"""


def triples_of(data: bytes, media_type: str) -> list[ox.Triple]:
    return [q.triple for q in ox.parse(data, format=ox.RdfFormat.from_media_type(media_type))]


def canonical(quads: list[ox.Quad]) -> set[ox.Quad]:
    dataset = ox.Dataset(quads)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
    return set(dataset)


def canonical_graph(data: bytes, media_type: str) -> set[ox.Quad]:
    """A graph's triples with blank nodes renamed canonically (isomorphic graphs give equal sets)."""
    quads = [ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in triples_of(data, media_type)]
    return canonical(quads)


def canonical_file(path: Path, media_type: str) -> set[ox.Quad]:
    return canonical(list(ox.parse(path=str(path), format=ox.RdfFormat.from_media_type(media_type))))


def ntriples(n: int, graph_tag: str = "x", predicate: str = "p") -> bytes:
    return "".join(f'<{EX}{graph_tag}/s{i}> <{EX}{predicate}> "{graph_tag} {i}" .\n' for i in range(n)).encode()
