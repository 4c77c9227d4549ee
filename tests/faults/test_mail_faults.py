"""The mail server misbehaving while people register: 451 then 250, 550, a stalled DATA, and
the database going away just after the server took a message."""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import asyncpg
import pytest

from faults import invariants
from faults.load import Load, Recorder
from faults.postgres import Admin
from service.config import Settings
from service.db.pool import create_pool
from service.ids import uuid7
from service.mail import Mailer, MailWorker, SmtpTransport, message, outbox
from service.mail.transports import DeliveryError
from tests.faults.support import HANG_AFTER, mail_problems
from tests.support import postgres
from tests.support.smtp import SmtpServer


async def register(base: str, prefix: str, count: int) -> Recorder:
    load = Load(
        base, [], prefix=prefix, clients=3, pause=0.0, hang_after=HANG_AFTER,
        weights={"register": 1},
    )  # fmt: skip
    load.limit = count
    async with load:
        await load.wait_registrations(count, within=30)
    return load.recorder


async def test_451_then_250_every_mail_arrives_once(
    base_url: str, smtp: SmtpServer, admin: Admin
) -> None:
    smtp.sink.temporary_failures = 6
    recorder = await register(base_url, "temporary", 10)
    registered = recorder.registered()
    assert len(registered) == 10
    assert invariants.http_violations(recorder.calls, hang_after=HANG_AFTER) == []
    assert await invariants.registrations(admin, recorder.attempted(), registered) == []
    assert await mail_problems(admin, smtp.sink, registered) == []
    assert smtp.sink.answers["451"] == 6


async def test_550_dead_letters_those_messages_and_the_queue_moves_on(
    base_url: str, smtp: SmtpServer, admin: Admin
) -> None:
    refused = tuple(f"refused-{n}@faults.test" for n in (0, 3, 6))
    smtp.sink.reject_data.update(refused)
    recorder = await register(base_url, "refused", 9)
    registered = recorder.registered()
    assert len(registered) == 9
    assert await mail_problems(admin, smtp.sink, registered, dead=refused) == []
    assert smtp.sink.answers["550"] == 3
    assert len(smtp.sink.received) == 6


async def test_a_stalled_server_is_hung_up_on_so_it_cannot_accept_late(
    smtp: SmtpServer,
) -> None:
    # Longer than the timeout, shorter than twice it: a polite QUIT after the timeout would
    # still be waiting when the server answers the DATA.
    smtp.sink.slow_datas, smtp.sink.data_delay = 1, 0.8
    transport = SmtpTransport(smtp.url, timeout=0.5)
    mail = message.build(
        sender="no-reply@faults.test",
        recipient="late@faults.test",
        subject="Stalled",
        text="text",
        html="<p>html</p>",
        message_id="<stalled@faults.test>",
        date=datetime.now(UTC),
    )
    with pytest.raises(DeliveryError) as caught:
        await transport.send(mail)
    assert not caught.value.permanent
    await asyncio.sleep(1.0)  # past the stall: a connection still open would now get 250
    assert smtp.sink.answers["dropped"] == 1
    assert smtp.sink.received == []


@pytest.fixture
async def app_pool(db: postgres.Database, settings: Settings) -> AsyncIterator[asyncpg.Pool]:
    # A lock wait gives up after 200 ms (half the statement timeout).
    own = dataclasses.replace(settings, db_statement_timeout_ms=400)
    pool = await create_pool(db.app, own)
    try:
        yield pool
    finally:
        await pool.close()


async def test_a_sent_message_is_recorded_once_the_database_answers_again(
    db: postgres.Database, app_pool: asyncpg.Pool, smtp: SmtpServer, admin: Admin
) -> None:
    mailer = Mailer(Settings(mail_from="no-reply@faults.test"))
    async with app_pool.acquire() as conn, conn.transaction():
        await mailer.password_changed(
            conn, to="once@faults.test", name="Once", organization_name="Clinic"
        )
    locker = await asyncpg.connect(db.admin)
    released: list[float] = []

    async def unlock_later() -> None:
        await asyncio.sleep(1.0)
        await locker.execute("COMMIT")
        released.append(time.monotonic())

    async def lock_the_outbox() -> None:  # just before the server answers 250
        smtp.sink.before_accept = None
        await locker.execute("BEGIN; LOCK TABLE mail_outbox IN SHARE MODE")
        asyncio.get_running_loop().create_task(unlock_later())

    smtp.sink.before_accept = lock_the_outbox
    worker = MailWorker(
        app_pool, SmtpTransport(smtp.url, timeout=3.0), sender="no-reply@faults.test",
        lease_seconds=8.0, send_timeout=3.0, poll_interval=0.05, backoff_base=0.05,
    )  # fmt: skip
    await worker.start()
    try:
        async with asyncio.timeout(15):
            while (await admin.fetch("SELECT status FROM mail_outbox"))[0]["status"] != "sent":
                await asyncio.sleep(0.05)
    finally:
        await worker.stop()
        await locker.close()
    [row] = await admin.fetch("SELECT attempts, message_id FROM mail_outbox")
    assert released, "the outbox was never locked"
    assert row["attempts"] == 1
    assert smtp.sink.counts() == {row["message_id"]: 1}


async def test_a_claim_whose_answer_was_lost_is_put_back_at_once(
    app_pool: asyncpg.Pool, admin: Admin
) -> None:
    mailer = Mailer(Settings(mail_from="no-reply@faults.test"))
    async with app_pool.acquire() as conn, conn.transaction():
        for n in range(2):
            await mailer.password_changed(
                conn, to=f"u{n}@faults.test", name="U", organization_name="C"
            )
    lost = uuid7()
    assert len(await outbox.claim(app_pool, limit=10, lease_seconds=600, lease_id=lost)) == 2
    assert await outbox.release_lease(app_pool, uuid7()) == 0  # someone else's lease: nothing
    assert await outbox.release_lease(app_pool, lost) == 2
    rows = await admin.fetch("SELECT attempts, lease_id, locked_until FROM mail_outbox")
    assert [tuple(r) for r in rows] == [(0, None, None), (0, None, None)]
    again = await outbox.claim(app_pool, limit=10, lease_seconds=60, lease_id=uuid7())
    assert len(again) == 2
