"""Load test with a realistic mix (issue #7): readers of pages, search, SPARQL and downloads, plus one writer.

    .venv/bin/python -m bench.bench_load_mix [--users N | --steps 10,20,40,80,120,160] [--duration 300]
                                             [--json bench/results/load-mix.json]

Starts ``srkg serve`` on 127.0.0.1 with a temporary data directory holding the repository's real data (loaded
with the server's own bootstrap) and an ``srkg export`` (so ``/downloads/`` serve real files), an admin token for
the writer, and the rate limiter off (``SRKG_RATE_LIMIT=0``). Then, in order:

1. **steps** (unless ``--users`` is given): short runs (``--step-duration``, default 40 s) at each user count of
   ``--steps``; the concurrency this machine sustains is the largest step with no failure and an aggregate p99 of
   at most ``--p99-limit`` ms (default 2000) — past it, requests queue and latency climbs instead of throughput
   (if no step stays within the limit: the failure-free step with the highest throughput);
2. **the run**: ``--duration`` seconds (default 300) at that many users.

Reported: per request type p50/p95/p99 and requests/s, failures (5xx counted separately), and the peak RSS of the
server with its query worker processes (sampled every 0.5 s). Exit status 1 if the run saw any failure.
The mix and the judging rules: ``bench/load/locustfile.py`` and ``bench/load/outcomes.py``.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import platform
import socket
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.load.run import RunResult, run_locust  # noqa: E402
from sparql_api.config import load_settings  # noqa: E402
from sparql_api.dataset.export import dated_name, exports_dir, point_latest, write_export  # noqa: E402
from sparql_api.server.bootstrap import bootstrap, state_path  # noqa: E402
from sparql_api.server.tokens import TokenStore, token_store_path  # noqa: E402
from sparql_api.store.oxigraph_store import OxigraphStore  # noqa: E402


def say(message: str) -> None:
    print(f"bench_load_mix: {message}", file=sys.stderr, flush=True)


def prepare(data_dir: Path) -> str:
    """Bootstrap the real data and publish an export in ``data_dir``; return a new admin (project) token.

    Runs in a child process: the embedded store keeps its file lock until the process that opened it exits,
    and the server must open it next.
    """
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
        pool.submit(_load_and_export, data_dir).result()
    return TokenStore(token_store_path(data_dir)).create("load-test-writer")


def _load_and_export(data_dir: Path) -> None:
    store = OxigraphStore(data_dir / "store")
    try:
        bootstrap(store, state_path(data_dir), progress=lambda m: say("  " + m))
        out = exports_dir(data_dir) / dated_name()
        write_export(store, out, base=load_settings().base_iri)
    finally:
        store.close()
    point_latest(data_dir, out)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(data_dir: Path, port: int, log: Path, wait_s: float = 240) -> subprocess.Popen:
    """``srkg serve`` with this data directory (already bootstrapped, so it starts quickly) and no rate limit."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SRKG_")}
    env.update({"SRKG_DATA_DIR": str(data_dir), "SRKG_RATE_LIMIT": "0", "PYTHONUNBUFFERED": "1"})
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "sparql_api.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
            stdout=out, stderr=subprocess.STDOUT, env=env, cwd=REPO,
        )
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"srkg serve exited with {proc.returncode}:\n{log.read_text()}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return proc
        except OSError:
            time.sleep(0.2)
    proc.terminate()
    raise RuntimeError(f"srkg serve did not answer within {wait_s} s:\n{log.read_text()}")


