"""Submissions over real HTTP on a real server with the project's data: upload, report, re-upload, accept,
publish, reject; who sees what; CSRF on the forms; size limit; unreadable files; nothing published twice."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from urllib.parse import quote

import httpx
import pytest
from fixtures.submissions.workbooks import HUNAN_TITLE, MAE_SOT_TITLE, broken_workbook, fixed_workbook
from rdflib import Graph, URIRef
from server.live_server import LiveServer, start_server

from sparql_api.accounts.users import AccountStore, account_store_path

PASSWORD = "a long enough password"
LIMIT = 1_000_000
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SH_REPORT = URIRef("http://www.w3.org/ns/shacl#ValidationReport")
RDF_TYPE = URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
PEOPLE = {"alice": "contributor", "bob": "contributor", "rita": "reviewer"}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    live = start_server(tmp_path_factory.mktemp("srkg-submissions"), resources=None, wait_s=240,
                        env={"SRKG_MAX_REQUEST_BYTES": str(LIMIT)})
    accounts = AccountStore(account_store_path(live.data_dir))
    for name, role in PEOPLE.items():
        accounts.add(name, PASSWORD, role)
    yield live
    live.stop()


@pytest.fixture(scope="module")
def api(server: LiveServer) -> dict[str, httpx.Client]:
    """One API client per person, each with its user-bound token."""
    return {name: httpx.Client(base_url=server.url, timeout=60, follow_redirects=False,
                               headers={"Authorization": f"Bearer {server.tokens.create(f'{name}-api', name)}"})
            for name in PEOPLE}


@pytest.fixture(scope="module")
def workbooks(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    broken = broken_workbook(tmp_path_factory.mktemp("broken"))
    fixed = fixed_workbook(tmp_path_factory.mktemp("fixed"))
    return {"broken": broken.read_bytes(), "fixed": fixed.read_bytes()}


def upload(client: httpx.Client, data: bytes, name: str = "remediation-survey.xlsx", path: str = "/submissions",
           **kwargs: object) -> httpx.Response:
    return client.post(path, files={"file": (name, data, XLSX)}, **kwargs)


def settled(client: httpx.Client, key: str, timeout: float = 180) -> dict:
    """The submission's JSON once its current revision is no longer being validated."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        doc = client.get(f"/submissions/{key}.json").json()
        if doc["ingest"] != "pending":
            return doc
        time.sleep(0.3)
    raise AssertionError(f"submission {key} still pending after {timeout} s")


def sparql(server: LiveServer, query: str) -> list[dict]:
    reply = httpx.get(f"{server.url}/sparql", params={"query": query},
                      headers={"Accept": "application/sparql-results+json"}, timeout=60)
    assert reply.status_code == 200, reply.text
    return reply.json()["results"]["bindings"]


def graphs_of(server: LiveServer, iri: str) -> set[str]:
    rows = sparql(server, f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ <{iri}> ?p ?o }} }}")
    return {row["g"]["value"] for row in rows}


