"""The query page, its example queries, and the OpenAPI docs: served by this server alone (no CDN)."""

from __future__ import annotations

import json
import re
from urllib.parse import urlencode

import pytest

from server.live_server import LiveServer


def test_query_page_is_html_with_a_strict_csp(server: LiveServer) -> None:
    for path in ("/query",):
        reply = server.request("GET", path)
        assert reply.status == 200
        assert reply.headers["content-type"] == "text/html; charset=utf-8"
        assert "default-src 'self'" in reply.headers["content-security-policy"]
        assert '<textarea id="query"' in reply.text


def test_page_loads_nothing_from_elsewhere(server: LiveServer) -> None:
    html = server.request("GET", "/query").text
    references = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert references and all(ref.startswith("/") for ref in references), references
    for ref in references:
        if ref.startswith("/static/"):
            asset = server.request("GET", ref)
            assert asset.status == 200, ref
            assert not re.search(r"(?:src|href|url)\s*[=(]\s*['\"]?https?://", asset.text), ref
            assert 'fetch("http' not in asset.text and "import(" not in asset.text


def test_examples_cover_the_domain_and_all_run(server: LiveServer) -> None:
    examples = json.loads(server.request("GET", "/query/examples.json").body)
    titles = " | ".join(e["title"] for e in examples).lower()
    for topic in ("cadmium", "m49 region", "pahs", "arabic"):
        assert topic in titles, topic
    answers = {}
    for example in examples:
        reply = server.request(
            "POST",
            "/sparql",
            urlencode({"query": example["query"]}),
            {
                "Content-Type": "application/x-www-form-urlencoded",
                "Accept": "application/sparql-results+json, text/turtle;q=0.9",
            },
        )
        assert reply.status == 200, (example["title"], reply.text)
        answers[example["title"]] = reply
    cadmium = next(r for t, r in answers.items() if "cadmium" in t.lower())
    rows = json.loads(cadmium.body)["results"]["bindings"]
    assert [(r["country"]["value"], r["technology"]["value"], r["cases"]["value"]) for r in rows] == [
        ("China", "phytoextraction", "1")
    ]
    pahs = next(r for t, r in answers.items() if "pahs" in t.lower())
    assert [r["label"]["value"] for r in json.loads(pahs.body)["results"]["bindings"]] == [
        "bioremediation",
        "thermal desorption",
    ]
    regions = next(r for t, r in answers.items() if "m49" in t.lower())
    assert {r["region"]["value"] for r in json.loads(regions.body)["results"]["bindings"]} == {"Europe", "Asia"}


def test_docs_are_served_offline(server: LiveServer) -> None:
    docs = server.request("GET", "/docs")
    assert docs.status == 200 and "swagger" in docs.text.lower()
    assert "cdn." not in docs.text and "jsdelivr" not in docs.text
    for asset in re.findall(r'(?:src|href)="(/docs-static/[^"]+)"', docs.text):
        assert server.request("GET", asset).status == 200, asset
    spec = json.loads(server.request("GET", "/openapi.json").body)
    for path in ("/sparql", "/rdf-graph-store", "/healthz", "/query"):
        assert path in spec["paths"], path
    assert "requestBody" in spec["paths"]["/sparql"]["post"]


@pytest.mark.browser
def test_query_page_in_a_real_browser(server: LiveServer, tmp_path) -> None:
    """Headless Chromium: the editor highlights, an example runs, the table fills, download links appear."""
    import shutil

    if not (shutil.which("chromium") and shutil.which("chromedriver")):
        pytest.skip("needs Debian chromium + chromium-driver")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select, WebDriverWait

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium")
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path / 'profile'}",
        "--window-size=1280,1000",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)
    try:
        driver.get(server.url + "/query")
        wait = WebDriverWait(driver, 20)
        wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#examples option")) > 4)
        keywords = driver.find_elements(By.CSS_SELECTOR, "#highlight .tok-kw")
        assert {k.text for k in keywords} >= {"SELECT", "WHERE", "GRAPH"}
        select = Select(driver.find_element(By.ID, "examples"))
        select.select_by_visible_text("Technologies applicable to PAHs (nature-based first)")
        assert "pollutant-class/pahs" in driver.find_element(By.ID, "query").get_attribute("value")
        assert driver.find_elements(By.CSS_SELECTOR, "#highlight .tok-iri")
        driver.find_element(By.ID, "run").click()
        wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#results table tbody tr"))
        cells = [td.text for td in driver.find_elements(By.CSS_SELECTOR, "#results tbody tr td:nth-child(2)")]
        assert cells == ["bioremediation@en", "thermal desorption@en"]
        links = {a.text: a.get_attribute("href") for a in driver.find_elements(By.CSS_SELECTOR, "#downloads a")}
        assert set(links) == {"CSV", "JSON", "TSV"} and "format=csv" in links["CSV"]
        driver.save_screenshot(str(tmp_path / "query-page.png"))
        # A syntax error is shown as the server's message.
        textarea = driver.find_element(By.ID, "query")
        driver.execute_script(
            "arguments[0].value = 'SELECT * WHERE { ?s ?p }'; arguments[0].dispatchEvent(new Event('input'))", textarea
        )
        driver.find_element(By.ID, "run").click()
        wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#results .message.error"))
        assert "SPARQL syntax error: line 1" in driver.find_element(By.CSS_SELECTOR, "#results .message.error").text
    finally:
        driver.quit()
