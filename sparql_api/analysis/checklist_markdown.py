"""The action-plan checklist as Markdown (``?format=md``, ``srkg checklist --format md``).

Interface words come from the caller's translator ``_`` (the web's interface strings), so the Markdown is in the
reader's language like the page; links go through ``link`` (local pages on the web, IRIs on the command line).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from sparql_api.analysis.checklist import Checklist, SimilarCase, Stage

Translate = Callable[..., str]


def _cell(text: str) -> str:
    """Text safe inside a Markdown table cell."""
    return " ".join(text.replace("|", "\\|").split())


def _site_lines(checklist: Checklist, _: Translate) -> list[str]:
    site = checklist.site
    rows = [
        (_("checklist.field.pollutants"), ", ".join(checklist.label(p) for p in site.pollutants)),
        (_("checklist.field.land_use"), checklist.label(site.land_use) or _("checklist.not_given")),
        (_("checklist.field.site_type"), checklist.label(site.site_type) or _("checklist.not_given")),
        (_("checklist.field.country"), checklist.label(site.country) or _("checklist.not_given")),
    ]
    return [f"- **{name}:** {value}" for name, value in rows]


def _stage_lines(stage: Stage, _: Translate, status: str | None) -> list[str]:
    mark = "x" if status == "done" else " "
    heading = f"### [{mark}] {stage.order}. {stage.notation} {stage.label}"
    if status:
        heading += f" — {_('checklist.status.' + status)}"
    lines = [heading, "", stage.guidance or f"_{_('checklist.no_guidance')}_", ""]
    if stage.key_outputs:
        lines.append(f"- **{_('checklist.key_outputs')}:** {stage.key_outputs}")
    if stage.criteria:
        listed = "; ".join(f"{c.notation} {c.label}" + (f" ({c.framework_label})" if c.framework_label else "")
                           for c in stage.criteria)
        lines.append(f"- **{_('checklist.criteria')}:** {listed}")
    else:
        lines.append(f"- **{_('checklist.criteria')}:** _{_('checklist.no_criteria')}_")
    if stage.sources:
        lines.append(f"- **{_('checklist.sources')}:** " + ", ".join(f"<{s}>" for s in stage.sources))
    return [*lines, ""]


def _why(case: SimilarCase, _: Translate) -> str:
    reasons = [_("checklist.why.pollutant", n=len(case.pollutants_shared))]
    if case.land_use_match:
        reasons.append(_("checklist.why.land_use"))
    if case.site_type_match:
        reasons.append(_("checklist.why.site_type"))
    if case.place:
        reasons.append(_("checklist.why." + case.place))
    return "; ".join(reasons)


def render(checklist: Checklist, _: Translate, link: Callable[[str], str], *, title: str | None = None,
           statuses: Mapping[str, str] | None = None) -> str:
    """The whole checklist; ``statuses`` (stage IRI → status notation) for a stored plan."""
    lines = [f"# {title or _('checklist.title')}", "", *_site_lines(checklist, _), "",
             f"## {_('checklist.stages')}", ""]
    for stage in checklist.stages:
        lines += _stage_lines(stage, _, (statuses or {}).get(stage.iri))
    lines += [f"## {_('checklist.candidates')}", ""]
    for found in checklist.candidates:
        lines += [f"### {_('checklist.candidates_for', pollutant=checklist.label(found.pollutant))}", ""]
        if not found.candidates:
            lines += [f"_{_('checklist.no_candidates')}_", ""]
            continue
        lines += [_("checklist.candidates_note", n=found.evidence_cases), "",
                  f"| # | {_('checklist.col.technology')} | {_('checklist.col.cases')} | "
                  f"{_('checklist.col.evidence')} | {_('checklist.col.nature_based')} | {_('checklist.col.scale')} |",
                  "|---:|---|---:|---|---|---|"]
        for c in found.candidates:
            lines.append(f"| {c.rank} | [{_cell(c.label)}]({link(c.technology)}) | {c.n_cases} | "
                         f"{_('checklist.strength.' + c.strength)} | "
                         f"{_('checklist.nbs.' + c.nature_based) if c.nature_based else '–'} | "
                         f"{_('checklist.scale.' + c.highest_scale) if c.highest_scale else '–'} |")
        lines.append("")
    lines += [f"## {_('checklist.similar')}", ""]
    if not checklist.similar:
        lines += [f"_{_('checklist.no_similar')}_", ""]
    else:
        lines += [_("checklist.similar_note"), "",
                  f"| {_('checklist.col.case')} | {_('checklist.col.country')} | {_('checklist.col.why')} | "
                  f"{_('checklist.col.score')} |", "|---|---|---|---:|"]
        lines += [f"| [{_cell(c.title)}]({link(c.case)}) | {_cell(c.country_label or '–')} | {_cell(_why(c, _))} | "
                  f"{c.score} |" for c in checklist.similar]
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