def triples_in(server: LiveServer, graph: str) -> int:
    rows = sparql(server, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
    return int(rows[0]["n"]["value"])


def case_path(iri: str) -> str:
    return "/id/" + iri.split("/id/", 1)[1]


def violations(doc: dict, title: str) -> list[tuple]:
    case = next(c for c in doc["report"]["cases"] if c["title"] == title)
    return [(p["sheet"], p["row"], p["column"]) for p in case["problems"] if p["severity"] == "Violation"]


# --- the whole path: broken file, report, corrected file, accept, publish --------------------------------------
def test_broken_upload_corrected_accepted_published(server: LiveServer, api: dict[str, httpx.Client],
                                                    workbooks: dict[str, bytes]) -> None:
    alice, bob, rita = api["alice"], api["bob"], api["rita"]
    reply = upload(alice, workbooks["broken"])
    assert reply.status_code == 202, reply.text
    key = reply.json()["id"]
    assert re.fullmatch(r"remediation-survey-\d+", key)
    assert reply.headers["location"] == f"/submissions/{key}"
    assert reply.json()["state"] == "received"

    draft = settled(alice, key)
    assert (draft["state"], draft["revision"], draft["owner"]) == ("validated", 1, "alice")
    assert draft["report"]["verdict"] == "some-left-out"
    assert violations(draft, HUNAN_TITLE) == [("Case studies", 5, "Area unit"), ("Case studies", 5, "Licence"),
                                              ("Case studies", 5, "Start year")]
    assert violations(draft, MAE_SOT_TITLE) == []
    hunan = next(c for c in draft["report"]["cases"] if c["title"] == HUNAN_TITLE)
    thailand = next(c for c in draft["report"]["cases"] if c["title"] == MAE_SOT_TITLE)
    assert not hunan["accepted"] and thailand["accepted"]
    assert draft["actions"] == ["revise", "accept"]

    # the report as a page: grouped by case, located, with what to do
    page = alice.get(f"/submissions/{key}", headers={"Accept": "text/html"})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert 'http-equiv="refresh"' not in page.text
    section = re.search(r'<section class="case left-out"[^>]*data-iri="' + re.escape(hunan["iri"]) + r'".*?</section>',
                        page.text, re.S)
    assert section, "no section for the left-out case"
    assert HUNAN_TITLE in section.group(0) and "left out" in section.group(0)
    assert re.search(r"<td[^>]*>Case studies</td>\s*<td>5</td>\s*<td[^>]*>Start year</td>\s*<td[^>]*>the year 2099 "
                     r"is in the future", section.group(0))
    assert "Correct this in the file and upload it again" in section.group(0)
    assert "accepting this revision publishes only the others" in page.text
    french = alice.get(f"/submissions/{key}?lang=fr", headers={"Accept": "text/html"})
    assert "écartée — corrigez les violations" in french.text

    # the SHACL report, three ways
    for path, headers in ((f"/submissions/{key}.ttl", {}), (f"/submissions/{key}?format=ttl", {}),
                          (f"/submissions/{key}", {"Accept": "text/turtle"})):
        shacl = alice.get(path, headers=headers)
        assert shacl.status_code == 200 and shacl.headers["content-type"].startswith("text/turtle")
        assert (None, RDF_TYPE, SH_REPORT) in Graph().parse(data=shacl.text, format="turtle")

    # a draft is nowhere public, and nobody else's business
    assert graphs_of(server, thailand["iri"]) == set()
    assert httpx.get(server.url + case_path(thailand["iri"]), timeout=30).status_code == 404
    assert bob.get(f"/submissions/{key}.json").status_code == 404
    assert bob.get(f"/submissions/{key}/source").status_code == 404
    assert key not in {s["id"] for s in bob.get("/submissions", headers={"Accept": "application/json"})
                       .json()["submissions"]}
    listed = {s["id"]: s for s in rita.get("/submissions?format=json").json()["submissions"]}
    assert (listed[key]["owner"], listed[key]["file_name"], listed[key]["state"]) == (
        "alice", "remediation-survey.xlsx", "validated")
    assert alice.get(f"/submissions/{key}/source").content == workbooks["broken"]

    # the corrected file, sent as a raw body: same submission, revision 2, no violations
    again = alice.post(f"/submissions/{key}/revisions?filename=remediation-survey.xlsx", content=workbooks["fixed"],
                       headers={"Content-Type": XLSX})
    assert again.status_code == 202 and again.json()["revision"] == 2
    fixed = settled(alice, key)
    assert (fixed["state"], fixed["revision"]) == ("validated", 2)
    assert fixed["report"]["summary"]["violations"] == 0 and fixed["report"]["verdict"] == "all-accepted"
    assert {c["iri"] for c in fixed["report"]["cases"]} == {hunan["iri"], thailand["iri"]}  # same IRIs
    assert alice.get(f"/submissions/{key}/source?revision=1").content == workbooks["broken"]

    # contributor accepts, cannot publish; a reviewer publishes
    assert alice.post(f"/submissions/{key}/publish").status_code == 403
    accepted = alice.post(f"/submissions/{key}/accept")
    assert accepted.status_code == 200 and accepted.json()["state"] == "accepted"
    twice = alice.post(f"/submissions/{key}/accept")
    assert twice.status_code == 409 and "already accepted" in twice.text
    published = rita.post(f"/submissions/{key}/publish")
    assert published.status_code == 200 and published.json()["state"] == "published"
    graph = f"https://w3id.org/srkg/graph/submission/{key}"
    assert graphs_of(server, thailand["iri"]) == {graph} and graphs_of(server, hunan["iri"]) == {graph}
    assert httpx.get(server.url + case_path(thailand["iri"]) + ".ttl", timeout=30).status_code == 200
    status = sparql(server, f"SELECT ?status ?who WHERE {{ GRAPH <{graph}> {{ "
                    f"<https://w3id.org/srkg/id/submission/{key}> <https://w3id.org/srkg/ontology#submissionStatus> "
                    "?status . ?publication <http://www.w3.org/ns/prov#wasInformedBy> "
                    f"<https://w3id.org/srkg/id/submission/{key}> ; <http://www.w3.org/ns/prov#wasAssociatedWith> ?a . "
                    "?a <http://www.w3.org/2000/01/rdf-schema#label> ?who } }")
    assert [(r["status"]["value"], r["who"]["value"]) for r in status] == [
        ("https://w3id.org/srkg/vocab/submission-status/published", "rita")]
    assert rita.post(f"/submissions/{key}/publish").status_code == 409
    count = triples_in(server, graph)

    # the same file once more, accepted and published by the reviewer: replaced, not duplicated
    third = upload(alice, workbooks["fixed"], path=f"/submissions/{key}/revisions")
    assert third.status_code == 202 and third.json()["revision"] == 3
    assert settled(alice, key)["state"] == "validated"
    assert graphs_of(server, thailand["iri"]) == {graph}  # revision 2 stays public meanwhile
    assert rita.post(f"/submissions/{key}/accept").status_code == 200
    assert rita.post(f"/submissions/{key}/publish").status_code == 200
    assert triples_in(server, graph) == count
    titles = sparql(server, f"SELECT ?t WHERE {{ <{thailand['iri']}> <http://purl.org/dc/terms/title> ?t }}")
    assert len(titles) == 1

    history = alice.get(f"/submissions/{key}/history").json()["history"]
    steps = [(h["who"], h["action"], h["from_state"], h["to_state"], h["revision"]) for h in history]
    assert steps == [
        ("alice", "upload", None, "received", 1), ("srkg", "validate", "received", "validated", 1),
        ("alice", "revise", "validated", "received", 2), ("srkg", "validate", "received", "validated", 2),
        ("alice", "accept", "validated", "accepted", 2), ("rita", "publish", "accepted", "published", 2),
        ("alice", "revise", "published", "received", 3), ("srkg", "validate", "received", "validated", 3),
        ("rita", "accept", "validated", "accepted", 3), ("rita", "publish", "accepted", "published", 3)]
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", h["at"]) for h in history)
    page = rita.get(f"/submissions/{key}", headers={"Accept": "text/html"})
    assert page.text.count("<tr><td><time") == len(history)


def test_reject_with_a_reason_and_illegal_transitions(api: dict[str, httpx.Client],
                                                      workbooks: dict[str, bytes]) -> None:
    alice, rita = api["alice"], api["rita"]
    key = upload(alice, workbooks["fixed"], name="second-survey.xlsx").json()["id"]
    assert settled(alice, key)["state"] == "validated"
    assert alice.post(f"/submissions/{key}/reject", json={"reason": "mine"}).status_code == 403
    no_reason = rita.post(f"/submissions/{key}/reject")
    assert no_reason.status_code == 400 and "reason" in no_reason.text
    assert rita.post(f"/submissions/{key}/publish").status_code == 409  # not accepted yet
    assert rita.post(f"/submissions/{key}/withdraw", json={"reason": "x"}).status_code == 409
    rejected = rita.post(f"/submissions/{key}/reject", json={"reason": "The source is a press release only."})
    assert rejected.status_code == 200 and rejected.json()["state"] == "rejected"
    for attempt in (alice.post(f"/submissions/{key}/accept"), rita.post(f"/submissions/{key}/publish"),
                    rita.post(f"/submissions/{key}/reject", json={"reason": "again"}),
                    upload(alice, workbooks["fixed"], path=f"/submissions/{key}/revisions")):
        assert attempt.status_code == 409, attempt.text
        assert attempt.headers["content-type"].startswith("text/plain") and len(attempt.text) > 20
    last = alice.get(f"/submissions/{key}/history").json()["history"][-1]
    assert (last["who"], last["action"], last["to_state"], last["note"]) == (
        "rita", "reject", "rejected", "The source is a press release only.")
    assert alice.post("/submissions/no-such-thing-9/accept").status_code == 404
    assert alice.post(f"/submissions/{key}/destroy").status_code == 404


def test_unreadable_file_says_why_and_cannot_be_accepted(api: dict[str, httpx.Client]) -> None:
    alice = api["alice"]
    reply = upload(alice, b"Case id;Title\nC1;Phytoextraction\n", name="survey.xlsx")
    assert reply.status_code == 202
    key = reply.json()["id"]
    doc = settled(alice, key)
    assert (doc["state"], doc["ingest"], doc["report"]) == ("received", "unreadable", None)
    assert doc["unreadable"]["file"] == "survey.xlsx"
    assert doc["unreadable"]["message"].startswith("the workbook is damaged and cannot be read; open it in Excel")
    refused = alice.post(f"/submissions/{key}/accept")
    assert refused.status_code == 409 and "could not be read" in refused.text
    assert alice.get(f"/submissions/{key}.ttl").status_code == 409
    page = alice.get(f"/submissions/{key}", headers={"Accept": "text/html"})
    assert 'id="unreadable"' in page.text and "the workbook is damaged" in page.text
    assert 'id="action-revise"' in page.text and 'id="action-accept"' not in page.text


def test_uploads_over_the_limit_are_refused(server: LiveServer, api: dict[str, httpx.Client]) -> None:
    alice = api["alice"]
    declared = upload(alice, b"x" * (LIMIT + 1000))
    assert declared.status_code == 413 and "limit" in declared.text

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted while streaming
        yield b'--b\r\nContent-Disposition: form-data; name="file"; filename="big.xlsx"\r\n\r\n'
        for _ in range(LIMIT // 50_000 + 2):
            yield b"x" * 50_000

    streamed = alice.post("/submissions", content=chunks(), headers={"Content-Type": "multipart/form-data; boundary=b"})
    assert streamed.status_code == 413
    incoming = server.data_dir / "submissions" / "incoming"
    assert list(incoming.iterdir()) == []


def test_anonymous_callers_are_sent_to_sign_in(server: LiveServer) -> None:
    anonymous = httpx.Client(base_url=server.url, timeout=30, follow_redirects=False)
    assert anonymous.get("/submissions", headers={"Accept": "application/json"}).status_code == 401
    assert anonymous.get("/submissions/anything-1.json").status_code == 401
    assert anonymous.post("/submissions", files={"file": ("a.ttl", b"<a> <b> <c> .")}).status_code == 401
    page = anonymous.get("/submissions/anything-1", headers={"Accept": "text/html"})
    assert page.status_code == 303
    assert page.headers["location"] == "/login?next=" + quote("/submissions/anything-1", safe="")


# --- the browser: forms with a session cookie and CSRF --------------------------------------------------------
def _csrf(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "form without a CSRF field"
    return found.group(1)


def browser(server: LiveServer, username: str) -> httpx.Client:
    client = httpx.Client(base_url=server.url, follow_redirects=False, timeout=60,
                          headers={"Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8"})
    page = client.get("/login")
    reply = client.post("/login", data={"username": username, "password": PASSWORD, "next": "/submissions",
                                        "csrf_token": _csrf(page.text)})
    assert reply.status_code == 303, reply.text
    return client


def test_browser_upload_and_accept_need_the_csrf_token(server: LiveServer, workbooks: dict[str, bytes]) -> None:
    alice = browser(server, "alice")
    listing = alice.get("/submissions")
    assert listing.status_code == 200 and 'enctype="multipart/form-data"' in listing.text
    token = _csrf(listing.text)
    files = {"file": ("browser-survey.xlsx", workbooks["fixed"], XLSX)}
    assert alice.post("/submissions", files=files).status_code == 403
    forged = alice.post("/submissions", files=files, data={"csrf_token": "forged-forged-forged-forged"})
    assert forged.status_code == 403
    cross = alice.post("/submissions", files=files, data={"csrf_token": token},
                       headers={"Origin": "https://evil.example"})
    assert cross.status_code == 403
    sent = alice.post("/submissions", files=files, data={"csrf_token": token})
    assert sent.status_code == 303
    report_url = sent.headers["location"]
    key = report_url.rsplit("/", 1)[1]
    first = alice.get(report_url)
    assert first.status_code == 200
    if 'id="validating"' in first.text:  # caught while the file is checked: the page reloads itself
        assert '<meta http-equiv="refresh" content="2">' in first.text
    settled(alice, key)
    page = alice.get(report_url)
    assert page.status_code == 200 and 'http-equiv="refresh"' not in page.text
    assert 'id="action-accept"' in page.text and 'id="action-publish"' not in page.text
    assert alice.post(f"/submissions/{key}/accept", data={}).status_code == 403
    assert alice.post(f"/submissions/{key}/accept", data={"csrf_token": "wrong-wrong-wrong-wrong"}).status_code == 403
    done = alice.post(f"/submissions/{key}/accept", data={"csrf_token": _csrf(page.text)})
    assert done.status_code == 303 and done.headers["location"] == f"/submissions/{key}"
    refused = alice.post(f"/submissions/{key}/publish", data={"csrf_token": _csrf(page.text)})
    assert refused.status_code == 403 and refused.headers["content-type"].startswith("text/html")
    assert "only a reviewer or an admin may publish" in refused.text

    rita = browser(server, "rita")
    review = rita.get(report_url)
    assert 'id="action-publish"' in review.text and 'id="action-reject"' in review.text
    published = rita.post(f"/submissions/{key}/publish", data={"csrf_token": _csrf(review.text)})
    assert published.status_code == 303
    assert 'data-state="published"' in rita.get(report_url).text


def test_report_page_lists_the_history_with_names(api: dict[str, httpx.Client], workbooks: dict[str, bytes]) -> None:
    alice = api["alice"]
    key = upload(alice, workbooks["broken"], name="history-check.xlsx").json()["id"]
    settled(alice, key)
    page = alice.get(f"/submissions/{key}", headers={"Accept": "text/html"})
    table = re.search(r'<table class="history".*?</table>', page.text, re.S)
    assert table and "alice" in table.group(0) and "srkg" in table.group(0)
    assert "2 case studies, 1 accepted, 1 left out; 3 violations" in table.group(0)


@pytest.mark.parametrize(("name", "rdf_format", "media_type"), [
    ("complete-case.ttl", "turtle", "text/turtle"),
    ("complete-case.jsonld", "json-ld", "application/ld+json"),
])
def test_rdf_files_are_submitted_like_workbooks(server: LiveServer, api: dict[str, httpx.Client], name: str,
                                                rdf_format: str, media_type: str) -> None:
    """A partner network's RDF (here the shapes' complete valid case) goes through the same report and review."""
    from pathlib import Path

    source = Path(__file__).resolve().parents[1] / "fixtures" / "valid" / "complete-case.ttl"
    data = Graph().parse(source).serialize(format=rdf_format).encode("utf-8")
    alice, rita = api["alice"], api["rita"]
    reply = alice.post("/submissions", files={"file": (name, data, media_type)})
    assert reply.status_code == 202, reply.text
    key = reply.json()["id"]
    doc = settled(alice, key)
    assert (doc["state"], doc["report"]["verdict"]) == ("validated", "all-accepted"), doc["report"]
    [case] = doc["report"]["cases"]
    assert case["accepted"] and case["iri"] == "https://w3id.org/srkg/id/case/fixture"
    assert alice.post(f"/submissions/{key}/accept").status_code == 200
    assert rita.post(f"/submissions/{key}/publish").status_code == 200
    assert f"https://w3id.org/srkg/graph/submission/{key}" in graphs_of(server, case["iri"])
    assert rita.post(f"/submissions/{key}/withdraw", data={"reason": "test data"}).status_code == 200
    assert graphs_of(server, case["iri"]) == set()


def test_a_submission_cannot_restate_a_published_case(server: LiveServer, api: dict[str, httpx.Client]) -> None:
    """Published data changes only through its own submission: an upload restating another graph's case is
    refused as a whole, with the reason, and can never be accepted (so never published)."""
    case = "https://w3id.org/srkg/id/case/gbr-london-olympic-park"
    from pathlib import Path

    valid = Path(__file__).resolve().parents[1] / "fixtures" / "valid" / "complete-case.ttl"
    # A valid new case (acceptable on its own) plus one statement about someone else's published case.
    defaced = Graph().parse(valid).serialize(format="nt").encode() + \
        f'<{case}> <http://purl.org/dc/terms/title> "Defaced"@en .\n'.encode()
    bob = api["bob"]
    reply = bob.post("/submissions", files={"file": ("olympic-park.nt", defaced, "application/n-triples")})
    assert reply.status_code == 202, reply.text
    doc = settled(bob, reply.json()["id"])
    assert doc["report"]["verdict"] == "nothing-acceptable"
    [reason] = doc["report"]["rejected_whole"]
    assert reason.startswith(f"<{case}> is already published in <https://w3id.org/srkg/graph/examples>")
    refused = bob.post(f"/submissions/{doc['id']}/accept")
    assert refused.status_code == 409
    titles = sparql(server, f"SELECT ?t WHERE {{ <{case}> <http://purl.org/dc/terms/title> ?t }}")
    assert [t["t"]["value"] for t in titles] == ["Remediation of the London 2012 Olympic Park"]


def test_two_drafts_of_the_same_resources_cannot_both_be_published(server: LiveServer,
                                                                   api: dict[str, httpx.Client]) -> None:
    """Ownership is checked again at publication: the second of two drafts describing the same new case is
    refused once the first is public."""
    from pathlib import Path

    valid = Path(__file__).resolve().parents[1] / "fixtures" / "valid" / "complete-case.ttl"
    data = Graph().parse(valid).serialize(format="turtle").encode()
    alice, bob, rita = api["alice"], api["bob"], api["rita"]
    keys = []
    for client in (alice, bob):
        reply = client.post("/submissions", files={"file": ("same-case.ttl", data, "text/turtle")})
        keys.append(reply.json()["id"])
        assert settled(client, keys[-1])["report"]["verdict"] == "all-accepted"
    assert alice.post(f"/submissions/{keys[0]}/accept").status_code == 200
    assert bob.post(f"/submissions/{keys[1]}/accept").status_code == 200
    assert rita.post(f"/submissions/{keys[0]}/publish").status_code == 200
    second = rita.post(f"/submissions/{keys[1]}/publish")
    assert second.status_code == 409 and "is already published in" in second.text, second.text
    assert graphs_of(server, "https://w3id.org/srkg/id/case/fixture") == {
        f"https://w3id.org/srkg/graph/submission/{keys[0]}"}
    assert rita.post(f"/submissions/{keys[0]}/withdraw", data={"reason": "test data"}).status_code == 200


def test_a_submission_cannot_restate_an_agrovoc_concept(server: LiveServer, api: dict[str, httpx.Client]) -> None:
    bob = api["bob"]
    concept = "http://aims.fao.org/aos/agrovoc/c_1178"
    data = f'<{concept}> <http://www.w3.org/2004/02/skos/core#prefLabel> "defaced"@en .\n'.encode()
    reply = bob.post("/submissions", files={"file": ("agrovoc.nt", data, "application/n-triples")})
    doc = settled(bob, reply.json()["id"])
    assert doc["report"]["verdict"] == "nothing-acceptable"
    assert any(concept in reason for reason in doc["report"]["rejected_whole"]), doc["report"]["rejected_whole"]


def test_a_chunked_oversized_action_body_is_refused(server: LiveServer, api: dict[str, httpx.Client]) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"reason": "'
        for _ in range(200):
            yield b"x" * 1024
        yield b'"}'

    reply = api["rita"].post("/submissions/nothing-1/reject", content=chunks(),
                             headers={"Content-Type": "application/json"})
    assert reply.status_code == 413, reply.text
