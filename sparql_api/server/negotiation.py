"""Content negotiation for SPARQL answers: ``Accept`` (q-values, wildcards, aliases) and a ``format`` parameter.

Lenient by design (platforms-research §3, §5): no Accept, ``*/*`` or a browser's Accept give the default
(JSON for solutions and booleans, Turtle for graphs); a client that lists only result-set types for a graph
query (roqet) or only RDF types for a SELECT gets the kind's default instead of a 406; ``format`` (and
SPARQLWrapper's ``output``/``results``) apply when Accept names no concrete type. A concrete type in Accept
wins over ``format``. Only an Accept that names nothing we could ever serve gets 406, listing the offers.
"""

from __future__ import annotations

from dataclasses import dataclass

JSON = "application/sparql-results+json"
XML = "application/sparql-results+xml"
CSV = "text/csv"
TSV = "text/tab-separated-values"
TURTLE = "text/turtle"
NTRIPLES = "application/n-triples"
RDFXML = "application/rdf+xml"
JSONLD = "application/ld+json"
TRIG = "application/trig"
NQUADS = "application/n-quads"

RESULT_TYPES = (JSON, XML, CSV, TSV)
GRAPH_TYPES = (TURTLE, NTRIPLES, RDFXML, JSONLD, TRIG, NQUADS)
OFFERS: dict[str, tuple[str, ...]] = {"select": RESULT_TYPES, "ask": RESULT_TYPES, "graph": GRAPH_TYPES}

# Other names clients use for the same formats, per kind of answer.
_ALIASES: dict[str, dict[str, str]] = {
    "results": {
        "application/json": JSON,
        "text/json": JSON,
        "application/xml": XML,
        "text/xml": XML,
        "text/tsv": TSV,
        "application/csv": CSV,
    },
    "graph": {
        "application/x-turtle": TURTLE,
        "application/turtle": TURTLE,
        "text/n3": TURTLE,  # Turtle is valid N3
        "text/rdf+n3": TURTLE,
        "text/plain": NTRIPLES,
        "application/xml": RDFXML,
        "text/xml": RDFXML,
        "application/json": JSONLD,
        "application/x-json+ld": JSONLD,
        "application/x-trig": TRIG,
        "text/x-nquads": NQUADS,
    },
}

_FORMAT_NAMES: dict[str, dict[str, str]] = {
    "results": {"json": JSON, "xml": XML, "csv": CSV, "tsv": TSV},
    "graph": {
        "ttl": TURTLE,
        "turtle": TURTLE,
        "n3": TURTLE,
        "nt": NTRIPLES,
        "ntriples": NTRIPLES,
        "n-triples": NTRIPLES,
        "rdf": RDFXML,
        "rdfxml": RDFXML,
        "rdf+xml": RDFXML,
        "xml": RDFXML,
        "jsonld": JSONLD,
        "json-ld": JSONLD,
        "json": JSONLD,
        "trig": TRIG,
        "nq": NQUADS,
        "nquads": NQUADS,
        "n-quads": NQUADS,
    },
}
FORMAT_VALUES = {
    "select": "json, xml, csv, tsv",
    "ask": "json, xml, csv, tsv",
    "graph": "ttl, nt, rdf, jsonld, trig, nq",
}


class NotAcceptable(Exception):
    """Nothing the client accepts can be produced; the message lists what can."""


class UnknownFormat(ValueError):
    """The ``format`` parameter names no format for this kind of answer."""


@dataclass(frozen=True)
class MediaRange:
    type: str  # "text/csv", "text/*" or "*/*"
    q: float
    order: int

    @property
    def specificity(self) -> int:
        if self.type == "*/*":
            return 0
        return 1 if self.type.endswith("/*") else 2


def parse_accept(header: str | None) -> list[MediaRange]:
    """Parse an Accept header; malformed members are skipped rather than failing the request."""
    ranges: list[MediaRange] = []
    for order, member in enumerate((header or "").split(",")):
        parts = [p.strip() for p in member.split(";")]
        media = parts[0].lower()
        if media == "*":
            media = "*/*"
        if media.count("/") != 1 or not all(media.split("/")):
            continue
        q = 1.0
        for param in parts[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = min(1.0, max(0.0, float(value.strip())))
                except ValueError:
                    q = 1.0
        ranges.append(MediaRange(media, q, order))
    return ranges


def _family(kind: str) -> str:
    return "graph" if kind in ("graph", "rdf") else "results"


def _canonical(media: str, kind: str) -> str | None:
    offers = OFFERS.get(kind, GRAPH_TYPES)
    if media in offers:
        return media
    return _ALIASES[_family(kind)].get(media)


def is_browser(ranges: list[MediaRange]) -> bool:
    return any(r.type in ("text/html", "application/xhtml+xml") and r.q > 0 for r in ranges)


def format_media_type(kind: str, value: str) -> str:
    """Media type for a ``format`` value (short name or media type) for this kind; raises UnknownFormat."""
    name = value.strip().lower()
    family = _family(kind)
    found = _FORMAT_NAMES[family].get(name) or _canonical(name.split(";")[0], kind)
    if found is None:
        raise UnknownFormat(
            f"format={value!r} is not available for this answer; "
            f"use one of {FORMAT_VALUES.get(kind, FORMAT_VALUES['graph'])}"
        )
    return found


def negotiate(kind: str, accept: str | None, fmt: str | None = None) -> str:
    """Choose the media type for an answer of ``kind`` (select | ask | graph; 'rdf' for RDF documents)."""
    offers = OFFERS.get(kind, GRAPH_TYPES)
    wanted = format_media_type(kind, fmt) if fmt else None
    ranges = parse_accept(accept)
    if not ranges or is_browser(ranges):
        return wanted or offers[0]

    # Score each offer by its most specific matching range (RFC 9110 §12.5.1).
    best: tuple[float, int, int, int] | None = None
    choice: str | None = None
    scores: dict[str, float] = {}
    for index, offer in enumerate(offers):
        match: MediaRange | None = None
        for r in ranges:
            if r.type == "*/*" or r.type == offer or (r.specificity == 1 and offer.startswith(r.type[:-1])):
                if match is None or r.specificity > match.specificity:
                    match = r
            elif _canonical(r.type, kind) == offer and (match is None or match.specificity < 2):
                match = r
        if match is None:
            continue
        scores[offer] = match.q
        if match.q <= 0:
            continue
        key = (match.q, match.specificity, -match.order, -index)
        if best is None or key > best:
            best, choice = key, offer

    if choice is not None and best is not None:
        concrete = best[1] == 2
        if not concrete and wanted and scores.get(wanted, best[0]) >= best[0]:
            return wanted
        return choice
    if wanted:
        return wanted
    # Nothing matched. Lenient when the client named formats of the other kind (result sets vs RDF).
    other = "results" if _family(kind) == "graph" else "graph"
    other_types = set(RESULT_TYPES if other == "results" else GRAPH_TYPES) | set(_ALIASES[other])
    if any(r.type in other_types for r in ranges if r.q > 0):
        return offers[0]
    shown = accept if len(accept) <= 200 else accept[:200] + f"… ({len(accept)} characters)"
    raise NotAcceptable(
        f"cannot answer in any of the accepted types ({shown}); this answer is available as " + ", ".join(offers)
    )


def content_type(media_type: str) -> str:
    """Media type with charset: every format served here is UTF-8 text."""
    return f"{media_type}; charset=utf-8"
