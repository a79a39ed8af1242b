"""The report a curator reads: an ingest result regrouped by case study, every problem with its place in the file.

The pipeline reports problems found while reading (with sheet, row and column) and SHACL findings (with the
record inside the case and the sheet and row it came from). Here both are put under the case study they
belong to, in file order, with what happens to the case and what to do; problems of rows that belong to no
case (the respondent sheet, the file as a whole) are listed apart. The result is plain JSON (``review.json``).
"""

from __future__ import annotations

import re
from typing import Any

from rdflib import RDF, URIRef
from rdflib.namespace import DCTERMS, RDFS
from rdflib.term import Node

from ingest.namespaces import SRKG
from ingest.pipeline import IngestResult, owned_closure, summary
from ingest.records import Problem, SourceError, SourceLocation
from ingest.validation import SEVERITY_ORDER, Finding

# What each severity means for the curator (English; the pages translate these by severity).
FIX = {
    "Violation": "Correct this in the file and upload it again; until then this case study is left out.",
    "Warning": "Accepted as it is; complete it if the source says more.",
    "Info": "Nothing to correct; for your information.",
}
_SOURCE_LOCATION = re.compile(r"(?:sheet '(?P<sheet>[^']*)')?(?:, )?(?:row (?P<row>\d+))?")
Item = dict[str, Any]


def location_fields(location: SourceLocation) -> dict[str, Any]:
    return {"where": str(location), "file": location.file, "sheet": location.sheet, "row": location.row,
            "column": location.column, "line": location.line}


def problem_item(problem: Problem) -> Item:
    return {"severity": problem.severity, "message": problem.message, **location_fields(problem.location),
            "value": problem.value, "suggestions": list(problem.suggestions), "record": None,
            "fix": FIX[problem.severity]}


def finding_item(finding: Finding, file_name: str) -> Item:
    match = _SOURCE_LOCATION.fullmatch(finding.source_location or "")
    sheet = match.group("sheet") if match else None
    row = int(match.group("row")) if match and match.group("row") else None
    where = ", ".join(p for p in (file_name, finding.source_location) if p)
    value = f"{finding.value_label} <{finding.value}>" if finding.value_label else finding.value
    return {"severity": finding.severity, "message": finding.message, "where": where, "file": file_name,
            "sheet": sheet, "row": row, "column": None, "line": None, "value": value,
            "suggestions": [], "record": finding.where, "fix": FIX[finding.severity]}


def _order(item: Item) -> tuple:
    return (SEVERITY_ORDER.get(item["severity"], 9), item["sheet"] or "", item["row"] or 0, item["column"] or "")


def _cases_of_rows(result: IngestResult) -> dict[tuple[str, str | None, int | None], set[str]]:
    """Which case studies each source row fed (the case's own row, and rows of the records it owns)."""
    mapping = result.mapping
    cases_of_resource: dict[Node, set[str]] = {}
    for case in result.cases:
        for resource in owned_closure(mapping.graph, [case]):
            cases_of_resource.setdefault(resource, set()).add(str(case))
    rows: dict[tuple[str, str | None, int | None], set[str]] = {}
    for location, resources in mapping.row_resources.items():
        key = (location.file, location.sheet, location.row)
        for resource in resources:
            rows.setdefault(key, set()).update(cases_of_resource.get(resource, ()))
    for case, location in mapping.case_rows.items():
        rows.setdefault((location.file, location.sheet, location.row), set()).add(str(case))
    return rows


def _title(result: IngestResult, case: URIRef) -> str | None:
    graph = result.mapping.graph
    titles = sorted(graph.objects(case, DCTERMS.title), key=lambda t: (getattr(t, "language", None) != "en", str(t)))
    label = titles[0] if titles else graph.value(case, RDFS.label)
    return str(label) if label is not None else None


def build_review(result: IngestResult) -> dict[str, Any]:
    """The whole report as JSON-ready data: summary, verdict, per-case problems, general problems, terms."""
    file_name = result.info.file_name
    accepted = {str(c) for c in result.accepted_cases}
    rows = _cases_of_rows(result)
    items: dict[str | None, list[Item]] = {}
    for problem in result.mapping.problems:
        key = (problem.location.file, problem.location.sheet, problem.location.row)
        owners = sorted(rows.get(key, ())) or [None]
        for case in owners:
            items.setdefault(case, []).append(problem_item(problem))
    for finding in result.report.findings:
        items.setdefault(finding.case, []).append(finding_item(finding, file_name))

    cases = []
    for case in sorted(result.cases, key=lambda c: _case_sort_key(result, c)):
        location = result.mapping.case_rows.get(case)
        problems = sorted(items.get(str(case), []), key=_order)
        cases.append({
            "iri": str(case), "title": _title(result, case), "accepted": str(case) in accepted,
            "sheet": location.sheet if location else None, "row": location.row if location else None,
            "reasons": result.rejected_cases.get(str(case), []),
            "counts": {s: sum(1 for p in problems if p["severity"] == s) for s in ("Violation", "Warning", "Info")},
            "problems": problems,
        })
    general = sorted(items.get(None, []), key=_order)
    facts = summary(result)
    facts["sites_in_file"] = len(set(result.mapping.graph.subjects(RDF.type, SRKG.Site)))
    return {
        "summary": facts,
        "acceptable": acceptable(result),
        "verdict": verdict(result),
        "rejected_whole": result.rejected_whole,
        "cases": cases,
        "general": general,
        "unmatched": [{**location_fields(m.location), "kind": m.kind, "text": m.text,
                       "suggestions": list(m.suggestions)} for m in result.unmatched],
    }


def _case_sort_key(result: IngestResult, case: URIRef) -> tuple:
    location = result.mapping.case_rows.get(case)
    return (location.sheet or "", location.row or 0, str(case)) if location else ("~", 0, str(case))


def acceptable(result: IngestResult) -> bool:
    """Something passed validation: at least one case study, or (for sources without cases) a site or a
    sustainability assessment of a published case (the web assessment form)."""
    if result.rejected_whole or not len(result.load_graph):
        return False
    sites = set(result.load_graph.subjects(RDF.type, SRKG.Site))
    assessments = set(result.load_graph.subjects(RDF.type, SRKG.SustainabilityAssessment))
    return bool(result.accepted_cases) or (not result.cases and bool(sites or assessments))


def verdict(result: IngestResult) -> str:
    """'all-accepted', 'some-left-out' (accept publishes the rest) or 'nothing-acceptable'."""
    if not acceptable(result):
        return "nothing-acceptable"
    return "some-left-out" if result.anything_rejected else "all-accepted"


def unreadable_review(error: SourceError) -> dict[str, Any]:
    """The report of a file that could not be read at all: where and why."""
    return {"where": str(error.location), "message": error.message, **location_fields(error.location)}
