"""Run the locustfile headless against a server and read its CSV statistics back (used by the benchmark runner
and by the CI smoke test, so both judge a run the same way)."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from bench.load.outcomes import SERVER_ERROR

LOCUSTFILE = Path(__file__).resolve().parent / "locustfile.py"
REPO = LOCUSTFILE.parents[2]
TOKEN_VAR = "SRKG_LOAD_TOKEN"


class LoadRunError(RuntimeError):
    """Locust could not run or wrote no statistics; the message carries its output."""


@dataclass(frozen=True)
class RequestStats:
    """One request type (or the aggregate) of a run; times in milliseconds."""

    method: str
    name: str
    requests: int
    failures: int
    rps: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float


@dataclass(frozen=True)
class Failure:
    method: str
    name: str
    error: str
    occurrences: int

    @property
    def server_error(self) -> bool:
        return SERVER_ERROR in self.error


@dataclass(frozen=True)
class RunResult:
    users: int
    duration_s: float
    per_type: list[RequestStats]
    total: RequestStats
    failures: list[Failure]

    @property
    def server_errors(self) -> int:
        """5xx answers (locust also records connection errors here as other failures)."""
        return sum(f.occurrences for f in self.failures if f.server_error)

    def as_json(self) -> dict[str, Any]:
        return {"users": self.users, "duration_s": self.duration_s, "total": asdict(self.total),
                "per_type": [asdict(s) for s in self.per_type], "failures": [asdict(f) for f in self.failures],
                "server_errors": self.server_errors}


def _number(row: dict[str, str], key: str) -> float:
    value = row.get(key, "")
    return float(value) if value not in ("", "N/A") else 0.0


def _stats(row: dict[str, str]) -> RequestStats:
    return RequestStats(method=row["Type"], name=row["Name"], requests=int(row["Request Count"]),
                        failures=int(row["Failure Count"]), rps=_number(row, "Requests/s"),
                        p50_ms=_number(row, "50%"), p95_ms=_number(row, "95%"), p99_ms=_number(row, "99%"),
                        max_ms=_number(row, "Max Response Time"))


def read_results(prefix: Path, users: int, duration_s: float) -> RunResult:
    """Parse ``<prefix>_stats.csv`` and ``<prefix>_failures.csv`` as locust writes them."""
    stats_file = Path(f"{prefix}_stats.csv")
    if not stats_file.exists():
        raise LoadRunError(f"locust wrote no statistics at {stats_file}")
    with stats_file.open(newline="", encoding="utf-8") as f:
        rows = [_stats(row) for row in csv.DictReader(f)]
    total = [s for s in rows if s.name == "Aggregated"]
    if len(total) != 1:
        raise LoadRunError(f"{stats_file}: no 'Aggregated' row")
    with Path(f"{prefix}_failures.csv").open(newline="", encoding="utf-8") as f:
        failures = [Failure(row["Method"], row["Name"], row["Error"], int(row["Occurrences"]))
                    for row in csv.DictReader(f)]
    return RunResult(users, duration_s, [s for s in rows if s.name != "Aggregated"], total[0], failures)


def run_locust(host: str, *, users: int, duration_s: int, out_prefix: Path, token: str | None,
               spawn_rate: float | None = None, timeout_s: float | None = None) -> RunResult:
    """``locust --headless`` for ``duration_s`` against ``host`` in a subprocess (gevent stays out of the caller)."""
    rate = spawn_rate or max(1.0, users / 5)
    command = [sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless", "--host", host,
               "-u", str(users), "-r", str(rate), "-t", f"{duration_s}s", "--stop-timeout", "10",
               "--csv", str(out_prefix), "--only-summary", "--loglevel", "WARNING"]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop(TOKEN_VAR, None)
    if token:
        env[TOKEN_VAR] = token
    limit = timeout_s or duration_s + 90
    try:
        done = subprocess.run(command, env=env, cwd=REPO, capture_output=True, text=True, timeout=limit)
    except subprocess.TimeoutExpired as e:
        raise LoadRunError(f"locust did not finish within {limit} s") from e
    # Exit status 1 only means "some requests failed"; the statistics say which. Anything else is a crash.
    if done.returncode not in (0, 1):
        raise LoadRunError(f"locust exited with {done.returncode}:\n{done.stderr[-4000:]}")
    try:
        return read_results(out_prefix, users, duration_s)
    except LoadRunError as e:
        raise LoadRunError(f"{e}\n{done.stderr[-4000:]}") from e
