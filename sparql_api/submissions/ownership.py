"""A submission may describe only its own records: not resources that another graph already publishes.

Without this, an RDF upload could restate or deface a published case (its triples would merge into the case in
the union default graph once a reviewer publishes). This covers every IRI the store already describes:
the project's data, vocabulary concepts, ontology terms, AGROVOC concepts. The one statement allowed about a
resource published elsewhere is a link that adds to it without changing it: ``<published case> srkg:assessment
<new assessment>`` (the web assessment form). Data IRIs that many submissions legitimately share — agents,
source files (keyed by their SHA-256), source records — are not checked. The check runs when the revision is
validated and again at publication (another submission may have published the same resources meanwhile).
"""

from __future__ import annotations

from collections.abc import Callable

from rdflib import Graph, URIRef

from ingest.namespaces import SRKG, base_iri
from sparql_api.store.base import Store

ALLOWED_ON_PUBLISHED = frozenset({SRKG.assessment})
SHARED_KINDS = frozenset({"agent", "file", "record"})
ELSEWHERE = "SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } FILTER (?g != ?own) } LIMIT 1"


def _kind(iri: str, data_prefix: str) -> str | None:
    """The ``{kind}`` of ``{base}id/{kind}/{key}``, or None for IRIs outside the project's data."""
    if not iri.startswith(data_prefix):
        return None
    return iri[len(data_prefix):].split("/", 1)[0]


def published_elsewhere(graph: Graph, store: Store, own_graph: str) -> list[str]:
    """Reasons to refuse ``graph``: one sentence per resource it describes that another graph already holds."""
    data_prefix = base_iri() + "id/"
    own = URIRef(own_graph)
    reasons = []
    for subject in sorted({s for s in graph.subjects() if isinstance(s, URIRef)}):
        if _kind(str(subject), data_prefix) in SHARED_KINDS:
            continue
        if not set(graph.predicates(subject)) - ALLOWED_ON_PUBLISHED:
            continue
        rows = store.select(ELSEWHERE, {"s": subject, "own": own})
        if rows:
            reasons.append(f"<{subject}> is already published in <{rows[0]['g']}>: a submission may describe only "
                           "its own records. To correct that resource, upload a corrected file to the submission "
                           "that published it; to add to it, give your records their own identifiers")
    return reasons


def ownership_check(store: Store) -> Callable[[Graph, str], list[str]]:
    return lambda graph, own_graph: published_elsewhere(graph, store, own_graph)
