"""Every operation of the OpenAPI document, fuzzed without credentials."""

from __future__ import annotations

from typing import Any

from tests.hostile import fuzzing
from tests.support.hostile_server import ServiceThread

schema = fuzzing.load()
tally = fuzzing.Tally()


@fuzzing.SETTINGS
@schema.parametrize()
def test_anonymous_requests_conform(case: Any, fuzz_service: ServiceThread) -> None:
    response = case.call_and_validate(
        base_url=fuzz_service.base_url, timeout=fuzzing.REQUEST_TIMEOUT
    )
    tally.add(case.operation.label, response.status_code)
    assert response.status_code < 500


def test_the_anonymous_run_covered_every_operation() -> None:
    print(f"anonymous run: {tally.cases} cases, statuses {dict(sorted(tally.statuses.items()))}")
    assert set(tally.operations) == {operation.label for operation in _operations()}
    assert tally.cases >= 500


def _operations() -> list[Any]:
    return [result.ok() for result in schema.get_all_operations()]
