"""A query worker process: ``python -m sparql_api.store.oxigraph_worker``.

Why a process: pyoxigraph cannot cancel a running query from Python, so a query that must be stopped runs
where it can be killed. The worker opens a read-only *snapshot* of the store (a RocksDB checkpoint that nobody
writes to) and answers framed requests on stdin with framed responses on stdout (8-byte length + pickle;
both ends are this package). It exits when its parent goes away.
"""

from __future__ import annotations

import gc
import os
import pickle
import resource
import struct
import sys
import threading
import time
from typing import BinaryIO

import pyoxigraph as ox

from sparql_api.store.oxigraph_exec import ExecError, run_query, run_select, text_rows

HEADER = struct.Struct(">Q")


def read_frame(stream: BinaryIO) -> dict | None:
    head = stream.read(HEADER.size)
    if len(head) < HEADER.size:
        return None
    (size,) = HEADER.unpack(head)
    data = stream.read(size)
    if len(data) < size:
        return None
    return pickle.loads(data)


def write_frame(stream: BinaryIO, message: dict) -> None:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(HEADER.pack(len(data)) + data)
    stream.flush()


def _exit_when_orphaned(parent: int) -> None:
    """If the server dies without closing our pipes (SIGKILL mid-query), do not keep running its query."""
    while True:
        time.sleep(0.5)
        if os.getppid() != parent:
            os._exit(0)


class _Snapshot:
    def __init__(self) -> None:
        self.path: str | None = None
        self.store: ox.Store | None = None

    def open(self, path: str) -> ox.Store:
        if path != self.path or self.store is None:
            self.store = None
            gc.collect()  # close the previous snapshot's files before opening the next one
            self.store = ox.Store.read_only(path)
            self.path = path
        return self.store


def handle(snapshot: _Snapshot, request: dict) -> dict:
    op = request.get("op")
    if op == "ping":
        return {"ok": True}
    try:
        store = snapshot.open(request["snapshot"])
        if op == "query":
            body, media_type, kind = run_query(
                store,
                request["sparql"],
                request["media_type"],
                default_graph_uris=request.get("default_graph_uris"),
                named_graph_uris=request.get("named_graph_uris"),
                max_results=request.get("max_results"),
            )
            return {"ok": True, "body": body, "media_type": media_type, "kind": kind}
        if op == "select":
            variables, rows = run_select(
                store, request["sparql"], request.get("substitutions"), request.get("max_results")
            )
            return {"ok": True, "variables": variables, "rows": rows}
        if op == "select_text":  # strings travel back far faster than pickled terms (see Store.select_text)
            variables, rows = run_select(
                store, request["sparql"], request.get("substitutions"), request.get("max_results")
            )
            return {"ok": True, "rows": text_rows(variables, rows)}
        return {"ok": False, "kind": "failed", "message": f"unknown worker operation {op!r}"}
    except ExecError as e:
        return {"ok": False, "kind": e.kind, "message": e.message}
    except MemoryError:  # Python-side collection hit the address-space limit; the pool replaces this worker
        return {"ok": False, "kind": "too_large", "message": memory_message(memory_limit_mb()), "retire": True}
    except OSError as e:
        return {"ok": False, "kind": "failed", "message": f"the store snapshot could not be read: {e}"}
    except Exception as e:  # keep the worker alive and say what went wrong
        return {"ok": False, "kind": "failed", "message": f"the query failed: {type(e).__name__}: {e}"}


def memory_message(megabytes: int) -> str:
    """What the client is told when a query hit the worker's memory limit."""
    return (f"the query needed more than the {megabytes} MB memory limit of a query worker and was stopped; "
            "narrow it down (more specific patterns; no ORDER BY or GROUP BY over everything) and try again")


def memory_limit_mb() -> int:
    """``SRKG_QUERY_MEMORY_MB`` as set by the pool (default 4096, 0 = none)."""
    return int(os.environ.get("SRKG_QUERY_MEMORY_MB", "4096"))


def limit_memory() -> None:
    """Cap this process's address space, so a query that materialises too much (e.g. a huge ORDER BY) dies
    here, with a clear error for its client, instead of taking the machine down."""
    megabytes = memory_limit_mb()
    if megabytes > 0:
        limit = megabytes * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def main() -> int:
    limit_memory()
    requests = sys.stdin.buffer
    responses = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # stray prints must not corrupt the frames
    threading.Thread(target=_exit_when_orphaned, args=(os.getppid(),), daemon=True).start()
    snapshot = _Snapshot()
    try:
        while (request := read_frame(requests)) is not None:
            write_frame(responses, handle(snapshot, request))
    except (BrokenPipeError, KeyboardInterrupt):
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
