"""Processes killed: the service during registrations, a mail worker right after the SMTP
server accepted a message; and three workers draining one queue."""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import signal
import time

import asyncpg

from faults import invariants
from faults.harness import Harness
from faults.load import Load, Recorder
from faults.report import FaultResult
from faults.scenarios.common import HANG_AFTER, check_registrations
from service.config import Settings
from service.mail import Mailer
from tests.support.smtp import Received

KILLS = 20
LEASE_WAIT = 180.0  # a killed worker's lease (120 s) must run out before its mail goes again
IN_FLIGHT = 1  # the worker claims and sends one message at a time
KILL_WINDOW = 2.0  # a duplicate's first copy was accepted at most this long before the kill


async def service_killed(h: Harness, kills: int = KILLS, seed: int = 7) -> FaultResult:
    """SIGKILL the service at a random moment of a registration run, restart it; again."""
    started = time.monotonic()
    result = FaultResult("service_killed", f"SIGKILL to the service during registrations, x{kills}")
    rng = random.Random(seed)
    recorder = Recorder()
    restarts: list[float] = []
    killed_at: list[float] = []
    for i in range(kills):
        load = Load(
            h.base,
            [],
            prefix=f"killed{i}",
            clients=4,
            pause=0.0,
            hang_after=HANG_AFTER,
            weights={"register": 1},
            recorder=recorder,
        )
        async with load:
            await asyncio.sleep(rng.uniform(0.2, 1.5))
            killed_at.append(time.monotonic())
            await asyncio.to_thread(h.service.kill)
        restarts.append(round(await h.service.start(), 2))
    result.recovery_seconds = max(restarts)
    result.details["restart_seconds"] = restarts
    result.record_http(recorder, started, time.monotonic())
    result.add(
        invariants.http_violations(recorder.calls, hang_after=HANG_AFTER, allow_no_answer=True)
    )
    await check_registrations(
        h,
        result,
        recorder.attempted(),
        recorder.registered(),
        max_duplicates=IN_FLIGHT * kills,
        mail_within=LEASE_WAIT,
    )
    per_kill, stray = duplicates_by_kill(h.sink.received, killed_at)
    if stray:
        result.add([f"{stray} duplicates not explained by a kill"])
    if any(n > IN_FLIGHT for n in per_kill):
        result.add([f"more duplicates for one kill than messages in flight ({IN_FLIGHT})"])
    result.details["duplicates_per_kill"] = per_kill
    return result.finish(started)


async def enqueue(h: Harness, count: int, prefix: str) -> list[str]:
    """``count`` messages written to the outbox as the service writes them (one transaction)."""
    mailer = Mailer(Settings(mail_from="no-reply@faults.test", public_base_url=h.base))
    recipients = [f"{prefix}-{i}@faults.test" for i in range(count)]
    conn = await asyncpg.connect(h.pg.dsns.app)
    try:
        async with conn.transaction():
            for address in recipients:
                await mailer.password_changed(
                    conn, to=address, name="Fault Tester", organization_name="Fault Clinic"
                )
    finally:
        await conn.close()
    return recipients


