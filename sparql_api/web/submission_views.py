"""``/submissions``: upload a file, read its report, re-upload, accept, publish, reject or withdraw.

Browsers get pages and 303 redirects after each form; programs get JSON (``Accept: application/json``,
``?format=json`` or ``/submissions/{id}.json``) and 202 + Location after an upload. The SHACL validation
report is Turtle (``?format=ttl`` or ``/submissions/{id}.ttl``). Anonymous callers get 401 from the API and a
redirect to /login from the pages; someone else's draft answers 404. The workflow itself is in
``sparql_api.submissions``.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import FileResponse, JSONResponse, RedirectResponse, Response

from sparql_api.accounts.users import User
from sparql_api.server.auth import CHALLENGE, CSRF_COOKIE, current_user, verify_csrf
from sparql_api.server.context import ServerContext, context
from sparql_api.server.errors import HTTPProblem
from sparql_api.submissions.documents import full_document, summary_document
from sparql_api.submissions.registry import ID_PATTERN, Submission
from sparql_api.submissions.runner import SHACL
from sparql_api.submissions.service import SubmissionService, submissions_dir
from sparql_api.submissions.upload import SUFFIXES, Received, UploadError, check_declared_length, megabytes, receive
from sparql_api.submissions.workflow import ACCEPT, PENDING, PUBLISH, REJECT, REVISE, WITHDRAW, WorkflowError
from sparql_api.web.account_views import login_url
from sparql_api.web.render import render_page

router = APIRouter(tags=["Submissions"])

FORMATS = {"html": "text/html", "json": "application/json", "ttl": "text/turtle"}
FORMAT_ALIASES = {"turtle": "ttl", "shacl": "ttl"}
POST_ACTIONS = (ACCEPT, PUBLISH, REJECT, WITHDRAW)
MAX_ACTION_BODY = 64 * 1024
_service_guard = threading.Lock()


def submission_service(request: Request) -> SubmissionService:
    """The server's one SubmissionService (made at start-up by the app's lifespan, or on first use)."""
    return ensure_service(context(request))


def ensure_service(ctx: ServerContext) -> SubmissionService:
    """Make the SubmissionService once; making it resumes the ingests a previous run left unfinished."""
    with _service_guard:
        service = ctx.extras.get("submissions")
        if not isinstance(service, SubmissionService):
            service = SubmissionService(submissions_dir(ctx.settings.data_dir), ctx.store,
                                        lambda: ctx.data_changed(records_only=True))
            service.start()
            ctx.extras["submissions"] = service
    return service


# --- negotiation and answers ------------------------------------------------------------------------------
def _accept_quality(header: str, media_type: str) -> float:
    best = 0.0
    major = media_type.split("/")[0]
    for part in header.split(","):
        name, _, params = part.strip().partition(";")
        name = name.strip().lower()
        if name not in (media_type, f"{major}/*", "*/*"):
            continue
        quality = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        exact = 0.001 if name == media_type else 0.0  # a named type beats a wildcard of the same q
        best = max(best, quality + exact if quality else 0.0)
    return best


def wanted_format(request: Request, default: str, offers: tuple[str, ...] = ("html", "json")) -> str:
    """'html', 'json' or 'ttl': ``?format=`` first, then Accept; ``*/*`` or nothing gives ``default``."""
    explicit = request.query_params.get("format")
    if explicit:
        name = FORMAT_ALIASES.get(explicit.lower(), explicit.lower())
        if name not in offers:
            raise HTTPProblem(400, f"format={explicit!r} is not offered here (use {', '.join(offers)})")
        return name
    header = request.headers.get("accept", "")
    if not header.strip():
        return default
    quality, _, name = max((_accept_quality(header, FORMATS[name]), name == default, name) for name in offers)
    if quality <= 0:
        raise HTTPProblem(406, "this resource is offered as " + ", ".join(FORMATS[o] for o in offers))
    return name


def _fail(request: Request, fmt: str, status: int, message: str) -> Response:
    """A refusal: a page in the site layout for browsers, else the plain-text problem answer."""
    if fmt == "html":
        return render_page(request, "submissions/problem.html", status=status, message=message, code=status)
    raise HTTPProblem(status, message)


def _anonymous(request: Request, fmt: str) -> Response:
    """Browsers sign in first (coming back to the page, or to the list after a form); programs get 401."""
    if fmt == "html":
        target = login_url(request) if request.method == "GET" else "/login?next=" + quote("/submissions", safe="")
        return RedirectResponse(target, status_code=303)
    raise HTTPProblem(401, "sign in first: send Authorization: Bearer <token>, or log in at /login",
                      {"WWW-Authenticate": CHALLENGE})


def _guarded(request: Request, fmt: str, answer: Callable[[User], Response]) -> Response:
    user = current_user(request)
    if user is None:
        return _anonymous(request, fmt)
    try:
        return answer(user)
    except (WorkflowError, UploadError) as error:
        return _fail(request, fmt, error.status, error.message)


async def _guarded_async(request: Request, fmt: str, answer: Callable[[User], Any]) -> Response:
    user = current_user(request)
    if user is None:
        return _anonymous(request, fmt)
    try:
        return await answer(user)
    except (WorkflowError, UploadError) as error:
        return _fail(request, fmt, error.status, error.message)


def _check_key(key: str) -> None:
    if not ID_PATTERN.match(key):
        raise WorkflowError(404, f"there is no submission {key!r}")


def _after_change(request: Request, fmt: str, service: SubmissionService, user: User, key: str,
                  status: int = 200) -> Response:
    """Browsers go back to the report page; programs get the submission's new state."""
    if fmt == "html":
        lang = request.query_params.get("lang")
        suffix = f"?lang={quote(lang)}" if lang else ""
        return RedirectResponse(f"/submissions/{quote(key)}{suffix}", status_code=303)
    submission = service.find(user, key)
    body = summary_document(submission, service.current(submission))
    headers = {"Location": f"/submissions/{key}"} if status == 202 else None
    return JSONResponse(body, status_code=status, headers=headers)


# --- reading ----------------------------------------------------------------------------------------------
@router.get("/submissions", summary="The submissions you may see (HTML with an upload form, or JSON)",
            responses={200: {"description": "HTML, or JSON by Accept", "content": {"text/html": {}}}})
def list_submissions(request: Request) -> Response:
    fmt = wanted_format(request, "html")

    def answer(user: User) -> Response:
        service = submission_service(request)
        items = [summary_document(s, service.current(s)) for s in service.visible(user)]
        if fmt == "json":
            return JSONResponse({"submissions": items})
        limit = context(request).settings.max_request_bytes
        return render_page(request, "submissions/list.html", items=items, max_mb=megabytes(limit),
                           is_reviewer=user.can_review)

    return _guarded(request, fmt, answer)


def _show(request: Request, key: str, fmt: str) -> Response:
    def answer(user: User) -> Response:
        _check_key(key)
        service = submission_service(request)
        submission = service.find(user, key)
        if fmt == "ttl":
            return _shacl(service, submission)
        document = full_document(service, user, submission)
        if fmt == "json":
            return JSONResponse(document)
        pending = document["ingest"] == PENDING
        return render_page(request, "submissions/report.html", doc=document, refresh=pending,
                           headers={"Cache-Control": "no-store"})

    return _guarded(request, fmt, answer)


def _shacl(service: SubmissionService, submission: Submission) -> Response:
    data = service.registry.read_artifact(submission.id, submission.revision, SHACL)
    if data is None:
        revision = service.current(submission)
        why = ("the file is still being validated" if revision.ingest == PENDING
               else "the file could not be read, so it was not validated")
        raise WorkflowError(409, f"revision {submission.revision} has no SHACL report: {why}")
    return Response(data, media_type="text/turtle; charset=utf-8")


@router.get("/submissions/{key}.json", summary="A submission with its report, as JSON")
def show_json(request: Request, key: str) -> Response:
    return _show(request, key, "json")


@router.get("/submissions/{key}.ttl", summary="The SHACL validation report of a submission's revision (Turtle)",
            response_class=Response, responses={200: {"description": "Turtle", "content": {"text/turtle": {}}}})
def show_turtle(request: Request, key: str) -> Response:
    return _show(request, key, "ttl")


@router.get("/submissions/{key}", summary="A submission's report: HTML, JSON or the SHACL report in Turtle",
            responses={200: {"description": "by Accept", "content": {"text/html": {}, "text/turtle": {}}}})
def show(request: Request, key: str) -> Response:
    return _show(request, key, wanted_format(request, "html", ("html", "json", "ttl")))


@router.get("/submissions/{key}/history", summary="Who did what, when, to a submission (JSON)")
def history(request: Request, key: str) -> Response:
    def answer(user: User) -> Response:
        _check_key(key)
        service = submission_service(request)
        submission = service.find(user, key)
        return JSONResponse({"id": key, "history": [h.as_dict() for h in service.registry.history(submission.id)]})

    return _guarded(request, "json", answer)


@router.get("/submissions/{key}/source", summary="The file as uploaded (?revision=N for an earlier one)",
            response_class=Response, responses={200: {"description": "the file", "content": {"*/*": {}}}})
