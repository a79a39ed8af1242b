"""schemathesis against the live server's own ``/openapi.json`` (issue #7), a bounded number of examples per
operation: no 5xx for anything the spec allows a client to send, and every answer's Content-Type is one the spec
declares for that status.

- Reads (GET, HEAD) are sent anonymously, as the public sends them.
- SPARQL updates and Graph Store writes carry the admin token, on this test's own throw-away server: fuzzed
  updates and graph replacements must be refused with a 4xx or done, never crash.
- Left out, with reasons: the submission, checklist-plan and web-session writes (``POST /submissions…``,
  ``/checklist/plans…``) start ingest jobs or need a signed-in account and a CSRF-checked form; who may call
  them is covered by the write-authorisation tests (tests/web/test_submissions_http.py,
  tests/web/test_accounts_http.py). ``POST /service-proxy/{index}`` is not in the spec (internal hop).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import content_type_conformance, not_a_server_error
from server.live_server import LiveServer, make_resources, start_server

CHECKS = [not_a_server_error, content_type_conformance]
EXAMPLES = settings(max_examples=25, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
WRITE_PATHS = r"^/(sparql|rdf-graph-store)"


@pytest.fixture(scope="module")
def fuzz_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """Fixed test data, small limits (a fuzzed query cannot run long), rate limiter off."""
    workdir = tmp_path_factory.mktemp("srkg-fuzz")
    live = start_server(workdir, resources=make_resources(workdir / "resources"),
                        env={"SRKG_QUERY_TIMEOUT": "2", "SRKG_MAX_RESULTS": "500", "SRKG_RATE_LIMIT": "0"})
    yield live
    live.stop()


@pytest.fixture(scope="module")
def api_schema(fuzz_server: LiveServer) -> schemathesis.BaseSchema:
    return schemathesis.openapi.from_url(fuzz_server.url + "/openapi.json")


def fuzz(schema: schemathesis.BaseSchema, base_url: str, headers: dict[str, str] | None = None) -> list[str]:
    """Run the checks on every operation of ``schema``, with data the spec allows and data it does not (both must
    get an answer below 500); return one line per failing operation.

    (schemathesis's own pytest fixture loader does not work with pytest 9, so operations are driven here, with
    schemathesis's strategies and checks; every operation runs even when an earlier one fails.)
    """
    failures: list[str] = []
    calls: Counter[str] = Counter()
    operations = [result.ok() for result in schema.get_all_operations()]
    assert operations, "the filter matched no operation"
    for operation in operations:
        cases = st.one_of(operation.as_strategy(generation_mode=GenerationMode.POSITIVE),
                          operation.as_strategy(generation_mode=GenerationMode.NEGATIVE))

        @EXAMPLES
        @given(case=cases)
        def run(case: schemathesis.Case) -> None:
            calls[case.operation.label] += 1
            case.call_and_validate(base_url=base_url, checks=CHECKS, headers=headers, timeout=30)

        try:
            run()
        except (Exception, BaseExceptionGroup) as e:  # a check failed (a group) or a crash: note it, go on
            failures.append(f"{operation.label}: {type(e).__name__}: {str(e)[:1500]}")
    assert set(calls) == {o.label for o in operations}, "some operation was never called"
    return failures


def test_reads_never_fail_and_declare_their_content_type(api_schema: schemathesis.BaseSchema,
                                                         fuzz_server: LiveServer) -> None:
    failures = fuzz(api_schema.include(method=["GET", "HEAD"]), fuzz_server.url)
    assert not failures, "\n\n".join(failures)


def test_writes_with_the_admin_token_never_fail(api_schema: schemathesis.BaseSchema,
                                                fuzz_server: LiveServer) -> None:
    writes = api_schema.include(method=["POST", "PUT", "DELETE"], path_regex=WRITE_PATHS)
    failures = fuzz(writes, fuzz_server.url, fuzz_server.auth())
    assert not failures, "\n\n".join(failures)


def test_the_spec_lists_the_public_operations(api_schema: schemathesis.BaseSchema) -> None:
    """The fuzzing above is only as wide as the spec: the main public paths must be in it."""
    paths = set(api_schema.raw_schema["paths"])
    assert {"/sparql", "/rdf-graph-store", "/search", "/search.json", "/coverage", "/compare",
            "/downloads/{name}", "/.well-known/void"} <= paths
