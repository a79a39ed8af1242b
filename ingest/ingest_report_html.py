"""A self-contained HTML report of one ingest (no scripts, no external assets): summary, rejected cases,
problems located by sheet/row/column, validation findings grouped by case, and unmatched terms."""

from __future__ import annotations

from html import escape
from itertools import groupby

from ingest.pipeline import IngestResult, summary

STYLE = """
body{font:15px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:70rem;padding:0 1rem;color:#1b1b1b}
h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid #ccc}
table{border-collapse:collapse;width:100%;margin:.5rem 0}td,th{border:1px solid #ddd;padding:.3rem .5rem;
text-align:left;vertical-align:top}th{background:#f3f3f3}.Violation{color:#a40000;font-weight:600}
.Warning{color:#8a5a00;font-weight:600}.Info{color:#225;font-weight:600}.ok{color:#155d27;font-weight:600}
.muted{color:#666}code{font-size:.9em}
"""


def _row(*cells: str, header: bool = False) -> str:
    tag = "th" if header else "td"
    return "<tr>" + "".join(f"<{tag}>{c}</{tag}>" for c in cells) + "</tr>"


def render_html(result: IngestResult) -> str:
    s = summary(result)
    verdict = ('<p class="ok">Everything was accepted.</p>' if not result.anything_rejected
               else '<p class="Violation">Some rows or cases were not accepted: see below how to fix them.</p>')
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>SRKG ingest report: {escape(str(s['file']))}</title><style>{STYLE}</style></head><body>",
        f"<h1>Ingest report: {escape(str(s['file']))}</h1>", verdict,
        "<table>",
        *(_row(escape(k.replace("_", " ")), escape(str(v))) for k, v in s.items() if k != "rejected_whole"),
        "</table>",
    ]
    if result.rejected_whole:
        parts.append("<h2>Submission refused as a whole</h2><ul>")
        parts += [f"<li class='Violation'>{escape(reason)}</li>" for reason in result.rejected_whole]
        parts.append("</ul>")
    if result.rejected_cases:
        parts.append("<h2>Case studies not accepted</h2><table>" + _row("case", "reasons", header=True))
        for case, reasons in sorted(result.rejected_cases.items()):
            items = "".join(f"<li>{escape(r)}</li>" for r in reasons)
            parts.append(_row(f"<code>{escape(case)}</code>", f"<ul>{items}</ul>"))
        parts.append("</table>")
    if result.mapping.problems:
        parts.append("<h2>Problems in the source</h2><table>"
                     + _row("severity", "where", "problem", "value", "did you mean", header=True))
        for p in result.mapping.problems:
            parts.append(_row(f"<span class='{p.severity}'>{p.severity}</span>", escape(str(p.location)),
                              escape(p.message), escape(p.value or ""), escape(", ".join(p.suggestions))))
        parts.append("</table>")
    findings = result.report.findings
    if findings:
        parts.append("<h2>Validation against the SRKG shapes</h2>")
        for (case, title), group in groupby(findings, key=lambda f: (f.case, f.case_title)):
            heading = f"Case study “{escape(title)}”" if title else ("Case study" if case else "Outside any case")
            parts.append(f"<h3>{heading} <span class='muted'>{escape(case or '')}</span></h3><table>"
                         + _row("severity", "where", "what to do", "in the source", header=True))
            for f in group:
                parts.append(_row(f"<span class='{f.severity}'>{f.severity}</span>", escape(f.where),
                                  escape(f.message), escape(f.source_location or "")))
            parts.append("</table>")
    if result.unmatched:
        parts.append("<h2>Terms not matched to the vocabularies</h2><table>"
                     + _row("where", "kind", "text", "suggestions", header=True))
        for m in result.unmatched:
            suggestions = escape(", ".join(m.suggestions))
            parts.append(_row(escape(str(m.location)), escape(m.kind), escape(m.text), suggestions))
        parts.append("</table>")
    parts.append("</body></html>")
    return "\n".join(parts)
