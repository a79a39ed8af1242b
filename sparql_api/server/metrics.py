"""Server metrics and ``GET /metrics`` in the Prometheus text exposition format (version 0.0.4), hand-written.

Labels stay bounded: routes are templates (``/id/{rest:path}``, not each IRI), methods a fixed set, statuses a
class (``2xx``). Who may read /metrics: by Prometheus convention it is open on the network the server listens on;
``SRKG_METRICS_ALLOW`` (CIDR list) narrows it to given networks, and an admin token is always accepted.
"""

from __future__ import annotations

import ipaddress
import threading
import time
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Callable

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from sparql_api.analysis import evidence_index
from sparql_api.server.auth import current_user
from sparql_api.server.context import context
from sparql_api.server.data_cache import metric_lines as data_cache_lines
from sparql_api.server.errors import HTTPProblem
from sparql_api.store.base import Store, StoreError
from sparql_api.web import search_index

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
DURATION_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH"})
CACHE_COUNTERS = ("hits", "misses", "evictions")
CACHE_GAUGES = ("entries", "bytes")
TRIPLES_TTL_S = 60.0
# Where create_app keeps the two on the server context (``ctx.extras``).
METRICS_KEY = "metrics"
TRIPLES_KEY = "triple_count"

router = APIRouter(tags=["Operations"])


