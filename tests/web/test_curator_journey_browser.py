"""The whole curator journey in a real headless Chromium, as the issue tells it: a contributor submits a broken
survey workbook, reads the report, fixes the file and submits it again, accepts; a reviewer publishes; the case
is then found on its own page (with its map point), in search, and on the coverage map, which it changes.

The server runs on the real ontology, vocabularies and countries but with no case studies shipped, so the
two real cases of the workbook (Thailand, China) visibly move the coverage map from missing to covered.
Screenshots of every step go to test-artifacts/screenshots/journey-*.png.
"""

from __future__ import annotations

import re
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from browser_support import chromium, screenshot
from fixtures.submissions.workbooks import MAE_SOT_TITLE, Rows, broken_cases, real_cases, write_workbook
from server.live_server import REPO, LiveServer, start_server

from sparql_api.accounts.users import AccountStore, account_store_path

pytestmark = pytest.mark.browser

PASSWORD = "journey password 2026"
THAILAND, CHINA = "764", "156"
BASE = "https://w3id.org/srkg/"


# Mae Sot town, Tak province, Thailand (16°43′N 98°34′E): the site's approximate position for its map point.
MAE_SOT_POINT = {"latitude": 16.717, "longitude": 98.567}


def with_site_point(rows: Rows) -> Rows:
    rows["cases"][0].update(MAE_SOT_POINT)
    return rows


def resources_without_cases(root: Path) -> Path:
    """The project's ontology, vocabularies, shapes and countries, but no shipped case studies."""
    shutil.copytree(REPO / "ontology", root / "ontology")
    shutil.copytree(REPO / "shapes", root / "shapes")
    (root / "examples" / "cases").mkdir(parents=True)
    return root


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    workdir = tmp_path_factory.mktemp("journey")
    live = start_server(workdir, resources=resources_without_cases(workdir / "resources"), wait_s=240)
    accounts = AccountStore(account_store_path(live.data_dir))
    accounts.add("cora", PASSWORD, "contributor", "Cora Contributor")
    accounts.add("rex", PASSWORD, "reviewer", "Rex Reviewer")
    yield live
    live.stop()


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    with chromium(tmp_path_factory.mktemp("chromium-profile")) as driver:
        yield driver


def by_css(driver: object, selector: str) -> list:
    from selenium.webdriver.common.by import By

    return driver.find_elements(By.CSS_SELECTOR, selector)  # type: ignore[attr-defined]


def wait_for(driver: object, condition: Callable[[object], object], timeout: float = 120) -> object:
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout, poll_frequency=0.3).until(condition)


def log_in(driver: object, server: LiveServer, username: str, next_path: str) -> None:
    driver.get(f"{server.url}/login?next={next_path}")  # type: ignore[attr-defined]
    by_css(driver, "#username")[0].send_keys(username)
    by_css(driver, "#password")[0].send_keys(PASSWORD)
    by_css(driver, "#login-submit")[0].click()
    wait_for(driver, lambda d: by_css(d, "#signed-in-user"))
    assert username in by_css(driver, "#signed-in-user")[0].text


def log_out(driver: object) -> None:
    by_css(driver, "header form[action='/logout'] button")[0].click()
    wait_for(driver, lambda d: not by_css(d, "#signed-in-user"))


def page_state(driver: object) -> str | None:
    """The submission state the report page shows (None while the page is being replaced by its refresh)."""
    from selenium.common.exceptions import WebDriverException

    try:
        found = by_css(driver, "#state")
        return found[0].get_attribute("data-state") if found else None
    except (WebDriverException, IndexError):
        return None


def settled_state(driver: object) -> str:
    """Wait until the report page (refreshing itself) shows a state other than received."""
    return wait_for(driver, lambda d: (page_state(d) or "received") != "received" and page_state(d), timeout=180)


def revision_shown(driver: object) -> str | None:
    from selenium.common.exceptions import WebDriverException

    try:
        return by_css(driver, "#revision")[0].text.strip()
    except (WebDriverException, IndexError):
        return None


def wait_for_state(driver: object, state: str) -> None:
    wait_for(driver, lambda d: page_state(d) == state)


def map_class(driver: object, m49: str) -> str:
    shapes = by_css(driver, f"svg.worldmap [data-m49='{m49}']")
    assert shapes, f"no shape for M49 {m49} on the map"
    return shapes[0].get_attribute("class") or ""


