"""The ontology's HTML documentation (issue #5): every class and property of ontology/srkg.ttl has an anchor on
/ontology.html with its label, comment, domain and range; machines get Turtle at the same IRI; the project's
vocabularies are browsable under /vocab/{scheme}."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from rdflib import OWL, RDF, RDFS, SKOS, Graph, Literal, URIRef
from server.live_server import LiveServer

REPO = Path(__file__).resolve().parents[2]
SRKG = "https://w3id.org/srkg/ontology#"
KINDS = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return Graph().parse(REPO / "ontology" / "srkg.ttl", format="turtle")


def text(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def english(g: Graph, term: URIRef, predicate: URIRef) -> str | None:
    values = [o for o in g.objects(term, predicate) if isinstance(o, Literal)]
    chosen = [o for o in values if o.language == "en"] or [o for o in values if o.language is None]
    return " ".join(str(chosen[0]).split()) if chosen else None


def term_blocks(page: str) -> dict[str, str]:
    """Anchor → the text of that term's block on the page."""
    parts = re.split(r'<div class="term" id="([^"]+)">', page)
    return {parts[i]: text(parts[i + 1].split('<div class="term"')[0]) for i in range(1, len(parts), 2)}


def test_every_class_and_property_is_documented(site: LiveServer, ontology: Graph) -> None:
    reply = site.request("GET", "/ontology.html?lang=en")
    assert reply.status == 200 and reply.media_type == "text/html"
    blocks = term_blocks(reply.text)
    terms = sorted({t for kind in KINDS for t in ontology.subjects(RDF.type, kind)
                    if isinstance(t, URIRef) and str(t).startswith(SRKG)})
    assert len(terms) > 100
    problems: list[str] = []
    for term in terms:
        name = str(term)[len(SRKG):]
        block = blocks.get(name)
        if block is None:
            problems.append(f"{name}: no anchor")
            continue
        for what, predicate in (("label", RDFS.label), ("comment", RDFS.comment)):
            expected = english(ontology, term, predicate)
            if expected and expected not in block:
                problems.append(f"{name}: {what} {expected[:40]!r}… not shown")
        for what, predicate in (("domain", RDFS.domain), ("range", RDFS.range)):
            for target in ontology.objects(term, predicate):
                if not isinstance(target, URIRef):
                    continue  # unions etc. are shown as they can be
                labels = (english(ontology, target, RDFS.label), english(ontology, target, SKOS.prefLabel))
                names = {re.split(r"[#/]", str(target))[-1].lower()} | {x.lower() for x in labels if x}
                if not any(n in block.lower() for n in names):
                    problems.append(f"{name}: {what} {target} not shown")
    assert not problems, f"{len(problems)} problems, e.g. {problems[:10]}"


def test_machines_get_turtle_at_the_ontology_iri(site: LiveServer, ontology: Graph) -> None:
    reply = site.request("GET", "/ontology", headers={"Accept": "text/turtle"})
    if reply.status == 303:
        reply = site.request("GET", reply.headers["location"].replace(site.url, ""), headers={"Accept": "text/turtle"})
    assert reply.status == 200 and reply.media_type == "text/turtle", reply.status
    served = Graph().parse(data=reply.body, format="turtle")
    for kind in KINDS:
        assert set(ontology.subjects(RDF.type, kind)) <= set(served.subjects(RDF.type, kind))


def test_vocabularies_are_browsable(site: LiveServer) -> None:
    g = Graph()
    for path in sorted((REPO / "ontology" / "vocab").glob("*.ttl")):
        g.parse(path, format="turtle")
    schemes = sorted(s for s in g.subjects(RDF.type, SKOS.ConceptScheme) if str(s).startswith(
        "https://w3id.org/srkg/vocab/"))
    assert len(schemes) > 10
    for scheme in schemes:
        path = str(scheme).removeprefix("https://w3id.org/srkg")
        reply = site.request("GET", path + "?lang=en", headers={"Accept": "text/html"})
        if reply.status == 303:
            reply = site.request("GET", reply.headers["location"].replace(site.url, ""))
        assert reply.status == 200 and reply.media_type == "text/html", (path, reply.status)
        some = next(iter(sorted(g.subjects(SKOS.inScheme, scheme))), None)
        if some is not None:
            assert str(some).removeprefix("https://w3id.org/srkg") in reply.text, (path, some)
