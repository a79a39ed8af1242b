"""A small pool of killable query worker processes (see ``oxigraph_worker``).

A query gets an idle worker, runs there against the newest snapshot, and is stopped by killing the worker
when its time is up; a fresh worker takes the dead one's place at once. Other queries keep running on the
other workers meanwhile, and writes never wait for queries (they go to the main process's store). Each worker's
address space is capped (``SRKG_QUERY_MEMORY_MB``): a query that needs more ends with a clear error, the worker is
replaced, and the machine never swaps for one query.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import queue
import select
import signal
import subprocess
import sys
import threading
import time

from sparql_api.store.oxigraph_snapshots import Snapshots
from sparql_api.store.oxigraph_worker import HEADER, memory_message


class WorkerTimeout(Exception):
    """The worker did not answer in time (it has been killed)."""


class WorkerCrashed(Exception):
    """The worker died or broke the protocol (it has been replaced)."""


class WorkerOutOfMemory(WorkerCrashed):
    """The query needed more memory than a worker may use (the worker has been replaced)."""


class PoolBusy(Exception):
    """No worker became free within the time limit."""


class _Worker:
    def __init__(self, memory_mb: int) -> None:
        env = dict(os.environ)
        env.setdefault("PYTHONUNBUFFERED", "1")
        env["SRKG_QUERY_MEMORY_MB"] = str(memory_mb)  # the worker caps its own address space (RLIMIT_AS)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "sparql_api.store.oxigraph_worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            bufsize=0,
            env=env,
            close_fds=True,
        )
        self.snapshot: str | None = None

    def send(self, message: dict) -> None:
        data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
        assert self.proc.stdin is not None
        self.proc.stdin.write(HEADER.pack(len(data)) + data)

    def _read(self, size: int, deadline: float) -> bytes:
        assert self.proc.stdout is not None
        fd = self.proc.stdout.fileno()
        chunks: list[bytes] = []
        remaining = size
        while remaining:
            wait = deadline - time.monotonic()
            if wait <= 0:
                raise WorkerTimeout
            ready, _, _ = select.select([fd], [], [], wait)
            if not ready:
                raise WorkerTimeout
            chunk = os.read(fd, min(remaining, 1 << 20))
            if not chunk:
                raise WorkerCrashed("the query worker exited unexpectedly")
            chunks.append(chunk)
            remaining -= len(chunk)
        return b"".join(chunks)

    def receive(self, deadline: float) -> dict:
        (size,) = HEADER.unpack(self._read(HEADER.size, deadline))
        return pickle.loads(self._read(size, deadline))

    def kill(self) -> None:
        self.proc.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):  # SIGKILL does not fail on Linux
            self.proc.wait(timeout=5)
        for stream in (self.proc.stdin, self.proc.stdout):
            if stream is not None:
                stream.close()


class QueryPool:
    def __init__(self, size: int, snapshots: Snapshots, memory_mb: int = 4096) -> None:
        """``size`` workers, each limited to ``memory_mb`` MB of address space (0 = no limit)."""
        if size < 1:
            raise ValueError("the query pool needs at least one worker")
        self._memory_mb = memory_mb
        self._snapshots = snapshots
        self._idle: queue.SimpleQueue[_Worker] = queue.SimpleQueue()
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        self._closed = False
        for _ in range(size):
            self._idle.put(self._spawn())

    def _spawn(self) -> _Worker:
        worker = _Worker(self._memory_mb)
        with self._lock:
            self._all.add(worker)
        return worker

    def _retire(self, worker: _Worker) -> None:
        worker.kill()
        self._snapshots.release(worker.snapshot)
        with self._lock:
            self._all.discard(worker)
            if self._closed:
                return
        self._idle.put(self._spawn())

    def call(self, request: dict, timeout: float) -> dict:
        """Run ``request`` on a worker; raise PoolBusy, WorkerTimeout or WorkerCrashed.

        Waiting for a free worker and running on it are limited separately, each by ``timeout``: a query
        that waited its turn still gets its full time (and a fresh worker is never killed for a wait).
        """
        try:
            worker = self._idle.get(timeout=max(timeout, 0.001))
        except queue.Empty:
            raise PoolBusy from None
        deadline = time.monotonic() + timeout
        snapshot = self._snapshots.checkout()
        previous = worker.snapshot
        if previous == snapshot:
            self._snapshots.release(snapshot)  # the worker already holds it
            previous = None
        else:
            worker.snapshot = snapshot
        try:
            worker.send({**request, "snapshot": snapshot})
            response = worker.receive(deadline)
        except WorkerTimeout:
            self._snapshots.release(previous)
            self._retire(worker)
            raise
        except (OSError, EOFError, pickle.UnpicklingError, WorkerCrashed) as e:
            self._snapshots.release(previous)
            time.sleep(0.05)  # let a dying worker finish dying, to read its exit status
            status = worker.proc.poll()
            self._retire(worker)
            if status == -signal.SIGABRT and self._memory_mb:
                # The engine aborts the process when an allocation is refused under RLIMIT_AS.
                raise WorkerOutOfMemory(memory_message(self._memory_mb)) from e
            if status is not None and status < 0:
                raise WorkerCrashed(f"the query worker was ended by signal {-status} (the system may be short of "
                                    "memory)") from e
            raise WorkerCrashed(f"the query worker failed: {e}") from e
        self._snapshots.release(previous)
        if response.get("retire"):  # the worker ran out of memory in Python code: its state is suspect
            self._retire(worker)
        else:
            self._idle.put(worker)
        return response

    def close(self) -> None:
        with self._lock:
            self._closed = True
            workers = list(self._all)
            self._all.clear()
        for worker in workers:
            worker.kill()
