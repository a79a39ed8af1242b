"""Latency per shape, interleaved between backends (request by request, so all see the same machine load),
and throughput with concurrent clients."""

from __future__ import annotations

import statistics
import threading
import time
from collections.abc import Sequence
from typing import Any

from bench.bench_http import percentile
from bench.scale.backends import Backend, BenchError, HttpBackend
from bench.scale.shapes import CACHED, SPARQL, Shape

CONCURRENT_OFFSET = 5_000_000  # run numbers for the throughput phase: never a text the latency phase sent


def _summary(samples: list[float]) -> dict[str, float]:
    return {"n": len(samples), "p50_ms": statistics.median(samples) * 1000,
            "p95_ms": percentile(samples, 0.95) * 1000, "max_ms": max(samples) * 1000}


MIN_SAMPLES = 3


def latencies(backends: Sequence[Backend], shape: Shape, runs: int, warmup: int,
              budget_s: float = float("inf")) -> dict[str, dict[str, Any]]:
    """p50/p95 of ``shape`` on every backend that supports it; run i goes to all backends before run i+1.

    A backend that has spent ``budget_s`` on this shape stops once it has ``MIN_SAMPLES`` timed runs (so one
    pathologically slow backend cannot stall the whole benchmark; its ``n`` says how many runs it got).
    The repeated-query shape goes to SRKG servers only: its first request fills the cache, the rest must hit."""
    chosen = [b for b in backends if b.supports(shape) and (shape.kind != CACHED or (isinstance(b, HttpBackend)
                                                            and b.srkg))]
    samples: dict[str, list[float]] = {b.name: [] for b in chosen}
    spent: dict[str, float] = {b.name: 0.0 for b in chosen}
    failed: dict[str, str] = {}
    for i in range(warmup + runs):
        for backend in chosen:
            mine = samples[backend.name]
            if spent[backend.name] > budget_s and len(mine) >= MIN_SAMPLES:
                continue
            if backend.name in failed:
                continue
            warmed = i >= warmup or spent[backend.name] > budget_s  # over budget: no more warm-up either
            try:
                elapsed = backend.run(shape, i, expect_hit=shape.kind == CACHED and i > 0)
            except BenchError as e:  # recorded and reported: one failing shape must not lose a whole size's run
                failed[backend.name] = str(e)[:400]
                continue
            spent[backend.name] += elapsed
            if warmed:
                mine.append(elapsed)
    done: dict[str, dict[str, Any]] = {name: _summary(values) for name, values in samples.items() if values}
    return done | {name: {"error": message, "n": len(samples[name])} for name, message in failed.items()}


def throughput(backend: Backend, shapes: Sequence[Shape], clients: int, per_client: int) -> dict[str, Any]:
    """``clients`` threads, each with its own connection, each sending ``per_client`` SPARQL requests that cycle
    through the SPARQL shapes; returns requests/s over the wall time, the per-request p50/p95 of the answered ones
    and how many were refused (e.g. 503 when every query worker stayed busy for the time limit)."""
    sparql = [s for s in shapes if s.kind == SPARQL]
    samples: list[list[float]] = [[] for _ in range(clients)]
    errors: list[BaseException] = []
    refused: list[str] = []
    start = threading.Barrier(clients + 1)

    def client(k: int) -> None:
        mine = backend.clone()
        try:
            start.wait()
            for j in range(per_client):
                i = CONCURRENT_OFFSET + k * per_client + j
                try:
                    samples[k].append(mine.run(sparql[(k + j) % len(sparql)], i))
                except BenchError as e:  # an answer such as 503 "server busy": counted, not fatal
                    refused.append(str(e).split(": ", 1)[-1][:200])
        except BaseException as e:  # reported below, with the backend's own message
            errors.append(e)
        finally:
            if mine is not backend:
                mine.close()

    threads = [threading.Thread(target=client, args=(k,), daemon=True) for k in range(clients)]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - began
    if errors:
        raise errors[0]
    flat = [x for per in samples for x in per]
    if not flat:
        return {"clients": clients, "requests": 0, "failed": len(refused), "first_failure": refused[:1],
                "wall_s": wall, "requests_per_s": 0.0}
    return {"clients": clients, "requests": len(flat), "failed": len(refused), "first_failure": refused[:1],
            "wall_s": wall, "requests_per_s": len(flat) / wall, **_summary(flat)}
