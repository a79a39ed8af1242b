"""Odd and hostile request inputs get a clear 4xx, never a 500 (found by review; each reproduced a 500 before)."""

from __future__ import annotations

import pytest
from server.live_server import LiveServer


@pytest.mark.parametrize("path", ["/id/%25zz", "/id/%25", "/id/%5B", "/id/%EF%BF%BF", "/graph/%25zz",
                                  "/ontology/%25z", "/id/case/x.ttl%25"])
def test_paths_that_are_no_iri_are_not_found(site: LiveServer, path: str) -> None:
    assert site.request("GET", path).status == 404


@pytest.mark.parametrize("query", [
    "pollutant=https://w3id.org/srkg/vocab/pollutant/a%3Eb",
    "pollutant=Cd&country=https://w3id.org/srkg/vocab/country/x%22y",
    "pollutant=Cd&w_environmental=1e309",
    "pollutant=Cd&weights=environmental%3D1e999999",
])
def test_comparison_filters_that_name_nothing_are_bad_requests(site: LiveServer, query: str) -> None:
    for path in ("/compare.json", "/compare"):
        reply = site.request("GET", f"{path}?{query}")
        assert reply.status == 400, (path, query, reply.status, reply.text[:300])


def test_checklist_with_a_broken_iri_is_a_bad_request(site: LiveServer) -> None:
    reply = site.request("GET", "/checklist?pollutant=https://w3id.org/srkg/vocab/pollutant/a%3Eb&format=json")
    assert reply.status == 400, reply.text[:300]


@pytest.mark.parametrize("case", ["http://x%20y", "/id/case/%3E"])
def test_assessment_form_for_a_broken_case_iri_is_not_found(site: LiveServer, case: str) -> None:
    from sparql_api.accounts.users import AccountStore, account_store_path

    accounts = AccountStore(account_store_path(site.data_dir))
    if accounts.get("hostile-contrib") is None:
        accounts.add("hostile-contrib", "a long enough password", "contributor")
    token = site.tokens.create(f"hostile-{len(case)}-{case[-1]}", username="hostile-contrib")
    reply = site.request("GET", f"/cases/assessment/new?case={case}", headers={"Authorization": f"Bearer {token}"})
    assert 400 <= reply.status < 500, (reply.status, reply.text[:300])
