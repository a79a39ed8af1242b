"""Submissions without a server: states and permissions, the registry on disk, uploads, reports, ingest, publish."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fixtures.submissions.workbooks import HUNAN_TITLE, MAE_SOT_TITLE, broken_workbook, fixed_workbook
from rdflib import Graph, URIRef
from rdflib.namespace import PROV

from ingest.namespaces import SRKG, concept_iri, data_iri
from ingest.pipeline import ingest_file
from ingest.provenance import submission_graph_iri, submission_iri
from sparql_api.store.oxigraph_store import OxigraphStore
from sparql_api.submissions import workflow as wf
from sparql_api.submissions.publish import publication_iri, published_graph
from sparql_api.submissions.registry import Incoming, Registry, safe_file_name, submission_id
from sparql_api.submissions.report import build_review
from sparql_api.submissions.runner import LOAD_GRAPH, REVIEW, SHACL, UNREADABLE_FILE, IngestRunner
from sparql_api.submissions.service import SubmissionService
from sparql_api.submissions.upload import UploadError, receive


@dataclass(frozen=True)
class Person:
    username: str
    role: str


ALICE, BOB = Person("alice", "contributor"), Person("bob", "contributor")
REVIEWER, ADMIN = Person("rita", "reviewer"), Person("root", "admin")


def standing(state: str, ingest: str = wf.DONE, acceptable: bool = True, published: int | None = None,
             owner: str = "alice") -> wf.Standing:
    return wf.Standing(owner, state, ingest, acceptable, published)


# --- workflow: states × actions × people --------------------------------------------------------------------
@pytest.mark.parametrize(("actor", "action", "state", "expected"), [
    (ALICE, wf.ACCEPT, wf.VALIDATED, wf.ACCEPTED),
    (REVIEWER, wf.ACCEPT, wf.VALIDATED, wf.ACCEPTED),
    (REVIEWER, wf.PUBLISH, wf.ACCEPTED, wf.PUBLISHED),
    (ADMIN, wf.PUBLISH, wf.ACCEPTED, wf.PUBLISHED),
    (REVIEWER, wf.REJECT, wf.RECEIVED, wf.REJECTED),
    (REVIEWER, wf.REJECT, wf.VALIDATED, wf.REJECTED),
    (ADMIN, wf.REJECT, wf.ACCEPTED, wf.REJECTED),
    (ALICE, wf.REVISE, wf.VALIDATED, wf.RECEIVED),
    (ALICE, wf.REVISE, wf.ACCEPTED, wf.RECEIVED),
    (ALICE, wf.REVISE, wf.PUBLISHED, wf.RECEIVED),
])
def test_allowed_transitions(actor: Person, action: str, state: str, expected: str) -> None:
    published = 1 if state == wf.PUBLISHED else None
    assert wf.check(actor, action, standing(state, published=published)) == expected


@pytest.mark.parametrize(("actor", "action", "state", "status", "words"), [
    (BOB, wf.ACCEPT, wf.VALIDATED, 404, "no such submission"),  # someone else's draft does not exist for Bob
    (BOB, wf.REVISE, wf.VALIDATED, 404, "no such submission"),
    (ALICE, wf.PUBLISH, wf.ACCEPTED, 403, "only a reviewer or an admin may publish"),
    (ALICE, wf.REJECT, wf.VALIDATED, 403, "only a reviewer or an admin may reject"),
    (REVIEWER, wf.REVISE, wf.VALIDATED, 403, "only the person who uploaded it"),
    (ALICE, wf.ACCEPT, wf.ACCEPTED, 409, "already accepted"),
    (REVIEWER, wf.PUBLISH, wf.VALIDATED, 409, "must be accepted before it is published"),
    (REVIEWER, wf.PUBLISH, wf.PUBLISHED, 409, "already published"),
    (REVIEWER, wf.REJECT, wf.REJECTED, 409, "was rejected"),
    (ALICE, wf.REVISE, wf.REJECTED, 409, "new submission"),
    (REVIEWER, wf.WITHDRAW, wf.VALIDATED, 409, "nothing of this submission is published"),
])
def test_refused_transitions(actor: Person, action: str, state: str, status: int, words: str) -> None:
    with pytest.raises(wf.WorkflowError) as refused:
        wf.check(actor, action, standing(state))
    assert refused.value.status == status
    assert words in refused.value.message


def test_accept_needs_something_acceptable_and_a_finished_ingest() -> None:
    with pytest.raises(wf.WorkflowError) as refused:
        wf.check(ALICE, wf.ACCEPT, standing(wf.VALIDATED, acceptable=False))
    assert refused.value.status == 409 and "nothing in this revision can be accepted" in refused.value.message
    with pytest.raises(wf.WorkflowError) as unreadable:
        wf.check(ALICE, wf.ACCEPT, standing(wf.RECEIVED, ingest=wf.UNREADABLE, acceptable=False))
    assert unreadable.value.status == 409 and "could not be read" in unreadable.value.message
    with pytest.raises(wf.WorkflowError) as pending:
        wf.check(ALICE, wf.REVISE, standing(wf.RECEIVED, ingest=wf.PENDING))
    assert pending.value.status == 409 and "still being validated" in pending.value.message
    assert wf.check(ALICE, wf.REVISE, standing(wf.RECEIVED, ingest=wf.UNREADABLE)) == wf.RECEIVED


def test_reject_of_a_draft_keeps_the_published_revision_and_withdraw_takes_it_down() -> None:
    draft_of_published = standing(wf.VALIDATED, published=1)
    assert wf.check(REVIEWER, wf.REJECT, draft_of_published) == wf.PUBLISHED
    with pytest.raises(wf.WorkflowError) as refused:
        wf.check(REVIEWER, wf.REJECT, standing(wf.PUBLISHED, published=1))
    assert refused.value.status == 409 and "withdraw" in refused.value.message
    assert wf.check(REVIEWER, wf.WITHDRAW, standing(wf.PUBLISHED, published=1)) == wf.REJECTED


def test_buttons_follow_the_rules() -> None:
    assert wf.allowed_actions(ALICE, standing(wf.VALIDATED)) == [wf.REVISE, wf.ACCEPT]
    assert wf.allowed_actions(REVIEWER, standing(wf.VALIDATED)) == [wf.ACCEPT, wf.REJECT]
    assert wf.allowed_actions(REVIEWER, standing(wf.ACCEPTED)) == [wf.PUBLISH, wf.REJECT]
    assert wf.allowed_actions(ALICE, standing(wf.ACCEPTED)) == [wf.REVISE]
    assert wf.allowed_actions(REVIEWER, standing(wf.PUBLISHED, published=1)) == [wf.WITHDRAW]
    assert wf.allowed_actions(BOB, standing(wf.VALIDATED)) == []


# --- registry -------------------------------------------------------------------------------------------------
def incoming(registry: Registry, name: str, data: bytes) -> Incoming:
    import hashlib

    folder = registry.new_incoming()
    (folder / name).write_bytes(data)
    return Incoming(folder, name, len(data), hashlib.sha256(data).hexdigest(), None)


def test_ids_are_readable_unique_and_never_a_bootstrap_key(tmp_path: Path) -> None:
    registry = Registry(tmp_path)
    first = registry.create("alice", incoming(registry, "Enquête Côte d'Ivoire.xlsx", b"one"))
    second = registry.create("bob", incoming(registry, "Enquête Côte d'Ivoire.xlsx", b"two"))
    assert (first.id, second.id) == ("enquete-cote-d-ivoire-1", "enquete-cote-d-ivoire-2")
    assert submission_id("literature-cases.csv", 3) == "literature-cases-3"
    assert submission_id("农田.xlsx", 4).startswith("x") and submission_id("农田.xlsx", 4).endswith("-4")
    assert safe_file_name("../../etc/passwd") == "passwd"
    assert safe_file_name("C:\\Users\\a\\survey.xlsx") == "survey.xlsx"
    assert safe_file_name("") == "upload"


def test_registry_keeps_files_byte_for_byte_and_history(tmp_path: Path) -> None:
    registry = Registry(tmp_path)
    submission = registry.create("alice", incoming(registry, "survey.xlsx", b"\x00\x01first"))
    revision = registry.revision(submission.id, 1)
    assert revision is not None and revision.ingest == wf.PENDING
    assert registry.source_path(submission.id, revision).read_bytes() == b"\x00\x01first"
    assert list(registry.incoming_dir.iterdir()) == []
    assert registry.pending() == [(submission.id, 1)]
    assert registry.finish_ingest(submission.id, 1, wf.DONE, True, "2 case studies")
    validated = registry.get(submission.id)
    assert validated is not None and validated.state == wf.VALIDATED
    number = registry.add_revision(validated, incoming(registry, "survey.xlsx", b"second"), "alice")
    assert number == 2
    current = registry.get(submission.id)
    assert current is not None and (current.state, current.revision) == (wf.RECEIVED, 2)
    assert registry.source_path(submission.id, registry.revision(submission.id, 1)).read_bytes() == b"\x00\x01first"
    # a late result for revision 1 changes nothing about the submission's state
    assert not registry.finish_ingest(submission.id, 1, wf.DONE, True, "late")
    assert registry.get(submission.id).state == wf.RECEIVED
    steps = [(h.who, h.action, h.from_state, h.to_state, h.revision) for h in registry.history(submission.id)]
    assert steps == [("alice", "upload", None, "received", 1), ("srkg", "validate", "received", "validated", 1),
                     ("alice", "revise", "validated", "received", 2)]
    assert all(h.at.endswith("+00:00") for h in registry.history(submission.id))


def test_a_submission_and_its_current_revision_are_read_as_one_snapshot(tmp_path: Path) -> None:
    """While ingests finish (revision ingest + submission state in one transaction), every read sees both from the
    same moment: never 'ingest done' with 'state received'. Reading them with two statements fails this."""
    import threading

    registry = Registry(tmp_path)
    keys = [registry.create("alice", incoming(registry, f"s{n}.xlsx", b"x")).id for n in range(40)]
    torn: list[tuple[str, str, str]] = []
    done = threading.Event()

    def read() -> None:
        while not done.is_set():
            for submission in [registry.get(keys[-1]), *registry.list()]:
                assert submission is not None
                revision = registry.current(submission)
                assert revision is not None
                if (revision.ingest == wf.DONE) != (submission.state == wf.VALIDATED):
                    torn.append((submission.id, submission.state, revision.ingest))

    readers = [threading.Thread(target=read) for _ in range(2)]
    for reader in readers:
        reader.start()
    try:
        for key in keys:
            assert registry.finish_ingest(key, 1, wf.DONE, True, "ok")
    finally:
        done.set()
        for reader in readers:
            reader.join()
    assert torn == []
    assert {registry.current(s).ingest for s in registry.list()} == {wf.DONE}  # type: ignore[union-attr]


def test_a_stale_decision_is_refused(tmp_path: Path) -> None:
    registry = Registry(tmp_path)
    submission = registry.create("alice", incoming(registry, "survey.xlsx", b"x"))
    registry.finish_ingest(submission.id, 1, wf.DONE, True, "ok")
    seen = registry.get(submission.id)
    registry.transition(seen, wf.ACCEPT, "alice", wf.ACCEPTED)
    with pytest.raises(wf.WorkflowError) as conflict:
        registry.transition(seen, wf.REJECT, "rita", wf.REJECTED, "too late")
    assert conflict.value.status == 409
    assert registry.get(submission.id).state == wf.ACCEPTED
    assert [h.action for h in registry.history(submission.id)] == ["upload", "validate", "accept"]


def test_artifacts_are_written_whole(tmp_path: Path) -> None:
    registry = Registry(tmp_path)
    submission = registry.create("alice", incoming(registry, "a.ttl", b"x"))
    registry.write_artifact(submission.id, 1, "review.json", b"{}")
    folder = registry.revision_dir(submission.id, 1)
    assert sorted(p.name for p in folder.iterdir()) == ["review.json", "source"]
    assert registry.read_artifact(submission.id, 1, "review.json") == b"{}"
    assert registry.read_artifact(submission.id, 1, "missing.json") is None


# --- upload ---------------------------------------------------------------------------------------------------
async def _chunks(data: bytes, size: int = 1000) -> AsyncIterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start:start + size]


def _multipart(fields: dict[str, str], file_name: str, content: bytes, boundary: str = "XyZ") -> bytes:
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
             for k, v in fields.items()]
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{file_name}"\r\n'
                 f"Content-Type: application/octet-stream\r\n\r\n".encode() + content + b"\r\n")
    return b"".join(parts) + f"--{boundary}--\r\n".encode()


def test_multipart_upload_is_streamed_to_disk(tmp_path: Path) -> None:
    registry = Registry(tmp_path)
    content = bytes(range(256)) * 40
    body = _multipart({"csrf_token": "abc"}, "dir/Survey 2024.xlsx", content)
    received = asyncio.run(receive(registry, _chunks(body), "multipart/form-data; boundary=XyZ", None, 100_000))
    assert received.fields == {"csrf_token": "abc"}
    assert received.incoming.file_name == "Survey 2024.xlsx"
    assert received.incoming.path.read_bytes() == content and received.incoming.size == len(content)


def test_raw_upload_needs_a_name_or_a_known_type(tmp_path: Path) -> None:
    registry = Registry(tmp_path)
    received = asyncio.run(receive(registry, _chunks(b"<a> <b> <c> ."), "text/turtle", None, 1000))
    assert received.incoming.file_name == "upload.ttl"
    named = asyncio.run(receive(registry, _chunks(b"PK.."), "application/octet-stream", None, 1000, "s.xlsx"))
    assert named.incoming.file_name == "s.xlsx"
    with pytest.raises(UploadError) as unnamed:
        asyncio.run(receive(registry, _chunks(b"x"), "application/octet-stream", None, 1000))
    assert unnamed.value.status == 400 and "?filename=" in unnamed.value.message


@pytest.mark.parametrize("declared", [True, False])
def test_oversized_upload_is_refused_and_nothing_kept(tmp_path: Path, declared: bool) -> None:
    registry = Registry(tmp_path)
    body = _multipart({}, "big.xlsx", b"x" * 5000)
    with pytest.raises(UploadError) as refused:
        asyncio.run(receive(registry, _chunks(body), "multipart/form-data; boundary=XyZ",
                            str(len(body)) if declared else None, 4000))
    assert refused.value.status == 413
    assert list(registry.incoming_dir.iterdir()) == []


@pytest.mark.parametrize(("body", "content_type", "words"), [
    (_multipart({}, "empty.xlsx", b""), "multipart/form-data; boundary=XyZ", "is empty"),
    (b'--XyZ\r\nContent-Disposition: form-data; name="x"\r\n\r\n1\r\n--XyZ--\r\n', "multipart/form-data; boundary=XyZ",
     "field 'file'"),
    (b"a=1", "application/x-www-form-urlencoded", "multipart/form-data"),
])
def test_bad_uploads(tmp_path: Path, body: bytes, content_type: str, words: str) -> None:
    registry = Registry(tmp_path)
    with pytest.raises(UploadError) as refused:
        asyncio.run(receive(registry, _chunks(body), content_type, None, 10_000))
    assert words in refused.value.message
    assert list(registry.incoming_dir.iterdir()) == []


# --- the report, grouped by case ------------------------------------------------------------------------------
def test_review_groups_located_problems_by_case(tmp_path: Path) -> None:
    result = ingest_file(broken_workbook(tmp_path), submitter="alice", submission_key="survey-1")
    review = build_review(result)
    assert review["acceptable"] and review["verdict"] == "some-left-out"
    by_title = {case["title"]: case for case in review["cases"]}
    assert list(by_title) == [MAE_SOT_TITLE, HUNAN_TITLE]  # file order
    thailand, hunan = by_title[MAE_SOT_TITLE], by_title[HUNAN_TITLE]
    assert thailand["accepted"] and thailand["counts"]["Violation"] == 0
    assert not hunan["accepted"] and (hunan["sheet"], hunan["row"]) == ("Case studies", 5)
    violations = [(p["sheet"], p["row"], p["column"], p["value"]) for p in hunan["problems"]
                  if p["severity"] == "Violation"]
    assert violations == [("Case studies", 5, "Area unit", None), ("Case studies", 5, "Licence", "creative commons"),
                          ("Case studies", 5, "Start year", "2099")]
    assert all("upload it again" in p["fix"] for p in hunan["problems"] if p["severity"] == "Violation")
    assert hunan["iri"] == str(data_iri("case", "survey-1-chn-1"))
    assert {p["sheet"] for p in review["general"]} >= {"Respondent"}  # the example rows, outside any case
    assert review["summary"]["cases_accepted"] == 1 and review["summary"]["violations"] == 3


# --- ingest off the request thread, then publish --------------------------------------------------------------
def _uploaded(registry: Registry, path: Path, owner: str = "alice") -> str:
    return registry.create(owner, incoming(registry, path.name, path.read_bytes())).id


def test_runner_files_the_report_then_validates(tmp_path: Path) -> None:
    registry = Registry(tmp_path / "subs")
    key = _uploaded(registry, broken_workbook(tmp_path))
    assert IngestRunner(registry).run(key, 1) == wf.DONE
    assert registry.get(key).state == wf.VALIDATED
    revision = registry.revision(key, 1)
    assert revision.acceptable and revision.message == ("2 case studies, 1 accepted, 1 left out; 3 violations, "
                                                         "5 warnings")
    shacl = Graph().parse(data=registry.read_artifact(key, 1, SHACL), format="turtle")
    assert (None, URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
            URIRef("http://www.w3.org/ns/shacl#ValidationReport")) in shacl
    loaded = Graph().parse(data=registry.read_artifact(key, 1, LOAD_GRAPH), format="nt")
    assert (data_iri("case", f"{key}-tha-1"), None, None) in loaded
    assert (data_iri("case", f"{key}-chn-1"), None, None) not in loaded
    assert json.loads(registry.read_artifact(key, 1, REVIEW))["verdict"] == "some-left-out"


def test_unreadable_file_stays_received_with_the_reason(tmp_path: Path) -> None:
    registry = Registry(tmp_path / "subs")
    fake = tmp_path / "survey.xlsx"
    fake.write_text("Case id;Title\nC1;x\n")
    key = _uploaded(registry, fake)
    assert IngestRunner(registry).run(key, 1) == wf.UNREADABLE
    submission = registry.get(key)
    assert submission.state == wf.RECEIVED and registry.revision(key, 1).ingest == wf.UNREADABLE
    details = json.loads(registry.read_artifact(key, 1, UNREADABLE_FILE))
    assert details["message"].startswith("the workbook is damaged and cannot be read")
    assert details["file"] == "survey.xlsx"
    assert registry.read_artifact(key, 1, SHACL) is None
    assert [h.action for h in registry.history(key)] == ["upload", "unreadable"]


def test_a_crashing_ingest_is_reported_not_lost(tmp_path: Path) -> None:
    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("boom")

    registry = Registry(tmp_path / "subs")
    key = _uploaded(registry, fixed_workbook(tmp_path))
    assert IngestRunner(registry, broken).run(key, 1) == wf.FAILED
    assert "RuntimeError" in json.loads(registry.read_artifact(key, 1, UNREADABLE_FILE))["message"]
    assert registry.pending() == []


def test_published_graph_swaps_the_status_and_says_who_published() -> None:
    key = "survey-1"
    load = Graph()
    load.add((submission_iri(key), SRKG.submissionStatus, concept_iri("submission-status", "validated")))
    data = published_graph(load.serialize(format="nt", encoding="utf-8"), key, 2, "rita", "2026-06-30T10:00:00+00:00")
    graph = Graph().parse(data=data, format="nt")
    assert list(graph.objects(submission_iri(key), SRKG.submissionStatus)) == [
        concept_iri("submission-status", "published")]
    publication = publication_iri(key, 2)
    assert graph.value(publication, PROV.wasInformedBy) == submission_iri(key)
    assert graph.value(publication, PROV.wasAssociatedWith) == data_iri("agent", "rita")
    assert str(graph.value(publication, PROV.endedAtTime)) == "2026-06-30T10:00:00+00:00"


@pytest.fixture
def service(tmp_path: Path) -> Iterator[SubmissionService]:
    opened = SubmissionService(tmp_path / "subs", OxigraphStore(None), lambda: None)
    yield opened
    opened.close()


def _triples(service: SubmissionService, key: str) -> set[tuple]:
    data = service.store.get_graph(str(submission_graph_iri(key)), "application/n-triples")
    return set(Graph().parse(data=data, format="nt")) if data is not None else set()


def test_publish_revise_reject_withdraw_against_a_real_store(tmp_path: Path, service: SubmissionService) -> None:
    registry = service.registry
    key = _uploaded(registry, fixed_workbook(tmp_path))
    service.runner.run(key, 1)
    service.accept(ALICE, key)
    with pytest.raises(wf.WorkflowError) as forbidden:
        service.publish(ALICE, key)
    assert forbidden.value.status == 403 and _triples(service, key) == set()
    count = service.publish(REVIEWER, key)
    first = _triples(service, key)
    assert count == len(first)
    assert {data_iri("case", f"{key}-tha-1"), data_iri("case", f"{key}-chn-1")} <= {s for s, _, _ in first}

    # a corrected file on a published submission: the public graph stays as it was until it is published
    second = tmp_path / "again"
    second.mkdir()
    number = service.revise(ALICE, key, incoming(registry, "remediation-survey.xlsx",
                                                 fixed_workbook(second).read_bytes()))
    service.runner.run(key, number)
    assert registry.get(key).state == wf.VALIDATED and _triples(service, key) == first
    with pytest.raises(wf.WorkflowError) as no_reason:
        service.reject(REVIEWER, key, "  ")
    assert no_reason.value.status == 400
    service.reject(REVIEWER, key, "Please add the costs.")
    back = registry.get(key)
    assert (back.state, back.revision, back.published_revision) == (wf.PUBLISHED, 1, 1)
    assert _triples(service, key) == first

    # publishing the same content again replaces, never duplicates
    third = service.revise(ALICE, key, incoming(registry, "remediation-survey.xlsx",
                                                fixed_workbook(second).read_bytes()))
    assert third == 3
    service.runner.run(key, third)
    service.accept(REVIEWER, key)
    service.publish(ADMIN, key)
    republished = _triples(service, key)
    assert len(republished) == len(first)  # same content, same IRIs: replaced, not added
    assert not any(publication_iri(key, 1) in (s, o) for s, _, o in republished)
    cases = {s for s, p, o in republished if p == URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
             and o == SRKG.CaseStudy}
    assert cases == {data_iri("case", f"{key}-tha-1"), data_iri("case", f"{key}-chn-1")}

    service.withdraw(REVIEWER, key, "Duplicate of another submission.")
    gone = registry.get(key)
    assert (gone.state, gone.published_revision) == (wf.REJECTED, None) and _triples(service, key) == set()
    actions = [(h.who, h.action, h.to_state, h.revision) for h in registry.history(key)]
    assert actions == [
        ("alice", "upload", "received", 1), ("srkg", "validate", "validated", 1), ("alice", "accept", "accepted", 1),
        ("rita", "publish", "published", 1), ("alice", "revise", "received", 2),
        ("srkg", "validate", "validated", 2), ("rita", "reject", "published", 2),
        ("alice", "revise", "received", 3), ("srkg", "validate", "validated", 3), ("rita", "accept", "accepted", 3),
        ("root", "publish", "published", 3), ("rita", "withdraw", "rejected", 3)]
    assert registry.history(key)[6].note == "Please add the costs. (revision 1 stays published)"


def test_others_drafts_are_invisible(tmp_path: Path, service: SubmissionService) -> None:
    key = _uploaded(service.registry, fixed_workbook(tmp_path))
    assert [s.id for s in service.visible(BOB)] == [] and [s.id for s in service.visible(REVIEWER)] == [key]
    with pytest.raises(wf.WorkflowError) as hidden:
        service.find(BOB, key)
    assert hidden.value.status == 404


# --- interface strings ----------------------------------------------------------------------------------------
def test_every_interface_string_of_the_pages_exists_in_the_six_languages() -> None:
    import re

    from sparql_api.web import i18n
    from sparql_api.web.render import TEMPLATES_DIR

    strings = json.loads((Path(i18n.STRINGS_DIR) / "submissions.json").read_text("utf-8"))
    used = set()
    for template in (TEMPLATES_DIR / "submissions").glob("*.html"):
        used |= {k for k in re.findall(r'_\("(submissions\.[a-z_.-]+)"', template.read_text("utf-8"))
                 if not k.endswith(".")}  # "submissions.state." ~ state: the dynamic keys are listed below
    used |= {f"submissions.state.{s}" for s in wf.STATES}
    used |= {f"submissions.{kind}.{s}" for kind in ("severity", "fix") for s in ("Violation", "Warning", "Info")}
    used |= {f"submissions.verdict.{v}" for v in ("all-accepted", "some-left-out", "nothing-acceptable")}
    used |= {f"submissions.history_action.{a}" for a in ("upload", "validate", "unreadable", "failed", *wf.ACTIONS)}
    used |= {f"submissions.action.{a}{h}" for a in wf.ACTIONS if a != wf.REVISE for h in ("", "_help")}
    assert sorted(used - set(strings)) == []
    assert [k for k, texts in strings.items() if set(texts) != set(i18n.LANGUAGES) or not all(texts.values())] == []
    placeholders = {k: {lang: set(re.findall(r"{(\w+)}", text)) for lang, text in texts.items()}
                    for k, texts in strings.items()}
    assert [k for k, by_lang in placeholders.items() if len({frozenset(v) for v in by_lang.values()}) != 1] == []
