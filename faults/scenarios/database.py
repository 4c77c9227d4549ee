"""PostgreSQL faults under load: restarts, every app connection terminated, a frozen server."""

from __future__ import annotations

import asyncio
import time

from faults.harness import Harness
from faults.report import FaultResult
from faults.scenarios.common import under_load
from faults.service import BASE_ENV

FREEZE_SECONDS = 30.0
TERMINATIONS = 20
# A frozen database: a request's statement times out on the client after the statement
# timeout plus a second, then waiting for its cancellation is bounded by the acquire timeout.
FAIL_FAST = (
    int(BASE_ENV["DB_STATEMENT_TIMEOUT_MS"]) / 1000 + 1 + float(BASE_ENV["DB_ACQUIRE_TIMEOUT"]) + 1
)


async def restart(h: Harness, mode: str) -> FaultResult:
    async def inject(result: FaultResult) -> None:
        result.details["restart_seconds"] = round(await h.pg.restart(mode), 2)

    return await under_load(
        h, f"postgres_restart_{mode}", f"pg_ctl restart -m {mode}", inject, max_duplicates=1
    )


async def terminate_connections(h: Harness, rounds: int = TERMINATIONS) -> FaultResult:
    async def inject(result: FaultResult) -> None:
        killed = []
        for _ in range(rounds):
            killed.append(await h.pg.terminate_app_backends())
            await asyncio.sleep(1.0)
        result.details["backends_terminated"] = killed

    return await under_load(
        h,
        "postgres_connections_terminated",
        f"pg_terminate_backend on every app-role backend, {rounds} times, 1 s apart",
        inject,
        max_duplicates=rounds,
    )


async def freeze(h: Harness, seconds: float = FREEZE_SECONDS) -> FaultResult:
    async def inject(result: FaultResult) -> None:
        stopped = h.pg.freeze()
        frozen_at = time.monotonic()
        try:
            await asyncio.sleep(seconds)
        finally:
            h.pg.thaw()
        result.details["processes_stopped"] = len(stopped)
        result.details["frozen_seconds"] = round(time.monotonic() - frozen_at, 1)

    result = await under_load(
        h,
        "postgres_frozen",
        f"SIGSTOP postmaster and backends for {seconds:g} s, then SIGCONT",
        inject,
        metrics_at=seconds / 2,
        max_duplicates=1,
        fail_fast=FAIL_FAST,
    )
    return result
