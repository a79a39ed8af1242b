"""An in-memory index kept on disk between runs of the server, with the store revision it was made at
(``revisions``): the next start reads it back and reads again only the graphs written since, instead of the
whole store (issue #6: at 1M cases the search and evidence indexes take 25-40 minutes to build).

The file is a pickle of the server's own objects in the server's own data directory (never one from elsewhere).
It carries a stamp of the code that made it and of the Python version: a file of other code is not read (the
index is built instead). It is written to a temporary name, synced, then renamed over the old one.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import sys
from dataclasses import dataclass
from pathlib import Path

from sparql_api.summaries.revisions import Revision

log = logging.getLogger("srkg.kept")


@dataclass(frozen=True)
class Header:
    stamp: str
    revision: Revision


def code_stamp(*sources: Path) -> str:
    """Changes with the given source files and the Python version (what the pickled objects depend on)."""
    digest = hashlib.sha256(sys.version.encode())
    for source in sources:
        digest.update(source.read_bytes())
    return digest.hexdigest()[:16]


def save(value: object, revision: Revision, path: Path, stamp: str) -> None:
    """Write ``value``, made at ``revision``, to ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    try:
        with temporary.open("wb") as out:
            pickle.dump(Header(stamp, revision), out, protocol=pickle.HIGHEST_PROTOCOL)
            pickle.dump(value, out, protocol=pickle.HIGHEST_PROTOCOL)
            out.flush()
            os.fsync(out.fileno())
    except BaseException:  # a full disk, say: no half-written file left behind (the old one stays)
        temporary.unlink(missing_ok=True)
        raise
    os.replace(temporary, path)


def load(path: Path, stamp: str) -> tuple[object, Revision] | None:
    """What ``path`` holds and the revision it was made at; None when there is no file, or one of other code, or
    an unreadable one (logged)."""
    try:
        with path.open("rb") as source:
            header = pickle.load(source)
            if not isinstance(header, Header) or header.stamp != stamp:
                log.info("%s was written by other code: not read", path)
                return None
            value = pickle.load(source)
    except FileNotFoundError:
        return None
    except Exception:  # a cut-off or damaged file
        log.warning("%s could not be read", path, exc_info=True)
        return None
    return value, header.revision
