"""Reuse parsed SPARQL queries inside rdflib.

rdflib parses a query string again on every ``Graph.query`` call, and its parser is slow (~60 ms for a
SHACL-SPARQL constraint). pyshacl evaluates the same constraint texts on every validation, so the parse
dominated the cost of validating one case. rdflib's documented way to reuse a query is ``prepareQuery``
(parse + translate once, evaluate many times with different bindings); this module applies that to every
query string rdflib sees, with a bounded cache. Results are unchanged.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from threading import Lock
from typing import Any

from rdflib.plugins.sparql import processor as sparql_processor
from rdflib.plugins.sparql.sparql import Query

MAX_CACHED = 512
_cache: OrderedDict[tuple[str, str | None, tuple[tuple[str, str], ...]], Query] = OrderedDict()
_lock = Lock()
_original_query = sparql_processor.SPARQLProcessor.query


def prepared(text: str, init_ns: Mapping[str, Any] | None, base: str | None) -> Query:
    key = (text, base, tuple(sorted((k, str(v)) for k, v in (init_ns or {}).items())))
    with _lock:
        query = _cache.get(key)
        if query is not None:
            _cache.move_to_end(key)
            return query
    query = sparql_processor.prepareQuery(text, initNs=dict(init_ns or {}), base=base)
    with _lock:
        _cache[key] = query
        while len(_cache) > MAX_CACHED:
            _cache.popitem(last=False)
    return query


def _query_with_prepared(self: Any, strOrQuery: Any, initBindings: Any = None, initNs: Any = None,
                         base: str | None = None, DEBUG: bool = False) -> Any:
    if isinstance(strOrQuery, str):
        strOrQuery = prepared(strOrQuery, initNs, base)
    return _original_query(self, strOrQuery, initBindings, initNs, base, DEBUG)


def install() -> None:
    """Idempotently route rdflib's SPARQL processor through the prepared-query cache."""
    sparql_processor.SPARQLProcessor.query = _query_with_prepared  # type: ignore[method-assign]
