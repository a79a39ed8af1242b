"""Sign-in over real HTTP: sessions, CSRF on forms, roles for direct writes, user-bound tokens."""

from __future__ import annotations

import re

import httpx
import pytest
from server.live_server import LiveServer

from sparql_api.accounts.users import AccountStore, account_store_path

PASSWORD = "a long enough password"
UPDATE = "INSERT DATA { GRAPH <urn:x-test:accounts> { <urn:x:s> <urn:x:p> 'o' } }"


@pytest.fixture(scope="module")
def people(site: LiveServer) -> AccountStore:
    accounts = AccountStore(account_store_path(site.data_dir))
    for name, role in (("acc-contrib", "contributor"), ("acc-review", "reviewer"), ("acc-admin", "admin"),
                       ("acc-gone", "contributor")):
        if accounts.get(name) is None:
            accounts.add(name, PASSWORD, role, display_name=name.upper())
    return accounts


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "form without a CSRF field"
    return found.group(1)


def login(site: LiveServer, username: str, password: str = PASSWORD, next_path: str = "/account") -> httpx.Client:
    client = httpx.Client(base_url=site.url, follow_redirects=False, timeout=30)
    page = client.get("/login", params={"next": next_path})
    assert page.status_code == 200
    reply = client.post("/login", data={"username": username, "password": password, "next": next_path,
                                        "csrf_token": _csrf(page.text)})
    assert reply.status_code == 303, reply.text
    assert reply.headers["location"] == next_path
    return client


def test_login_sets_an_httponly_session_and_shows_the_user(site: LiveServer, people: AccountStore) -> None:
    client = login(site, "acc-review")
    cookie = next(h for h in client.cookies.jar if h.name == "srkg_session")
    assert cookie.has_nonstandard_attr("HttpOnly") and cookie.value
    page = client.get("/account")
    assert page.status_code == 200 and "ACC-REVIEW" in page.text and 'id="signed-in-user"' in page.text
    me = client.get("/account", headers={"Accept": "application/json"}).json()
    assert me == {"username": "acc-review", "display_name": "ACC-REVIEW", "role": "reviewer", "can_review": True}


def test_wrong_password_is_refused_without_saying_which_part_was_wrong(site: LiveServer, people: AccountStore) -> None:
    client = httpx.Client(base_url=site.url, timeout=30)
    page = client.get("/login")
    reply = client.post("/login", data={"username": "acc-contrib", "password": "not the password",
                                        "csrf_token": _csrf(page.text)})
    assert reply.status_code == 401
    assert "user name or password is not right" in reply.text
    assert "srkg_session" not in reply.headers.get("set-cookie", "")


def test_login_form_without_the_csrf_token_is_refused(site: LiveServer, people: AccountStore) -> None:
    client = httpx.Client(base_url=site.url, timeout=30)
    client.get("/login")  # has the CSRF cookie, but the form field is missing or wrong
    for token in ("", "forged-token-forged-token"):
        reply = client.post("/login", data={"username": "acc-contrib", "password": PASSWORD, "csrf_token": token})
        assert reply.status_code == 403 and "reload the page" in reply.text


def test_cross_origin_form_posts_are_refused(site: LiveServer, people: AccountStore) -> None:
    client = httpx.Client(base_url=site.url, timeout=30)
    token = _csrf(client.get("/login").text)
    reply = client.post("/login", data={"username": "acc-contrib", "password": PASSWORD, "csrf_token": token},
                        headers={"Origin": "https://evil.example"})
    assert reply.status_code == 403 and "another site" in reply.text


def test_next_cannot_send_the_browser_to_another_site(site: LiveServer, people: AccountStore) -> None:
    client = httpx.Client(base_url=site.url, follow_redirects=False, timeout=30)
    token = _csrf(client.get("/login").text)
    for target in ("//evil.example/x", "https://evil.example/", "javascript:alert(1)"):
        reply = client.post("/login", data={"username": "acc-contrib", "password": PASSWORD, "next": target,
                                            "csrf_token": token})
        assert reply.status_code == 303 and reply.headers["location"] == "/", target


def test_logout_ends_the_session_on_the_server(site: LiveServer, people: AccountStore) -> None:
    client = login(site, "acc-contrib")
    stolen = client.cookies.get("srkg_session")
    page = client.get("/account")
    assert client.post("/logout", data={"csrf_token": _csrf(page.text)}).status_code == 303
    replay = httpx.get(f"{site.url}/account", cookies={"srkg_session": stolen}, follow_redirects=False)
    assert replay.status_code == 303 and replay.headers["location"].startswith("/login?next=")


def test_disabled_user_loses_session_and_tokens(site: LiveServer, people: AccountStore) -> None:
    client = login(site, "acc-gone")
    token = site.tokens.create("acc-gone-api", username="acc-gone")
    assert client.get("/account").status_code == 200
    people.disable("acc-gone")
    assert client.get("/account").status_code == 303
    reply = httpx.get(f"{site.url}/account", headers={"Authorization": f"Bearer {token}",
                                                      "Accept": "application/json"})
    assert reply.status_code == 403 and "disabled" in reply.text


@pytest.mark.parametrize(("role", "status"), [("contributor", 403), ("reviewer", 403), ("admin", 204)])
def test_direct_writes_need_an_admin(site: LiveServer, people: AccountStore, role: str, status: int) -> None:
    user = {"contributor": "acc-contrib", "reviewer": "acc-review", "admin": "acc-admin"}[role]
    token = site.tokens.create(f"acc-{role}-write", username=user)
    reply = site.update(UPDATE, token=token)
    assert reply.status == status, reply.text
    if status == 403:
        assert "/submissions" in reply.text
    site.update("DROP SILENT GRAPH <urn:x-test:accounts>")


def test_a_session_cookie_alone_cannot_write_through_sparql(site: LiveServer, people: AccountStore) -> None:
    client = login(site, "acc-admin")
    reply = client.post("/sparql", content=UPDATE, headers={"Content-Type": "application/sparql-update"})
    assert reply.status_code == 401


def test_api_token_of_a_user_identifies_them(site: LiveServer, people: AccountStore) -> None:
    token = site.tokens.create("acc-contrib-api", username="acc-contrib")
    me = httpx.get(f"{site.url}/account", headers={"Authorization": f"Bearer {token}", "Accept": "application/json"})
    assert me.json()["role"] == "contributor"
    assert httpx.get(f"{site.url}/account", headers={"Authorization": "Bearer srkg_wrong",
                                                     "Accept": "application/json"}).status_code == 401
