"""Mail server faults: away for a while, answering 451 then 250, refusing with 550, stalling."""

from __future__ import annotations

import time

from faults import invariants, metrics
from faults.harness import Harness
from faults.load import Load, Recorder
from faults.report import FaultResult
from faults.scenarios.common import HANG_AFTER

ONLY_REGISTRATIONS = {"register": 1}


async def register(h: Harness, prefix: str, count: int, *, clients: int = 6) -> Recorder:
    """``count`` registrations from ``clients`` clients; every answer recorded."""
    load = Load(
        h.base,
        [],
        prefix=prefix,
        clients=clients,
        pause=0.0,
        hang_after=HANG_AFTER,
        weights=ONLY_REGISTRATIONS,
    )
    load.limit = count
    async with load:
        await load.wait_registrations(count, within=300)
    return load.recorder


async def _finish(
    h: Harness,
    result: FaultResult,
    recorder: Recorder,
    fault_start: float,
    fault_end: float,
    *,
    expected_dead: set[str] | None = None,
) -> None:
    result.record_http(recorder, fault_start, fault_end)
    result.add(invariants.http_violations(recorder.calls, hang_after=HANG_AFTER))
    registered = recorder.registered()
    if len(registered) != len(recorder.calls):
        result.add([f"{len(recorder.calls) - len(registered)} registrations not answered 202"])
    result.recovery_seconds = await invariants.recovery(h.base, within=30)
    result.add(await invariants.registrations(h.pg, recorder.attempted(), registered))
    late: dict[str, object] = {}
    waited, statuses = await invariants.wait_delivered(
        h.pg, h.sink, registered, within=240, late=late
    )
    if late:
        result.details["late_mail"] = late
    dead_ids = set()
    if expected_dead:
        dead_ids = {m for m, _ in (await _ids_for(h, sorted(expected_dead))).items()}
    problems, duplicates = invariants.mail_violations(
        statuses, h.sink, expected_dead=dead_ids, max_duplicates=0
    )
    result.add(problems, "mail")
    result.details.update(
        registrations_202=len(registered),
        mails=len(statuses),
        mail_duplicates=duplicates,
        mail_settled_seconds=round(waited, 1),
        smtp_answers=dict(h.sink.answers),
    )


async def _ids_for(h: Harness, recipients: list[str]) -> dict[str, str]:
    return await invariants.outbox_ids(h.pg, recipients)


async def smtp_down(h: Harness, count: int = 300) -> FaultResult:
    started = time.monotonic()
    result = FaultResult("smtp_down", f"SMTP server stopped for {count} registrations")
    await h.smtp.stop()
    fault_start = time.monotonic()
    try:
        recorder = await register(h, "smtp-down", count)
        result.metrics = {"during": await metrics.scrape(h.base)}
    finally:
        await h.smtp.start()
    fault_end = time.monotonic()
    result.details["down_seconds"] = round(fault_end - fault_start, 1)
    await _finish(h, result, recorder, fault_start, fault_end)
    result.metrics["after"] = await metrics.scrape(h.base)
    return result.finish(started)


async def temporary_failures(h: Harness, count: int = 40, failures: int = 20) -> FaultResult:
    started = time.monotonic()
    result = FaultResult("smtp_451_then_250", f"451 to the next {failures} DATA, then 250")
    h.sink.temporary_failures = failures
    fault_start = time.monotonic()
    recorder = await register(h, "smtp-451", count)
    await _finish(h, result, recorder, fault_start, time.monotonic())
    if h.sink.answers["451"] != failures:
        result.add([f"expected {failures} answers 451, saw {h.sink.answers['451']}"])
    return result.finish(started)


async def rejections(h: Harness, count: int = 30, every: int = 3) -> FaultResult:
    started = time.monotonic()
    prefix = "smtp-550"
    refused = {f"{prefix}-{n}@faults.test" for n in range(0, count, every)}
    result = FaultResult("smtp_550", f"550 to DATA for {len(refused)} of {count} recipients")
    h.sink.reject_data.update(refused)
    fault_start = time.monotonic()
    recorder = await register(h, prefix, count)
    await _finish(h, result, recorder, fault_start, time.monotonic(), expected_dead=refused)
    return result.finish(started)


async def slow_server(
    h: Harness, count: int = 30, slow: int = 3, seconds: float = 35.0
) -> FaultResult:
    """DATA stalls longer than the worker's SMTP timeout (30 s) for the first ``slow``."""
    started = time.monotonic()
    result = FaultResult("smtp_slow", f"DATA stalls {seconds:g} s for {slow} messages")
    h.sink.slow_datas = slow
    h.sink.data_delay = seconds
    fault_start = time.monotonic()
    recorder = await register(h, "smtp-slow", count)
    await _finish(h, result, recorder, fault_start, time.monotonic())
    if h.sink.answers["dropped"] != slow:
        result.add(
            [
                f"expected {slow} stalled messages given up by the worker,"
                f" saw {h.sink.answers['dropped']}"
            ]
        )
    return result.finish(started)
