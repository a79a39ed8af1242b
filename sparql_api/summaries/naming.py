"""Which graph summarises which: ``…/graph/summary/<rest>`` beside ``…/graph/<rest>``."""

from __future__ import annotations

import hashlib

from ingest.namespaces import graph_iri

SUMMARY_SEGMENT = "summary/"


def summary_prefix() -> str:
    return str(graph_iri(SUMMARY_SEGMENT))


def is_summary_graph(iri: str) -> bool:
    return iri.startswith(summary_prefix())


def summary_graph(source: str) -> str:
    """The summary graph of ``source``: the same path under ``graph/summary/`` for the project's graphs, a
    digest of the IRI for any other graph (the default graph included: ``DEFAULT_GRAPH`` is not under the base)."""
    if is_summary_graph(source):
        raise ValueError(f"{source} is itself a summary graph")
    own = str(graph_iri(""))
    if source.startswith(own) and source[len(own):] and "#" not in source:
        return summary_prefix() + source[len(own):]
    return summary_prefix() + "iri-" + hashlib.sha256(source.encode("utf-8")).hexdigest()[:32]
