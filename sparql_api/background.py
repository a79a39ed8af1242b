"""Background work of the server's in-memory tables: ``in_background`` (build one at start without failing the
start) and ``Debounced`` (run an action a moment after the last of a burst of calls: after five writes in a row,
one rebuild)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable


def in_background(work: Callable[[], object], name: str, failure: str) -> threading.Thread:
    """Run ``work`` in a daemon thread; a failure is logged with ``failure`` (the reader then does the work)."""

    def run() -> None:
        try:
            work()
        except Exception:
            logging.getLogger("srkg").warning(failure, exc_info=True)

    thread = threading.Thread(target=run, name=name, daemon=True)
    thread.start()
    return thread


class Debounced:
    def __init__(self, action: Callable[[], None], delay_s: Callable[[], float], name: str) -> None:
        """``delay_s`` is read at each ``poke`` (tests shorten it); ``action`` runs in a daemon thread."""
        self._action = action
        self._delay_s = delay_s
        self._name = name
        self._timer: threading.Timer | None = None
        self._lock = threading.Lock()

    @property
    def pending(self) -> bool:
        return self._timer is not None

    def poke(self) -> None:
        """(Re)start the countdown: the action runs ``delay_s`` after the last poke."""
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
            self._timer = threading.Timer(self._delay_s(), self._run)
            self._timer.name = self._name
            self._timer.daemon = True
            self._timer.start()

    def _run(self) -> None:
        with self._lock:
            self._timer = None
        self._action()
