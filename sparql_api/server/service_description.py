"""SPARQL 1.1 Service Description (sd: vocabulary), served on GET /sparql without a query.

``sd:endpoint`` is the URL the client used (so it matches behind any host name), the dataset lists the named
graphs with their sizes (``void:triples``), and the formats are the W3C ``formats:`` IRIs. The graph sizes are
cached for a few seconds: the description must stay cheap to fetch (clients fetch it often).
"""

from __future__ import annotations

import threading
import time

import pyoxigraph as ox

from sparql_api.server import negotiation as n
from sparql_api.store.base import Store

SD = "http://www.w3.org/ns/sparql-service-description#"
FORMATS = "http://www.w3.org/ns/formats/"
VOID = "http://rdfs.org/ns/void#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
DCTERMS = "http://purl.org/dc/terms/"

_RESULT_FORMATS = {
    n.JSON: "SPARQL_Results_JSON",
    n.XML: "SPARQL_Results_XML",
    n.CSV: "SPARQL_Results_CSV",
    n.TSV: "SPARQL_Results_TSV",
    n.TURTLE: "Turtle",
    n.NTRIPLES: "N-Triples",
    n.RDFXML: "RDF_XML",
    n.JSONLD: "JSON-LD",
    n.TRIG: "TriG",
    n.NQUADS: "N-Quads",
}
_INPUT_FORMATS = ("Turtle", "N-Triples", "RDF_XML", "JSON-LD")
TITLE = "SRKG, the Soil Remediation Knowledge Graph"
PREFIXES = {"sd": SD, "formats": FORMATS, "void": VOID, "dcterms": DCTERMS}


def _sd(name: str) -> ox.NamedNode:
    return ox.NamedNode(SD + name)


class ServiceDescription:
    def __init__(self, store: Store, ttl_seconds: float = 10.0) -> None:
        self._store = store
        self._ttl = ttl_seconds
        self._lock = threading.Lock()
        self._stats: dict[str, int] = {}
        self._stats_at = float("-inf")

    def invalidate(self) -> None:
        """Call after a write so the next description shows the new graph sizes."""
        self._stats_at = float("-inf")

    def _graph_sizes(self) -> dict[str, int]:
        with self._lock:
            if time.monotonic() - self._stats_at > self._ttl:
                self._stats = self._store.stats()
                self._stats_at = time.monotonic()
            return dict(self._stats)

    def triples(self, endpoint: str) -> list[ox.Triple]:
        service = ox.NamedNode(endpoint)
        dataset = ox.BlankNode("dataset")
        default_graph = ox.BlankNode("defaultGraph")
        out = [
            ox.Triple(service, RDF_TYPE, _sd("Service")),
            ox.Triple(service, _sd("endpoint"), service),
            ox.Triple(service, ox.NamedNode(DCTERMS + "title"), ox.Literal(TITLE)),
        ]
        for language in ("SPARQL10Query", "SPARQL11Query", "SPARQL11Update"):
            out.append(ox.Triple(service, _sd("supportedLanguage"), _sd(language)))
        for feature in ("UnionDefaultGraph", "BasicFederatedQuery", "EmptyGraphs"):
            out.append(ox.Triple(service, _sd("feature"), _sd(feature)))
        for name in _RESULT_FORMATS.values():
            out.append(ox.Triple(service, _sd("resultFormat"), ox.NamedNode(FORMATS + name)))
        for name in _INPUT_FORMATS:
            out.append(ox.Triple(service, _sd("inputFormat"), ox.NamedNode(FORMATS + name)))
        out += [
            ox.Triple(service, _sd("defaultDataset"), dataset),
            ox.Triple(dataset, RDF_TYPE, _sd("Dataset")),
            ox.Triple(dataset, _sd("defaultGraph"), default_graph),
            ox.Triple(default_graph, RDF_TYPE, _sd("Graph")),
        ]
        sizes = self._graph_sizes()
        out.append(ox.Triple(default_graph, ox.NamedNode(VOID + "triples"), _integer(sum(sizes.values()))))
        for index, (iri, size) in enumerate(sorted(sizes.items())):
            named = ox.BlankNode(f"namedGraph{index}")
            graph = ox.BlankNode(f"graph{index}")
            out += [
                ox.Triple(dataset, _sd("namedGraph"), named),
                ox.Triple(named, RDF_TYPE, _sd("NamedGraph")),
                ox.Triple(named, _sd("name"), ox.NamedNode(iri)),
                ox.Triple(named, _sd("graph"), graph),
                ox.Triple(graph, RDF_TYPE, _sd("Graph")),
                ox.Triple(graph, ox.NamedNode(VOID + "triples"), _integer(size)),
            ]
        return out

    def serialize(self, endpoint: str, media_type: str) -> bytes:
        fmt = ox.RdfFormat.from_media_type(media_type)
        assert fmt is not None, media_type
        items: list = self.triples(endpoint)
        if fmt.supports_datasets:
            items = [ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in items]
        return ox.serialize(items, format=fmt, prefixes=PREFIXES) or b""


def _integer(value: int) -> ox.Literal:
    return ox.Literal(str(value), datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))
