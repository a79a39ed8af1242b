"""The action-plan checklist and stored action plans (issue #9).

- ``GET /checklist`` — the form; with ``pollutant`` (repeatable or comma-separated: ``Pb``, ``lead``, ``heavy
  metals``), ``land_use``, ``site_type``, ``country`` (words, notations or IRIs; ``allotment``, ``residential``,
  ``GBR``) the checklist for that site. ``format``: ``html`` (default; printable), ``md`` (Markdown), ``ttl`` /
  ``jsonld`` (the plan as RDF, every stage not started, with the candidate technologies and similar cases) or
  ``json``. A value that names nothing is a 400 naming the field (the page shows it with suggestions).
- ``POST /checklist/plans`` — store the checklist as a plan (signed-in users; forms carry the CSRF token) in its
  own named graph ``{base}graph/plan/{id}``; 303 to the plan's page (201 with JSON when JSON is preferred).
- ``GET /checklist/plans`` — the stored plans (HTML or JSON); ``GET /checklist/plans/{id}`` — one plan with its
  stages' statuses and history (``format`` as above; ``ttl`` / ``jsonld`` is the stored graph itself).
- ``POST /checklist/plans/{id}/stages/{stage}`` with ``status`` (``not-started``, ``in-progress``, ``done``) — the
  plan's creator or an admin changes a stage's status; who and when are recorded (PROV) and the graph is replaced
  atomically.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from rdflib import Graph, Literal, URIRef
from starlette.concurrency import run_in_threadpool
from starlette.responses import JSONResponse, RedirectResponse, Response

from sparql_api.accounts.users import User
from sparql_api.analysis import checklist as ck
from sparql_api.analysis.checklist_markdown import render as render_markdown
from sparql_api.analysis.checklist_plan import (
    PREFIXES,
    STATUSES,
    PlanError,
    StoredPlan,
    check_plan_id,
    new_plan_id,
    plan_graph,
    plan_graph_iri,
    plan_iri,
    read_plan,
    set_status,
)
from sparql_api.analysis.resolve import FilterError, Resolved
from sparql_api.server.auth import current_user, require_user, verify_csrf
from sparql_api.server.context import ServerContext, context
from sparql_api.server.data_cache import data_cache
from sparql_api.server.errors import HTTPProblem
from sparql_api.web import i18n
from sparql_api.web.accept import prefers_json
from sparql_api.web.coverage_views import local_path
from sparql_api.web.render import render_page

# Small forms: no files, few fields, short values (the defaults would spool megabytes before any check).
FORM_FIELDS, FORM_PART_BYTES = 50, 16 * 1024

router = APIRouter(tags=["Checklist"])

FORMATS = ("html", "md", "ttl", "jsonld", "json")
RDF_TYPES = {"ttl": ("turtle", "text/turtle; charset=utf-8"), "jsonld": ("json-ld", "application/ld+json")}
MARKDOWN = "text/markdown; charset=utf-8"
EXPORTS = (("md", "text/markdown", "Markdown"), ("ttl", "text/turtle", "Turtle"),
           ("jsonld", "application/ld+json", "JSON-LD"), ("json", "application/json", "JSON"))
NO_POLLUTANT = "pollutant: give at least one pollutant (a symbol, name or class such as Pb or lead)"
N_TRIPLES = "application/n-triples"
MAX_FIELD = 500
OPTIONS_KEY, LOCK_KEY = "checklist.options", "checklist.lock"
SCHEMES = {"land_use": "land-use", "site_type": "site-type", "country": "country", "pollutant": "pollutant",
           "pollutant_class": "pollutant-class"}
VOCAB = "https://w3id.org/srkg/vocab/"


# --- helpers -------------------------------------------------------------------------------------------------


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def output_format(request: Request) -> str:
    fmt = (request.query_params.get("format") or "").lower()
    if fmt and fmt not in FORMATS:
        raise HTTPProblem(400, f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    if not fmt and prefers_json(request.headers.get("accept")):
        return "json"
    return fmt or "html"


def _field(value: object) -> str:
    return str(value or "")[:MAX_FIELD]


def site_words(source: Any) -> dict[str, Any]:
    """The site as the user gave it (query string or form): pollutants (a list) and the three optional fields."""
    return {"pollutants": [_field(v) for v in source.getlist("pollutant")][:ck.MAX_POLLUTANTS * 2],
            **{name: _field(source.get(name)) for name in ("land_use", "site_type", "country")}}


def describe(words: dict[str, Any]) -> ck.SiteDescription:
    return ck.describe_site(words["pollutants"], words["land_use"], words["site_type"], words["country"])


def build(ctx: ServerContext, site: ck.SiteDescription, lang: str) -> ck.Checklist:
    return ck.build(ctx.store, site, lang, timeout=ctx.limits.query_timeout_s)


def options(ctx: ServerContext, lang: str) -> dict[str, list[tuple[str, str]]]:
    """The form's choices per field: (notation, label in ``lang``), by label; cached until the data change."""
    return data_cache(ctx, OPTIONS_KEY).get(lambda: _options(ctx, lang), key=lang)