def source(request: Request, key: str, revision: int | None = None) -> Response:
    def answer(user: User) -> Response:
        _check_key(key)
        service = submission_service(request)
        submission = service.find(user, key)
        wanted = service.registry.revision(key, revision or submission.revision)
        if wanted is None:
            raise WorkflowError(404, f"submission {key} has no revision {revision}")
        path = service.registry.source_path(key, wanted)
        media_type = wanted.media_type if wanted.media_type in SUFFIXES else "application/octet-stream"
        return FileResponse(path, media_type=media_type, filename=wanted.file_name,
                            headers={"X-Content-Type-Options": "nosniff", "Content-Security-Policy": "sandbox"})

    return _guarded(request, "json", answer)


# --- changing ---------------------------------------------------------------------------------------------
def _precheck_csrf(request: Request) -> None:
    """Before a large body is read: a browser post must come from this site and carry the CSRF cookie (the
    form field itself is compared once the body is read)."""
    verify_csrf(request, request.cookies.get(CSRF_COOKIE) or None)


async def _receive(request: Request, service: SubmissionService) -> Received:
    limit = context(request).settings.max_request_bytes
    check_declared_length(request.headers.get("content-length"), limit)
    _precheck_csrf(request)
    received = await receive(service.registry, request.stream(), request.headers.get("content-type"),
                             request.headers.get("content-length"), limit, request.query_params.get("filename"))
    try:
        verify_csrf(request, received.fields.get("csrf_token"))
    except HTTPProblem:
        received.incoming.discard()
        raise
    return received


