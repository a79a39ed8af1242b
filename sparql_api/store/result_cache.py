"""A result cache in front of any store backend, for ``srkg serve`` (issue #6).

Why here and not in the web layer: every reader (the /sparql endpoint, the pages' own ``select`` calls) and every
writer (SPARQL Update, Graph Store Protocol, submissions, bootstrap) goes through the ``Store`` interface, so a
wrapper sees all writes and can never miss an invalidation that some route forgot to announce.

Correctness rule: an answer is stored only under the store version that was current when the query *started*,
and only if no write began or ended meanwhile. Every write bumps the version before and after it runs, so an
answer computed across a write is never kept, and every entry is dropped on each bump.

A remote store (Virtuoso…) may also be written behind SRKG's back, which no wrapper can see; there entries
expire after ``SRKG_RESULT_CACHE_TTL`` seconds (default 60). Nobody else can write the embedded store (RocksDB
locks its directory), so there entries live until the next write or until evicted.

Settings (read here, from the environment): ``SRKG_RESULT_CACHE_MB`` total size (default 64, ``0`` disables the
cache); ``SRKG_RESULT_CACHE_TTL`` seconds an entry may be served (a positive number, or ``none``).
"""

from __future__ import annotations

import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from rdflib.term import Node

from sparql_api.store.base import SerializedResult, Store, StoreError
from sparql_api.store.wrapping import WrappingStore

ENV_MB = "SRKG_RESULT_CACHE_MB"
ENV_TTL = "SRKG_RESULT_CACHE_TTL"
DEFAULT_MB = 64.0
REMOTE_DEFAULT_TTL_S = 60.0
ENTRY_SHARE = 8  # one answer may take at most 1/8 of the cache: a few big answers must not flush everything
ENTRY_OVERHEAD = 256  # bytes counted per entry for key, bookkeeping and object headers (an estimate)

T = TypeVar("T")


# --- settings ------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class CacheSettings:
    max_bytes: int  # 0: no cache
    ttl_s: float | None  # None: entries live until the next write (or eviction)


def cache_settings(environ: Mapping[str, str], *, remote: bool) -> CacheSettings:
    """The cache size and TTL from the environment; a bad value is a ``StoreError`` naming the variable."""
    raw_mb = environ.get(ENV_MB, "").strip()
    try:
        mb = float(raw_mb) if raw_mb else DEFAULT_MB
    except ValueError:
        mb = -1.0
    if not mb >= 0 or mb == float("inf"):
        raise StoreError(f"{ENV_MB}={raw_mb!r}: give the result cache size in megabytes (e.g. 64), or 0 to disable it")
    raw_ttl = environ.get(ENV_TTL, "").strip()
    ttl: float | None
    if not raw_ttl:
        ttl = REMOTE_DEFAULT_TTL_S if remote else None
    elif raw_ttl.lower() == "none":
        ttl = None
    else:
        try:
            ttl = float(raw_ttl)
        except ValueError:
            ttl = -1.0
        if not ttl > 0 or ttl == float("inf"):
            raise StoreError(
                f"{ENV_TTL}={raw_ttl!r}: give the seconds an answer may be served from the cache (e.g. 60), "
                f"or 'none' for no time limit; {ENV_MB}=0 disables the cache"
            )
    return CacheSettings(max_bytes=int(mb * 1024 * 1024), ttl_s=ttl)


def with_result_cache(store: Store, settings: CacheSettings) -> Store:
    """``store`` behind a ``CachingStore``, or ``store`` itself when the cache is disabled."""
    if settings.max_bytes <= 0:
        return store
    return CachingStore(store, max_bytes=settings.max_bytes, ttl_s=settings.ttl_s)


# --- query text normalisation --------------------------------------------------------------------------------
_LITERAL_OR_IRI = (
    r'"""(?:(?:"|"")?(?:[^"\\]|\\.))*"""'  # the SPARQL grammar's STRING_LITERAL_LONG2, LONG1, then short forms
    r"|'''(?:(?:'|'')?(?:[^'\\]|\\.))*'''"
    r'|"(?:[^"\\\n\r]|\\.)*"'
    r"|'(?:[^'\\\n\r]|\\.)*'"
    r'|<[^<>"{}|^`\\\x00-\x20]*>'  # IRIREF; a "<" that is not one is the less-than operator
)
_TOKEN = re.compile(
    rf"(?P<keep>{_LITERAL_OR_IRI})|(?P<space>\s+)|(?P<comment>#[^\n\r]*)|(?P<escape>\\.)"
    r"|(?P<quote>[\"'])|(?P<code>[^\s#\"'<\\]+|.)",
    re.DOTALL,
)
# Words whose answers change without any write: remote SERVICE data, the clock, random numbers and identifiers.
_VOLATILE = re.compile(r"\b(?:service|now|rand|uuid|struuid)\b", re.IGNORECASE)


