"""Ingest uploaded revisions off the request thread, one at a time, and file their reports.

For each revision the runner reads, maps and validates the file with the ingest pipeline, writes the
artifacts (the graph to load, the JSON reports, the SHACL report) into the revision folder, and only then
records the outcome in the registry (received → validated). A file that cannot be read at all stays
*received*, flagged unreadable, with ``unreadable.json`` saying where and why. Revisions left pending by a
restart are picked up again when the runner starts.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor

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


class IngestRunner:
    def __init__(self, registry: Registry, ingest: Ingest = ingest_file, workers: int = 1,
                 ownership: Ownership | None = None) -> None:
        self.registry = registry
        self.ingest = ingest
        # Reasons the revision describes resources other graphs publish (see submissions/ownership.py).
        self.ownership = ownership
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="srkg-ingest")
        self._lock = threading.Lock()
        self._queued: set[tuple[str, int]] = set()

    def resume(self) -> int:
        """Queue every revision a previous run left pending; how many."""
        pending = self.registry.pending()
        for submission, number in pending:
            self.submit(submission, number)
        return len(pending)

    def submit(self, submission: str, number: int) -> Future | None:
        """Queue revision ``number`` (None when it is queued already)."""
        with self._lock:
            if (submission, number) in self._queued:
                return None
            self._queued.add((submission, number))
        return self._pool.submit(self._run_queued, submission, number)

    def _run_queued(self, submission: str, number: int) -> None:
        try:
            self.run(submission, number)
        except Exception:
            log.exception("ingest of submission %s revision %d failed", submission, number)
        finally:
            with self._lock:
                self._queued.discard((submission, number))

    def run(self, submission: str, number: int) -> str:
        """Ingest one revision now (in the calling thread); returns how it ended (DONE, UNREADABLE, FAILED)."""
        revision = self.registry.revision(submission, number)
        if revision is None:
            raise LookupError(f"submission {submission} has no revision {number}")
        source = self.registry.source_path(submission, revision)
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
        if self.ownership is not None and len(result.load_graph):
            result.rejected_whole.extend(self.ownership(result.load_graph, str(result.info.graph)))
        review = build_review(result)
        write = self.registry.write_artifact
        write(submission, number, LOAD_GRAPH, result.load_graph.serialize(format="nt", encoding="utf-8"))
        write(submission, number, REPORT, json_report(result).encode("utf-8"))
        write(submission, number, SHACL, render_turtle([result.report]).encode("utf-8"))
        write(submission, number, REVIEW, _dumps(review))
        self.registry.finish_ingest(submission, number, DONE, review["acceptable"], outcome_note(review))
        return DONE

    def _unreadable(self, submission: str, number: int, details: dict, status: str, note: str) -> str:
        self.registry.write_artifact(submission, number, UNREADABLE_FILE, _dumps(details))
        self.registry.finish_ingest(submission, number, status, False, note)
        return status

    def shutdown(self, wait: bool = True) -> None:
        self._pool.shutdown(wait=wait, cancel_futures=not wait)
