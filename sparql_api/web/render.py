"""Page rendering: one Jinja environment (autoescaped), the shared layout, and the headers every page carries.

Pages load nothing from elsewhere (no CDN, no web fonts): a strict Content-Security-Policy says so.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from sparql_api.server.auth import attach_csrf_cookie, csrf_token, current_user
from sparql_api.web import i18n

TEMPLATES_DIR = Path(__file__).parent / "templates"
CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
       "form-action 'self'; frame-ancestors 'none'; base-uri 'none'")


@cache
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(LANGUAGES=i18n.LANGUAGES, LANGUAGE_NAMES=i18n.LANGUAGE_NAMES)
    env.filters["safe_href"] = safe_href
    return env


def with_lang(request: Request, lang: str) -> str:
    """The current URL with ``lang`` set (the language switcher's links); repeated parameters are kept."""
    params = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"] + [("lang", lang)]
    return request.url.path + "?" + urlencode(params)


def safe_href(value: object) -> str | None:
    """``value`` as a link target only when it is a path on this site or an http(s) URL (never ``javascript:``,
    ``data:`` or a protocol-relative ``//host``), else None: data from the store never becomes script."""
    text = str(value or "").strip()
    if text.startswith("/") and not text.startswith("//"):
        return text
    if text.lower().startswith(("http://", "https://")):
        return text
    return None


def page_context(request: Request, lang: str) -> dict[str, Any]:
    """What the layout needs: language, direction, translator, the signed-in user if any."""
    return {
        "request": request,
        "lang": lang,
        "dir": "rtl" if lang in i18n.RTL else "ltr",
        "_": i18n.translator(lang),
        "user": current_user(request),
        "csrf_token": csrf_token(request),
        "lang_url": lambda code: with_lang(request, code),
        "alternates": [],
    }


def render_page(
    request: Request,
    template: str,
    *,
    lang: str | None = None,
    status: int = 200,
    headers: dict[str, str] | None = None,
    **context: Any,
) -> HTMLResponse:
    """Render ``template`` in the layout; ``context`` may override ``alternates`` (links to RDF variants)."""
    lang = lang or i18n.choose_language(request)
    values = page_context(request, lang)
    values.update(context)
    html = environment().get_template(template).render(values)
    response = HTMLResponse(html, status_code=status)
    response.headers["Content-Security-Policy"] = CSP
    response.headers["Content-Language"] = lang
    response.headers["Vary"] = "Accept, Accept-Language, Cookie"
    response.headers["X-Content-Type-Options"] = "nosniff"
    for name, value in (headers or {}).items():
        response.headers[name] = value
    attach_csrf_cookie(request, response)
    return response
