"""``/cases/assessment/new``: record a sustainability assessment of a published case through a web form.

GET shows the form for ``?case=`` (the case's IRI, its path ``/id/case/…`` or its key); ``?framework=`` (a
framework key such as ``surf-uk``) lists that framework's criteria, one row each, with the values the framework
allows (IUCN ratings only for the IUCN standard; EPA footprint metrics as numbers in their fixed unit). POST
(CSRF-checked) turns the form into Turtle and files it as a submission exactly like an uploaded file, then
redirects (303) to the submission's report: the shapes validate it and a reviewer publishes it. Bad input shows
the form again (400) with a message next to the field and creates nothing. Anyone signed in may use it.
"""

from __future__ import annotations

import hashlib
from datetime import date
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from sparql_api.accounts.users import User
from sparql_api.server.auth import current_user, require_user, verify_csrf
from sparql_api.server.context import ServerContext, context
from sparql_api.submissions.registry import Incoming
from sparql_api.web import i18n
from sparql_api.web.accept import prefers_json
from sparql_api.web.account_views import login_url
from sparql_api.web.assessment_rdf import (
    VALUE_FIELDS,
    Catalogue,
    Entry,
    Framework,
    assessment_graph,
    find_case,
    read_rows,
    slug,
)
from sparql_api.web.iri_check import is_iri
from sparql_api.web.render import render_page
from sparql_api.web.resource_iris import IriSpace
from sparql_api.web.submission_views import submission_service

router = APIRouter(tags=["Assessment entry"])

PATH = "/cases/assessment/new"
MAX_FIELDS = 400
MAX_FIELD_CHARS = 2000


def case_candidates(value: str, base: str) -> list[str]:
    """The IRIs ``?case=`` may mean: an IRI as given, a served path, or a bare case key (valid IRIs only)."""
    value = value.strip()
    if value.startswith(("http://", "https://")):
        found = [value]
    elif value.startswith("/"):
        found = IriSpace(base).iris_for_path(value)
    else:
        found = [f"{b}id/case/{value}" for b in IriSpace(base).bases] if value and "/" not in value else []
    return [iri for iri in found if is_iri(iri)]


class _Form:
    """What the page shows: the vocabulary, the chosen case and framework, the values typed and the errors."""

    def __init__(self, ctx: ServerContext, lang: str, values: dict[str, str]) -> None:
        self.ctx, self.lang, self.values = ctx, lang, values
        timeout = ctx.limits.query_timeout_s
        self.catalogue = Catalogue(ctx.store, lang, timeout)
        self.errors: dict[str, str] = {}
        self.case: tuple[str, str] | None = None
        if values.get("case"):
            self.case = find_case(ctx.store, case_candidates(values["case"], ctx.settings.base_iri), lang, timeout)
            if self.case is None:
                self.errors["case"] = "assessment.error.case"
        else:
            self.errors["case"] = "assessment.error.case_missing"
        self.framework: Framework | None = None
        if values.get("framework"):
            self.framework = self.catalogue.framework(values["framework"])
            if self.framework is None:
                self.errors["framework"] = "assessment.error.framework"
        base = ctx.settings.base_iri
        self.criteria = self.catalogue.criteria(self.framework) if self.framework else []
        self.tiers = self.catalogue.scheme("assessment-tier", base)
        self.ratings = self.catalogue.scheme("iucn-rating", base)

    def page(self, request: Request, status: int = 200) -> Response:
        return render_page(request, "assessment_form.html", lang=self.lang, status=status, form=self,
                           values=self.values, errors=self.errors, path=PATH, fields=criterion_fields,
                           case_page=IriSpace(self.ctx.settings.base_iri).local_path(self.case[0]) if self.case
                           else None)

    def stray_errors(self) -> dict[str, str]:
        """Errors on value fields the page has no input for (a forged or outdated post): shown under the table."""
        shown = {f"{kind}-{c.key}" for c in self.criteria for kind in criterion_fields(self.framework, c)}
        return {name: key for name, key in self.errors.items()
                if name.partition("-")[0] in VALUE_FIELDS and name not in shown}

    def entry(self) -> Entry | None:
        """The checked entry, or None with ``errors`` filled."""
        values = self.values
        if self.framework is None and "framework" not in self.errors:
            self.errors["framework"] = "assessment.error.framework"
        tier = None
        if values.get("tier"):
            tier = next((t for t in self.tiers if t.key == values["tier"]), None)
            if tier is None:
                self.errors["tier"] = "assessment.error.tier"
        when = None
        if values.get("date"):
            try:
                when = date.fromisoformat(values["date"].strip())
            except ValueError:
                self.errors["date"] = "assessment.error.date"
        rows = read_rows(values, self.framework, self.criteria, self.ratings, self.errors) if self.framework else []
        if self.framework and not rows and not self.errors:
            self.errors["rows"] = "assessment.error.no_rows"
        if self.errors or self.case is None or self.framework is None:
            return None
        return Entry(self.case[0], self.framework, tier, values.get("partial") == "true",
                     values.get("assessor", "").strip()[:200] or None, when, rows)


