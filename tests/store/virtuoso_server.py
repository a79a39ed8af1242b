"""Start and stop a throw-away Virtuoso 7 on 127.0.0.1 (test-infrastructure-notes.md).

The server gets its own database directory and ini (copied from the Debian package's), listens on free
loopback ports, and is stopped by its process id. Used by the ``virtuoso`` fixture in ``conftest.py``.
"""

from __future__ import annotations

import configparser
import os
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

PACKAGE_INI = Path("/etc/virtuoso-opensource-7/virtuoso.ini")
ADMIN_USER = "dba"
ADMIN_PASSWORD = "dba"


def virtuoso_binary() -> str | None:
    """Path of ``virtuoso-t`` when installed (``scripts/install-virtuoso.sh``)."""
    return shutil.which("virtuoso-t")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def write_ini(
    db_dir: Path,
    sql_port: int,
    http_port: int,
    *,
    result_set_max_rows: int,
    max_query_execution_time_s: int,
) -> Path:
    """Write an ini for a private instance: all files in ``db_dir``, loopback ports, explicit caps."""
    parser = configparser.ConfigParser(
        interpolation=None, strict=False, inline_comment_prefixes=(";",), comment_prefixes=(";", "#")
    )
    parser.optionxform = str  # keep the key case Virtuoso expects
    parser.read(PACKAGE_INI)
    db = parser["Database"]
    for key, name in [
        ("DatabaseFile", "virtuoso.db"),
        ("ErrorLogFile", "virtuoso.log"),
        ("LockFile", "virtuoso.lck"),
        ("TransactionFile", "virtuoso.trx"),
        ("xa_persistent_file", "virtuoso.pxa"),
    ]:
        db[key] = str(db_dir / name)
    temp = parser["TempDatabase"]
    temp["DatabaseFile"] = str(db_dir / "virtuoso-temp.db")
    temp["TransactionFile"] = str(db_dir / "virtuoso-temp.trx")
    params = parser["Parameters"]
    params["ServerPort"] = f"127.0.0.1:{sql_port}"
    params["DirsAllowed"] = f"., /usr/share/virtuoso-opensource-7/vad, {db_dir}"
    params["NumberOfBuffers"] = "20000"
    params["MaxDirtyBuffers"] = "15000"
    parser["HTTPServer"]["ServerPort"] = f"127.0.0.1:{http_port}"
    sparql = parser["SPARQL"]
    # Set the caps explicitly: the client must detect them, never return silently truncated data.
    sparql["ResultSetMaxRows"] = str(result_set_max_rows)
    sparql["MaxQueryExecutionTime"] = str(max_query_execution_time_s)
    sparql["MaxQueryCostEstimationTime"] = "0"  # no up-front refusal; real timeouts are what we test
    ini = db_dir / "virtuoso.ini"
    with ini.open("w", encoding="utf-8") as handle:
        parser.write(handle)
    return ini


@dataclass
class VirtuosoServer:
    """One private Virtuoso process; ``start()`` blocks until its SPARQL endpoint answers."""

    db_dir: Path
    result_set_max_rows: int = 1000
    max_query_execution_time_s: int = 3
    sql_port: int = field(default_factory=free_port)
    http_port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def query_url(self) -> str:
        return f"{self.base_url}/sparql"

    @property
    def update_url(self) -> str:
        return f"{self.base_url}/sparql-auth"

    @property
    def gsp_url(self) -> str:
        return f"{self.base_url}/sparql-graph-crud-auth"

    def start(self, timeout_s: float = 90.0) -> None:
        binary = virtuoso_binary()
        if binary is None:
            raise RuntimeError("virtuoso-t is not installed (run scripts/install-virtuoso.sh)")
        self.db_dir.mkdir(parents=True, exist_ok=True)
        ini = write_ini(
            self.db_dir,
            self.sql_port,
            self.http_port,
            result_set_max_rows=self.result_set_max_rows,
            max_query_execution_time_s=self.max_query_execution_time_s,
        )
        log = (self.db_dir / "stdout.log").open("wb")
        self.process = subprocess.Popen(
            [binary, "-c", str(ini), "+foreground"],
            cwd=self.db_dir,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"virtuoso-t exited with {self.process.returncode}: {self.log_tail()}")
            try:
                response = httpx.get(self.query_url, params={"query": "ASK {}"}, timeout=2.0)
                if response.status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"Virtuoso did not answer within {timeout_s:.0f} s: {self.log_tail()}")

    def log_tail(self, lines: int = 20) -> str:
        log = self.db_dir / "virtuoso.log"
        if not log.exists():
            log = self.db_dir / "stdout.log"
        if not log.exists():
            return "(no log)"
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])

    def stop(self, timeout_s: float = 20.0) -> None:
        """Stop this server by its process id (TERM, then KILL)."""
        process = self.process
        if process is None or process.poll() is not None:
            return
        os.kill(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            os.kill(process.pid, signal.SIGKILL)
            process.wait(timeout=timeout_s)
        self.process = None
