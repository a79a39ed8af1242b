"""Values the pages compute from the store (coverage numbers, facts, form options…), dropped at every write.

One rule for all of them, so none can serve data older than the last write: ``forget`` (called through
``ServerContext.data_changed`` after each write) empties the cache and bumps a generation, and a value whose
computation started under an older generation is returned to its caller but never kept.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from sparql_api.server.context import ServerContext

T = TypeVar("T")


class DataCache(Generic[T]):
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._values: dict[Hashable, T] = {}
        self._generation = 0

    def forget(self) -> None:
        with self._lock:
            self._values.clear()
            self._generation += 1

    def get(self, build: Callable[[], T], key: Hashable = None) -> T:
        """The value for ``key``, built now (outside the lock: builds may take seconds) when not kept."""
        with self._lock:
            if key in self._values:
                return self._values[key]
            generation = self._generation
        value = build()
        with self._lock:
            if generation == self._generation:
                self._values[key] = value
        return value


def data_cache(ctx: ServerContext, name: str) -> DataCache:
    """The context's cache called ``name``, created and registered for data changes on first use."""
    cached = ctx.extras.get(name)
    if isinstance(cached, DataCache):
        return cached
    fresh: DataCache = DataCache()
    if ctx.extras.setdefault(name, fresh) is fresh:
        ctx.on_data_changed.append(fresh.forget)
    found = ctx.extras[name]
    assert isinstance(found, DataCache)
    return found
