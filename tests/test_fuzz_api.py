"""The whole API fuzzed from its own OpenAPI document (schemathesis): no input is a 5xx.

A bounded number of examples per operation, derandomized (the same cases every run), so a
run is repeatable and fits the CI budget; the suite runs this on SQLite and again on
PostgreSQL. Requests carry the blog's Origin, so generated bodies reach the handlers
instead of the CORS refusal.
"""

from __future__ import annotations

from typing import Any

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from tests.support import ARTICLE, BLOG

EXAMPLES_PER_OPERATION = 25


FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)


def aim_at_the_blog(case: Any, comment: dict[str, Any]) -> None:
    """Generated ids name nothing, so every case would stop at the first lookup: point them
    at the registered blog, its article and a comment on it; the rest of the case stays
    whatever Hypothesis made of the schema."""
    body = case.body if isinstance(case.body, dict) else {}
    for part in (case.query, case.path_parameters, body):
        if part and "site" in part:
            part["site"] = "blog"
    if "url" in body:
        body["url"] = ARTICLE
    if case.path_parameters and "comment_id" in case.path_parameters:
        case.path_parameters["comment_id"] = comment["id"]


def test_no_generated_request_is_a_server_error(app: Any, make_comment: Any) -> None:
    # schemathesis's own pytest plugin does not load under pytest 9; a loop over the
    # operations with Hypothesis drawing each one's cases does the same work.
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", app)
    # An event stream never ends by design: its refusals are tested in test_live.py.
    operations = [
        op for op in (r.ok() for r in schema.get_all_operations()) if not op.path.endswith("/events")
    ]
    comment = make_comment()
    assert len(operations) >= 10, "the OpenAPI document lost its operations"
    for operation in operations:

        @FUZZ_SETTINGS
        @given(case=operation.as_strategy())
        def no_server_error(case: Any) -> None:
            aim_at_the_blog(case, comment)
            case.call_and_validate(headers={"Origin": BLOG}, checks=[not_a_server_error])

        no_server_error()
