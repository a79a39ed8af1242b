"""The search index kept on disk between runs of the server (issue #6: at 1M cases a whole build reads every case
and takes ~40 minutes, during which searches get 503).

The file holds the index and the store revision it was made at (``summaries.revisions``). At start the index is
read back, and the graphs written since that revision (the revision log says which) are read again as after any
write (``search_index.update_index``); when that is not known — another store, a log that does not reach back,
a write of unknown graphs, a vocabulary written — the whole index is built, as without a file. The file is
written after a whole build and when the server stops, atomically (a temporary file renamed over the old one).

It is a pickle of the server's own objects, in the server's own data directory (never one from elsewhere), and
carries a stamp of the index code and Python version: a file written by other code is not read but made again.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from sparql_api.summaries.revisions import Revision

if TYPE_CHECKING:
    from sparql_api.web.search_index import SearchIndex

FILE_NAME = "search-index.pickle"
log = logging.getLogger("srkg.search")


@dataclass(frozen=True)
class Header:
    stamp: str
    revision: Revision
    cases: int


@cache
def code_stamp() -> str:
    """Changes with the index code and the Python version (what the pickled objects depend on)."""
    from sparql_api.web import search_index

    digest = hashlib.sha256(Path(search_index.__file__).read_bytes())
    digest.update(Path(__file__).read_bytes())
    digest.update(sys.version.encode())
    return digest.hexdigest()[:16]


def save(index: SearchIndex, revision: Revision, path: Path) -> None:
    """Write ``index``, made at ``revision``, to ``path`` (a temporary file first, then renamed over it)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    with temporary.open("wb") as out:
        pickle.dump(Header(code_stamp(), revision, index.case_count), out, protocol=pickle.HIGHEST_PROTOCOL)
        pickle.dump(index, out, protocol=pickle.HIGHEST_PROTOCOL)
        out.flush()
        os.fsync(out.fileno())
    os.replace(temporary, path)


def load(path: Path) -> tuple[SearchIndex, Revision] | None:
    """The index in ``path`` and the revision it was made at; None when there is none, or one of other code, or
    an unreadable one (logged; the index is then built)."""
    try:
        with path.open("rb") as source:
            header = pickle.load(source)
            if not isinstance(header, Header) or header.stamp != code_stamp():
                log.info("%s was written by other code: building the search index instead", path)
                return None
            index = pickle.load(source)
    except FileNotFoundError:
        return None
    except Exception:  # a cut-off or damaged file: build instead
        log.warning("%s could not be read: building the search index instead", path, exc_info=True)
        return None
    return index, header.revision
