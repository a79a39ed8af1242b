"""Runtime settings, read from the environment once (``SRKG_*`` variables)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from ingest.namespaces import base_iri


def _default_data_dir() -> Path:
    xdg = os.environ.get("XDG_DATA_HOME")
    return (Path(xdg) if xdg else Path.home() / ".local" / "share") / "srkg"


@dataclass(frozen=True)
class Settings:
    base_iri: str = field(default_factory=base_iri)
    data_dir: Path = field(default_factory=_default_data_dir)
    # "oxigraph" (embedded, default) or "sparql" (any remote SPARQL 1.1 store)
    store: str = "oxigraph"
    remote_query_url: str | None = None
    remote_update_url: str | None = None
    remote_gsp_url: str | None = None
    remote_user: str | None = None
    remote_password: str | None = None
    query_timeout_s: float = 30.0
    max_results: int = 100_000
    max_request_bytes: int = 50 * 1024 * 1024
    host: str = "127.0.0.1"
    port: int = 8000

    @property
    def store_dir(self) -> Path:
        return self.data_dir / "store"


def load_settings() -> Settings:
    env = os.environ

    def opt(name: str) -> str | None:
        value = env.get(name)
        return value if value else None

    return Settings(
        data_dir=Path(env["SRKG_DATA_DIR"]) if env.get("SRKG_DATA_DIR") else _default_data_dir(),
        store=env.get("SRKG_STORE", "oxigraph"),
        remote_query_url=opt("SRKG_REMOTE_QUERY_URL"),
        remote_update_url=opt("SRKG_REMOTE_UPDATE_URL"),
        remote_gsp_url=opt("SRKG_REMOTE_GSP_URL"),
        remote_user=opt("SRKG_REMOTE_USER"),
        remote_password=opt("SRKG_REMOTE_PASSWORD"),
        query_timeout_s=float(env.get("SRKG_QUERY_TIMEOUT", "30")),
        max_results=int(env.get("SRKG_MAX_RESULTS", "100000")),
        max_request_bytes=int(env.get("SRKG_MAX_REQUEST_BYTES", str(50 * 1024 * 1024))),
        host=env.get("SRKG_HOST", "127.0.0.1"),
        port=int(env.get("SRKG_PORT", "8000")),
    )
