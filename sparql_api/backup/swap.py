"""Put new top-level entries into the data dir by renames, undoing every rename if one fails.

Renames within one file system are atomic, so the data dir holds either all the old entries or all the new
ones; what a restore replaces is moved aside (and deleted by the caller once everything is in place).
"""

from __future__ import annotations

import os
from pathlib import Path

from sparql_api.backup import BackupError


def replace_entries(data_dir: Path, new: Path, names: list[str], aside: Path) -> None:
    """Move ``data_dir/<name>`` to ``aside`` and ``new/<name>`` (when present) into ``data_dir``, for each name."""
    done: list[tuple[Path, Path]] = []
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        aside.mkdir(parents=True, exist_ok=True)
        for name in names:
            old = data_dir / name
            if old.exists() or old.is_symlink():
                _move(old, aside / name, done)
        for name in names:
            incoming = new / name
            if incoming.exists():
                _move(incoming, data_dir / name, done)
    except OSError as e:
        problems = []
        for source, target in reversed(done):
            try:
                os.replace(target, source)
            except OSError as undo:
                problems.append(f"{target} → {source}: {undo}")
        if problems:
            raise BackupError(f"replacing the data in {data_dir} failed ({e}) and could not be undone fully: "
                              + "; ".join(problems)) from None
        raise BackupError(f"replacing the data in {data_dir} failed ({e}); the previous data is back in place"
                          ) from None


def _move(source: Path, target: Path, done: list[tuple[Path, Path]]) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    os.rename(source, target)
    done.append((source, target))
