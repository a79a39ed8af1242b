"""What publishing writes: the accepted revision's graph, marked published, with who published it and when.

The ingest already put the Submission's PROV description into the graph (submitter, source file, every record
``prov:wasGeneratedBy`` the submission) with the status *validated*. Publishing swaps that status for
*published* and adds the publication as a ``prov:Activity`` informed by the submission and associated with the
reviewer, then replaces the submission's named graph in one atomic store operation. Withdrawing drops it.
"""

from __future__ import annotations

from rdflib import RDF, RDFS, XSD, Graph, Literal, URIRef
from rdflib.namespace import FOAF, PROV

from ingest.namespaces import SRKG, concept_iri, data_iri
from ingest.provenance import slug, submission_graph_iri, submission_iri
from sparql_api.store.base import Store

N_TRIPLES = "application/n-triples"


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