def _label(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _number(value: float) -> str:
    return repr(float(value)) if isinstance(value, float) and not value.is_integer() else str(int(value))


class _Histogram:
    def __init__(self) -> None:
        self.counts = [0] * (len(DURATION_BUCKETS) + 1)  # the last one is +Inf
        self.total = 0.0

    def observe(self, value: float) -> None:
        self.counts[bisect_left(DURATION_BUCKETS, value)] += 1
        self.total += value


class Metrics:
    """Counters the request middleware updates (one lock; updates are a few dictionary operations)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.requests: dict[tuple[str, str, str], int] = defaultdict(int)
        self.durations: dict[str, _Histogram] = defaultdict(_Histogram)
        self.in_flight = 0
        self.rate_limited = 0
        self.started = time.time()

    def request_started(self) -> None:
        with self._lock:
            self.in_flight += 1

    def request_finished(self, method: str, route: str, status: int, duration_s: float) -> None:
        method = method if method in METHODS else "other"
        with self._lock:
            self.in_flight -= 1
            self.requests[(method, route, f"{status // 100}xx")] += 1
            self.durations[route].observe(duration_s)

    def limited(self) -> None:
        with self._lock:
            self.rate_limited += 1

    def exposition(self, extra: list[str]) -> str:
        """The text format: HELP/TYPE lines, then samples; ``extra`` lines (store, cache) are appended."""
        with self._lock:
            requests = sorted(self.requests.items())
            durations = sorted((route, list(h.counts), h.total) for route, h in self.durations.items())
            in_flight, limited = self.in_flight, self.rate_limited
        out = [
            "# HELP srkg_http_requests_total HTTP requests answered, by method, route template and status class.",
            "# TYPE srkg_http_requests_total counter",
        ]
        for (method, route, status), count in requests:
            out.append(f'srkg_http_requests_total{{method="{method}",route="{_label(route)}",'
                       f'status="{status}"}} {count}')
        out += [
            "# HELP srkg_http_request_duration_seconds Time from request start to the last byte sent.",
            "# TYPE srkg_http_request_duration_seconds histogram",
        ]
        for route, counts, total in durations:
            running = 0
            for bound, count in zip((*DURATION_BUCKETS, None), counts, strict=True):
                running += count
                le = "+Inf" if bound is None else _number(bound)
                out.append(f'srkg_http_request_duration_seconds_bucket{{route="{_label(route)}",le="{le}"}} {running}')
            out.append(f'srkg_http_request_duration_seconds_sum{{route="{_label(route)}"}} {total!r}')
            out.append(f'srkg_http_request_duration_seconds_count{{route="{_label(route)}"}} {running}')
        out += [
            "# HELP srkg_http_requests_in_flight Requests being answered now.",
            "# TYPE srkg_http_requests_in_flight gauge",
            f"srkg_http_requests_in_flight {in_flight}",
            "# HELP srkg_rate_limited_total Requests refused with 429 by the per-client rate limit.",
            "# TYPE srkg_rate_limited_total counter",
            f"srkg_rate_limited_total {limited}",
            "# HELP srkg_start_time_seconds When this server process started (Unix time).",
            "# TYPE srkg_start_time_seconds gauge",
            f"srkg_start_time_seconds {self.started!r}",
        ]
        return "\n".join(out + extra) + "\n"


class TripleCount:
    """The store's triple count, recomputed at most once a minute (counting walks every graph)."""

    def __init__(self, store: Store, ttl_s: float = TRIPLES_TTL_S) -> None:
        self._store = store
        self._ttl_s = ttl_s
        self._value: int | None = None
        self._at = 0.0
        self._lock = threading.Lock()

    def forget(self) -> None:
        with self._lock:
            self._value = None

    def get(self) -> int | None:
        """The count (None when the store cannot say); blocking, so call it off the event loop."""
        with self._lock:
            if self._value is not None and time.monotonic() - self._at < self._ttl_s:
                return self._value
            try:
                self._value = sum(self._store.stats().values())
            except StoreError:
                return None
            self._at = time.monotonic()
            return self._value


def store_lines(triples: int | None, store: Store) -> list[str]:
    """Store and result-cache samples; the cache part only when the store offers ``cache_stats()``."""
    out: list[str] = []
    if triples is not None:
        out += [
            "# HELP srkg_store_triples Triples in the store's named graphs (refreshed at most once a minute).",
            "# TYPE srkg_store_triples gauge",
            f"srkg_store_triples {triples}",
        ]
    index = evidence_index.index_of(store)
    if index is not None:
        out += [
            "# HELP srkg_evidence_index_ready 1 when comparisons are answered from the in-memory evidence index, "
            "0 while it is being built (they use the SPARQL evidence queries meanwhile).",
            "# TYPE srkg_evidence_index_ready gauge",
            f"srkg_evidence_index_ready {int(index.ready)}",
            "# HELP srkg_evidence_index_cases Case studies in the evidence index.",
            "# TYPE srkg_evidence_index_cases gauge",
            f"srkg_evidence_index_cases {index.case_count()}",
            "# HELP srkg_evidence_index_builds_total Full builds of the evidence index (at start, and after writes "
            "whose graphs could not be told), a read back from disk at start included.",
            "# TYPE srkg_evidence_index_builds_total counter",
            f"srkg_evidence_index_builds_total {index.builds}",
            "# HELP srkg_evidence_index_from_disk 1 when the index was read back from disk at start (and the graphs "
            "written since read again), 0 when it was built.",
            "# TYPE srkg_evidence_index_from_disk gauge",
            f"srkg_evidence_index_from_disk {int(index.restored)}",
        ]
    cache_stats: Callable[[], dict[str, int]] | None = getattr(store, "cache_stats", None)
    stats = cache_stats() if callable(cache_stats) else None
    if isinstance(stats, dict):
        for key in CACHE_COUNTERS:
            if key in stats:
                out += [f"# HELP srkg_result_cache_{key}_total Query result cache {key}.",
                        f"# TYPE srkg_result_cache_{key}_total counter",
                        f"srkg_result_cache_{key}_total {int(stats[key])}"]
        for key in CACHE_GAUGES:
            if key in stats:
                out += [f"# HELP srkg_result_cache_{key} Query result cache {key} now.",
                        f"# TYPE srkg_result_cache_{key} gauge",
                        f"srkg_result_cache_{key} {int(stats[key])}"]
    return out


def may_read(request: Request, allow: tuple[str, ...]) -> bool:
    """Whether this client may read /metrics: everyone when ``allow`` is empty, else those networks or an admin."""
    if not allow:
        return True
    peer = request.client.host if request.client else ""
    try:
        address = ipaddress.ip_address(peer)
    except ValueError:
        address = None
    if address is not None and any(address in ipaddress.ip_network(net, strict=False) for net in allow):
        return True
    try:
        user = current_user(request)
    except HTTPProblem:
        return False
    return user is not None and user.is_admin


@router.get("/metrics", summary="Server metrics (Prometheus text format)", response_class=Response)
async def metrics(request: Request) -> Response:
    ctx = context(request)
    if not may_read(request, ctx.settings.metrics_allow):
        raise HTTPProblem(403, "/metrics is open only to the networks in SRKG_METRICS_ALLOW or an admin token")
    metrics_state: Metrics = ctx.extras[METRICS_KEY]  # type: ignore[assignment]
    triples: TripleCount = ctx.extras[TRIPLES_KEY]  # type: ignore[assignment]
    extra = await run_in_threadpool(lambda: store_lines(triples.get(), ctx.store))
    extra += data_cache_lines(ctx.extras)
    extra += search_index.metric_lines(ctx.extras)
    return Response(metrics_state.exposition(extra), media_type=CONTENT_TYPE)
