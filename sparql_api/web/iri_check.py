"""Whether a string taken from a request is an IRI the store accepts (pyoxigraph's own parser decides)."""

from __future__ import annotations

import pyoxigraph as ox


def is_iri(text: str) -> bool:
    try:
        ox.NamedNode(text)
    except ValueError:
        return False
    return True
