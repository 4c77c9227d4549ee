"""The account life cycle as a state machine, against the app over HTTP and a real SMTP server.

Hypothesis drives the machine from a worker thread; every step runs on the event loop that
serves the app and receives its mail.
"""

from __future__ import annotations

import asyncio
import itertools

import asyncpg
import httpx
from hypothesis import HealthCheck, settings
from hypothesis.stateful import run_state_machine_as_test

from tests.hostile.lifecycle_api import Api
from tests.hostile.lifecycle_machine import AccountLifecycle
from tests.support.flows import Mailbox

LIFECYCLE = settings(
    max_examples=20,
    stateful_step_count=20,
    derandomize=True,
    database=None,
    deadline=None,  # each step waits for real mail; STEP_TIMEOUT bounds every wait
    suppress_health_check=[HealthCheck.too_slow],
)


async def test_the_account_life_cycle_keeps_its_invariants(
    client: httpx.AsyncClient, mailbox: Mailbox, admin_conn: asyncpg.Connection
) -> None:
    class Lifecycle(AccountLifecycle):
        api = Api(client, mailbox, admin_conn)
        loop = asyncio.get_running_loop()
        examples = itertools.count()

    await asyncio.to_thread(run_state_machine_as_test, Lifecycle, settings=LIFECYCLE)
    machines = next(Lifecycle.examples)
    print(f"life cycle: {machines} machines, {Lifecycle.api.requests} requests")
    assert machines >= LIFECYCLE.max_examples