async def worker_killed_after_accept(h: Harness, count: int = 150, kills: int = 5) -> FaultResult:
    """The SMTP server SIGKILLs the worker process the moment it has answered 250; the
    harness starts a new worker each time."""
    started = time.monotonic()
    result = FaultResult(
        "worker_killed_after_accept", f"worker SIGKILLed right after 250, x{kills}"
    )
    await asyncio.to_thread(h.service.stop)  # its own worker would take the messages too
    recipients = await enqueue(h, count, "killed-worker")
    worker = h.new_worker("worker-killed")
    kill_at = {int(count * (k + 1) / (kills + 1)) for k in range(kills)}
    accepted = 0
    killed: dict[int, float] = {}  # pid -> when

    def on_accept(mail: Received) -> None:
        nonlocal accepted
        accepted += 1
        if accepted in kill_at and worker.alive() and worker.pid not in killed:
            killed[worker.pid] = time.monotonic()
            with contextlib.suppress(ProcessLookupError):
                os.killpg(worker.pid, signal.SIGKILL)

    h.sink.on_accept = on_accept
    worker.spawn()
    deadline = time.monotonic() + LEASE_WAIT + 60
    statuses: dict[str, str] = {}
    while time.monotonic() < deadline:
        if not worker.alive():
            worker.spawn()
        statuses = await invariants.outbox_ids(h.pg, recipients)
        if all(s != "pending" for s in statuses.values()):
            break
        await asyncio.sleep(0.2)
    h.sink.on_accept = None
    last_kill = max(killed.values(), default=started)
    result.recovery_seconds = round(time.monotonic() - last_kill, 1)
    problems, duplicates = invariants.mail_violations(
        statuses, h.sink, max_duplicates=IN_FLIGHT * len(killed)
    )
    result.add(problems, "mail")
    per_kill, stray = duplicates_by_kill(h.sink.received, sorted(killed.values()))
    if stray:
        result.add([f"{stray} duplicates not explained by a kill"])
    if any(n > IN_FLIGHT for n in per_kill):
        result.add([f"more duplicates for one kill than messages in flight ({IN_FLIGHT})"])
    if any(n > 2 for n in h.sink.counts().values()):
        result.add(["a message was delivered more than twice"])
    result.details.update(
        messages=count,
        kills=len(killed),
        worker_starts=worker.starts,
        mail_duplicates=duplicates,
        duplicates_per_kill=per_kill,
        note="each duplicate carries the Message-ID of its first copy; the worker sends up to"
        f" {IN_FLIGHT} messages at once, so a kill can catch several between the server's"
        " 250 and the row being marked sent",
    )
    result.status_counts = {"sent": sum(s == "sent" for s in statuses.values())}
    return result.finish(started)


def duplicates_by_kill(accepted: list[Received], kills: list[float]) -> tuple[list[int], int]:
    """How many second copies each kill explains (the first copy was accepted shortly before
    it, the second after it), and how many duplicates no kill explains."""
    first: dict[str, float] = {}
    per_kill = [0] * len(kills)
    stray = 0
    for mail in accepted:
        if mail.message_id not in first:
            first[mail.message_id] = mail.at
            continue
        earlier = first[mail.message_id]
        for i, at in enumerate(kills):
            if earlier <= at + 0.05 and at - earlier < KILL_WINDOW and mail.at > at:
                per_kill[i] += 1
                break
        else:
            stray += 1
    return per_kill, stray


async def three_workers(h: Harness, count: int = 1000, workers: int = 3) -> FaultResult:
    started = time.monotonic()
    result = FaultResult("three_workers", f"{workers} worker processes draining {count} messages")
    await asyncio.to_thread(h.service.stop)
    recipients = await enqueue(h, count, "drain")
    procs = [h.new_worker(f"worker-{i}") for i in range(workers)]
    began = time.monotonic()
    for proc in procs:
        proc.spawn()
    waited, statuses = await invariants.wait_delivered(h.pg, h.sink, recipients, within=240)
    result.recovery_seconds = None
    problems, duplicates = invariants.mail_violations(statuses, h.sink, max_duplicates=0)
    result.add(problems, "mail")
    if len(statuses) != count:
        result.add([f"{len(statuses)} outbox rows for {count} messages"])
    dead = [p for p in procs if not p.alive()]
    if dead:
        result.add([f"{len(dead)} workers exited while draining"])
    result.details.update(
        messages=count,
        drained_seconds=round(time.monotonic() - began, 1),
        mail_duplicates=duplicates,
        waited_seconds=round(waited, 1),
    )
    result.status_counts = {"sent": sum(s == "sent" for s in statuses.values())}
    return result.finish(started)
