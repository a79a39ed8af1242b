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

from collections.abc import Callable, Iterator

import pyoxigraph as ox
from rdflib import Graph, URIRef

from ingest.namespaces import SRKG, base_iri
from sparql_api.store.base import Store

ALLOWED_ON_PUBLISHED = frozenset({SRKG.assessment})
SHARED_KINDS = frozenset({"agent", "file", "record"})
ELSEWHERE = "SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } FILTER (?g != ?own) } LIMIT 1"
# Many subjects per query: one round trip per batch matters on a remote store (one HTTP request each otherwise).
ELSEWHERE_MANY = ("SELECT ?s (SAMPLE(?g) AS ?in) WHERE {{ VALUES ?s {{ {subjects} }} GRAPH ?g {{ ?s ?p ?o }} "
                  "FILTER (?g != ?own) }} GROUP BY ?s")
BATCH = 200


def _kind(iri: str, data_prefix: str) -> str | None:
    """The ``{kind}`` of ``{base}id/{kind}/{key}``, or None for IRIs outside the project's data."""
    if not iri.startswith(data_prefix):
        return None
    return iri[len(data_prefix):].split("/", 1)[0]


def published_elsewhere(graph: Graph, store: Store, own_graph: str) -> list[str]:
    """Reasons to refuse ``graph``: one sentence per resource it describes that another graph already holds."""
    data_prefix = base_iri() + "id/"
    own = URIRef(own_graph)
    checked = sorted(
        s for s in {s for s in graph.subjects() if isinstance(s, URIRef)}
        if _kind(str(s), data_prefix) not in SHARED_KINDS and set(graph.predicates(s)) - ALLOWED_ON_PUBLISHED
    )
    holders = dict(_holders(store, checked, own))
    return [f"<{subject}> is already published in <{holders[subject]}>: a submission may describe only its own "
            "records. To correct that resource, upload a corrected file to the submission that published it; to "
            "add to it, give your records their own identifiers" for subject in checked if subject in holders]


def _holders(store: Store, subjects: list[URIRef], own: URIRef) -> Iterator[tuple[URIRef, str]]:
    """(subject, another graph holding it) for the subjects some other graph describes."""
    for start in range(0, len(subjects), BATCH):
        batch = subjects[start:start + BATCH]
        try:  # pyoxigraph writes each IRI (and refuses an invalid one): no text of the upload is pasted as is
            terms = " ".join(str(ox.NamedNode(str(s))) for s in batch)
        except ValueError:
            for subject in batch:  # one bound parameter at a time for a batch holding an IRI SPARQL cannot write
                rows = store.select(ELSEWHERE, {"s": subject, "own": own})
                if rows:
                    yield subject, str(rows[0]["g"])
            continue
        for row in store.select(ELSEWHERE_MANY.format(subjects=terms), {"own": own}):
            yield URIRef(str(row["s"])), str(row["in"])


def ownership_check(store: Store) -> Callable[[Graph, str], list[str]]:
    return lambda graph, own_graph: published_elsewhere(graph, store, own_graph)
