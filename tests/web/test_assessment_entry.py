"""Recording a sustainability assessment through the web form, on a real server: the form becomes a submission
validated by the shapes, a reviewer publishes it, and the case's page and /sparql show it.

Which layer catches what: the form refuses (400, nothing created) what cannot become well-formed RDF — unknown
case, framework or criterion, a rating outside the IUCN scale or on a non-IUCN framework, a non-numeric score;
the shapes report the framework rules on the submission's page (tier-1 SuRF-UK coverage as a Warning)."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import httpx
import pytest
from server.live_server import LiveServer, start_server

from sparql_api.accounts.users import AccountStore, account_store_path

PASSWORD = "a long enough password"
CASE_KEY = "gbr-london-olympic-park"
CASE = f"https://w3id.org/srkg/id/case/{CASE_KEY}"
PATH = "/cases/assessment/new"
SURF_UK = [f"{p}{n}" for p in ("env", "soc", "econ") for n in range(1, 6)]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    live = start_server(tmp_path_factory.mktemp("srkg-assessment"), resources=None, wait_s=240)
    accounts = AccountStore(account_store_path(live.data_dir))
    accounts.add("alice", PASSWORD, "contributor")
    accounts.add("rita", PASSWORD, "reviewer")
    yield live
    live.stop()


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "no CSRF token on the page"
    return found.group(1)


def browser(server: LiveServer, username: str) -> httpx.Client:
    client = httpx.Client(base_url=server.url, timeout=120, follow_redirects=False)
    page = client.get("/login")
    reply = client.post("/login", data={"username": username, "password": PASSWORD, "next": "/",
                                        "csrf_token": _csrf(page.text)})
    assert reply.status_code == 303, reply.text
    return client


def form_page(client: httpx.Client, framework: str) -> str:
    page = client.get(PATH, params={"case": f"/id/case/{CASE_KEY}", "framework": framework, "lang": "en"})
    assert page.status_code == 200, page.text
    return page.text


def settled(client: httpx.Client, key: str, timeout: float = 180) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        doc = client.get(f"/submissions/{key}.json").json()
        if doc["ingest"] != "pending":
            return doc
        time.sleep(0.3)
    raise AssertionError(f"submission {key} still pending")


def submissions(client: httpx.Client) -> list[str]:
    return [s["id"] for s in client.get("/submissions", headers={"Accept": "application/json"}).json()["submissions"]]


def post(client: httpx.Client, html: str, fields: dict[str, str], framework: str) -> httpx.Response:
    data = {"csrf_token": _csrf(html), "case": f"/id/case/{CASE_KEY}", "framework": framework, **fields}
    return client.post(f"{PATH}?lang=en", data=data)


def all_findings(doc: dict) -> list[tuple[str, str]]:
    report = doc["report"]
    items = [p for c in report["cases"] for p in c["problems"]] + report.get("general", [])
    return [(p["severity"], p["message"]) for p in items]


def test_anonymous_visitors_are_sent_to_sign_in(server: LiveServer) -> None:
    reply = httpx.get(f"{server.url}{PATH}?case={CASE_KEY}", follow_redirects=False)
    assert reply.status_code == 303 and reply.headers["location"].startswith("/login?next=")


def test_programs_without_a_session_get_401_not_a_redirect(server: LiveServer) -> None:
    for headers in ({"Accept": "application/json"}, {"Authorization": "Bearer not-a-token"}):
        reply = httpx.post(f"{server.url}{PATH}", data={"case": CASE_KEY}, headers=headers, follow_redirects=False)
        assert reply.status_code == 401 and "www-authenticate" in reply.headers, reply.text


def test_the_form_lists_the_framework_criteria_with_what_each_allows(server: LiveServer) -> None:
    alice = browser(server, "alice")
    surf = form_page(alice, "surf-uk")
    assert all(f'id="row-{c}"' in surf for c in SURF_UK) and 'name="rating-env1"' not in surf
    epa = form_page(alice, "us-epa-greener-cleanups")
    row = re.search(r'<tr id="row-e-1".*?</tr>', epa, re.S)
    assert row and 'name="value-e-1"' in row.group(0) and "MMBtu" in row.group(0)
    iucn = form_page(alice, "iucn-nbs")
    assert 'name="rating-iucn-c1"' in iucn and ">Strong<" in iucn


def test_complete_surf_uk_assessment_is_validated_published_and_shown(server: LiveServer) -> None:
    alice, rita = browser(server, "alice"), browser(server, "rita")
    html = form_page(alice, "surf-uk")
    fields = {f"text-{c}": f"Judged on {c.upper()}." for c in SURF_UK}
    fields.update({"tier": "tier-1", "assessor": "Test assessor", "date": "2012-07-01", "score-env1": "4"})
    reply = post(alice, html, fields, "surf-uk")
    assert reply.status_code == 303, reply.text
    key = reply.headers["location"].split("?")[0].rsplit("/", 1)[-1]
    assert key.startswith(f"assessment-{CASE_KEY}")
    doc = settled(alice, key)
    assert doc["state"] == "validated" and doc["report"]["verdict"] == "all-accepted", doc["report"]
    assert not [f for f in all_findings(doc) if f[0] in ("Violation", "Warning")]

    review = rita.get(f"/submissions/{key}")
    assert rita.post(f"/submissions/{key}/accept", data={"csrf_token": _csrf(review.text)},
                     headers={"Accept": "text/html"}).status_code == 303
    review = rita.get(f"/submissions/{key}")
    assert rita.post(f"/submissions/{key}/publish", data={"csrf_token": _csrf(review.text)},
                     headers={"Accept": "text/html"}).status_code == 303

    query = f"""PREFIX srkg: <https://w3id.org/srkg/ontology#>
        SELECT ?a (COUNT(?r) AS ?n) ?score WHERE {{ <{CASE}> srkg:assessment ?a . ?a srkg:indicatorResult ?r .
          OPTIONAL {{ ?a srkg:indicatorResult/srkg:score ?score }} }} GROUP BY ?a ?score"""
    rows = httpx.get(f"{server.url}/sparql", params={"query": query},
                     headers={"Accept": "application/sparql-results+json"}, timeout=60).json()["results"]["bindings"]
    assert [(r["a"]["value"], r["n"]["value"], r["score"]["value"]) for r in rows] == [
        (f"https://w3id.org/srkg/id/assessment/{CASE_KEY}-surf-uk-tier-1-2012-07-01", "15", "4")]
    page = httpx.get(f"{server.url}/id/case/{CASE_KEY}.html", timeout=60).text
    section = page[page.index('id="assessment"'):]
    assert "Test assessor" in section and "Judged on SOC3." in section


def test_tier1_assessment_of_three_categories_not_marked_partial_is_warned(server: LiveServer) -> None:
    alice = browser(server, "alice")
    html = form_page(alice, "surf-uk")
    fields = {"tier": "tier-1", "text-env1": "Low.", "text-soc2": "Consulted.", "text-econ5": "Sold biomass."}
    reply = post(alice, html, fields, "surf-uk")
    assert reply.status_code == 303, reply.text
    key = reply.headers["location"].split("?")[0].rsplit("/", 1)[-1]
    doc = settled(alice, key)
    assert ("Warning", "This tier-1 SuRF-UK assessment covers 3 of the 15 headline categories. Mark it partial "
            "(srkg:isPartial true, 'partial' in the survey) or add the missing ones: ENV2, ENV3, ENV4, ENV5, SOC1, "
            "SOC3, SOC4, SOC5, ECON1, ECON2, ECON3, ECON4.") in all_findings(doc)
    page = alice.get(f"/submissions/{key}", headers={"Accept": "text/html"}).text
    assert "covers 3 of the 15 headline categories" in page


def test_bad_input_shows_the_form_again_and_creates_nothing(server: LiveServer) -> None:
    alice = browser(server, "alice")
    before = submissions(alice)
    epa = form_page(alice, "us-epa-greener-cleanups")
    # an IUCN rating on an EPA assessment: the form refuses it (the field does not exist for EPA; a forged post)
    reply = post(alice, epa, {"rating-e-1": "strong"}, "us-epa-greener-cleanups")
    assert reply.status_code == 400 and 'id="error-rating-e-1"' in reply.text
    assert "Ratings belong to the IUCN Global Standard for NbS" in reply.text
    reply = post(alice, epa, {"value-e-1": "a lot"}, "us-epa-greener-cleanups")
    assert reply.status_code == 400 and 'id="error-value-e-1"' in reply.text
    surf = form_page(alice, "surf-uk")
    reply = post(alice, surf, {"score-env1": "three"}, "surf-uk")
    assert reply.status_code == 400 and "Write a number" in reply.text
    reply = post(alice, surf, {"text-iucn-c1": "Not SuRF-UK."}, "surf-uk")
    assert reply.status_code == 400 and "not one of the chosen framework" in reply.text
    iucn = form_page(alice, "iucn-nbs")
    reply = post(alice, iucn, {"rating-iucn-c1": "excellent"}, "iucn-nbs")
    assert reply.status_code == 400 and 'id="error-rating-iucn-c1"' in reply.text
    reply = post(alice, surf, {"text-env1": "x"}, "no-such-framework")
    assert reply.status_code == 400 and 'id="error-framework"' in reply.text
    reply = alice.post(f"{PATH}?lang=en", data={"csrf_token": _csrf(surf), "case": "/id/case/no-such-case",
                                                "framework": "surf-uk", "text-env1": "x"})
    assert reply.status_code == 400 and 'id="error-case"' in reply.text
    assert alice.get(PATH, params={"case": "no-such-case"}).status_code == 404
    assert submissions(alice) == before


def test_a_post_without_the_csrf_token_is_refused(server: LiveServer) -> None:
    alice = browser(server, "alice")
    before = submissions(alice)
    reply = alice.post(PATH, data={"case": CASE_KEY, "framework": "surf-uk", "text-env1": "x"})
    assert reply.status_code == 403
    assert submissions(alice) == before
