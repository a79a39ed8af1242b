"""Ingest uploaded revisions off the request thread, one at a time, and file their reports.

For each revision the runner reads, maps and validates the file with the ingest pipeline, writes the
artifacts (the graph to load, the JSON reports, the SHACL report) into the revision folder, and only then
records the outcome in the registry (received → validated). A file that cannot be read at all stays
*received*, flagged unreadable, with ``unreadable.json`` saying where and why. Revisions left pending by a
restart are picked up again when the runner starts.

An ingest writes nothing to the store, and its outcome is recorded in one registry transaction after every
artifact is in place, so a kill at any point leaves the revision *pending* and it is simply run again. The
workers are daemon threads: shutting down waits a bounded time for the ingest in progress, then lets the
process exit without it (nothing is recorded once closing has begun, so it stays pending).
"""

from __future__ import annotations

import json
import logging
import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future

from rdflib import Graph

from ingest.pipeline import IngestResult, ingest_file, json_report
from ingest.records import SourceError, SourceLocation
from ingest.validation_report import render_turtle
from sparql_api.submissions.registry import Registry
from sparql_api.submissions.report import build_review, unreadable_review
from sparql_api.submissions.workflow import DONE, FAILED, UNREADABLE

log = logging.getLogger("srkg.submissions")

LOAD_GRAPH, REPORT, REVIEW, SHACL, UNREADABLE_FILE = "load.nt", "report.json", "review.json", "shacl.ttl", \
    "unreadable.json"
Ingest = Callable[..., IngestResult]
Ownership = Callable[[Graph, str], list[str]]


def _dumps(data: object) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8")


def outcome_note(review: dict) -> str:
    """One line for the history: what the validation found."""
    s = review["summary"]
    counts = f"{s['violations']} violations, {s['warnings']} warnings"
    if s["cases"]:
        return f"{s['cases']} case studies, {s['cases_accepted']} accepted, {s['cases_rejected']} left out; {counts}"
    return f"{s['sites']} sites; {counts}"


class ShuttingDown(Exception):
    """The runner was closed while this ingest ran: its outcome is not recorded (it stays pending)."""


class IngestRunner:
    def __init__(self, registry: Registry, ingest: Ingest = ingest_file, workers: int = 1,
                 ownership: Ownership | None = None) -> None:
        self.registry = registry
        self.ingest = ingest
        # Reasons the revision describes resources other graphs publish (see submissions/ownership.py).
        self.ownership = ownership
        self._lock = threading.Lock()
        self._queued: set[tuple[str, int]] = set()
        self._jobs: queue.Queue[tuple[str, int, Future] | None] = queue.Queue()
        self._draining = threading.Event()  # no new ingest starts
        self._closing = threading.Event()  # the one running records nothing
        self._busy = 0
        self._idle = threading.Condition(self._lock)
        self._threads = [threading.Thread(target=self._work, name=f"srkg-ingest-{n}", daemon=True)
                         for n in range(workers)]
        for thread in self._threads:
            thread.start()

    def resume(self) -> int:
        """Queue every revision a previous run left pending; how many."""
        pending = self.registry.pending()
        for submission, number in pending:
            self.submit(submission, number)
        return len(pending)

    def submit(self, submission: str, number: int) -> Future | None:
        """Queue revision ``number`` (None when it is queued already or the runner is closing)."""
        with self._lock:
            if (submission, number) in self._queued or self._draining.is_set():
                return None
            self._queued.add((submission, number))
        done: Future = Future()
        self._jobs.put((submission, number, done))
        return done

    def _work(self) -> None:
        while True:
            job = self._jobs.get()
            if job is None:
                return
            submission, number, done = job
            with self._lock:
                if self._draining.is_set():
                    return
                self._busy += 1
            try:
                done.set_result(self._run_queued(submission, number))
            finally:
                with self._lock:
                    self._busy -= 1
                    self._queued.discard((submission, number))
                    self._idle.notify_all()

    def _run_queued(self, submission: str, number: int) -> str | None:
        try:
            return self.run(submission, number)
        except ShuttingDown:
            log.info("ingest of submission %s revision %d left for the next start", submission, number)
        except Exception:
            log.exception("ingest of submission %s revision %d failed", submission, number)
        return None

    def _check_open(self) -> None:
        if self._closing.is_set():
            raise ShuttingDown()

    def run(self, submission: str, number: int) -> str:
        """Ingest one revision now (in the calling thread); returns how it ended (DONE, UNREADABLE, FAILED)."""
        revision = self.registry.revision(submission, number)
        if revision is None:
            raise LookupError(f"submission {submission} has no revision {number}")
        source = self.registry.source_path(submission, revision)
        self.registry.discard_partial_artifacts(submission, number)  # a killed run's temporary files
        try:
            result = self.ingest(source, submitter=revision.uploaded_by, submission_key=submission)
        except SourceError as error:
            return self._unreadable(submission, number, unreadable_review(error), UNREADABLE,
                                    f"the file could not be read: {error}")
        except Exception as error:
            log.exception("ingest of %s revision %d raised", submission, number)
            why = (f"the server failed while reading this file ({type(error).__name__}); the SRKG team can see "
                   "the details in the server log")
            details = unreadable_review(SourceError(SourceLocation(revision.file_name), why))
            return self._unreadable(submission, number, details, FAILED, f"internal error: {type(error).__name__}")
        self._check_open()  # the store may be closed already: no ownership check, nothing recorded
        if self.ownership is not None and len(result.load_graph):
            result.rejected_whole.extend(self.ownership(result.load_graph, str(result.info.graph)))
        review = build_review(result)
        write = self.registry.write_artifact
        write(submission, number, LOAD_GRAPH, result.load_graph.serialize(format="nt", encoding="utf-8"))
        write(submission, number, REPORT, json_report(result).encode("utf-8"))
        write(submission, number, SHACL, render_turtle([result.report]).encode("utf-8"))
        write(submission, number, REVIEW, _dumps(review))
        self._check_open()
        self.registry.finish_ingest(submission, number, DONE, review["acceptable"], outcome_note(review))
        return DONE

    def _unreadable(self, submission: str, number: int, details: dict, status: str, note: str) -> str:
        self.registry.write_artifact(submission, number, UNREADABLE_FILE, _dumps(details))
        self._check_open()
        self.registry.finish_ingest(submission, number, status, False, note)
        return status

    def shutdown(self, grace: float = 0.0) -> bool:
        """Take no more ingests; wait up to ``grace`` seconds for those in progress. Whether none is left
        running (one still running records nothing and is resumed at the next start)."""
        deadline = time.monotonic() + grace
        with self._lock:
            self._draining.set()
            while self._busy and time.monotonic() < deadline:
                self._idle.wait(deadline - time.monotonic())
            self._closing.set()
            finished = self._busy == 0
        for _ in self._threads:
            self._jobs.put(None)
        return finished

    def join(self, timeout: float) -> bool:
        """After ``shutdown``: wait up to ``timeout`` seconds for the workers to end; whether they did."""
        deadline = time.monotonic() + timeout
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        return not any(thread.is_alive() for thread in self._threads)
