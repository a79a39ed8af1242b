"""The comparison JSON (``report.comparison_json``) as a text table, CSV or Markdown: one row per technology.

The columns summarise; the JSON carries the cases and items behind each number. Every summary cell reads
``median (min–max, n)``; a cell marked ``thin`` rests on fewer than 3 cases.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

FORMATS = ("table", "json", "csv", "markdown")
COST_BASES = (("per-hectare", "USD/ha"), ("per-tonne", "USD/t"), ("per-cubic-metre", "USD/m³"))
PILLAR_NAMES = (("environmental", "env"), ("social", "soc"), ("economic", "econ"))


def _number(value: float | None) -> str:
    if value is None:
        return ""
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:g}" if abs(value) >= 1 else f"{value:.3g}"


def _cell(summary: dict[str, Any] | None) -> str:
    if not summary or not summary.get("n"):
        return ""
    text = _number(summary["median"])
    if summary["n"] > 1:
        text += f" ({_number(summary['min'])}–{_number(summary['max'])}, n={summary['n']})"
    else:
        text += " (n=1)"
    return text + (" thin" if summary.get("thin") else "")


def _cost_cell(result: dict[str, Any] | None) -> str:
    """The median cell, or how many costs of this basis could not enter it (budgets, unconverted)."""
    if result and not result.get("n") and result.get("not_in_median"):
        return f"({len(result['not_in_median'])} not comparable)"
    return _cell(result)


def _rank_metric_cell(tech: dict[str, Any], metric: str | None) -> tuple[str, str]:
    for result in tech["outcomes"]:
        if result["metric"] == metric:
            stated = len(result["kept_as_stated"])
            return _cell(result["reduction_percent"]), (f"{stated} as stated" if stated else "")
    return "", ""


def rows(data: dict[str, Any]) -> tuple[list[str], list[list[str]]]:
    """Header and one row per technology."""
    metric = (data.get("rank_metric") or {}).get("metric")
    metric_label = (data.get("rank_metric") or {}).get("label") or "reduction"
    price_year = data["price_year"]
    header = ["rank", "technology", "nature-based", "cases", "evidence", "highest scale",
              f"{metric_label}: % reduction", "kept as stated", "duration (months)",
              *(f"{unit} ({price_year})" for _, unit in COST_BASES), "S", *(short for _, short in PILLAR_NAMES)]
    body = []
    for tech in data["technologies"]:
        reduction, stated = _rank_metric_cell(tech, metric)
        costs = {c["basis"]: c for c in tech["costs"]}
        pillars = {p["pillar"]: p for p in tech["sustainability"]["pillars"]}
        body.append([
            str(tech["rank"]), tech["label"], tech["nature_based"] or "", str(tech["cases"]["n"]),
            tech["cases"]["strength"], tech["scale"]["highest"] or "", reduction, stated,
            _cell(tech["duration_months"]),
            *(_cost_cell(costs.get(basis)) for basis, _ in COST_BASES),
            _number(tech["sustainability"]["score"]),
            *(_number((pillars.get(pillar) or {}).get("score")) for pillar, _ in PILLAR_NAMES),
        ])
    return header, body


def _title(data: dict[str, Any]) -> str:
    query = data["query"]
    parts = [f"{query['pollutant']['label']} ({query['pollutant']['scheme']})"]
    parts += [f"{name.replace('_', ' ')}: {query[name]['label']}" for name in ("medium", "site_type", "country",
                                                                             "region") if name in query]
    return "Technology comparison for " + "; ".join(parts)


def _notes(data: dict[str, Any]) -> list[str]:
    weights = ", ".join(f"{k}={v:g}" for k, v in data["weights"].items())
    return [f"{data['cases']} cases. Costs in US dollars of {data['price_year']}.",
            f"Ranking: {data['ranking_rule']}.", f"Weights: {weights}. {data['score_formula']}.",
            *data["limits"]]


def as_table(data: dict[str, Any]) -> str:
    header, body = rows(data)
    widths = [max(len(r[i]) for r in [header, *body]) for i in range(len(header))]
    line = "  ".join
    out = [_title(data), "", line(h.ljust(w) for h, w in zip(header, widths, strict=True)),
           line("-" * w for w in widths)]
    out += [line(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in body]
    if not body:
        out.append("(no case in the graph matches)")
    return "\n".join([*out, "", *_notes(data)]) + "\n"


def as_csv(data: dict[str, Any]) -> str:
    header, body = rows(data)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([*header, "technology IRI", "cases (IRIs)"])
    for row, tech in zip(body, data["technologies"], strict=True):
        writer.writerow([*row, tech["technology"], " ".join(c["case"] for c in tech["cases"]["items"])])
    return buffer.getvalue()


def _md(text: str) -> str:
    return text.replace("|", "\\|")


def as_markdown(data: dict[str, Any]) -> str:
    header, body = rows(data)
    out = [f"## {_md(_title(data))}", "", "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(_md(c) for c in row) + " |" for row in body]
    return "\n".join([*out, "", *(f"- {_md(n)}" for n in _notes(data))]) + "\n"


def render(data: dict[str, Any], fmt: str) -> str:
    if fmt == "json":
        return json.dumps(data, ensure_ascii=False, indent=1) + "\n"
    return {"table": as_table, "csv": as_csv, "markdown": as_markdown}[fmt](data)
