"""The page layer's small helpers: safe link targets, the language switcher's URLs."""

from __future__ import annotations

import pytest
from starlette.requests import Request

from sparql_api.web.render import environment, safe_href, with_lang


@pytest.mark.parametrize(("value", "expected"), [
    ("/id/case/x", "/id/case/x"),
    ("https://example.org/report.pdf", "https://example.org/report.pdf"),
    ("HTTP://EXAMPLE.ORG/", "HTTP://EXAMPLE.ORG/"),
    ("javascript:alert(1)", None),
    (" JavaScript:alert(1)", None),
    ("data:text/html,<script>", None),
    ("//evil.example/x", None),
    ("", None),
    (None, None),
])
def test_only_local_paths_and_web_urls_become_links(value: object, expected: str | None) -> None:
    assert safe_href(value) == expected


def test_templates_never_link_a_javascript_source() -> None:
    html = environment().from_string('{% for s in sources %}{% if s|safe_href %}<a href="{{ s|safe_href }}">{{ s }}'
                                     '</a>{% else %}{{ s }}{% endif %}{% endfor %}').render(
        sources=["javascript:alert(1)", "https://ok.example/"])
    assert 'href="javascript' not in html and 'href="https://ok.example/"' in html


def test_the_language_switcher_keeps_repeated_parameters() -> None:
    request = Request({"type": "http", "method": "GET", "path": "/checklist", "headers": [],
                       "query_string": b"pollutant=Pb&pollutant=Cd&lang=en"})
    assert with_lang(request, "fr") == "/checklist?pollutant=Pb&pollutant=Cd&lang=fr"