_MEMO: dict[str, tuple[str, bool]] = {}
MEMO_SIZE = 1024  # query texts whose normal form is remembered: a hit then costs a dict look-up, not a scan
MEMO_MAX_CHARS = 8192  # longer texts are scanned each time (the memo must stay small)


def normalise(sparql: str) -> tuple[str, bool]:
    """``_normalise``, remembered for the most recent texts (cleared when full: no ordering to maintain)."""
    known = _MEMO.get(sparql)
    if known is None:
        known = _normalise(sparql)
        if len(sparql) > MEMO_MAX_CHARS:
            return known
        if len(_MEMO) >= MEMO_SIZE:
            _MEMO.clear()
        _MEMO[sparql] = known
    return known


def _normalise(sparql: str) -> tuple[str, bool]:
    """(the cache key text, whether the answer may be cached).

    Only changes that cannot alter the meaning: trim, collapse whitespace and drop ``#`` comments — never inside
    string literals or IRIs. Should the text hold an unterminated quote, the rest is kept verbatim."""
    out: list[str] = []
    cacheable = True
    for match in _TOKEN.finditer(sparql):
        kind = match.lastgroup
        if kind in ("space", "comment"):
            if out and out[-1] != " ":
                out.append(" ")
        elif kind == "quote":
            out.append(sparql[match.start():])
            break
        else:
            text = match.group()
            if kind == "code" and _VOLATILE.search(text):
                cacheable = False
            out.append(text)
    return "".join(out).strip(), cacheable


# --- the cache -----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class CachedResult(SerializedResult):
    """A query answer that says whether it came from the cache (the /sparql endpoint sends it as ``X-Cache``)."""

    cache_status: str  # "hit" | "miss"


@dataclass
class _Entry:
    value: object
    size: int
    expires: float | None


def _term_key(value: Node) -> tuple[str, str, object, object]:
    """A binding's identity for the key: the lexical form with its datatype and language, so ``"1"`` and ``1``
    differ. (Not ``n3()``: it raises on an invalid IRI, which the wrapped store must get to refuse itself.)"""
    return type(value).__name__, str(value), getattr(value, "language", None), getattr(value, "datatype", None)


def _rows_size(rows: list[dict[str, Node]]) -> int:
    """Rough memory of SELECT rows (dict and term objects); only used to keep the total under the cap."""
    return sum(240 + sum(120 + len(name) + 2 * len(str(value)) for name, value in row.items()) for row in rows)


