"""``srkg backup`` / ``srkg restore ARCHIVE``: one archive file holds everything needed to get a server back.

The archive is a gzip-compressed tar whose first member is ``manifest.json`` (format version, time, srkg
version, backend, sha256, size and counted records of every member); then ``store.nq`` (every quad) and
``data/…`` (the data-dir files, at their paths under the data dir). See docs/operations-backup.md.
"""

from __future__ import annotations


class BackupError(Exception):
    """A backup or restore was refused or failed; the message names the file or member and what is wrong."""
