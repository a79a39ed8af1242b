"""The submission operations the web layer calls: each checks the workflow, then changes files, store, registry.

Actions on one submission are serialised by a per-submission lock, and every registry change is also a
compare-and-set on the state it was decided from, so two reviewers clicking at once cannot both win.
Publishing (and withdrawing) announces the write in the registry, writes the store, then records the outcome
(which clears the announcement) in one registry transaction. The store write replaces the graph atomically
on the embedded store. A server killed between the two leaves the announcement behind; ``reconcile`` (run
at start, before anything is served) settles it from what the store holds: the whole publication is there →
the submission is recorded as published; anything else → the graph is put back to what the registry says
is public and the submission stays accepted, so publishing can simply be tried again. It also repairs a
graph that disagrees with the registry for another reason (a store that lost its last writes in a power cut).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path

from rdflib import Graph

from ingest.pipeline import ingest_file
from ingest.provenance import submission_graph_iri
from sparql_api.store.base import Store, StoreError
from sparql_api.submissions import publish as publishing
from sparql_api.submissions.ownership import ownership_check
from sparql_api.submissions.registry import Incoming, Operation, Registry, Revision, Submission, now
from sparql_api.submissions.runner import LOAD_GRAPH, Ingest, IngestRunner
from sparql_api.submissions.workflow import (
    ACCEPT,
    PUBLISH,
    PUBLISHED,
    REJECT,
    REJECTED,
    REVISE,
    WITHDRAW,
    Actor,
    WorkflowError,
    allowed_actions,
    can_see,
    check,
)

MAX_REASON = 2000
# How long closing waits for the ingest in progress before leaving it to be resumed at the next start.
INGEST_GRACE_S = 5.0

log = logging.getLogger("srkg.submissions")


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
        """Settle what a killed server left half-done, then resume unfinished ingests; how many ingests."""
        self.registry.discard_incoming()
        try:
            for line in self.reconcile():
                log.warning("%s", line)
        except StoreError as error:  # e.g. a remote store not reachable yet: settled at the next start
            log.error("could not reconcile the submissions with the store: %s", error)
        return self.runner.resume()

    def close(self, grace: float = INGEST_GRACE_S) -> bool:
        """Stop taking ingests, give the one in progress ``grace`` seconds; whether it finished (if not, it
        stays pending and is run again at the next start)."""
        return self.runner.shutdown(grace)

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
        """The current revision as read together with ``submission`` (never from a later moment)."""
        revision = self.registry.current(submission)
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
            self.registry.begin_operation(Operation(key, PUBLISH, submission.revision, actor.username, at, None))
            try:
                triples = publishing.publish(self.store, key, data)
                publishing.make_durable(self.store)
            except BaseException:
                self._settle_quietly(key)
                raise
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
            self.registry.begin_operation(Operation(key, WITHDRAW, submission.revision, actor.username, now(), text))
            try:
                publishing.withdraw(self.store, key)
                publishing.make_durable(self.store)
            except BaseException:
                self._settle_quietly(key)
                raise
            try:
                self.registry.transition(submission, WITHDRAW, actor.username, to_state, text,
                                         published_revision=None, set_published=True)
            finally:
                self.data_changed()

    # --- after a crash ------------------------------------------------------------------------------------
    def _settle_quietly(self, key: str) -> None:
        """After a store write failed: put the graph back as the registry has it (a remote store may have
        applied part of it), then forget the announcement. Errors here are logged; reconcile retries."""
        try:
            self._repair(key)
            self.registry.end_operation(key)
        except Exception:
            log.exception("could not restore the graph of submission %s after a failed store write", key)

    def reconcile(self) -> list[str]:
        """Make registry and store agree after a kill; one line per thing that was done (for the log).

        Runs before the server answers, so no action can interleave."""
        done: list[str] = []
        interrupted = set()
        for operation in self.registry.operations():
            done.append(self._settle(operation))
            interrupted.add(operation.submission)
        for submission in self.registry.list():
            # Interrupted writes get the full check (count every triple); the rest only the cheap one.
            line = self._repair(submission.id, full=submission.id in interrupted)
            if line:
                done.append(line)
        return done

    def _settle(self, operation: Operation) -> str:
        """Finish an announced write the store shows as complete, else leave the registry as it was."""
        key = operation.submission
        submission = self.registry.get(key)
        reached = False
        try:
            reached = self._complete(operation, submission)
        except WorkflowError as error:  # the registry moved on meanwhile: nothing left to complete
            log.warning("submission %s: %s", key, error.message)
        self.registry.end_operation(key)
        outcome = "completed" if reached else "had not reached the store; nothing changed, it can be tried again"
        return f"submission {key}: the interrupted {operation.action} of revision {operation.revision} {outcome}"

    def _complete(self, operation: Operation, submission: Submission | None) -> bool:
        """Record the announced write as done if the store shows it done; whether it did."""
        key = operation.submission
        reached = False
        if submission is not None and operation.action == PUBLISH and submission.revision == operation.revision:
            data = self._publication(key, operation.revision, operation.who, operation.at)
            reached = data is not None and publishing.holds(self.store, key, operation.revision,
                                                            publishing.triple_count(data))
            if reached:
                self.registry.transition(submission, PUBLISH, operation.who, PUBLISHED,
                                         "published (completed at start-up: the store had the whole graph)",
                                         published_revision=operation.revision, set_published=True)
        elif submission is not None and operation.action == WITHDRAW and submission.published_revision is not None:
            reached = not self.store.has_graph(str(submission_graph_iri(key)))
            if reached:
                self.registry.transition(submission, WITHDRAW, operation.who, REJECTED,
                                         f"{operation.note} (completed at start-up: the graph was gone)",
                                         published_revision=None, set_published=True)
        if reached:
            self.data_changed()
        return reached

    def _publication(self, key: str, revision: int, who: str, at: str) -> bytes | None:
        """The bytes publishing revision ``revision`` writes (None when its graph artifact is gone)."""
        load_graph = self.registry.read_artifact(key, revision, LOAD_GRAPH)
        if load_graph is None:
            return None
        return publishing.published_graph(load_graph, key, revision, who, at)

    def _repair(self, key: str, full: bool = True) -> str | None:
        """Put the submission's graph back to what the registry says is public; what was done, if anything.

        ``full`` compares the triple count too (parses the revision's graph file); otherwise only the
        publication record is looked for."""
        submission = self.registry.get(key)
        if submission is None:
            return None
        graph = str(submission_graph_iri(key))
        public = submission.published_revision
        if public is None:
            if self.store.has_graph(graph):
                publishing.withdraw(self.store, key)
                self.data_changed()
                return f"submission {key}: nothing is published, so its graph was dropped"
            return None
        if not full and publishing.holds(self.store, key, public, None):
            return None
        who_at = self.registry.published_by(key, public)
        data = self._publication(key, public, *who_at) if who_at else None
        if data is None:
            return f"submission {key}: revision {public} is published but its graph file is gone; cannot check it"
        if full and publishing.holds(self.store, key, public, publishing.triple_count(data)):
            return None
        publishing.publish(self.store, key, data)
        self.data_changed()
        return f"submission {key}: the store did not hold published revision {public}; it was written again"

