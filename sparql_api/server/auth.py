"""Who is asking: API tokens, web login sessions, roles, and CSRF protection for forms.

``Authorization: Bearer <token>`` is the documented way for programs. ``Basic`` with the token as the password
(any user name) is accepted too, because some SPARQL clients (rdflib's ``auth=``, SPARQLWrapper's
setCredentials) only speak Basic. A token either belongs to a user (``srkg token create --user NAME``) and
acts with that user's role, or is a project token (no user) that acts as an admin. Browsers sign in at
``/login`` and carry a session cookie; every form they post also carries a CSRF token that must match the
``srkg_csrf`` cookie (double-submit), and a cross-origin ``Origin`` header is refused.

Missing, unknown or expired credentials get 401 with a ``WWW-Authenticate`` challenge; a revoked token or a
disabled user gets 403. An expired web session counts as no session (see ``sparql_api.accounts.sessions``).
"""

from __future__ import annotations

import base64
import binascii
import hmac
import secrets
from collections.abc import Iterable
from urllib.parse import urlsplit

from fastapi import Request
from starlette.responses import Response

from sparql_api.accounts.sessions import COOKIE as SESSION_COOKIE
from sparql_api.accounts.users import ROLES, User
from sparql_api.server.errors import HTTPProblem
from sparql_api.server.tokens import TokenInfo, TokenStore

CHALLENGE = 'Bearer realm="srkg", charset="UTF-8"'
CSRF_COOKIE = "srkg_csrf"
CSRF_FIELD = "csrf_token"
_UNSET = object()


def _secret(header: str) -> str | None:
    scheme, _, value = header.strip().partition(" ")
    value = value.strip()
    if scheme.lower() == "bearer" and value:
        return value
    if scheme.lower() == "basic" and value:
        try:
            decoded = base64.b64decode(value, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return None
        return decoded.partition(":")[2] or None
    return None


def _token_info(header: str, tokens: TokenStore) -> TokenInfo:
    secret = _secret(header)
    info = tokens.check(secret) if secret else None
    if info is None:
        raise HTTPProblem(401, "the credential is not a valid SRKG token",
                          {"WWW-Authenticate": CHALLENGE + ', error="invalid_token"'})
    if info.revoked:
        raise HTTPProblem(403, f"the token {info.name!r} was revoked on {info.revoked_at}")
    if info.expired:
        raise HTTPProblem(401, f"the token {info.name!r} expired on {info.expires_at}; ask for a new one "
                          "(`srkg token create --name NAME --expires-in DAYS`)",
                          {"WWW-Authenticate": CHALLENGE + ', error="invalid_token"'})
    return info


def _user_of_token(request: Request, info: TokenInfo) -> User:
    if info.username is None:
        return User(f"token:{info.name}", "admin", info.name, False)
    user = request.app.state.srkg.accounts.get(info.username)
    if user is None or user.disabled:
        raise HTTPProblem(403, f"the token {info.name!r} belongs to user {info.username!r}, who is disabled")
    return user


def current_user(request: Request) -> User | None:
    """The signed-in user (by token or session cookie), or None; resolved once per request."""
    cached = getattr(request.state, "user", _UNSET)
    if cached is not _UNSET:
        return cached  # type: ignore[return-value]
    ctx = request.app.state.srkg
    user: User | None = None
    via: str | None = None
    header = request.headers.get("authorization")
    if header:
        user, via = _user_of_token(request, _token_info(header, ctx.tokens)), "token"
    else:
        secret = request.cookies.get(SESSION_COOKIE)
        name = ctx.sessions.username(secret) if secret else None
        found = ctx.accounts.get(name) if name else None
        if found is not None and not found.disabled:
            user, via = found, "session"
    request.state.user = user
    request.state.auth_via = via
    return user


def require_user(request: Request, roles: Iterable[str] = ROLES) -> User:
    """The signed-in user if their role is one of ``roles``: 401 when nobody is signed in, 403 otherwise."""
    user = current_user(request)
    if user is None:
        raise HTTPProblem(401, "sign in first: send Authorization: Bearer <token>, or log in at /login",
                          {"WWW-Authenticate": CHALLENGE})
    allowed = tuple(roles)
    if user.role not in allowed:
        raise HTTPProblem(403, f"{user.username} is a {user.role}; this needs the role "
                          + " or ".join(allowed))
    return user


def require_curator(request: Request, tokens: TokenStore) -> TokenInfo:
    """Direct writes to the store (SPARQL Update, Graph Store writes): an admin token in the request itself.

    A session cookie is not enough here (no CSRF risk for the endpoint); contributors and reviewers change
    data through /submissions instead."""
    header = request.headers.get("authorization")
    if not header:
        raise HTTPProblem(
            401,
            "this operation changes data and needs an admin token: send Authorization: Bearer <token> "
            "(create one with `srkg token create --name NAME`)",
            {"WWW-Authenticate": CHALLENGE},
        )
    info = _token_info(header, tokens)
    user = _user_of_token(request, info)
    if not user.is_admin:
        raise HTTPProblem(403, f"{user.username} is a {user.role}: direct writes to the store need an admin "
                          "token; contributors and reviewers send data through /submissions")
    return info


def csrf_token(request: Request) -> str:
    """The CSRF token for forms on this page: the ``srkg_csrf`` cookie's value, made when missing."""
    token = getattr(request.state, "csrf_token", None)
    if token:
        return token
    token = request.cookies.get(CSRF_COOKIE) or ""
    if len(token) < 20:
        token = secrets.token_urlsafe(24)
        request.state.csrf_new = True
    request.state.csrf_token = token
    return token


def attach_csrf_cookie(request: Request, response: Response) -> None:
    """Set the CSRF cookie on ``response`` when this request had to make one."""
    if getattr(request.state, "csrf_new", False):
        response.set_cookie(CSRF_COOKIE, request.state.csrf_token, httponly=True, samesite="lax",
                            secure=request.url.scheme == "https", path="/")


def _same_origin(request: Request) -> bool:
    origin = request.headers.get("origin")
    if not origin or origin == "null":
        return origin is None
    return urlsplit(origin).netloc.lower() == request.headers.get("host", "").lower()


def verify_csrf(request: Request, form_token: str | None) -> None:
    """Refuse a form post that did not come from one of this site's pages (403); no-op for Bearer tokens."""
    current_user(request)
    header = request.headers.get("authorization", "")
    if request.state.auth_via == "token" and header.lower().startswith("bearer "):
        return
    cookie = request.cookies.get(CSRF_COOKIE)
    if not _same_origin(request):
        raise HTTPProblem(403, "this form was posted from another site; open the page on this site and try again")
    if not cookie or not form_token or not hmac.compare_digest(cookie, form_token):
        raise HTTPProblem(403, "the form has expired or did not come from this site: reload the page and send it "
                          "again")
