"""Runtime settings, read from the environment once (``SRKG_*`` variables)."""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
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
    # A SPARQL query sent by POST may be this long; a GET's path and query string together this long (beyond it,
    # 414 asking for POST: proxies and uvicorn itself refuse long request lines anyway).
    max_query_bytes: int = 1024 * 1024
    max_url_bytes: int = 32 * 1024
    # Per client: requests per minute (0 = no limit) and how many may come at once before the pace applies.
    rate_limit_per_min: int = 300
    rate_burst: int = 60
    # Behind a reverse proxy: the client is the first X-Forwarded-For address, not the proxy.
    trust_proxy: bool = False
    # One JSON line per request on the ``srkg.access`` logger (uvicorn's own access log is then off).
    access_log: bool = True
    # Networks (CIDR) allowed to read /metrics; empty = everyone who can reach the server (Prometheus convention).
    metrics_allow: tuple[str, ...] = ()
    host: str = "127.0.0.1"
    port: int = 8000

    @property
    def store_dir(self) -> Path:
        return self.data_dir / "store"


class SettingsError(ValueError):
    """An SRKG_* variable holds something unusable; the message names the variable."""


def _int(env: Mapping[str, str], name: str, default: int, minimum: int = 0) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name}={raw!r} is not a whole number") from None
    if value < minimum:
        raise SettingsError(f"{name}={raw!r} must be at least {minimum}")
    return value


def _flag(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in ("1", "true", "yes", "on"):
        return True
    if raw in ("0", "false", "no", "off"):
        return False
    raise SettingsError(f"{name}={raw!r} is not a yes/no value (use 1 or 0)")


def _networks(env: Mapping[str, str], name: str) -> tuple[str, ...]:
    items = tuple(env.get(name, "").replace(",", " ").split())
    for item in items:
        try:
            ipaddress.ip_network(item, strict=False)
        except ValueError:
            raise SettingsError(f"{name}: {item!r} is not an IP address or network (e.g. 10.0.0.0/8)") from None
    return items


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
        max_query_bytes=_int(env, "SRKG_MAX_QUERY_BYTES", 1024 * 1024, minimum=1),
        max_url_bytes=_int(env, "SRKG_MAX_URL_BYTES", 32 * 1024, minimum=256),
        rate_limit_per_min=_int(env, "SRKG_RATE_LIMIT", 300),
        rate_burst=_int(env, "SRKG_RATE_BURST", 60, minimum=1),
        trust_proxy=_flag(env, "SRKG_TRUST_PROXY", False),
        access_log=_flag(env, "SRKG_ACCESS_LOG", True),
        metrics_allow=_networks(env, "SRKG_METRICS_ALLOW"),
        host=env.get("SRKG_HOST", "127.0.0.1"),
        port=int(env.get("SRKG_PORT", "8000")),
    )
