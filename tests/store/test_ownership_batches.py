"""The ownership rule on both backends, with more subjects than one batch query holds."""

from __future__ import annotations

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDFS

from ingest.namespaces import SRKG, base_iri
from sparql_api.store.base import Store
from sparql_api.submissions import ownership

OWN = base_iri() + "graph/submission/mine"
OTHER = base_iri() + "graph/submission/theirs"


def case(n: int) -> URIRef:
    return URIRef(f"{base_iri()}id/case/batch-{n:04d}")


def test_every_resource_published_elsewhere_is_named_across_batches(store: Store) -> None:
    count = ownership.BATCH * 2 + 7
    taken = {3, ownership.BATCH, ownership.BATCH * 2 + 5}  # first, second and last batch
    theirs = "".join(f"<{case(n)}> <{RDFS.label}> \"theirs\" .\n" for n in taken)
    store.add_graph(OTHER, theirs.encode(), "application/n-triples")
    store.add_graph(OWN, f"<{case(1)}> <{RDFS.label}> \"mine before\" .\n".encode(), "application/n-triples")
    upload = Graph()
    for n in range(count):
        upload.add((case(n), RDFS.label, Literal(f"case {n}")))
    upload.add((case(9999), SRKG.assessment, URIRef(base_iri() + "id/assessment/a")))  # a link only: allowed
    store.add_graph(OTHER, f"<{case(9999)}> <{RDFS.label}> \"published\" .\n".encode(), "application/n-triples")

    reasons = ownership.published_elsewhere(upload, store, OWN)

    assert [r.split(">", 1)[0][1:] for r in reasons] == [str(case(n)) for n in sorted(taken)]
    assert all(f"is already published in <{OTHER}>" in r for r in reasons)  # its own graph (case 1) is not a reason
