"""Steady load with a fault in the middle, and the invariants checked afterwards."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from faults import invariants
from faults.load import Account, Load, Recorder
from tests.support.smtp import SmtpSink

HANG_AFTER = 15.0


@dataclass
class Outcome:
    recorder: Recorder
    recovery_seconds: float | None
    after_recovery: list[str]  # answers other than 200/202 once ready again

    def http_violations(self) -> list[str]:
        return invariants.http_violations(self.recorder.calls, hang_after=HANG_AFTER)


async def under_load(
    base: str,
    accounts: list[Account],
    inject: Callable[[], Awaitable[object]],
    *,
    prefix: str,
    warm: float = 0.5,
    tail: float = 1.5,
) -> Outcome:
    """Mixed load on ``base``; ``inject`` the fault; wait for readiness; keep the load
    ``tail`` seconds more."""
    load = Load(base, accounts, prefix=prefix, clients=4, hang_after=HANG_AFTER)
    async with load:
        await asyncio.sleep(warm)
        await inject()
        recovery = await invariants.recovery(base, within=30)
        healed_at = time.monotonic() + 1.0
        await asyncio.sleep(tail)
    after = [
        f"{c.op} {c.status}"
        for c in load.recorder.calls
        if c.started >= healed_at and c.status not in (200, 202)
    ]
    return Outcome(load.recorder, recovery, after)


async def mail_problems(
    admin: invariants.Database,
    sink: SmtpSink,
    recipients: list[str],
    *,
    dead: tuple[str, ...] = (),
    max_duplicates: int = 0,
) -> list[str]:
    """Violations of the mail invariants once every row for ``recipients`` is decided:
    each delivered exactly once (``max_duplicates`` extra copies at most), dead only for
    ``dead``."""
    _, statuses = await invariants.wait_delivered(admin, sink, recipients, within=30)
    assert statuses, "no outbox rows for these recipients"
    dead_ids = set((await invariants.outbox_ids(admin, list(dead))).keys()) if dead else set()
    problems, _ = invariants.mail_violations(
        statuses, sink, expected_dead=dead_ids, max_duplicates=max_duplicates
    )
    return problems