def _options(ctx: ServerContext, lang: str) -> dict[str, list[tuple[str, str]]]:
    found: dict[str, list[tuple[str, str]]] = {}
    for name, scheme in SCHEMES.items():
        labels: dict[str, dict[str, str]] = {}
        for row in ctx.store.select(ck.query_text("options"), {"scheme": URIRef(VOCAB + scheme)},
                                    timeout=ctx.limits.query_timeout_s):
            label = row["label"]
            code = (label.language or "") if isinstance(label, Literal) else ""
            labels.setdefault(str(row["notation"]), {}).setdefault(code.split("-")[0].lower(), str(label))
        found[name] = sorted(((n, ck.pick(t, lang) or n) for n, t in labels.items()),
                             key=lambda pair: pair[1].casefold())
    return found


def plan_lock(ctx: ServerContext) -> threading.Lock:
    """Serialises read-change-replace of plans within this server process (the one that writes them)."""
    lock = ctx.extras.setdefault(LOCK_KEY, threading.Lock())
    assert isinstance(lock, type(threading.Lock()))
    return lock


def default_title(checklist: ck.Checklist, _: Callable[..., str]) -> str:
    parts = [", ".join(checklist.label(p) for p in checklist.site.pollutants)]
    parts += [checklist.label(c) for c in (checklist.site.land_use, checklist.site.site_type, checklist.site.country)
              if c is not None]
    return _("checklist.plan_title", site=" – ".join(parts))


def _concept_json(concept: Resolved | None, checklist: ck.Checklist) -> dict[str, str] | None:
    if concept is None:
        return None
    return {"iri": concept.iri, "label": checklist.label(concept), "given": concept.text}


def checklist_json(checklist: ck.Checklist, page: Callable[[str], str],
                   statuses: dict[str, str] | None = None) -> dict[str, Any]:
    """The checklist as JSON (field names as in ``sparql_api.analysis.checklist``; pages are this site's)."""
    site = checklist.site
    return {
        "language": checklist.lang,
        "site": {"pollutants": [_concept_json(p, checklist) for p in site.pollutants],
                 "land_use": _concept_json(site.land_use, checklist),
                 "site_type": _concept_json(site.site_type, checklist),
                 "country": _concept_json(site.country, checklist)},
        "stages": [{"iri": s.iri, "order": s.order, "notation": s.notation, "label": s.label, "guidance": s.guidance,
                    "definition": s.definition, "key_outputs": s.key_outputs, "sources": list(s.sources),
                    "criteria": [vars(c) for c in s.criteria],
                    **({"status": statuses.get(s.iri, STATUSES[0])} if statuses is not None else {})}
                   for s in checklist.stages],
        "candidates": [{"pollutant": _concept_json(found.pollutant, checklist), "evidence_cases": found.evidence_cases,
                        "technologies": [{**vars(c), "cases": list(c.cases), "page": page(c.technology)}
                                         for c in found.candidates]}
                       for found in checklist.candidates],
        "similar_cases": [{**vars(c), "pollutants_shared": list(c.pollutants_shared), "page": page(c.case),
                           "score": c.score} for c in checklist.similar],
    }


def rdf_response(graph: Graph, fmt: str, filename: str) -> Response:
    syntax, media_type = RDF_TYPES[fmt]
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    if syntax == "json-ld":
        body = graph.serialize(format="json-ld", context={k: str(v) for k, v in PREFIXES.items()}, auto_compact=True)
    else:
        body = graph.serialize(format=syntax)
    return Response(body.encode("utf-8"), media_type=media_type,
                    headers={"Content-Disposition": f'inline; filename="{filename}.{fmt}"', "Vary": "Accept"})


