"""Suite-wide rules. In CI (``CI=true``) a skipped test is a failure: every component must be installed."""

from __future__ import annotations

import os

import pytest


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if os.environ.get("CI") != "true":
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = len(reporter.stats.get("skipped", [])) if reporter else 0
    if skipped:
        if reporter:
            reporter.write_line(f"CI: {skipped} test(s) skipped — in CI a missing component is a failure", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
