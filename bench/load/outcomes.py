"""How a load-test answer is judged (shared by the locustfile and the report, so both use the same words).

A 5xx is a failure recorded as ``server error <status>``; a 429 (the rate limiter shedding load, as intended) is
a success; any other status than the expected ones is a failure recorded as ``unexpected <status>``.
"""

from __future__ import annotations

from typing import Any

SERVER_ERROR = "server error"
UNEXPECTED = "unexpected"
RATE_LIMITED = 429


def judge(status: int, expected: tuple[int, ...]) -> str | None:
    """None for an acceptable answer, else the failure message."""
    if status >= 500:
        return f"{SERVER_ERROR} {status}"
    if status == RATE_LIMITED or status in expected:
        return None
    return f"{UNEXPECTED} {status}"


def check(response: Any, expected: tuple[int, ...] = (200,)) -> None:
    """Mark a locust response opened with ``catch_response=True``."""
    message = judge(response.status_code, expected)
    if message is None:
        response.success()
    else:
        response.failure(message)
