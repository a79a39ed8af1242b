"""States of a submission, the actions that move it, and who may take them. Pure: no I/O.

::

    received ──(ingest done)──▶ validated ──accept──▶ accepted ──publish──▶ published
        ▲  ╲ (file unreadable: stays received, flagged)   │                    │
        │   ╲────────────── reject ───────────────────────┴──▶ rejected ◀── withdraw
        └──────── revise (a corrected file: new revision) ◀── validated / accepted / published

* **revise** (the owner uploads a corrected file) starts a new revision at *received*; the submission keeps
  its id, so the new revision's IRIs are the old ones. A revision still being validated cannot be replaced.
* **reject** judges the current draft and needs a reason. When no revision of the submission is public it
  ends the submission (*rejected* is final: a corrected file is a new submission). When an earlier revision
  is public, only the draft is discarded and the submission returns to *published*: the public graph is never
  touched by a reject.
* **withdraw** takes published data down (reviewers, with a reason): the graph is dropped and the submission
  ends *rejected*. A *published* submission without a draft cannot be "rejected"; it is withdrawn.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

RECEIVED, VALIDATED, ACCEPTED, PUBLISHED, REJECTED = "received", "validated", "accepted", "published", "rejected"
STATES: tuple[str, ...] = (RECEIVED, VALIDATED, ACCEPTED, PUBLISHED, REJECTED)

# How far the ingest of a revision got.
PENDING, DONE, UNREADABLE, FAILED = "pending", "done", "unreadable", "failed"

ACCEPT, PUBLISH, REJECT, REVISE, WITHDRAW = "accept", "publish", "reject", "revise", "withdraw"
ACTIONS: tuple[str, ...] = (REVISE, ACCEPT, PUBLISH, REJECT, WITHDRAW)
REVIEWER_ROLES = frozenset({"reviewer", "admin"})


class Actor(Protocol):
    @property
    def username(self) -> str: ...

    @property
    def role(self) -> str: ...


@dataclass(frozen=True)
class Standing:
    """What the workflow needs to know about a submission to decide on an action."""

    owner: str
    state: str
    ingest: str  # PENDING | DONE | UNREADABLE | FAILED, of the current revision
    acceptable: bool  # the current revision's report leaves something to publish
    published_revision: int | None


class WorkflowError(Exception):
    """An action was refused; ``status`` is the HTTP status that says why (403, 404 or 409)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def is_reviewer(actor: Actor) -> bool:
    return actor.role in REVIEWER_ROLES


def can_see(actor: Actor, standing: Standing) -> bool:
    """Drafts are for their owner and the reviewers; to anyone else the submission does not exist."""
    return is_reviewer(actor) or actor.username == standing.owner


def _may(actor: Actor, action: str, standing: Standing) -> bool:
    owner = actor.username == standing.owner
    if action == REVISE:
        return owner
    if action == ACCEPT:
        return owner or is_reviewer(actor)
    return is_reviewer(actor)  # PUBLISH, REJECT, WITHDRAW


_WHO = {
    REVISE: "only the person who uploaded it may send a corrected file",
    ACCEPT: "only its submitter or a reviewer may accept it",
    PUBLISH: "only a reviewer or an admin may publish",
    REJECT: "only a reviewer or an admin may reject",
    WITHDRAW: "only a reviewer or an admin may withdraw published data",
}


def _state_refusal(action: str, standing: Standing) -> str | None:
    """Why ``action`` cannot be taken in the submission's state (None: it can)."""
    state = standing.state
    if state == REJECTED:
        return ("this submission was rejected, which is final; upload the corrected file as a new submission"
                if action == REVISE else f"this submission was rejected; it cannot be {_PAST[action]}")
    if action == REVISE:
        if state == RECEIVED and standing.ingest == PENDING:
            return "the current file is still being validated; wait for its report, then send the corrected file"
        return None
    if action == ACCEPT:
        if state != VALIDATED:
            return {RECEIVED: _not_validated(standing), ACCEPTED: "this revision is already accepted",
                    PUBLISHED: "this submission is already published"}[state]
        if not standing.acceptable:
            return ("nothing in this revision can be accepted (no case study or site passed validation); fix the "
                    "problems in the report and upload the corrected file")
        return None
    if action == PUBLISH:
        if state != ACCEPTED:
            return {RECEIVED: _not_validated(standing),
                    VALIDATED: "this revision is not accepted yet; it must be accepted before it is published",
                    PUBLISHED: "this revision is already published"}[state]
        return None
    if action == REJECT:
        if state == PUBLISHED:
            return "this submission is published and has no draft to reject; to take its data down, withdraw it"
        return None
    if action == WITHDRAW:
        if standing.published_revision is None:
            return "nothing of this submission is published, so there is nothing to withdraw; reject it instead"
        return None
    raise ValueError(f"unknown action {action!r}")


_PAST = {ACCEPT: "accepted", PUBLISH: "published", REJECT: "rejected again", WITHDRAW: "withdrawn",
         REVISE: "revised"}


def _not_validated(standing: Standing) -> str:
    if standing.ingest == PENDING:
        return "the file is still being validated; wait for its report"
    return "the file could not be read, so there is nothing to accept or publish; upload a corrected file"


def check(actor: Actor, action: str, standing: Standing) -> str:
    """The state ``action`` leads to, or WorkflowError: 404 not visible, 403 not allowed, 409 not now."""
    if not can_see(actor, standing):
        raise WorkflowError(404, "there is no such submission")
    if not _may(actor, action, standing):
        raise WorkflowError(403, f"{actor.username} is a {actor.role}: {_WHO[action]}")
    refusal = _state_refusal(action, standing)
    if refusal:
        raise WorkflowError(409, refusal)
    return target_state(action, standing)


def target_state(action: str, standing: Standing) -> str:
    if action == REVISE:
        return RECEIVED
    if action == ACCEPT:
        return ACCEPTED
    if action == PUBLISH:
        return PUBLISHED
    if action == REJECT:
        return PUBLISHED if standing.published_revision is not None else REJECTED
    if action == WITHDRAW:
        return REJECTED
    raise ValueError(f"unknown action {action!r}")


def allowed_actions(actor: Actor, standing: Standing, actions: Iterable[str] = ACTIONS) -> list[str]:
    """The actions ``actor`` may take now (the buttons on the report page)."""
    result = []
    for action in actions:
        try:
            check(actor, action, standing)
        except WorkflowError:
            continue
        result.append(action)
    return result