def alternates(base_url: str) -> list[dict[str, str]]:
    glue = "&" if "?" in base_url else "?"
    return [{"media_type": media, "href": f"{base_url}{glue}format={fmt}", "label": label}
            for fmt, media, label in EXPORTS]


def answer(request: Request, checklist: ck.Checklist, fmt: str, *, template: str, title: str, filename: str,
           rdf: Callable[[], Graph], statuses: dict[str, str] | None = None, json_extra: dict[str, Any] | None = None,
           **extra: Any) -> Response:
    """The checklist (or a plan) in the asked format."""
    ctx = context(request)
    _ = i18n.translator(checklist.lang)

    def page(iri: str) -> str:
        return local_path(iri, ctx)

    if fmt == "md":
        text = render_markdown(checklist, _, lambda iri: str(request.base_url).rstrip("/") + page(iri),
                               title=title, statuses=statuses)
        return Response(text, media_type=MARKDOWN, headers={"Content-Disposition": f'inline; filename="{filename}.md"',
                                                            "Content-Language": checklist.lang})
    if fmt in RDF_TYPES:
        return rdf_response(rdf(), fmt, filename)
    if fmt == "json":
        return JSONResponse(checklist_json(checklist, page, statuses) | {"title": title, **(json_extra or {})},
                            headers={"Content-Language": checklist.lang, "Vary": "Accept, Accept-Language, Cookie"})
    values: dict[str, Any] = {"can_edit": False, "plan_id": None, "plan": None, **extra}
    return render_page(request, template, lang=checklist.lang, checklist=checklist, title=title, page_of=page,
                       statuses=statuses, status_values=STATUSES, **values)


# --- the checklist -------------------------------------------------------------------------------------------


@router.get("/checklist", summary="Action-plan checklist for a site (HTML, Markdown, RDF or JSON)",
            response_class=Response)
def checklist_page(request: Request) -> Response:
    ctx = context(request)
    lang = i18n.choose_language(request)
    fmt = output_format(request)
    words = site_words(request.query_params)
    form = {"words": words, "options": options(ctx, lang) if fmt == "html" else {}}
    if not any(words["pollutants"]):
        if fmt != "html":
            raise HTTPProblem(400, NO_POLLUTANT)
        return render_page(request, "checklist.html", lang=lang, checklist=None, error=None, **form)
    try:
        site = describe(words)
    except FilterError as e:
        if fmt != "html":
            hint = f" (did you mean: {', '.join(e.suggestions)}?)" if e.suggestions else ""
            raise HTTPProblem(400, f"{e}{hint}") from None
        return render_page(request, "checklist.html", lang=lang, status=400, checklist=None, error=e, **form)
    checklist = build(ctx, site, lang)
    title = default_title(checklist, i18n.translator(lang))
    here = request.url.path + "?" + urlencode([(k, v) for k, v in request.query_params.multi_items() if k != "format"])
    return answer(request, checklist, fmt, template="checklist.html", title=title, filename="checklist",
                  rdf=lambda: plan_graph(checklist, base=ctx.settings.base_iri, plan=None, title=title, created=now(),
                                         evidence=True),
                  error=None, alternates=alternates(here), **form)


# --- stored plans --------------------------------------------------------------------------------------------


def load_plan(ctx: ServerContext, plan_id: str) -> tuple[Graph, StoredPlan]:
    base = ctx.settings.base_iri
    try:
        graph_iri = plan_graph_iri(base, plan_id)
    except PlanError as e:
        raise HTTPProblem(404, str(e)) from None
    data = ctx.store.get_graph(graph_iri, N_TRIPLES)
    if not data:
        raise HTTPProblem(404, f"there is no action plan {plan_id!r}")
    graph = Graph().parse(data=data, format="nt")
    return graph, read_plan(graph, plan_iri(base, plan_id))


def may_edit(user: User | None, plan: StoredPlan) -> bool:
    return user is not None and (user.is_admin or user.username == plan.creator)


@router.post("/checklist/plans", summary="Store a checklist as an action plan (signed-in users)",
             response_class=Response)
