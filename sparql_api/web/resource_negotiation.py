"""Which document about a thing to send a client: HTML for browsers, RDF for machines (Cool URIs, 303 style).

The thing's IRI answers ``303 See Other`` to a document with a suffix; the choice follows ``Accept`` with the
project's lenient rules (``sparql_api.server.negotiation``): no Accept or ``*/*`` → HTML; aliases such as
``application/x-turtle`` or ``text/plain`` count as the RDF format they stand for; q-values and wildcards are
honoured (RFC 9110 §12.5.1), and on a tie the earlier offer wins (HTML, then Turtle).
"""

from __future__ import annotations

from dataclasses import dataclass

from sparql_api.server.negotiation import (
    JSONLD,
    NQUADS,
    NTRIPLES,
    RDFXML,
    TRIG,
    TURTLE,
    MediaRange,
    NotAcceptable,
    UnknownFormat,
    format_media_type,
    parse_accept,
)

HTML = "text/html"


@dataclass(frozen=True)
class DocumentFormat:
    suffix: str
    media_type: str
    label: str

    @property
    def content_type(self) -> str:
        return f"{self.media_type}; charset=utf-8"


FORMATS: tuple[DocumentFormat, ...] = (
    DocumentFormat("html", HTML, "HTML"),
    DocumentFormat("ttl", TURTLE, "Turtle"),
    DocumentFormat("jsonld", JSONLD, "JSON-LD"),
    DocumentFormat("rdf", RDFXML, "RDF/XML"),
    DocumentFormat("nt", NTRIPLES, "N-Triples"),
)
BY_SUFFIX: dict[str, DocumentFormat] = {f.suffix: f for f in FORMATS}
BY_MEDIA_TYPE: dict[str, DocumentFormat] = {f.media_type: f for f in FORMATS}
RDF_FORMATS: tuple[DocumentFormat, ...] = FORMATS[1:]
SUFFIX_LIST = ", ".join("." + f.suffix for f in FORMATS)

# Dataset syntaxes a client may ask for: a document about one thing is a single graph, so the triple syntax.
_DATASET_TO_GRAPH = {TRIG: TURTLE, NQUADS: NTRIPLES}


def _canonical(media: str) -> str | None:
    """The offered media type a concrete range stands for (aliases included), or None."""
    if media in (HTML, "application/xhtml+xml"):
        return HTML
    try:
        found = format_media_type("graph", media)
    except UnknownFormat:
        return None
    return _DATASET_TO_GRAPH.get(found, found)


def _match(offer: str, ranges: list[MediaRange]) -> MediaRange | None:
    """The most specific range that covers ``offer``."""
    best: MediaRange | None = None
    for r in ranges:
        if r.type == "*/*":
            covers = True
        elif r.specificity == 1:
            covers = offer.startswith(r.type[:-1])
        else:
            covers = _canonical(r.type) == offer
        if covers and (best is None or r.specificity > best.specificity):
            best = r
    return best


def choose_format(accept: str | None) -> DocumentFormat:
    """The document to redirect to; raises ``NotAcceptable`` (message lists the offers) when nothing fits."""
    ranges = parse_accept(accept)
    if not ranges:
        return FORMATS[0]
    best: tuple[float, int, int, int] | None = None
    choice: DocumentFormat | None = None
    for index, offer in enumerate(FORMATS):
        match = _match(offer.media_type, ranges)
        if match is None or match.q <= 0:
            continue
        key = (match.q, match.specificity, -match.order, -index)
        if best is None or key > best:
            best, choice = key, offer
    if choice is None:
        offers = ", ".join(f"{f.media_type} (.{f.suffix})" for f in FORMATS)
        raise NotAcceptable(f"cannot answer in any of the accepted types ({accept}); this resource is available as "
                            + offers)
    return choice
