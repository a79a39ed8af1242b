"""Whether a page's caller wants JSON instead of HTML, decided once for every kind of page."""

from __future__ import annotations

from sparql_api.server.negotiation import parse_accept

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml", "text/*", "*/*"})


def prefers_json(accept: str | None) -> bool:
    """``Accept`` prefers ``application/json`` to HTML (wildcards count for HTML, the default; at equal
    quality the range listed first wins)."""
    best: dict[str, tuple[float, int]] = {}
    for r in parse_accept(accept):
        kind = "json" if r.type == "application/json" else "html" if r.type in HTML_TYPES else None
        if kind and r.q > best.get(kind, (0.0, 0))[0]:
            best[kind] = (r.q, -r.order)
    json_q, html_q = best.get("json", (0.0, 0)), best.get("html", (0.0, 0))
    return json_q[0] > 0 and json_q > html_q
