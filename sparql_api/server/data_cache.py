"""Values the pages compute from the store (coverage numbers, facts, form options, comparisons…), dropped at every
write.

One rule for all of them, so none can serve data older than the last write: ``forget`` (called through
``ServerContext.data_changed`` after each write) empties the cache and bumps a generation, and a value whose
computation started under an older generation is returned to its caller but never kept. A cache whose keys come
from the request (the comparison's filters) is bounded by ``max_bytes`` as ``weigh`` measures its values (least
recently used dropped first; a value over a quarter of the bound is not kept). Hits and misses are counted for
``/metrics``.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping
from typing import Generic, TypeVar

from sparql_api.server.context import ServerContext

T = TypeVar("T")


class DataCache(Generic[T]):
    def __init__(self, max_bytes: int | None = None, weigh: Callable[[T], int] | None = None) -> None:
        self._lock = threading.Lock()
        self._values: OrderedDict[Hashable, tuple[T, int]] = OrderedDict()
        self._generation = 0
        self.max_bytes = max_bytes
        self._weigh = weigh or (lambda value: 0)
        self.bytes = 0
        self.hits = 0
        self.misses = 0

    def forget(self) -> None:
        with self._lock:
            self._values.clear()
            self.bytes = 0
            self._generation += 1

    def forget_if(self, stale: Callable[[Hashable, T], bool]) -> list[Hashable]:
        """Drop the values ``stale`` picks (a write touched what they were computed from); the keys dropped,
        least recently asked first. Values being computed now are not kept, as after ``forget``."""
        with self._lock:
            dropped = [key for key, (value, _) in self._values.items() if stale(key, value)]
            for key in dropped:
                self.bytes -= self._values.pop(key)[1]
            self._generation += 1
            return dropped

    def __len__(self) -> int:
        return len(self._values)

    def get(self, build: Callable[[], T], key: Hashable = None) -> T:
        """The value for ``key``, built now (outside the lock: builds may take seconds) when not kept."""
        with self._lock:
            if key in self._values:
                self.hits += 1
                self._values.move_to_end(key)
                return self._values[key][0]
            self.misses += 1
            generation = self._generation
        value = build()
        weight = self._weigh(value)
        with self._lock:
            if generation == self._generation and key not in self._values and (
                    self.max_bytes is None or weight <= self.max_bytes // 4):
                self._values[key] = (value, weight)
                self.bytes += weight
                while self.max_bytes is not None and self.bytes > self.max_bytes:
                    self.bytes -= self._values.popitem(last=False)[1][1]
        return value


def data_cache(ctx: ServerContext, name: str, max_bytes: int | None = None,
               weigh: Callable[[T], int] | None = None) -> DataCache:
    """The context's cache called ``name``, created and registered for data changes on first use."""
    cached = ctx.extras.get(name)
    if isinstance(cached, DataCache):
        return cached
    fresh: DataCache = DataCache(max_bytes, weigh)
    if ctx.extras.setdefault(name, fresh) is fresh:
        ctx.on_data_changed.append(fresh.forget)
    found = ctx.extras[name]
    assert isinstance(found, DataCache)
    return found


def metric_lines(extras: Mapping[str, object]) -> list[str]:
    """Prometheus samples of every data cache of the context: hits, misses and entries, labelled by name."""
    caches = sorted((name, cache) for name, cache in extras.items() if isinstance(cache, DataCache))
    if not caches:
        return []
    out = ["# HELP srkg_data_cache_hits_total Answers of the pages' data caches served from memory.",
           "# TYPE srkg_data_cache_hits_total counter"]
    out += [f'srkg_data_cache_hits_total{{cache="{name}"}} {cache.hits}' for name, cache in caches]
    out += ["# HELP srkg_data_cache_misses_total Answers of the pages' data caches computed from the store.",
            "# TYPE srkg_data_cache_misses_total counter"]
    out += [f'srkg_data_cache_misses_total{{cache="{name}"}} {cache.misses}' for name, cache in caches]
    out += ["# HELP srkg_data_cache_entries Values kept now (all dropped at every write).",
            "# TYPE srkg_data_cache_entries gauge"]
    out += [f'srkg_data_cache_entries{{cache="{name}"}} {len(cache)}' for name, cache in caches]
    bounded = [(name, cache) for name, cache in caches if cache.max_bytes is not None]
    if bounded:
        out += ["# HELP srkg_data_cache_bytes Size of the values kept now, in the caches bounded by size.",
                "# TYPE srkg_data_cache_bytes gauge"]
        out += [f'srkg_data_cache_bytes{{cache="{name}"}} {cache.bytes}' for name, cache in bounded]
    return out