async def create_plan(request: Request) -> Response:
    user = require_user(request)
    form = await request.form(max_files=0, max_fields=FORM_FIELDS, max_part_size=FORM_PART_BYTES)
    verify_csrf(request, _field(form.get("csrf_token")))
    ctx = context(request)
    lang = i18n.choose_language(request)
    base = ctx.settings.base_iri

    def store_plan() -> str:  # store work off the event loop
        try:
            site = describe(site_words(form))
        except FilterError as e:
            raise HTTPProblem(400, str(e)) from None
        checklist = build(ctx, site, lang)
        title = _field(form.get("title")).strip() or default_title(checklist, i18n.translator(lang))
        plan_id = new_plan_id()
        graph = plan_graph(checklist, base=base, plan=plan_iri(base, plan_id), title=title, created=now(),
                           creator=user.username)
        ctx.store.replace_graph(plan_graph_iri(base, plan_id), graph.serialize(format="nt", encoding="utf-8"),
                                N_TRIPLES)
        ctx.data_changed()
        return plan_id

    plan_id = await run_in_threadpool(store_plan)
    page = f"/checklist/plans/{plan_id}"
    if prefers_json(request.headers.get("accept")):
        return JSONResponse({"id": plan_id, "iri": str(plan_iri(base, plan_id)), "graph": plan_graph_iri(base, plan_id),
                             "page": page}, status_code=201, headers={"Location": page})
    return RedirectResponse(f"{page}?lang={lang}", status_code=303)


@router.get("/checklist/plans", summary="Stored action plans (HTML or JSON)", response_class=Response)
def list_plans(request: Request) -> Response:
    ctx = context(request)
    base = ctx.settings.base_iri
    rows = ctx.store.select(ck.query_text("plans"), {"graphPrefix": Literal(f"{base}graph/plan/")},
                            timeout=ctx.limits.query_timeout_s)
    plans = [{"id": str(r["g"]).rsplit("/", 1)[-1], "iri": str(r["plan"]), "title": str(r["title"]),
              "created": str(r["created"]), "creator": str(r["creator"]) if r.get("creator") else None}
             for r in rows]
    for plan in plans:
        plan["page"] = f"/checklist/plans/{plan['id']}"
    if output_format(request) not in ("html", "json"):
        raise HTTPProblem(400, "the list of plans comes as html or json; each plan also as md, ttl or jsonld")
    if output_format(request) == "json":
        return JSONResponse({"plans": plans})
    return render_page(request, "checklist_plans.html", plans=plans)


@router.get("/checklist/plans/{plan_id}", summary="One action plan with its stages' statuses", response_class=Response)
def plan_page(request: Request, plan_id: str) -> Response:
    ctx = context(request)
    lang = i18n.choose_language(request)
    fmt = output_format(request)
    graph, plan = load_plan(ctx, plan_id)
    checklist = build(ctx, plan.site, lang)
    return answer(request, checklist, fmt, template="checklist_plan.html", title=plan.title,
                  filename=f"plan-{plan_id}", rdf=lambda: graph, statuses=plan.statuses, plan=plan, plan_id=plan_id,
                  can_edit=may_edit(current_user(request), plan),
                  alternates=alternates(f"/checklist/plans/{plan_id}"),
                  json_extra={"id": plan_id, "iri": plan.iri, "created": plan.created, "creator": plan.creator,
                        "changes": [vars(c) for c in plan.changes]})


@router.post("/checklist/plans/{plan_id}/stages/{stage}", summary="Change the status of one stage of a plan",
             response_class=Response)
async def update_stage(request: Request, plan_id: str, stage: str) -> Response:
    user = require_user(request)
    form = await request.form(max_files=0, max_fields=FORM_FIELDS, max_part_size=FORM_PART_BYTES)
    verify_csrf(request, _field(form.get("csrf_token")))
    ctx = context(request)
    base = ctx.settings.base_iri

    def change_stage() -> object:  # store work off the event loop
        with plan_lock(ctx):
            graph, plan = load_plan(ctx, plan_id)
            if not may_edit(user, plan):
                raise HTTPProblem(403, f"only the plan's creator ({plan.creator}) or an admin may change its stages")
            try:
                change = set_status(graph, plan_iri(base, check_plan_id(plan_id)), stage,
                                    _field(form.get("status")), by=user.username, at=now(), base=base)
            except PlanError as e:
                raise HTTPProblem(400, str(e)) from None
            ctx.store.replace_graph(plan_graph_iri(base, plan_id), graph.serialize(format="nt", encoding="utf-8"),
                                    N_TRIPLES)
        ctx.data_changed()
        return change

    change = await run_in_threadpool(change_stage)
    if prefers_json(request.headers.get("accept")):
        return JSONResponse(vars(change))
    return RedirectResponse(f"/checklist/plans/{plan_id}?lang={i18n.choose_language(request)}#{stage}",
                            status_code=303)