class CachingStore(WrappingStore):
    """Wraps ``inner``: caches ``query`` and ``select`` answers, forgets them all on every write.

    LRU by total (estimated) bytes; answers larger than ``max_entry_bytes`` are passed through uncached. Errors
    and timeouts propagate and are never cached. Safe to call from several threads. Any other attribute
    (``start_workers``…) is the wrapped store's."""

    def __init__(
        self,
        inner: Store,
        *,
        max_bytes: int,
        max_entry_bytes: int | None = None,
        ttl_s: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if max_bytes <= 0:
            raise ValueError("max_bytes must be positive (no cache: do not wrap the store)")
        super().__init__(inner)
        self._max_bytes = max_bytes
        self._max_entry_bytes = min(max_bytes, max_entry_bytes or max_bytes // ENTRY_SHARE)
        self._ttl_s = ttl_s
        self._clock = clock
        self._lock = threading.Lock()
        self._version = 0
        self._entries: OrderedDict[Hashable, _Entry] = OrderedDict()
        self._bytes = 0
        self._hits = 0
        self._misses = 0
        self._evictions = 0

    # --- bookkeeping ---------------------------------------------------------------------------------------
    def cache_stats(self) -> dict[str, int]:
        """Counters for /metrics: hits, misses, entries, bytes, evictions (LRU evictions, not invalidations)."""
        with self._lock:
            return {
                "hits": self._hits,
                "misses": self._misses,
                "entries": len(self._entries),
                "bytes": self._bytes,
                "evictions": self._evictions,
            }

    def _lookup(self, key: Hashable) -> tuple[object | None, int]:
        """(the cached value or None, the version the caller's answer will belong to)."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and entry.expires is not None and self._clock() >= entry.expires:
                self._drop(key)
                entry = None
            if entry is None:
                self._misses += 1
                return None, self._version
            self._entries.move_to_end(key)
            self._hits += 1
            return entry.value, self._version

    def _keep(self, key: Hashable, value: object, size: int, version: int) -> None:
        size += ENTRY_OVERHEAD
        if size > self._max_entry_bytes:
            return
        expires = self._clock() + self._ttl_s if self._ttl_s is not None else None
        with self._lock:
            if version != self._version:  # a write began or ended while the query ran
                return
            if key in self._entries:
                self._drop(key)
            self._entries[key] = _Entry(value, size, expires)
            self._bytes += size
            while self._bytes > self._max_bytes:
                self._drop(next(iter(self._entries)))
                self._evictions += 1

    def _bypass(self) -> None:
        """Count a query whose answer may not be cached (SERVICE, NOW()…) as a miss."""
        with self._lock:
            self._misses += 1

    def _drop(self, key: Hashable) -> None:
        self._bytes -= self._entries.pop(key).size

    def _bump(self) -> None:
        with self._lock:
            self._version += 1
            self._entries.clear()
            self._bytes = 0

    def _write(self, operation: Callable[[], T]) -> T:
        """Run a write between two version bumps: nothing computed before or during it survives."""
        self._bump()
        try:
            return operation()
        finally:
            self._bump()

    # --- queries -------------------------------------------------------------------------------------------
    def select(
        self, sparql: str, bindings: Mapping[str, Node] | None = None, *, timeout: float | None = None
    ) -> list[dict[str, Node]]:
        text, cacheable = normalise(sparql)
        if not cacheable:
            self._bypass()
            return self._inner.select(sparql, bindings, timeout=timeout)
        key = ("select", text, tuple(sorted((name, _term_key(value)) for name, value in (bindings or {}).items())))
        cached, version = self._lookup(key)
        if isinstance(cached, list):
            return [dict(row) for row in cached]  # a copy: callers may change theirs
        rows = self._inner.select(sparql, bindings, timeout=timeout)
        kept = [dict(row) for row in rows]
        self._keep(key, kept, _rows_size(kept), version)
        return rows

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
        text, cacheable = normalise(sparql)
        key = (
            "query",
            text,
            media_type,
            None if default_graph_uris is None else tuple(default_graph_uris),
            None if named_graph_uris is None else tuple(named_graph_uris),
            max_results,
        )
        version = -1
        if cacheable:
            cached, version = self._lookup(key)
            if isinstance(cached, SerializedResult):
                return CachedResult(cached.body, cached.media_type, cached.kind, cache_status="hit")
        else:
            self._bypass()
        result = self._inner.query(
            sparql,
            media_type,
            default_graph_uris=default_graph_uris,
            named_graph_uris=named_graph_uris,
            timeout=timeout,
            max_results=max_results,
        )
        if cacheable:
            self._keep(key, result, len(result.body) + len(text), version)
        return CachedResult(result.body, result.media_type, result.kind, cache_status="miss")

    # --- writes: each one invalidates ---------------------------------------------------------------------
    def update(self, sparql: str, *, timeout: float | None = None) -> None:
        self._write(lambda: self._inner.update(sparql, timeout=timeout))

    def add_graph(self, graph_iri: str, data: bytes, media_type: str) -> int:
        return self._write(lambda: self._inner.add_graph(graph_iri, data, media_type))

    def replace_graph(self, graph_iri: str, data: bytes, media_type: str) -> int:
        return self._write(lambda: self._inner.replace_graph(graph_iri, data, media_type))

    def drop_graph(self, graph_iri: str) -> bool:
        return self._write(lambda: self._inner.drop_graph(graph_iri))

    def replace_graphs(self, contents: Mapping[str, tuple[bytes, str] | None]) -> dict[str, int]:
        return self._write(lambda: self._inner.replace_graphs(contents))

    def bulk_load(self, path: Path, media_type: str, graph_iri: str | None = None) -> int:
        return self._write(lambda: self._inner.bulk_load(path, media_type, graph_iri))

    def restore(self, path: Path, media_type: str = "application/n-quads") -> int:
        return self._write(lambda: self._inner.restore(path, media_type))