def _anonymous(request: Request) -> Response:
    """Browsers are sent to sign in; programs (a credential sent, or JSON preferred) get a plain 401."""
    if "authorization" in request.headers or prefers_json(request.headers.get("accept")):
        require_user(request)  # nobody is signed in here: raises 401 saying how to sign in
    target = login_url(request) if request.method == "GET" else "/login?next=" + quote(PATH, safe="")
    return RedirectResponse(target, status_code=303)


@router.get(PATH, summary="Form to record a sustainability assessment of a published case (HTML)",
            include_in_schema=False)
def assessment_form(request: Request) -> Response:
    if current_user(request) is None:
        return _anonymous(request)
    values = {k: v[:MAX_FIELD_CHARS] for k, v in request.query_params.items() if k in ("case", "framework")}
    form = _Form(context(request), i18n.choose_language(request), values)
    return form.page(request, 200 if "case" not in form.errors else 404 if values.get("case") else 400)


@router.post(PATH, summary="Record the assessment: it becomes a submission (303 to its report)",
             include_in_schema=False)
async def record_assessment(request: Request) -> Response:
    user = current_user(request)
    if user is None:
        return _anonymous(request)
    raw = await request.form(max_files=0, max_fields=MAX_FIELDS)
    values = {k: v[:MAX_FIELD_CHARS] for k, v in raw.items() if isinstance(v, str)}
    verify_csrf(request, values.get("csrf_token"))
    lang = i18n.choose_language(request)
    form = await run_in_threadpool(_Form, context(request), lang, values)
    entry = form.entry()
    if entry is None:
        return form.page(request, 400)
    key = await run_in_threadpool(_submit, request, user, entry, lang)
    return RedirectResponse(f"/submissions/{quote(key)}?lang={quote(lang)}", status_code=303)


def _submit(request: Request, user: User, entry: Entry, lang: str) -> str:
    """Write the Turtle into a new incoming folder and file it as a submission, like an upload."""
    service = submission_service(request)
    turtle = assessment_graph(entry, context(request).settings.base_iri, lang).serialize(format="turtle")
    data = turtle.encode("utf-8")
    folder = service.registry.new_incoming()
    name = f"assessment-{slug(entry.case)}.ttl"
    (folder / name).write_bytes(data)
    incoming = Incoming(folder, name, len(data), hashlib.sha256(data).hexdigest(), "text/turtle")
    try:
        return service.upload(user, incoming).id
    except BaseException:
        incoming.discard()
        raise


def criterion_fields(framework: Framework | None, criterion: Any) -> list[str]:
    """Which value inputs a criterion's row has (for the template)."""
    if framework is None:
        return []
    if framework.allows_rating:
        return ["rating", "text"]
    return (["value"] if criterion.unit else ["score"]) + ["text"]
