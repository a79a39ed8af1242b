"""Render validation reports as plain text (grouped by case study), JSON, or the SHACL RDF report."""

from __future__ import annotations

import json
from itertools import groupby

from rdflib import Graph

from ingest.validation import ValidationReport

SYMBOLS = {"Violation": "✗", "Warning": "!", "Info": "i"}


def summary_line(report: ValidationReport) -> str:
    verdict = "conforms" if report.conforms else "does NOT conform"
    counts = ", ".join(
        f"{report.count(s)} {s.lower()}{'s' if report.count(s) != 1 else ''}" for s in ("Violation", "Warning", "Info")
    )
    return f"{report.source}: {verdict} ({counts}; {report.triples} triples)"


def render_text(reports: list[ValidationReport]) -> str:
    lines: list[str] = []
    for report in reports:
        lines.append(summary_line(report))
        for (case, title), findings in groupby(report.findings, key=lambda f: (f.case, f.case_title)):
            if case:
                header = f'  Case study "{title}"' if title else "  Case study (untitled)"
            else:
                header = "  Outside any case study"
            lines.append(f"{header} <{case}>" if case else header)
            for finding in findings:
                lines.append(f"    {SYMBOLS[finding.severity]} {finding.severity:<9} {finding.where}")
                lines.append(f"      {finding.message}")
                if finding.value is not None:
                    shown = f"{finding.value_label} <{finding.value}>" if finding.value_label else finding.value
                    lines.append(f"      value: {shown}")
                if finding.source_location:
                    lines.append(f"      in the source: {finding.source_location}")
                if not finding.case:
                    lines.append(f"      node: {finding.focus_node}")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def render_json(reports: list[ValidationReport]) -> str:
    return json.dumps(
        [
            {
                "source": r.source,
                "conforms": r.conforms,
                "triples": r.triples,
                "counts": {s.lower(): r.count(s) for s in ("Violation", "Warning", "Info")},
                "findings": [f.as_dict() for f in r.findings],
            }
            for r in reports
        ],
        ensure_ascii=False,
        indent=2,
    )


def render_turtle(reports: list[ValidationReport]) -> str:
    merged = Graph()
    merged.bind("sh", "http://www.w3.org/ns/shacl#")
    for report in reports:
        merged += report.report_graph
    return merged.serialize(format="turtle")