@dataclass
class ServerSampler:
    """Peak resident memory of the server and its children (the query workers), sampled in a thread, and the CPU
    time they used between ``start`` and ``stop`` (to tell a saturated server from a machine busy elsewhere)."""

    pid: int
    interval_s: float = 0.5
    peak_bytes: int = 0
    cpu_s: float = 0.0
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None
    _cpu_start: dict[int, float] = field(default_factory=dict)
    _cpu_last: dict[int, float] = field(default_factory=dict)

    def _processes(self) -> list[psutil.Process]:
        try:
            root = psutil.Process(self.pid)
            return [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            return []

    def sample(self) -> int:
        total = 0
        for proc in self._processes():
            try:
                with proc.oneshot():
                    total += proc.memory_info().rss
                    times = proc.cpu_times()
            except psutil.NoSuchProcess:
                continue
            used = times.user + times.system
            self._cpu_start.setdefault(proc.pid, used)
            self._cpu_last[proc.pid] = used
        return total

    def _loop(self) -> None:
        while not self._stop.is_set():
            self.peak_bytes = max(self.peak_bytes, self.sample())
            self._stop.wait(self.interval_s)

    def start(self) -> ServerSampler:
        self.sample()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join()
        self.peak_bytes = max(self.peak_bytes, self.sample())
        self.cpu_s = sum(self._cpu_last[pid] - self._cpu_start[pid] for pid in self._cpu_last)


def sustained(steps: list[RunResult], p99_limit_ms: float) -> int:
    """The largest user count whose step had no failure and an aggregate p99 within the limit; if no step stays
    within the limit (the machine is saturated already), the failure-free step with the highest throughput."""
    clean = [s for s in steps if s.total.failures == 0]
    if not clean:
        raise SystemExit("every step had failures; see the step results above")
    within = [s.users for s in clean if s.total.p99_ms <= p99_limit_ms]
    if within:
        return max(within)
    best = max(clean, key=lambda s: s.total.rps)
    say(f"no step kept p99 <= {p99_limit_ms:.0f} ms; taking the highest throughput, {best.users} users")
    return best.users


def table(result: RunResult) -> str:
    lines = ["| request | requests | req/s | p50 | p95 | p99 | max | failures |", "|---|---|---|---|---|---|---|---|"]
    for s in [*sorted(result.per_type, key=lambda s: s.name), result.total]:
        name = "**all**" if s is result.total else f"{s.method} {s.name}"
        lines.append(f"| {name} | {s.requests:,} | {s.rps:.2f} | {s.p50_ms:.0f} ms | {s.p95_ms:.0f} ms | "
                     f"{s.p99_ms:.0f} ms | {s.max_ms:.0f} ms | {s.failures} |")
    return "\n".join(lines)


def step_table(steps: list[RunResult]) -> str:
    lines = ["| users | req/s | p50 | p99 | failures |", "|---|---|---|---|---|"]
    lines += [f"| {s.users} | {s.total.rps:.1f} | {s.total.p50_ms:.0f} ms | {s.total.p99_ms:.0f} ms | "
              f"{s.total.failures} |" for s in steps]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, help="run at this many users (skips the steps)")
    parser.add_argument("--steps", default="10,20,40,80,120,160", help="user counts for the stepped short runs")
    parser.add_argument("--step-duration", type=int, default=40, help="seconds per step (default 40)")
    parser.add_argument("--p99-limit", type=float, default=2000, help="aggregate p99 (ms) a step may reach")
    parser.add_argument("--duration", type=int, default=300, help="seconds of the main run (default 300)")
    parser.add_argument("--json", type=Path, help="write the results here")
    args = parser.parse_args(argv)
    steps_wanted = [int(n) for n in args.steps.split(",") if n.strip()]

    with tempfile.TemporaryDirectory(prefix="srkg-load-") as tmp:
        workdir = Path(tmp)
        say("loading the repository data and writing an export")
        token = prepare(workdir / "data")
        port = free_port()
        server = start_server(workdir / "data", port, workdir / "server.log")
        host = f"http://127.0.0.1:{port}"
        try:
            steps: list[RunResult] = []
            if args.users is None:
                for users in steps_wanted:
                    say(f"step: {users} users for {args.step_duration} s")
                    step = run_locust(host, users=users, duration_s=args.step_duration, token=token,
                                      out_prefix=workdir / f"step-{users}")
                    say(f"  {step.total.rps:.1f} req/s, p50 {step.total.p50_ms:.0f} ms, "
                        f"p99 {step.total.p99_ms:.0f} ms, {step.total.failures} failures")
                    steps.append(step)
            users = args.users or sustained(steps, args.p99_limit)
            say(f"run: {users} users for {args.duration} s")
            load_before = os.getloadavg()
            sampler = ServerSampler(server.pid).start()
            result = run_locust(host, users=users, duration_s=args.duration, token=token,
                                out_prefix=workdir / "run")
            sampler.stop()
        finally:
            server.terminate()
            server.wait(timeout=30)

    report = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version(),
                    "load_average_before_run": load_before, "load_average_after_run": os.getloadavg()},
        "p99_limit_ms": args.p99_limit,
        "steps": [s.as_json() for s in steps],
        "run": result.as_json(),
        "server_rss_peak_mb": round(sampler.peak_bytes / 2**20, 1),
        "server_cpu_s": round(sampler.cpu_s, 1),
        "server_cpu_ms_per_request": round(1000 * sampler.cpu_s / max(1, result.total.requests), 1),
    }
    if steps:
        print(step_table(steps) + "\n")
    print(table(result))
    print(f"\n{users} users, {args.duration} s: {result.total.rps:.1f} req/s, {result.server_errors} server errors "
          f"(5xx), {result.total.failures} failures in all; server RSS peak {report['server_rss_peak_mb']} MB; "
          f"server CPU {report['server_cpu_s']} s ({report['server_cpu_ms_per_request']} ms a request, "
          f"{sampler.cpu_s / args.duration:.2f} cores on average); load average before/after "
          f"{load_before[0]:.1f}/{report['machine']['load_average_after_run'][0]:.1f}")
    for failure in result.failures:
        print(f"  {failure.occurrences} × {failure.method} {failure.name}: {failure.error}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return 1 if result.total.failures else 0


if __name__ == "__main__":
    sys.exit(main())
