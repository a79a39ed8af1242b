"""``WrappingStore``: a store that hands every call to the store it wraps.

The result cache (``result_cache.CachingStore``) and the summaries (``summaries.store.SummarisingStore``) wrap a
backend and change only some calls; this base class is everything they leave alone, written once. Any other
attribute (``start_workers``, ``last_loaded_graphs``…) is the wrapped store's.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path

from rdflib.term import Node

from sparql_api.store.base import SerializedResult, Store


class WrappingStore(Store):
    def __init__(self, inner: Store) -> None:
        self._inner = inner

    @property
    def inner(self) -> Store:
        return self._inner

    def __getattr__(self, name: str) -> object:
        if name.startswith("__") or "_inner" not in self.__dict__:
            raise AttributeError(name)
        return getattr(self._inner, name)

    # --- queries ---------------------------------------------------------------------------------------------
    def select(
        self, sparql: str, bindings: Mapping[str, Node] | None = None, *, timeout: float | None = None
    ) -> list[dict[str, Node]]:
        return self._inner.select(sparql, bindings, timeout=timeout)

    def select_text(
        self, sparql: str, bindings: Mapping[str, Node] | None = None, *, timeout: float | None = None
    ) -> list[dict[str, str]]:
        return self._inner.select_text(sparql, bindings, timeout=timeout)

    def query(
        self,
        sparql: str,
        media_type: str,
        *,
        default_graph_uris: list[str] | None = None,
        named_graph_uris: list[str] | None = None,
        timeout: float | None = None,
        max_results: int | None = None,
    ) -> SerializedResult:
        return self._inner.query(
            sparql, media_type, default_graph_uris=default_graph_uris, named_graph_uris=named_graph_uris,
            timeout=timeout, max_results=max_results,
        )

    # --- writes ----------------------------------------------------------------------------------------------
    def update(self, sparql: str, *, timeout: float | None = None) -> None:
        self._inner.update(sparql, timeout=timeout)

    def add_graph(self, graph_iri: str, data: bytes, media_type: str) -> int:
        return self._inner.add_graph(graph_iri, data, media_type)

    def replace_graph(self, graph_iri: str, data: bytes, media_type: str) -> int:
        return self._inner.replace_graph(graph_iri, data, media_type)

    def replace_graphs(self, contents: Mapping[str, tuple[bytes, str] | None]) -> dict[str, int]:
        return self._inner.replace_graphs(contents)  # the backend's own: one transaction where it can

    def drop_graph(self, graph_iri: str) -> bool:
        return self._inner.drop_graph(graph_iri)

    def bulk_load(self, path: Path, media_type: str, graph_iri: str | None = None) -> int:
        return self._inner.bulk_load(path, media_type, graph_iri)

    def restore(self, path: Path, media_type: str = "application/n-quads") -> int:
        return self._inner.restore(path, media_type)

    # --- reads and housekeeping ------------------------------------------------------------------------------
    def get_graph(self, graph_iri: str, media_type: str) -> bytes | None:
        return self._inner.get_graph(graph_iri, media_type)

    def has_graph(self, graph_iri: str) -> bool:
        return self._inner.has_graph(graph_iri)

    def graphs(self) -> list[str]:
        return self._inner.graphs()

    def stats(self) -> dict[str, int]:
        return self._inner.stats()

    def dump(self, out: Path, media_type: str = "application/n-quads") -> int:
        return self._inner.dump(out, media_type)

    def quads(self) -> Iterator[tuple[Node, Node, Node, Node]]:
        return self._inner.quads()

    def flush(self) -> None:
        self._inner.flush()

    def close(self) -> None:
        self._inner.close()


def find_wrapped(store: Store, kind: type[Store]) -> Store | None:
    """The first store of ``kind`` in ``store``'s chain of wrappers (itself included), if there is one."""
    current: Store | None = store
    while current is not None:
        if isinstance(current, kind):
            return current
        current = current.inner if isinstance(current, WrappingStore) else None
    return None