@router.post("/submissions", status_code=202, summary="Upload a file (multipart field 'file', or the raw body "
             "with ?filename=); it is validated in the background")
async def upload(request: Request) -> Response:
    fmt = wanted_format(request, "json")

    async def answer(user: User) -> Response:
        service = submission_service(request)
        received = await _receive(request, service)
        submission = await run_in_threadpool(service.upload, user, received.incoming)
        return _after_change(request, fmt, service, user, submission.id, status=202)

    return await _guarded_async(request, fmt, answer)


@router.post("/submissions/{key}/revisions", status_code=202, summary="Upload a corrected file (a new revision; "
             "the submission keeps its id and IRIs)")
async def revise(request: Request, key: str) -> Response:
    fmt = wanted_format(request, "json")

    async def answer(user: User) -> Response:
        _check_key(key)
        service = submission_service(request)
        await run_in_threadpool(service.precheck, user, key, REVISE)
        received = await _receive(request, service)
        await run_in_threadpool(service.revise, user, key, received.incoming)
        return _after_change(request, fmt, service, user, key, status=202)

    return await _guarded_async(request, fmt, answer)


async def _small_fields(request: Request) -> dict[str, str]:
    """The fields of an action post: a form, a JSON object, or nothing; plus ?reason= in the URL."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_ACTION_BODY:
        raise HTTPProblem(413, "this request body is too large for an action")
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    fields: dict[str, str] = {}
    if media in ("application/x-www-form-urlencoded", "multipart/form-data"):
        form = await request.form(max_files=0, max_fields=10, max_part_size=MAX_ACTION_BODY)
        fields = {k: v for k, v in form.items() if isinstance(v, str)}
    elif media == "application/json":
        body = bytearray()
        async for chunk in request.stream():  # a chunked body has no Content-Length to check up front
            body += chunk
            if len(body) > MAX_ACTION_BODY:
                raise HTTPProblem(413, "this request body is too large for an action")
        try:
            data = json.loads(bytes(body) or b"{}")
        except ValueError:
            raise HTTPProblem(400, "the JSON body does not parse") from None
        if not isinstance(data, dict):
            raise HTTPProblem(400, "send a JSON object, e.g. {\"reason\": \"...\"}")
        fields = {k: v for k, v in data.items() if isinstance(v, str)}
    if "reason" not in fields and request.query_params.get("reason"):
        fields["reason"] = request.query_params["reason"]
    return fields


@router.post("/submissions/{key}/{action}", summary="accept | publish | reject | withdraw (reject and withdraw "
             "need a 'reason')")
async def act(request: Request, key: str, action: str) -> Response:
    fmt = wanted_format(request, "json")

    async def answer(user: User) -> Response:
        if action not in POST_ACTIONS:
            raise WorkflowError(404, f"there is no action {action!r} (actions: {', '.join(POST_ACTIONS)})")
        _check_key(key)
        fields = await _small_fields(request)
        verify_csrf(request, fields.get("csrf_token"))
        service = submission_service(request)
        if action in (REJECT, WITHDRAW):
            method = service.reject if action == REJECT else service.withdraw
            await run_in_threadpool(method, user, key, fields.get("reason"))
        else:
            await run_in_threadpool(service.accept if action == ACCEPT else service.publish, user, key)
        return _after_change(request, fmt, service, user, key)

    return await _guarded_async(request, fmt, answer)
