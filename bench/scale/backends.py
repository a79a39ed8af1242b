"""The places a shape can be answered: an HTTP server (SRKG's ``/sparql`` and pages, or Oxigraph's ``/query``)
or pyoxigraph in-process. Each request is checked (status 200; SRKG's ``X-Cache`` says whether the result cache
answered), so a broken endpoint cannot produce fast-looking numbers."""

from __future__ import annotations

import http.client
import json
import time
from pathlib import Path
from urllib.parse import urlencode

import psutil
import pyoxigraph as ox

from bench.scale.shapes import CACHED, SPARQL, WEB, Shape


class BenchError(RuntimeError):
    """A backend gave a wrong answer; the message names the backend, the shape and the request."""


class HttpBackend:
    """One kept-alive connection to a server; SRKG (pages and cache header) or Oxigraph's own server."""

    def __init__(self, name: str, port: int, *, srkg: bool, pid: int | None = None) -> None:
        self.name, self.port, self.srkg, self.pid = name, port, srkg, pid
        self._conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)

    def supports(self, shape: Shape) -> bool:
        return shape.kind == SPARQL or self.srkg

    def clone(self) -> HttpBackend:
        return HttpBackend(self.name, self.port, srkg=self.srkg, pid=self.pid)

    def run(self, shape: Shape, i: int, *, expect_hit: bool = False) -> float:
        text = shape.make(i)
        path = text if shape.kind == WEB else ("/sparql?" if self.srkg else "/query?") + urlencode({"query": text})
        try:
            elapsed, response, body = self._get(path, shape.accept)
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            # uvicorn closes a kept-alive connection after 5 s idle (e.g. while another backend loads): reconnect
            self._conn.close()
            try:
                elapsed, response, body = self._get(path, shape.accept)
            except OSError as e:
                raise BenchError(f"{self.name} · {shape.name}: GET {path[:200]} failed: {e!r}") from e
        if response.status != 200:
            raise BenchError(f"{self.name} · {shape.name}: GET {path[:200]} → HTTP {response.status}: {body[:300]!r}")
        if self.srkg and shape.kind != WEB:
            cache = response.getheader("X-Cache", "")
            if (cache == "hit") != expect_hit:
                raise BenchError(f"{self.name} · {shape.name}: X-Cache {cache!r} (expected "
                                 f"{'hit' if expect_hit else 'not a hit'}) for {text[-80:]!r}")
        return elapsed

    def _get(self, path: str, accept: str) -> tuple[float, http.client.HTTPResponse, bytes]:
        started = time.perf_counter()
        self._conn.request("GET", path, headers={"Accept": accept})
        response = self._conn.getresponse()
        body = response.read()
        return time.perf_counter() - started, response, body

    def wait_for_evidence_index(self, limit_s: float = 3600.0) -> float:
        """Seconds until the server answers comparisons from its evidence index (``/metrics``), so that the
        comparison is timed as users get it once the server has warmed up, not while the index is being built."""
        started = time.perf_counter()
        while True:
            _, response, body = self._get("/metrics", "text/plain")
            if response.status == 200 and b"\nsrkg_evidence_index_ready 1" in body:
                return time.perf_counter() - started
            if time.perf_counter() - started > limit_s:
                raise BenchError(f"{self.name}: the evidence index was not ready after {limit_s:g} s")
            time.sleep(1.0)

    def wait_for_search_index(self, limit_s: float = 3600.0) -> tuple[float, float | None]:
        """Seconds until the search index (made in the background from server start) is ready per ``/metrics``,
        and how long making it took by the server's own count; then one search must answer 200."""
        started = time.perf_counter()
        while True:
            _, response, body = self._get("/metrics", "text/plain")
            if response.status == 200 and b"\nsrkg_search_index_ready 1" in body:
                break
            if time.perf_counter() - started > limit_s:
                raise BenchError(f"{self.name}: the search index was not ready after {limit_s:g} s")
            time.sleep(1.0)
        waited = time.perf_counter() - started
        built = next((float(line.split()[1]) for line in body.decode().splitlines()
                      if line.startswith("srkg_search_index_build_seconds ")), None)
        _, response, body = self._get("/search.json?q=soil", "application/json")
        if response.status != 200:
            raise BenchError(f"{self.name}: the first search failed: HTTP {response.status}: {body[:300]!r}")
        return waited, built

    def peak_rss_bytes(self) -> int:
        """Sum of the peak resident sets (VmHWM) of the server and its child processes (query workers)."""
        if self.pid is None:
            return 0
        parent = psutil.Process(self.pid)
        return sum(vm_hwm(p.pid) for p in [parent, *parent.children(recursive=True)])

    def close(self) -> None:
        self._conn.close()


def vm_hwm(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except FileNotFoundError:
        pass
    return 0


class InProcessBackend:
    """pyoxigraph ``Store.query`` on a copy of the same store, union default graph, answer serialised to SPARQL
    JSON (what a server must do too)."""

    name = "in-process pyoxigraph"

    def __init__(self, store: ox.Store) -> None:
        self.store = store

    def supports(self, shape: Shape) -> bool:
        return shape.kind == SPARQL

    def clone(self) -> InProcessBackend:
        return self

    def run(self, shape: Shape, i: int, *, expect_hit: bool = False) -> float:
        started = time.perf_counter()
        result = self.store.query(shape.make(i), use_default_graph_as_union=True)
        if isinstance(result, ox.QueryBoolean):
            json.dumps({"head": {}, "boolean": bool(result)})
        else:
            result.serialize(format=ox.QueryResultsFormat.JSON)
        return time.perf_counter() - started

    def close(self) -> None:
        pass


Backend = HttpBackend | InProcessBackend
__all__ = ["CACHED", "Backend", "BenchError", "HttpBackend", "InProcessBackend"]
