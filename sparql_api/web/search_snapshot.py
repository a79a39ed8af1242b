"""The search index kept on disk between runs of the server (``summaries.kept``; at 1M cases a whole build
reads every case and takes ~40 minutes, during which searches get 503).

At start the index is read back, and the graphs written since its revision are read again as after any write
(``search_index.update_index``); when that is not known — another epoch, a log that does not reach back, a write
of unknown graphs, a vocabulary written — the whole index is built, as without a file. The file is written
after a whole build and when the server stops.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from sparql_api.summaries import kept
from sparql_api.summaries.revisions import Revision

if TYPE_CHECKING:
    from sparql_api.web.search_index import SearchIndex

FILE_NAME = "search-index.pickle"


@cache
def code_stamp() -> str:
    from sparql_api.web import i18n, search_index

    queries = sorted(search_index.QUERIES_DIR.glob("search-*.rq"))  # what is read decides what is in it
    return kept.code_stamp(Path(search_index.__file__), Path(__file__), Path(kept.__file__), Path(i18n.__file__),
                           *queries)


def save(index: SearchIndex, revision: Revision, path: Path) -> None:
    kept.save(index, revision, path, code_stamp())


def load(path: Path) -> tuple[SearchIndex, Revision] | None:
    """The index in ``path`` and the revision it was made at; None when there is none, or one of other code, or
    an unreadable one (the index is then built)."""
    found = kept.load(path, code_stamp())
    return found  # type: ignore[return-value]
