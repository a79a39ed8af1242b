"""The reader's language among the six FAO/UN languages, and the interface strings in each.

Order of precedence: ``?lang=`` in the URL, then the ``srkg_lang`` cookie (set by the language switcher),
then ``Accept-Language`` (q-values honoured, regional variants such as ``fr-CA`` or ``zh-Hans`` reduced to
their primary tag), else English. Interface strings are JSON files in ``ui_strings/`` (one per area of the
site, ``{key: {lang: text}}``); a missing translation falls back to English, a missing key to the key.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from pathlib import Path

from starlette.requests import Request

LANGUAGES: tuple[str, ...] = ("en", "fr", "es", "ru", "zh", "ar")
DEFAULT = "en"
RTL = frozenset({"ar"})
LANGUAGE_NAMES = {"en": "English", "fr": "Français", "es": "Español", "ru": "Русский", "zh": "中文", "ar": "العربية"}
COOKIE = "srkg_lang"
STRINGS_DIR = Path(__file__).parent / "ui_strings"


def _primary(tag: str) -> str:
    return tag.strip().lower().replace("_", "-").split("-")[0]


def parse_accept_language(header: str | None) -> list[str]:
    """Supported languages in the header's order of preference (q=0 excluded, unknown tags skipped)."""
    if not header:
        return []
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        lang = _primary(tag)
        if quality > 0 and lang in LANGUAGES:
            ranked.append((-quality, position, lang))
    seen: list[str] = []
    for _, _, lang in sorted(ranked):
        if lang not in seen:
            seen.append(lang)
    return seen


def choose_language(request: Request) -> str:
    explicit = request.query_params.get("lang")
    if explicit and _primary(explicit) in LANGUAGES:
        return _primary(explicit)
    cookie = request.cookies.get(COOKIE)
    if cookie and _primary(cookie) in LANGUAGES:
        return _primary(cookie)
    preferred = parse_accept_language(request.headers.get("accept-language"))
    return preferred[0] if preferred else DEFAULT


def language_order(lang: str) -> list[str]:
    """The languages to try for a label, best first: the reader's, then English, then the rest."""
    order = [lang] if lang == DEFAULT else [lang, DEFAULT]
    return order + [x for x in LANGUAGES if x not in order]


@cache
def _strings() -> dict[str, dict[str, str]]:
    merged: dict[str, dict[str, str]] = {}
    for path in sorted(STRINGS_DIR.glob("*.json")):
        for key, texts in json.loads(path.read_text("utf-8")).items():
            if key in merged:
                raise ValueError(f"{path.name}: interface string {key!r} is defined twice")
            merged[key] = texts
    return merged


def text(key: str, lang: str) -> str:
    texts = _strings().get(key)
    if texts is None:
        return key
    return texts.get(lang) or texts.get(DEFAULT) or key


def translator(lang: str) -> Callable[..., str]:
    """The ``_`` function templates call: ``_("nav.search")`` or ``_("key", n=3)`` with ``{n}`` in the text."""

    def _(key: str, **values: object) -> str:
        s = text(key, lang)
        return s.format(**values) if values else s

    return _
