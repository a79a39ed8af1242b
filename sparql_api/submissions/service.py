"""The submission operations the web layer calls: each checks the workflow, then changes files, store, registry.

Actions on one submission are serialised by a per-submission lock, and every registry change is also a
compare-and-set on the state it was decided from, so two reviewers clicking at once cannot both win.
Publishing writes the store first and the registry after: if the store refuses, nothing changed; the
store write itself replaces the graph atomically, so publishing again (or after a crash) is harmless.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from rdflib import Graph

from ingest.pipeline import ingest_file
from ingest.provenance import submission_graph_iri
from sparql_api.store.base import Store
from sparql_api.submissions import publish as publishing
from sparql_api.submissions.ownership import ownership_check
from sparql_api.submissions.registry import Incoming, Registry, Revision, Submission, now
from sparql_api.submissions.runner import LOAD_GRAPH, Ingest, IngestRunner
from sparql_api.submissions.workflow import (
    ACCEPT,
    PUBLISH,
    PUBLISHED,
    REJECT,
    REVISE,
    WITHDRAW,
    Actor,
    WorkflowError,
    allowed_actions,
    can_see,
    check,
)

MAX_REASON = 2000


def submissions_dir(data_dir: Path) -> Path:
    return data_dir / "submissions"


def _reason(text: str | None, action: str) -> str:
    reason = " ".join((text or "").split())
    if not reason:
        raise WorkflowError(400, f"say why: {action} needs a reason (the field 'reason'), which the submitter reads")
    return reason[:MAX_REASON]


class SubmissionService:
    def __init__(self, root: Path, store: Store, data_changed: Callable[[], None],
                 ingest: Ingest | None = None) -> None:
        self.registry = Registry(root)
        self.ownership = ownership_check(store)
        self.runner = IngestRunner(self.registry, ingest or ingest_file, ownership=self.ownership)
        self.store = store
        self.data_changed = data_changed
        self._locks: dict[str, threading.Lock] = {}
        self._locks_guard = threading.Lock()

    def start(self) -> int:
        """Resume the ingests a previous run left unfinished; how many."""
        return self.runner.resume()

    def close(self) -> None:
        self.runner.shutdown(wait=False)

    def _lock(self, key: str) -> threading.Lock:
        with self._locks_guard:
            return self._locks.setdefault(key, threading.Lock())

    # --- reading ------------------------------------------------------------------------------------------
    def find(self, actor: Actor, key: str) -> Submission:
        """The submission if ``actor`` may see it; 404 otherwise (others' drafts do not exist for them)."""
        submission = self.registry.get(key)
        if submission is None or not can_see(actor, self.registry.standing(submission)):
            raise WorkflowError(404, f"there is no submission {key!r}")
        return submission

    def visible(self, actor: Actor) -> list[Submission]:
        return self.registry.list(None if actor.role in ("reviewer", "admin") else actor.username)

    def current(self, submission: Submission) -> Revision:
        revision = self.registry.revision(submission.id, submission.revision)
        if revision is None:
            raise RuntimeError(f"submission {submission.id} has no revision {submission.revision}")
        return revision

    def actions(self, actor: Actor, submission: Submission) -> list[str]:
        return allowed_actions(actor, self.registry.standing(submission))

    def precheck(self, actor: Actor, key: str, action: str) -> None:
        """Refuse early (before a large upload is read) what would be refused anyway."""
        check(actor, action, self.registry.standing(self.find(actor, key)))

    # --- changing -----------------------------------------------------------------------------------------
    def upload(self, actor: Actor, upload: Incoming) -> Submission:
        try:
            submission = self.registry.create(actor.username, upload)
        except BaseException:
            upload.discard()
            raise
        self.runner.submit(submission.id, 1)
        return submission

    def revise(self, actor: Actor, key: str, upload: Incoming) -> int:
        try:
            with self._lock(key):
                submission = self.find(actor, key)
                check(actor, REVISE, self.registry.standing(submission))
                number = self.registry.add_revision(submission, upload, actor.username)
        except BaseException:
            upload.discard()
            raise
        self.runner.submit(key, number)
        return number

    def accept(self, actor: Actor, key: str) -> None:
        with self._lock(key):
            submission = self.find(actor, key)
            to_state = check(actor, ACCEPT, self.registry.standing(submission))
            self.registry.transition(submission, ACCEPT, actor.username, to_state)

    def publish(self, actor: Actor, key: str) -> int:
        """Write the accepted revision to the store; the number of triples published."""
        with self._lock(key):
            submission = self.find(actor, key)
            to_state = check(actor, PUBLISH, self.registry.standing(submission))
            load_graph = self.registry.read_artifact(key, submission.revision, LOAD_GRAPH)
            if load_graph is None:
                raise WorkflowError(409, f"revision {submission.revision} has no graph to publish; upload the file "
                                    "again")
            # Checked again now: another submission may have published the same resources since this was validated.
            graph = Graph().parse(data=load_graph, format="nt")
            clashes = self.ownership(graph, str(submission_graph_iri(key)))
            if clashes:
                raise WorkflowError(409, "cannot publish: " + "; ".join(clashes[:3])
                                    + (f" (and {len(clashes) - 3} more)" if len(clashes) > 3 else ""))
            at = now()
            data = publishing.published_graph(load_graph, key, submission.revision, actor.username, at)
            triples = publishing.publish(self.store, key, data)
            try:
                self.registry.transition(submission, PUBLISH, actor.username, to_state,
                                         f"{triples} triples in the public graph",
                                         published_revision=submission.revision, set_published=True)
            finally:
                self.data_changed()
        return triples

    def reject(self, actor: Actor, key: str, reason: str | None) -> None:
        with self._lock(key):
            submission = self.find(actor, key)
            to_state = check(actor, REJECT, self.registry.standing(submission))
            text = _reason(reason, "rejecting")
            if to_state == PUBLISHED:  # a draft of a published submission: the public revision stays
                kept = submission.published_revision
                self.registry.transition(submission, REJECT, actor.username, to_state,
                                         f"{text} (revision {kept} stays published)", current_revision=kept)
            else:
                self.registry.transition(submission, REJECT, actor.username, to_state, text)

    def withdraw(self, actor: Actor, key: str, reason: str | None) -> None:
        with self._lock(key):
            submission = self.find(actor, key)
            to_state = check(actor, WITHDRAW, self.registry.standing(submission))
            text = _reason(reason, "withdrawing")
            publishing.withdraw(self.store, key)
            try:
                self.registry.transition(submission, WITHDRAW, actor.username, to_state, text,
                                         published_revision=None, set_published=True)
            finally:
                self.data_changed()