def test_submit_fix_publish_and_find_the_case(server: LiveServer, browser: object, tmp_path: Path) -> None:
    driver = browser
    for folder in ("broken", "fixed"):
        (tmp_path / folder).mkdir()
    # Before: neither country is covered.
    driver.get(f"{server.url}/coverage")
    assert "missing" in map_class(driver, THAILAND) and "missing" in map_class(driver, CHINA)
    screenshot(driver, "journey-01-coverage-before")

    # A contributor uploads a workbook with mistakes and reads the report.
    log_in(driver, server, "cora", "/submissions")
    broken = write_workbook(tmp_path / "broken" / "remediation-survey.xlsx", with_site_point(broken_cases()))
    by_css(driver, "#upload-file")[0].send_keys(str(broken))
    by_css(driver, "#upload-form button, #upload-form input[type=submit]")[0].click()
    assert settled_state(driver) == "validated"
    report = by_css(driver, "main")[0].text
    screenshot(driver, "journey-02-report-broken")
    assert "1 left out" in report
    left_out = by_css(driver, "section.case.left-out")
    assert len(left_out) == 1 and "Hunan" in left_out[0].text
    # Located at sheet, row, column, in plain words, with what to do.
    assert re.search(r"Case studies\s+5\s+Start year\s+the year 2099 is in the future", left_out[0].text)
    assert "upload it again" in left_out[0].text

    # The corrected file goes in as revision 2; nothing is left out any more; the contributor accepts.
    fixed = write_workbook(tmp_path / "fixed" / "remediation-survey.xlsx", with_site_point(real_cases()))
    by_css(driver, "#revise-file")[0].send_keys(str(fixed))
    by_css(driver, "#action-revise button, #action-revise input[type=submit]")[0].click()
    wait_for(driver, lambda d: revision_shown(d) == "2")
    assert settled_state(driver) == "validated"
    assert not by_css(driver, "section.case.left-out")
    assert not by_css(driver, "#action-publish")  # a contributor cannot publish
    screenshot(driver, "journey-03-report-fixed")
    submission_url = driver.current_url.split("?")[0]
    by_css(driver, "#action-accept button")[0].click()
    wait_for_state(driver, "accepted")
    case_iris = [s.get_attribute("data-iri") for s in by_css(driver, "section.case.accepted")]
    assert len(case_iris) == 2
    log_out(driver)

    # Before publication the draft case is not public.
    mae_sot = next(iri for iri in case_iris if "tha" in iri.lower())
    assert mae_sot.startswith(BASE)
    case_path = "/" + mae_sot.removeprefix(BASE)
    assert server.request("GET", case_path + ".ttl").status == 404

    # A reviewer publishes.
    log_in(driver, server, "rex", submission_url.replace(server.url, ""))
    by_css(driver, "#action-publish button")[0].click()
    wait_for_state(driver, "published")
    history = by_css(driver, "#history-table")[0].text
    for who in ("cora", "rex"):
        assert who in history
    screenshot(driver, "journey-04-published")
    log_out(driver)

    # The public finds the case on its page (with the map point) …
    driver.get(server.url + case_path)
    wait_for(driver, lambda d: MAE_SOT_TITLE[:40] in d.find_element("tag name", "h1").text)
    points = by_css(driver, "svg.worldmap circle.point")
    assert len(points) == 1, "the case page shows no map point for the site"
    assert "case-country" in map_class(driver, THAILAND)
    assert "Cadmium" in by_css(driver, "main")[0].text or "cadmium" in by_css(driver, "main")[0].text
    screenshot(driver, "journey-05-case-page")

    # … in search …
    driver.get(f"{server.url}/search?q=Mae+Sot")
    results = [a.get_attribute("href") for a in by_css(driver, "main a[href*='/id/case/']")]
    assert any(href.split("?")[0].endswith(case_path) for href in results), results
    screenshot(driver, "journey-06-search")

    # … and on the coverage map, where both countries are now covered.
    time.sleep(0.2)
    driver.get(f"{server.url}/coverage")
    assert "missing" not in map_class(driver, THAILAND) and "covered" in map_class(driver, THAILAND)
    assert "covered" in map_class(driver, CHINA)
    screenshot(driver, "journey-07-coverage-after")
