"""How RDF terms appear on a page: labels in the reader's language, links, literals and numbers.

A ``Presenter`` is made per request. Labels come from the page's own facts first (a site's ``rdfs:label``, a
case's title), then from the server's label cache; a label in another language than the page's carries that
language so the template marks it (``lang`` attribute). IRIs this server serves become local links (keeping an
explicit ``?lang=``); other http(s) IRIs stay as they are (links elsewhere, never assets).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from urllib.parse import urlencode

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import DCTERMS, RDFS, SKOS, XSD
from rdflib.term import Node
from starlette.requests import Request

from sparql_api.web import i18n
from sparql_api.web.resource_data import Facts
from sparql_api.web.resource_iris import IriSpace
from sparql_api.web.resource_labels import Label, LabelIndex, best_literal
from sparql_api.web.resource_rdf import PREFIXES

LABEL_PROPERTIES = (SKOS.prefLabel, RDFS.label, DCTERMS.title)
_NUMERIC = {XSD.integer, XSD.decimal, XSD.double, XSD.float, XSD.int, XSD.long, XSD.positiveInteger,
            XSD.nonNegativeInteger}


@dataclass(frozen=True)
class Text:
    """Words to show; ``lang`` is the language tag of the data ("" when unknown or the interface's own)."""

    text: str
    lang: str = ""


@dataclass(frozen=True)
class Link:
    """A labelled reference: ``href`` is a local path, an external IRI, or None (not dereferenceable)."""

    text: str
    href: str | None
    lang: str = ""
    iri: str = ""

    @property
    def external(self) -> bool:
        return bool(self.href) and not self.href.startswith("/")


Shown = Link | Text


def local_name(iri: str) -> str:
    """The last segment of an IRI (after ``#`` or ``/``), or the IRI itself."""
    tail = re.split(r"[#/]", iri.rstrip("/#"))[-1]
    return tail or iri


def compact(iri: str) -> str:
    """``skos:prefLabel`` for a well-known namespace, else the IRI itself."""
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{prefix}:{iri[len(namespace):]}"
    return iri


def grouped(lexical: str) -> str:
    """A number with its thousands grouped by thin spaces (language-neutral): ``41 000 000``."""
    try:
        number = Decimal(lexical)
    except (InvalidOperation, ValueError):
        return lexical
    if number == number.to_integral_value() and abs(number) >= 10000:
        return f"{int(number):,}".replace(",", "\u202f")
    return lexical


class Presenter:
    """Turns terms into ``Text`` and ``Link`` for one page in one language."""

    def __init__(self, request: Request, lang: str, labels: LabelIndex, space: IriSpace, facts: Facts) -> None:
        self.lang = lang
        self.labels = labels
        self.space = space
        self.facts = facts
        self.translate = i18n.translator(lang)
        explicit = request.query_params.get("lang")
        self.query = "?" + urlencode({"lang": lang}) if explicit else ""

    # --- links ---------------------------------------------------------------------------------------
    def href(self, iri: str) -> str | None:
        local = self.space.local_path(iri)
        if local is not None:
            path, hash_, fragment = local.partition("#")
            return path + self.query + hash_ + fragment
        if iri.startswith(("http://", "https://")):
            return iri
        return None

    def label(self, node: Node) -> Label:
        """The best label for ``node`` in the reader's language (a literal's own text for literals)."""
        if isinstance(node, Literal):
            return Label(str(node), node.language or "")
        if isinstance(node, BNode):
            return Label("…")
        for prop in LABEL_PROPERTIES:
            found = best_literal(self.facts.literals(node, prop), self.lang)
            if found is not None:
                return found
        cached = self.labels.label(node, self.lang)
        if cached is not None:
            return cached
        return Label(self.labels.notation(node) or self.fallback_name(str(node)))

    def fallback_name(self, iri: str) -> str:
        """An unlabelled IRI: its local name when it is ours, ``prefix:name`` when well known, else itself."""
        if any(iri.startswith(base) for base in self.space.bases):
            return local_name(iri)
        short = compact(iri)
        return short if ":" in short else iri

    def link(self, node: Node) -> Link:
        shown = self.label(node)
        iri = str(node) if isinstance(node, URIRef) else ""
        return Link(shown.text, self.href(iri) if iri else None, shown.lang, iri)

    def symbol(self, node: Node) -> Link:
        """A unit or currency by its symbol (``mg/kg``, ``USD``), its name as the tooltip."""
        notation = self.labels.notation(node) or self.facts.one(node, SKOS.notation)
        link = self.link(node)
        return Link(str(notation), link.href, "", link.iri) if notation else link

    def links(self, nodes: list[Node]) -> list[Link]:
        return sorted((self.link(n) for n in nodes), key=lambda link: link.text.casefold())

    # --- literals ------------------------------------------------------------------------------------
    def text(self, literals: list[Literal]) -> Text | None:
        chosen = best_literal(literals, self.lang)
        return Text(chosen.text, chosen.lang) if chosen else None

    def texts(self, literals: list[Literal]) -> list[Text]:
        """Every literal in the reader's language; if there is none, every one in the best language there is."""
        chosen = best_literal(literals, self.lang)
        if chosen is None:
            return []
        return [Text(str(lit), lit.language or "") for lit in literals if (lit.language or "") == chosen.lang]

    def literal(self, literal: Literal) -> Text:
        if literal.datatype == XSD.boolean:
            return Text(self.translate("pages.yes") if literal.toPython() is True else self.translate("pages.no"))
        if literal.datatype in _NUMERIC:
            return Text(grouped(str(literal)))
        return Text(str(literal), literal.language or "")

    def value(self, node: Node) -> Shown:
        return self.literal(node) if isinstance(node, Literal) else self.link(node)

    def values(self, nodes: list[Node]) -> list[Shown]:
        return [self.value(n) for n in nodes]

    def property_label(self, prop: Node) -> Link:
        return self.link(prop)
