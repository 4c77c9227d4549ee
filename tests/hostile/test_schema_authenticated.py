"""Every operation of the OpenAPI document, fuzzed with an organization owner's token."""

from __future__ import annotations

from typing import Any

import pytest
from schemathesis.generation.stateful import run_state_machine_as_test

from tests.hostile import fuzzing
from tests.hostile.owner import Owner
from tests.support import postgres
from tests.support.hostile_server import ServiceThread

schema = fuzzing.load()
tally = fuzzing.Tally()


@pytest.fixture(scope="module")
def owner(fuzz_service: ServiceThread, fuzz_db: postgres.Database) -> Owner:
    return Owner.sign_up(fuzz_service, fuzz_db.admin, "owner@fuzz.example.org")


@pytest.fixture
def auth(owner: Owner) -> dict[str, str]:
    """The owner's bearer header, renewed if a previous operation's cases made it stop working."""
    return owner.headers()


@fuzzing.SETTINGS
@schema.parametrize()
def test_owner_requests_conform(
    case: Any, fuzz_service: ServiceThread, auth: dict[str, str]
) -> None:
    response = case.call_and_validate(
        base_url=fuzz_service.base_url, headers=auth, timeout=fuzzing.REQUEST_TIMEOUT
    )
    tally.add(case.operation.label, response.status_code)
    assert response.status_code < 500


def test_owner_scenarios_along_the_inferred_links_conform(
    fuzz_service: ServiceThread, owner: Owner
) -> None:
    """Sequences of calls that feed one response's ids into the next request (links inferred
    from the document: a created role read, changed and deleted, say), every check on every
    step."""
    machine = schema.as_state_machine()
    assert schema.statistic.transitions.total >= 10
    steps = fuzzing.Tally()

    class OwnerScenarios(machine):  # type: ignore[misc, valid-type]
        """Each scenario starts in an organization of its own, so the same steps meet the same
        state whenever Hypothesis runs them (a second run must not find the role the first one
        created)."""

        def setup(self) -> None:
            self.headers = owner.fresh()

        def get_call_kwargs(self, case: Any) -> dict[str, Any]:
            return {
                "base_url": fuzz_service.base_url,
                "headers": self.headers,
                "timeout": fuzzing.REQUEST_TIMEOUT,
            }

        def after_call(self, response: Any, case: Any) -> None:
            super().after_call(response, case)
            steps.add(case.operation.label, response.status_code)
            tally.add(case.operation.label, response.status_code)

    run_state_machine_as_test(OwnerScenarios, settings=fuzzing.STATEFUL_SETTINGS)
    print(f"owner scenarios: {steps.cases} steps, statuses {dict(sorted(steps.statuses.items()))}")
    assert steps.cases >= 100
    assert len(steps.operations) >= 10


def test_the_owner_run_covered_every_operation_and_got_through(owner: Owner) -> None:
    print(f"owner run: {tally.cases} cases, statuses {dict(sorted(tally.statuses.items()))}")
    assert set(tally.operations) == {result.ok().label for result in schema.get_all_operations()}
    assert tally.cases >= 500
    # The token was accepted often enough for the run to reach past authentication.
    assert sum(n for status, n in tally.statuses.items() if status < 300) >= 100
    print(f"owners signed up: {owner.signups}")
