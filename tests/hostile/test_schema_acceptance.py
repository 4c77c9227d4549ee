"""Every request the OpenAPI document calls valid is accepted: every operation, sent
schema-valid bodies, parameters and ids with an owner's token, answers 2xx or a status that
depends on the state alone (401, 403, 404, 409, 429), never a 400 the document did not warn of
(an empty name, a NUL, a missing member, a value outside an enum, a missing ``grant_type``).
Where a rule cannot be written as JSON Schema (a link token that must exist, the password
policy), :data:`tests.hostile.fuzzing.RULES_BEYOND_THE_SCHEMA` says so and a 400 is taken.
Short on purpose: a few examples per operation, positive data only, that check alone.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from schemathesis.specs.openapi.checks import positive_data_acceptance

from tests.hostile import fuzzing
from tests.hostile.owner import Owner
from tests.support import postgres
from tests.support.hostile_server import ServiceThread

OPERATIONS = fuzzing.labels()
MAX_EXAMPLES = 25

schema = schemathesis.openapi.from_dict(
    fuzzing.only(OPERATIONS), config=fuzzing.acceptance_config(OPERATIONS, MAX_EXAMPLES)
)
seen: set[str] = set()


@pytest.fixture(scope="module")
def owner(fuzz_service: ServiceThread, fuzz_db: postgres.Database) -> Owner:
    return Owner.sign_up(fuzz_service, fuzz_db.admin, "acceptance@fuzz.example.org")


@pytest.fixture
def auth(owner: Owner) -> dict[str, str]:
    return owner.headers()


@fuzzing.SETTINGS
@schema.parametrize()
def test_schema_valid_requests_are_accepted(
    case: Any, fuzz_service: ServiceThread, auth: dict[str, str]
) -> None:
    response = case.call(
        base_url=fuzz_service.base_url, headers=auth, timeout=fuzzing.REQUEST_TIMEOUT
    )
    seen.add(case.operation.label)
    case.validate_response(response, checks=[positive_data_acceptance], headers=auth)


def test_the_acceptance_run_covered_every_operation() -> None:
    assert seen == set(OPERATIONS)
