"""Per-client rate limiting: a token bucket per client address, in bounded memory.

Each client may send ``burst`` requests at once and then ``per_minute`` a minute. A bucket that has refilled is
the same as no bucket, so idle clients are forgotten; past ``max_clients`` the least recently seen go first,
which keeps memory bounded even when a flood comes from many addresses.
"""

from __future__ import annotations

import ipaddress
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    def __init__(
        self,
        per_minute: int,
        burst: int,
        *,
        max_clients: int = 50_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.per_minute = per_minute
        self.burst = max(1, burst)
        self.max_clients = max_clients
        self._rate = per_minute / 60.0  # tokens per second
        self._clock = clock
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        return self.per_minute > 0

    def __len__(self) -> int:
        return len(self._buckets)

    def take(self, client: str) -> float:
        """Spend one token of ``client``'s bucket: 0 when the request may go ahead, else the seconds to wait."""
        if not self.enabled:
            return 0.0
        now = self._clock()
        with self._lock:
            bucket = self._buckets.pop(client, None)
            if bucket is None:
                bucket = _Bucket(float(self.burst), now)
            else:
                bucket.tokens = min(float(self.burst), bucket.tokens + (now - bucket.updated) * self._rate)
                bucket.updated = now
            self._buckets[client] = bucket  # most recently seen last
            self._forget_idle(now)
            if bucket.tokens >= 1.0:
                bucket.tokens -= 1.0
                return 0.0
            return (1.0 - bucket.tokens) / self._rate

    def _forget_idle(self, now: float) -> None:
        """Drop buckets that have refilled (oldest first), and the oldest beyond ``max_clients``."""
        refill_s = self.burst / self._rate
        while self._buckets:
            oldest_key, oldest = next(iter(self._buckets.items()))
            if len(self._buckets) > self.max_clients or now - oldest.updated >= refill_s:
                del self._buckets[oldest_key]
            else:
                break


def retry_after(wait_s: float) -> str:
    """``Retry-After`` in whole seconds, never 0 (a client told 0 would retry at once and be refused again)."""
    return str(max(1, math.ceil(wait_s)))


def client_address(peer: str | None, forwarded_for: str | None, trust_proxy: bool) -> str:
    """Who the client is: the peer address, or behind a trusted proxy the first ``X-Forwarded-For`` address
    (when it is a valid IP; anything else falls back to the peer, so junk cannot mint fresh buckets)."""
    if trust_proxy and forwarded_for:
        first = forwarded_for.split(",")[0].strip()
        try:
            return str(ipaddress.ip_address(first))
        except ValueError:
            pass
    return peer or "unknown"
