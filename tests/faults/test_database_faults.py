"""PostgreSQL faults under a steady mixed load: answers are 2xx or 503 with Retry-After, never
500, never a hang; the pool heals without a restart; registrations are whole or absent and
every 202 gets its mail."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import os
import signal
import time

import pytest

from faults import invariants
from faults.harness import make_accounts
from faults.postgres import Admin, PrivatePostgres
from service.config import Settings
from service.db.pool import create_pool
from service.db.tx import transaction
from service.errors import ApiError
from tests.faults.support import Outcome, mail_problems, under_load
from tests.support.server import serve
from tests.support.smtp import SmtpServer

TERMINATE_APP_BACKENDS = (
    "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) AS n FROM pg_stat_activity"
    " WHERE usename = 'auth_app' AND datname = current_database()"
)


async def assert_survived(outcome: Outcome, admin: Admin, smtp: SmtpServer) -> None:
    recorder = outcome.recorder
    assert outcome.http_violations() == []
    assert outcome.recovery_seconds is not None, "/health/ready never answered 200 again"
    assert outcome.after_recovery == [], "the pool did not heal"
    registered = recorder.registered()
    assert registered, "no registration succeeded at all"
    assert await invariants.registrations(admin, recorder.attempted(), registered) == []
    assert await mail_problems(admin, smtp.sink, registered) == []


async def test_every_app_connection_terminated_three_times_under_load(
    base_url: str, smtp: SmtpServer, admin: Admin
) -> None:
    accounts = await make_accounts(base_url, smtp.sink, 2)
    terminated: list[int] = []

    async def inject() -> None:
        for _ in range(3):
            terminated.append((await admin.fetch(TERMINATE_APP_BACKENDS))[0]["n"])
            await asyncio.sleep(0.4)

    outcome = await under_load(base_url, accounts, inject, prefix="terminated")
    assert all(n > 0 for n in terminated), terminated
    await assert_survived(outcome, admin, smtp)


async def test_a_fast_postgres_restart_under_load(
    private_pg: PrivatePostgres, settings: Settings, smtp: SmtpServer
) -> None:
    own = dataclasses.replace(
        settings,
        database_url=private_pg.dsns.app,
        migration_database_url=private_pg.dsns.owner,
    )
    admin = Admin(private_pg.admin)
    async with serve(own) as base:
        accounts = await make_accounts(base, smtp.sink, 2)
        before = private_pg.postmaster_pid()
        outcome = await under_load(
            base, accounts, lambda: private_pg.restart("fast"), prefix="restarted"
        )
        assert private_pg.postmaster_pid() != before, "the server was not restarted"
        await assert_survived(outcome, admin, smtp)


async def test_a_statement_on_a_frozen_backend_fails_fast_and_the_pool_heals(
    private_pg: PrivatePostgres, settings: Settings
) -> None:
    # Client-side statement bound: 1 s + 1 s. The rollback of the late transaction and the
    # release of its connection each used to wait that long again for the cancellation.
    own = dataclasses.replace(settings, db_statement_timeout_ms=1000, db_pool_min=1, db_pool_max=1)
    pool = await create_pool(private_pg.dsns.app, own)
    frozen: list[int] = []
    try:
        started = time.monotonic()
        with pytest.raises(ApiError) as caught:
            async with transaction(pool) as conn:
                frozen.append(await conn.fetchval("SELECT pg_backend_pid()"))
                os.kill(frozen[0], signal.SIGSTOP)
                started = time.monotonic()
                await conn.fetchval("SELECT 1")
        failed_after = time.monotonic() - started
        thaw(frozen)
        assert caught.value.status == 503
        assert caught.value.headers["Retry-After"]
        assert failed_after < 3.5
        async with transaction(pool) as conn:
            assert await conn.fetchval("SELECT pg_backend_pid()") not in frozen
    finally:
        thaw(frozen)
        await pool.close()


def thaw(pids: list[int]) -> None:
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):  # it ended once its client left
            os.kill(pid, signal.SIGCONT)
