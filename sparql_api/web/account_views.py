"""Sign in and out of the web pages (``/login``, ``/logout``) and the ``/account`` page."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from sparql_api.accounts.sessions import COOKIE as SESSION_COOKIE
from sparql_api.accounts.sessions import LIFETIME
from sparql_api.accounts.users import LoginLocked
from sparql_api.server.auth import current_user, require_user, verify_csrf
from sparql_api.server.context import context
from sparql_api.web.i18n import choose_language
from sparql_api.web.render import render_page

# Small forms: no files, few fields, short values (the defaults would spool megabytes before any check).
FORM_FIELDS, FORM_PART_BYTES = 50, 16 * 1024

router = APIRouter(tags=["Accounts"])

MAX_FIELD = 1000


def safe_next(target: str | None) -> str:
    """Only a path on this site (never ``//other.host`` or ``https://…``): no open redirect after login."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def login_url(request: Request) -> str:
    """Where to send a browser that must sign in first, coming back here afterwards."""
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return "/login?next=" + quote(here, safe="")


@router.get("/login", summary="Sign-in page (HTML)", include_in_schema=False)
def login_page(request: Request, next: str = "/") -> Response:
    return render_page(request, "login.html", next=safe_next(next), error=None, username="")


@router.post("/login", summary="Sign in with name and password; sets the session cookie", include_in_schema=False)
async def login(request: Request) -> Response:
    form = await request.form(max_files=0, max_fields=FORM_FIELDS, max_part_size=FORM_PART_BYTES)
    field = {k: str(form.get(k, ""))[:MAX_FIELD] for k in ("username", "password", "csrf_token", "next")}
    verify_csrf(request, field["csrf_token"])
    target = safe_next(field["next"])
    ctx = context(request)
    try:
        user = ctx.accounts.verify(field["username"], field["password"])
        error = None if user else "accounts.login_failed"
    except LoginLocked:
        user, error = None, "accounts.login_locked"
    if user is None:
        return render_page(request, "login.html", status=401 if error == "accounts.login_failed" else 429,
                           next=target, error=error, username=field["username"])
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(SESSION_COOKIE, ctx.sessions.start(user.username), httponly=True, samesite="lax",
                        secure=request.url.scheme == "https", max_age=int(LIFETIME.total_seconds()), path="/")
    return response


@router.post("/logout", summary="End the web session", include_in_schema=False)
async def logout(request: Request) -> Response:
    form = await request.form(max_files=0, max_fields=FORM_FIELDS, max_part_size=FORM_PART_BYTES)
    verify_csrf(request, str(form.get("csrf_token", "")))
    secret = request.cookies.get(SESSION_COOKIE)
    if secret:
        context(request).sessions.end(secret)
    response = RedirectResponse(f"/?lang={choose_language(request)}", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/account", summary="Who am I (HTML, or JSON with Accept: application/json)",
            responses={200: {"description": "HTML, or JSON by Accept", "content": {"text/html": {}}}})
def account(request: Request) -> Response:
    if current_user(request) is None and "application/json" not in request.headers.get("accept", ""):
        return RedirectResponse(login_url(request), status_code=303)
    user = require_user(request)
    if "application/json" in request.headers.get("accept", ""):
        return JSONResponse({"username": user.username, "display_name": user.display_name, "role": user.role,
                             "can_review": user.can_review})
    return render_page(request, "account.html", account=user)
