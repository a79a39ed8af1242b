"""The SPARQL result writers: every term kind and awkward characters survive a round trip through
pyoxigraph's own result parsers (JSON, XML, TSV); CSV follows the spec's plain-value rules."""

from __future__ import annotations

from collections.abc import Callable

import pyoxigraph as ox
import pytest

from sparql_api.store.result_formats import write_boolean, write_csv, write_json, write_tsv, write_xml

XSD = "http://www.w3.org/2001/XMLSchema#"
VARIABLES = ["iri", "text", "typed", "blank"]
ROWS = [
    [
        ox.NamedNode("http://test.example/a?x=1&y=2"),
        ox.Literal('tab\there, "quoted", comma, new\nline & <xml>', language="en"),
        ox.Literal("42", datatype=ox.NamedNode(XSD + "integer")),
        ox.BlankNode("b1"),
    ],
    [None, ox.Literal("كادميوم"), None, None],
]


@pytest.mark.parametrize(
    ("writer", "fmt"),
    [
        (write_json, ox.QueryResultsFormat.JSON),
        (write_xml, ox.QueryResultsFormat.XML),
        (write_tsv, ox.QueryResultsFormat.TSV),
    ],
)
def test_round_trip(writer: Callable[..., bytes], fmt: ox.QueryResultsFormat) -> None:
    parsed = ox.parse_query_results(writer(VARIABLES, ROWS), format=fmt)
    assert [v.value for v in parsed.variables] == VARIABLES
    assert [list(solution) for solution in parsed] == ROWS


def test_csv_plain_values_and_quoting() -> None:
    text = write_csv(VARIABLES, ROWS).decode("utf-8")
    assert text == (
        "iri,text,typed,blank\r\n"
        'http://test.example/a?x=1&y=2,"tab\there, ""quoted"", comma, new\nline & <xml>",42,_:b1\r\n'
        ",كادميوم,,\r\n"
    )


def test_booleans() -> None:
    for value in (True, False):
        for writer_type, fmt in (
            ("application/sparql-results+json", ox.QueryResultsFormat.JSON),
            ("application/sparql-results+xml", ox.QueryResultsFormat.XML),
        ):
            assert bool(ox.parse_query_results(write_boolean(value, writer_type), format=fmt)) is value
