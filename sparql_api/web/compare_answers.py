"""Comparison answers kept until a write touches their pollutants, and computed again after it (issue #6).

A comparison reads only the case studies of its pollutants (the one asked for and those under it in the
vocabulary), and what the vocabularies say. The summaries tell, for every write, what each changed graph held
before and after it (``SummarisingStore.watch_contributions``): the pollutants of its case studies and of their
outcomes. A write drops the answers whose pollutants meet those; a write to a graph without case studies (the
vocabularies), or whose earlier content is not known, drops every answer. Publishing a lead case then leaves the
kept cadmium comparisons as they are, and at 1M cases (seconds per comparison) the answers a write dropped are
computed again in the background, the most recently asked first (at most ``REFRESH_MAX``), so that the next
reader finds them ready. An answer computed while a write happened is returned but not kept (``DataCache``).

This holds while a case study's record lives in its graph, as every SRKG writer puts it (the evidence index
relies on the same: ``evidence_index``). Stores without summaries drop every answer at every write.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Hashable
from dataclasses import dataclass

from sparql_api.background import Debounced
from sparql_api.server.context import ServerContext
from sparql_api.server.data_cache import DataCache
from sparql_api.summaries.contribution import SRKG, Contribution
from sparql_api.summaries.store import ContributionChanges, find_summaries

CACHE_KEY = "compare.answers"
CACHE_MB = 64  # bounded answers (case_limit given) are 20 KB (real data) to 3 MB (100,000 cases)
REFRESH_MAX = 8  # answers a write dropped that are computed again in the background
REFRESH_DELAY_S = 1.0  # after the last write of a burst
POLLUTANT = SRKG + "pollutant"
log = logging.getLogger("srkg.compare")


@dataclass(frozen=True)
class Answer:
    body: bytes  # the JSON text
    pollutants: frozenset[str]  # the pollutant IRIs whose case studies it read


def pollutants_of(contribution: Contribution) -> set[str]:
    """The pollutants of a graph's case studies and of their outcomes."""
    found = {str(row["value"]) for row in contribution.cases if str(row["facet"]) == POLLUTANT}
    return found | {key[1] for key in contribution.outcomes}


def touched(changes: ContributionChanges | None) -> frozenset[str] | None:
    """The pollutants whose comparisons a write may have changed; None: any comparison."""
    if changes is None:
        return None
    found: set[str] = set()
    for before, after in changes.values():
        if before is None:
            return None
        here = pollutants_of(before) | pollutants_of(after)
        if not here:  # no case study before or after: a vocabulary (labels, hierarchies, regions) or unknown
            return None
        found |= here
    return frozenset(found)


class AnswerCache(DataCache[Answer]):
    def __init__(self, compute: Callable[[Hashable], Answer]) -> None:
        super().__init__(CACHE_MB << 20, lambda answer: len(answer.body))
        self._compute = compute
        self._todo: list[Hashable] = []  # keys to compute again, most recently asked last
        self._todo_lock = threading.Lock()
        self._refresh = Debounced(self._recompute, lambda: REFRESH_DELAY_S, "srkg-compare-refresh")
        self.recomputed = 0

    def answer(self, key: Hashable) -> Answer:
        return self.get(lambda: self._compute(key), key)

    def changed(self, changes: ContributionChanges | None) -> None:
        """A write (``SummarisingStore.watch_contributions``): drop what it touched, recompute it soon."""
        pollutants = touched(changes)
        if pollutants is None:
            dropped = self.forget_if(lambda key, answer: True)
        else:
            dropped = self.forget_if(lambda key, answer: not answer.pollutants.isdisjoint(pollutants))
        if dropped:
            with self._todo_lock:
                self._todo = [*(key for key in self._todo if key not in dropped), *dropped][-REFRESH_MAX:]
            self._refresh.poke()

    def _recompute(self) -> None:
        with self._todo_lock:
            keys, self._todo = self._todo, []
        for key in reversed(keys):
            try:
                self.answer(key)
                self.recomputed += 1
            except Exception:  # the next reader computes it (and sees the error) itself
                log.warning("computing a comparison again after a write failed", exc_info=True)


_LOCK = threading.Lock()


def answers_for(ctx: ServerContext, compute: Callable[[Hashable], Answer]) -> AnswerCache:
    """The context's comparison answers, following the store's writes from the first use on."""
    with _LOCK:
        found = ctx.extras.get(CACHE_KEY)
        if isinstance(found, AnswerCache):
            return found
        cache = AnswerCache(compute)
        summaries = find_summaries(ctx.store)
        if summaries is None:
            ctx.on_data_changed.append(cache.forget)
        else:
            summaries.watch_contributions(cache.changed)
        ctx.extras[CACHE_KEY] = cache
        return cache
