"""The manifest of a backup archive: what it holds, with a checksum and counted records for every member.

Restore trusts nothing it has not checked against this file, and this file is checked first (a damaged or
hand-edited manifest is refused with the field it got wrong).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import PurePosixPath
from typing import Any

from sparql_api.backup import BackupError

FORMAT = "srkg-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
STORE_MEMBER = "store.nq"
DATA_PREFIX = "data/"
MAX_MANIFEST_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class Member:
    """One file of the archive: its sha256 and size, and what it holds (e.g. ``{"users": 3}``)."""

    name: str
    sha256: str
    size: int
    records: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Manifest:
    created: str
    srkg_version: str
    backend: str
    base_iri: str
    graphs: dict[str, int]  # quads per graph; the default graph under base.DEFAULT_GRAPH
    members: dict[str, Member]
    format_version: int = FORMAT_VERSION

    @property
    def quads(self) -> int:
        return sum(self.graphs.values())

    def records(self, kind: str) -> int:
        """The total of one kind of record over all members (``users``, ``tokens``, ``history``, …)."""
        return sum(m.records.get(kind, 0) for m in self.members.values())

    def data_files(self) -> list[str]:
        return sorted(name for name in self.members if name.startswith(DATA_PREFIX))

    def to_json(self) -> bytes:
        document = {
            "format": FORMAT,
            "format_version": self.format_version,
            "created": self.created,
            "srkg_version": self.srkg_version,
            "backend": self.backend,
            "base_iri": self.base_iri,
            "store": {"quads": self.quads, "graphs": dict(sorted(self.graphs.items()))},
            "members": {
                name: {"sha256": m.sha256, "size": m.size, "records": m.records}
                for name, m in sorted(self.members.items())
            },
        }
        return json.dumps(document, indent=1, ensure_ascii=False).encode("utf-8") + b"\n"

    @classmethod
    def from_json(cls, data: bytes, where: str) -> Manifest:
        """Parse and check a manifest; ``where`` names it in messages (``archive.tar.gz:manifest.json``)."""
        try:
            document = json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as e:
            raise BackupError(f"{where}: not valid JSON ({e})") from None
        if not isinstance(document, dict) or document.get("format") != FORMAT:
            raise BackupError(f"{where}: not an SRKG backup manifest (\"format\" is not {FORMAT!r})")
        version = document.get("format_version")
        if version != FORMAT_VERSION:
            raise BackupError(f"{where}: format_version {version!r}; this srkg reads version {FORMAT_VERSION} "
                              "(restore it with the srkg version that wrote it)")
        store = _field(document, "store", dict, where)
        graphs = _field(store, "graphs", dict, f"{where}: store")
        members_doc = _field(document, "members", dict, where)
        members = {name: _member(name, entry, where) for name, entry in members_doc.items()}
        if STORE_MEMBER not in members:
            raise BackupError(f"{where}: lists no {STORE_MEMBER} (every backup holds the store)")
        manifest = cls(
            created=_field(document, "created", str, where),
            srkg_version=_field(document, "srkg_version", str, where),
            backend=_field(document, "backend", str, where),
            base_iri=_field(document, "base_iri", str, where),
            graphs={str(g): _count(n, f"{where}: store.graphs[{g!r}]") for g, n in graphs.items()},
            members=members,
        )
        if _count(store.get("quads"), f"{where}: store.quads") != manifest.quads:
            raise BackupError(f"{where}: store.quads does not equal the sum of store.graphs")
        if members[STORE_MEMBER].records.get("quads") != manifest.quads:
            raise BackupError(f"{where}: {STORE_MEMBER} records do not match store.quads")
        return manifest


def now_iso() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def srkg_version() -> str:
    try:
        return metadata.version("srkg")
    except metadata.PackageNotFoundError:
        return "unknown"


def check_member_name(name: str, where: str) -> None:
    """Refuse any member name that could land outside the restore folder or is not one srkg writes."""
    path = PurePosixPath(name)
    bad = (
        not name
        or path.is_absolute()
        or "\\" in name
        or "\0" in name
        or any(part in ("", ".", "..") for part in name.split("/"))
        or not (name == STORE_MEMBER or (name.startswith(DATA_PREFIX) and len(path.parts) > 1))
    )
    if bad:
        raise BackupError(f"{where}: member name {name!r} is not allowed (only {STORE_MEMBER} and data/…)")


def _member(name: str, entry: Any, where: str) -> Member:
    check_member_name(name, where)
    place = f"{where}: members[{name!r}]"
    if not isinstance(entry, dict):
        raise BackupError(f"{place}: not an object")
    sha = _field(entry, "sha256", str, place)
    if len(sha) != 64 or any(c not in "0123456789abcdef" for c in sha):
        raise BackupError(f"{place}: sha256 {sha!r} is not 64 lower-case hex digits")
    records = entry.get("records", {})
    if not isinstance(records, dict):
        raise BackupError(f"{place}: records is not an object")
    counted = {str(k): _count(v, f"{place}.records[{k!r}]") for k, v in records.items()}
    return Member(name, sha, _count(entry.get("size"), f"{place}.size"), counted)


def _field(document: dict, key: str, kind: type, where: str) -> Any:
    value = document.get(key)
    if not isinstance(value, kind):
        raise BackupError(f"{where}: {key!r} is missing or not a {kind.__name__}")
    return value


def _count(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise BackupError(f"{where}: {value!r} is not a count")
    return value
