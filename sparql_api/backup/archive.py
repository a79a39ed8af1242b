"""Writing and reading the archive file itself: a gzip-compressed tar, manifest first.

Why tar.gz: one file that ordinary tools can list and unpack (``tar tzf``) when srkg is not at hand; the
N-Quads dump compresses about tenfold; the Python standard library reads and writes it; and reading it in one
streaming pass lets restore check every member's sha256 while unpacking. Gzip's own CRC covers the whole file
on top, so damage anywhere (even between members) is caught.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import os
import tarfile
import time
import zlib
from pathlib import Path

from sparql_api.backup import BackupError
from sparql_api.backup.manifest import MANIFEST, MAX_MANIFEST_BYTES, Manifest, check_member_name

SUFFIXES = (".tar.gz", ".tgz")
_CHUNK = 1 << 20
_DAMAGED = (tarfile.TarError, EOFError, zlib.error, gzip.BadGzipFile)


def looks_like_archive(path: Path) -> bool:
    """Whether ``path`` is meant as a backup archive (by its name, or by gzip/tar magic bytes)."""
    if path.name.endswith((*SUFFIXES, ".tar")):
        return True
    try:
        with path.open("rb") as handle:
            head = handle.read(512)
    except OSError:
        return False
    return head[:2] == b"\x1f\x8b" or head[257:262] == b"ustar"


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def write_archive(out: Path, manifest: Manifest, staging: Path) -> None:
    """Write ``manifest`` then every member (read from ``staging/<name>``) to ``out``, whole or not at all."""
    partial = out.with_name(f".{out.name}.part")
    try:
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # it holds password hashes
        with os.fdopen(fd, "wb") as raw:
            with gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=6) as zipped, \
                    tarfile.open(fileobj=zipped, mode="w", format=tarfile.PAX_FORMAT) as tar:
                document = manifest.to_json()
                tar.addfile(_info(MANIFEST, len(document)), io.BytesIO(document))
                for name in sorted(manifest.members, key=lambda n: (not n.startswith("store"), n)):
                    with (staging / name).open("rb") as handle:
                        tar.addfile(_info(name, manifest.members[name].size), handle)
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(partial, out)
    finally:
        partial.unlink(missing_ok=True)


def _info(name: str, size: int) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime = size, 0o600, int(time.time())
    return info


def check_whole_file(archive: Path) -> None:
    """Decompress the whole file once: gzip's CRC and length catch damage anywhere, truncation included."""
    try:
        with archive.open("rb") as raw:
            if raw.read(2) != b"\x1f\x8b":
                return  # an uncompressed tar: the per-member sha256 checks are all there is
        with gzip.open(archive, "rb") as zipped:
            while zipped.read(_CHUNK):
                pass
    except (*_DAMAGED, OSError) as e:
        raise BackupError(f"{archive}: the archive is damaged or truncated ({e})") from None


def unpack(archive: Path, target: Path) -> Manifest:
    """Unpack into ``target`` checking as it goes: manifest first, every member listed, sha256 and size equal,
    no member missing, none extra, none twice. BackupError (naming archive and member) on any difference."""
    check_whole_file(archive)
    try:
        with tarfile.open(archive, mode="r|*") as tar:
            first = tar.next()
            if first is None or first.name != MANIFEST or not first.isfile():
                found = "nothing" if first is None else repr(first.name)
                raise BackupError(f"{archive}: not an SRKG backup (first member is {found}, not {MANIFEST})")
            if first.size > MAX_MANIFEST_BYTES:
                raise BackupError(f"{archive}: {MANIFEST} is implausibly large ({first.size:,} bytes)")
            manifest = Manifest.from_json(_read(tar, first), f"{archive}:{MANIFEST}")
            seen: set[str] = set()
            for member in tar:  # iteration starts again from the manifest, which is already read
                if member is not first:
                    _extract(archive, tar, member, manifest, target, seen)
    except _DAMAGED as e:
        raise BackupError(f"{archive}: the archive is damaged or truncated ({e})") from None
    missing = sorted(set(manifest.members) - seen)
    if missing:
        shown = ", ".join(missing[:5]) + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
        raise BackupError(f"{archive}: the archive is incomplete, listed in the manifest but missing: {shown}")
    return manifest


def _read(tar: tarfile.TarFile, member: tarfile.TarInfo) -> bytes:
    handle = tar.extractfile(member)
    if handle is None:
        raise BackupError(f"{member.name}: not a regular file")
    return handle.read()


def _extract(archive: Path, tar: tarfile.TarFile, member: tarfile.TarInfo, manifest: Manifest, target: Path,
             seen: set[str]) -> None:
    name = member.name
    where = f"{archive}:{name}"
    check_member_name(name, str(archive))
    if name not in manifest.members:
        raise BackupError(f"{where}: this member is not listed in the manifest")
    if name in seen:
        raise BackupError(f"{where}: this member appears twice")
    if not member.isfile():
        raise BackupError(f"{where}: not a regular file (links and devices are never part of a backup)")
    expected = manifest.members[name]
    if member.size != expected.size:
        raise BackupError(f"{where}: {member.size:,} bytes, the manifest says {expected.size:,}")
    handle = tar.extractfile(member)
    if handle is None:
        raise BackupError(f"{where}: cannot be read")
    path = target / name
    path.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    with path.open("wb") as out:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
            out.write(chunk)
    if digest.hexdigest() != expected.sha256:
        raise BackupError(f"{where}: damaged (sha256 {digest.hexdigest()[:16]}…, the manifest says "
                          f"{expected.sha256[:16]}…)")
    seen.add(name)
