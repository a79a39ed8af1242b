"""What publishing writes: the accepted revision's graph, marked published, with who published it and when.

The ingest already put the Submission's PROV description into the graph (submitter, source file, every record
``prov:wasGeneratedBy`` the submission) with the status *validated*. Publishing swaps that status for
*published* and adds the publication as a ``prov:Activity`` informed by the submission and associated with the
reviewer, then replaces the submission's named graph in one atomic store operation (the PROV record goes in
the same write as the data). Withdrawing drops it.

``holds`` tells whether the store has exactly a given publication: the publication record of that revision
is there and the graph has as many triples as the publication wrote. Start-up reconciliation uses it to
decide whether a write the server was killed in reached the store (see ``service.SubmissionService``).
"""

from __future__ import annotations

import pyoxigraph as ox
from rdflib import RDF, RDFS, XSD, Graph, Literal, URIRef
from rdflib.namespace import FOAF, PROV

from ingest.namespaces import SRKG, concept_iri, data_iri
from ingest.provenance import slug, submission_graph_iri, submission_iri
from sparql_api.store.base import Store

N_TRIPLES = "application/n-triples"
_RECORDED = "SELECT ?at WHERE { GRAPH ?g { ?publication <" + str(PROV.endedAtTime) + "> ?at } } LIMIT 1"
_COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"


def publication_iri(key: str, revision: int) -> URIRef:
    return data_iri("publication", f"{key}-r{revision}")


def publication_triples(key: str, revision: int, reviewer: str, at: str) -> Graph:
    """The submission marked published, and the publication activity: by whom, when."""
    graph = Graph()
    submission = submission_iri(key)
    publication = publication_iri(key, revision)
    agent = data_iri("agent", slug(reviewer))
    when = Literal(at, datatype=XSD.dateTime)
    graph.add((submission, SRKG.submissionStatus, concept_iri("submission-status", "published")))
    graph.add((publication, RDF.type, PROV.Activity))
    graph.add((publication, RDFS.label, Literal(f"Publication of submission {key} (revision {revision})")))
    graph.add((publication, PROV.wasInformedBy, submission))
    graph.add((publication, PROV.wasAssociatedWith, agent))
    graph.add((publication, PROV.startedAtTime, when))
    graph.add((publication, PROV.endedAtTime, when))
    graph.add((agent, RDF.type, PROV.Agent))
    graph.add((agent, RDFS.label, Literal(reviewer)))
    graph.add((agent, FOAF.name, Literal(reviewer)))
    return graph


def published_graph(load_graph: bytes, key: str, revision: int, reviewer: str, at: str) -> bytes:
    """The N-Triples to publish: the load graph without its old status line, plus the publication triples."""
    status_prefix = f"<{submission_iri(key)}> <{SRKG.submissionStatus}> ".encode()
    kept = [line for line in load_graph.splitlines(keepends=True)
            if line.strip() and not line.startswith(status_prefix)]
    extra = publication_triples(key, revision, reviewer, at).serialize(format="nt", encoding="utf-8")
    body = b"".join(line if line.endswith(b"\n") else line + b"\n" for line in kept)
    return body + extra


def publish(store: Store, key: str, data: bytes) -> int:
    """Replace the submission's named graph with ``data`` atomically; the number of triples written."""
    return store.replace_graph(str(submission_graph_iri(key)), data, N_TRIPLES)


def withdraw(store: Store, key: str) -> bool:
    """Drop the submission's named graph; whether it existed."""
    return store.drop_graph(str(submission_graph_iri(key)))


def make_durable(store: Store) -> None:
    """Flush the store to disk when the backend can (before the registry records the write: a power cut must
    not leave a registry that says published over a store that lost the graph). A no-op otherwise."""
    flush = getattr(store, "flush", None)
    if callable(flush):
        flush()


def triple_count(data: bytes) -> int:
    """How many distinct triples the N-Triples ``data`` holds (what the store keeps of it)."""
    return len(set(ox.parse(data, format=ox.RdfFormat.N_TRIPLES)))


def holds(store: Store, key: str, revision: int, expected_triples: int | None) -> bool:
    """Whether the submission's graph is exactly revision ``revision``'s publication: its record is there and
    the graph has ``expected_triples`` triples (a partly written graph fails the count; None: not counted)."""
    graph = submission_graph_iri(key)
    if not store.select(_RECORDED, {"g": graph, "publication": publication_iri(key, revision)}):
        return False
    if expected_triples is None:
        return True
    rows = store.select(_COUNT, {"g": graph})
    return bool(rows) and int(rows[0]["n"]) == expected_triples
