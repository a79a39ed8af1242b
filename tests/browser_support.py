"""Headless Chromium for page tests: Debian's chromium + chromedriver driven by Selenium, never a download.

Screenshots go to ``test-artifacts/screenshots/`` (or ``$SRKG_TEST_ARTIFACTS/screenshots``) so a run leaves
pictures of what the browser saw (the folder is git-ignored; keep it as the run's artefacts).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1280,1000",
)


def artifacts_dir() -> Path:
    root = Path(os.environ.get("SRKG_TEST_ARTIFACTS") or REPO / "test-artifacts")
    path = root / "screenshots"
    path.mkdir(parents=True, exist_ok=True)
    return path


@contextmanager
def chromium(profile_dir: Path, *, lang: str = "en-GB,en") -> Iterator[object]:
    """A Selenium Chrome driver on Debian's chromium; skips (a failure under CI) when it is not installed."""
    browser, driver_path = shutil.which("chromium"), shutil.which("chromedriver")
    if not (browser and driver_path):
        pytest.skip("needs Debian chromium + chromium-driver (scripts/install-system-deps.sh)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for flag in (*FLAGS, f"--user-data-dir={profile_dir}", f"--lang={lang.split(',')[0]}"):
        options.add_argument(flag)
    options.add_experimental_option("prefs", {"intl.accept_languages": lang})
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()


def screenshot(driver: object, name: str) -> Path:
    path = artifacts_dir() / f"{name}.png"
    driver.save_screenshot(str(path))  # type: ignore[attr-defined]
    return path
