"""The shape most faults share: steady load, inject, wait for readiness, keep the load a while,
then check every invariant over everything that happened."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

from faults import invariants, metrics
from faults.harness import Harness
from faults.load import Load
from faults.report import FaultResult

HANG_AFTER = 15.0  # no request may take longer (the service's own bounds are 2 s and 3 s)
RECOVERY_WITHIN = 60.0
HEALED_GRACE = 2.0  # after /health/ready is 200 again, everything must work this soon
MAIL_WITHIN = 180.0  # a lease (120 s) may have to run out before a mail goes again

Inject = Callable[[FaultResult], Awaitable[None]]


async def under_load(
    h: Harness,
    name: str,
    injected: str,
    inject: Inject,
    *,
    warm: float = 2.0,
    tail: float = 5.0,
    clients: int = 6,
    metrics_at: float | None = None,
    max_duplicates: int | None = None,
    fail_fast: float | None = None,
) -> FaultResult:
    """Run ``inject`` under load and check it. ``metrics_at``: seconds into the fault when
    ``GET /metrics`` is read (during the outage); ``fail_fast``: every request sent during
    the fault must have its answer within that many seconds."""
    started = time.monotonic()
    result = FaultResult(name, injected)
    load = Load(h.base, h.accounts, prefix=name, clients=clients, hang_after=HANG_AFTER)
    async with load:
        await asyncio.sleep(warm)
        fault_start = time.monotonic()
        probe = None
        if metrics_at is not None:
            probe = asyncio.create_task(_metrics_later(h.base, metrics_at))
        await inject(result)
        fault_end = time.monotonic()
        result.recovery_seconds = await invariants.recovery(h.base, within=RECOVERY_WITHIN)
        healed_at = time.monotonic() + HEALED_GRACE
        await asyncio.sleep(tail)
        if probe is not None:
            result.metrics = {"during": await probe}
    if result.recovery_seconds is None:
        result.add([f"/health/ready not 200 within {RECOVERY_WITHIN:g} s"])
    recorder = load.recorder
    result.record_http(recorder, fault_start, fault_end)
    result.add(invariants.http_violations(recorder.calls, hang_after=HANG_AFTER))
    if fail_fast is not None:
        slow = [c for c in recorder.between(fault_start, fault_end) if c.seconds > fail_fast]
        if slow:
            worst = max(c.seconds for c in slow)
            result.add(
                [
                    f"{len(slow)} answers during the fault slower than {fail_fast:g} s"
                    f" (worst {worst:.1f} s)"
                ]
            )
    after = [c for c in recorder.calls if c.started >= healed_at]
    not_healed = [c for c in after if c.status != 200 and c.status != 202]
    if not after:
        result.add(["no requests after recovery"])
    elif not_healed:
        result.add([f"{len(not_healed)} of {len(after)} requests failed after recovery"])
    result.details["after_recovery"] = recorder.statuses(after)
    await check_registrations(
        h, result, recorder.attempted(), recorder.registered(), max_duplicates
    )
    if result.metrics is not None:
        result.metrics["after"] = await metrics.scrape(h.base)
    return result.finish(started)


async def check_registrations(
    h: Harness,
    result: FaultResult,
    attempted: list[str],
    registered: list[str],
    max_duplicates: int | None = None,
    *,
    mail_within: float = MAIL_WITHIN,
) -> None:
    """Whole-or-none registrations, then every mail of a 202 delivered (and how often)."""
    result.add(await invariants.registrations(h.pg, attempted, registered), "registrations")
    late: dict[str, object] = {}
    waited, statuses = await invariants.wait_delivered(
        h.pg, h.sink, registered, within=mail_within, late=late
    )
    if late:
        result.details["late_mail"] = late
    allowed = len(statuses) if max_duplicates is None else max_duplicates
    problems, duplicates = invariants.mail_violations(statuses, h.sink, max_duplicates=allowed)
    result.add(problems, "mail")
    result.details.update(
        registrations_202=len(set(registered)),
        registrations_attempted=len(set(attempted)),
        mails=len(statuses),
        mail_duplicates=duplicates,
        mail_settled_seconds=round(waited, 1),
    )


async def _metrics_later(base: str, delay: float) -> dict[str, Any] | None:
    await asyncio.sleep(delay)
    return await metrics.scrape(base)
