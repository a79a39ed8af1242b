"""A submission as one JSON-ready document: its state, current revision, report, history and links.

The same document feeds the JSON answer of ``GET /submissions/{id}`` and the HTML report page.
"""

from __future__ import annotations

import json
from typing import Any

from ingest.provenance import submission_graph_iri
from sparql_api.submissions.registry import Revision, Submission
from sparql_api.submissions.runner import REVIEW, UNREADABLE_FILE
from sparql_api.submissions.service import SubmissionService
from sparql_api.submissions.workflow import DONE, FAILED, UNREADABLE, Actor


def links(key: str) -> dict[str, str]:
    base = f"/submissions/{key}"
    return {"self": base, "json": f"{base}.json", "shacl": f"{base}.ttl", "source": f"{base}/source",
            "history": f"{base}/history", "revisions": f"{base}/revisions"}


def revision_document(revision: Revision) -> dict[str, Any]:
    return {"number": revision.number, "name": revision.file_name, "media_type": revision.media_type,
            "size": revision.size, "sha256": revision.sha256, "uploaded_by": revision.uploaded_by,
            "uploaded_at": revision.uploaded_at}


def summary_document(submission: Submission, revision: Revision) -> dict[str, Any]:
    """The short form (lists, and the answer to an upload)."""
    return {"id": submission.id, "state": submission.state, "owner": submission.owner,
            "revision": submission.revision, "published_revision": submission.published_revision,
            "ingest": revision.ingest, "file_name": revision.file_name, "created_at": submission.created_at,
            "updated_at": submission.updated_at, "links": links(submission.id)}


def _artifact(service: SubmissionService, submission: Submission, name: str) -> Any:
    data = service.registry.read_artifact(submission.id, submission.revision, name)
    return json.loads(data) if data else None


def full_document(service: SubmissionService, actor: Actor, submission: Submission) -> dict[str, Any]:
    revision = service.current(submission)
    return {
        **summary_document(submission, revision),
        "graph": str(submission_graph_iri(submission.id)),
        "file": revision_document(revision),
        "unreadable": _artifact(service, submission, UNREADABLE_FILE)
        if revision.ingest in (UNREADABLE, FAILED) else None,
        "report": _artifact(service, submission, REVIEW) if revision.ingest == DONE else None,
        "actions": service.actions(actor, submission),
        "history": [entry.as_dict() for entry in service.registry.history(submission.id)],
    }
