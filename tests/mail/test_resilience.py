"""The outbox survives a mail server that goes away, racing workers, and dying workers."""

from __future__ import annotations

import asyncio
import time

import asyncpg
import pytest

from service.ids import uuid7
from service.mail import Mailer, outbox
from tests.mail.conftest import WorkerFactory, enqueue_many, statuses, wait_until
from tests.support.smtp import SmtpServer


async def all_sent(conn: asyncpg.Connection, count: int) -> bool:
    return await statuses(conn) == {"sent": count}


async def test_mail_waits_while_smtp_is_down_and_is_delivered_once_when_it_returns(
    app_conn: asyncpg.Connection, mailer: Mailer, smtp: SmtpServer, start_worker: WorkerFactory
) -> None:
    await smtp.stop()
    started = time.perf_counter()
    await enqueue_many(app_conn, mailer, 50)
    enqueue_seconds = time.perf_counter() - started
    assert enqueue_seconds < 2.0, "enqueueing must not depend on the mail server"
    await start_worker(max_attempts=100)

    async def retried() -> bool:
        return bool(await app_conn.fetchval("SELECT min(attempts) >= 2 FROM mail_outbox"))

    await wait_until(retried)
    assert await statuses(app_conn) == {"pending": 50}
    errors = await app_conn.fetch("SELECT DISTINCT last_error FROM mail_outbox")
    assert all("SMTPConnectError" in row["last_error"] for row in errors)

    await smtp.start()  # same port as before
    await wait_until(lambda: all_sent(app_conn, 50))
    ids = {row["message_id"] for row in await app_conn.fetch("SELECT message_id FROM mail_outbox")}
    counts = smtp.sink.counts()
    assert set(counts) == ids
    assert set(counts.values()) == {1}


async def test_three_workers_deliver_300_messages_exactly_once(
    app_conn: asyncpg.Connection, mailer: Mailer, smtp: SmtpServer, start_worker: WorkerFactory
) -> None:
    recipients = await enqueue_many(app_conn, mailer, 300)
    started = time.perf_counter()
    await asyncio.gather(*(start_worker() for _ in range(3)))
    await wait_until(lambda: all_sent(app_conn, 300), within=20)
    seconds = time.perf_counter() - started
    counts = smtp.sink.counts()
    assert len(counts) == 300
    assert set(counts.values()) == {1}
    assert sorted(r for m in smtp.sink.received for r in m.recipients) == sorted(recipients)
    assert await app_conn.fetchval("SELECT max(attempts) FROM mail_outbox") == 1
    print(f"300 messages, 3 workers: {seconds:.2f} s ({300 / seconds:.0f} messages/s)")


async def test_mail_leased_by_a_dead_worker_is_delivered_by_another_after_the_lease(
    app_conn: asyncpg.Connection,
    mailer: Mailer,
    smtp: SmtpServer,
    start_worker: WorkerFactory,
    pool: asyncpg.Pool,
) -> None:
    await enqueue_many(app_conn, mailer, 1)
    dead_lease = uuid7()
    [claimed] = await outbox.claim(pool, limit=10, lease_seconds=1.0, lease_id=dead_lease)
    claimed_at = time.perf_counter()
    await start_worker()
    await asyncio.sleep(0.4)
    assert smtp.sink.received == [], "a live lease must keep other workers away"
    [mail] = await smtp.sink.wait_for(1)
    assert time.perf_counter() - claimed_at >= 0.9
    assert mail.message_id == claimed.message_id
    await wait_until(lambda: all_sent(app_conn, 1))
    assert await app_conn.fetchval("SELECT attempts FROM mail_outbox") == 2
    # The dead worker's late verdict cannot overwrite the newer claim's outcome.
    assert not await outbox.mark_retry(pool, claimed.id, dead_lease, delay=1, error="late")
    assert not await outbox.mark_dead(pool, claimed.id, dead_lease, error="late")
    assert await statuses(app_conn) == {"sent": 1}


async def test_mail_claimed_too_often_without_an_outcome_is_dead_lettered(
    app_conn: asyncpg.Connection,
    mailer: Mailer,
    smtp: SmtpServer,
    start_worker: WorkerFactory,
    pool: asyncpg.Pool,
) -> None:
    await enqueue_many(app_conn, mailer, 1)
    for _ in range(2):  # two workers that crashed while holding it
        await outbox.claim(pool, limit=1, lease_seconds=0.05, lease_id=uuid7())
        await asyncio.sleep(0.06)
    await start_worker(max_attempts=2)
    await wait_until(lambda: _only(app_conn, "dead"))
    row = await app_conn.fetchrow("SELECT attempts, last_error, body_text FROM mail_outbox")
    assert row["attempts"] == 3
    assert "claimed too often" in row["last_error"]
    assert row["body_text"] is None
    assert smtp.sink.data_commands == 0


async def test_notify_wakes_the_worker_and_the_listener_reconnects_after_a_kill(
    app_conn: asyncpg.Connection, mailer: Mailer, smtp: SmtpServer, start_worker: WorkerFactory
) -> None:
    await start_worker(poll_interval=30.0)  # only NOTIFY can make it this quick
    await asyncio.sleep(0.2)
    await enqueue_many(app_conn, mailer, 1, prefix="first")
    await asyncio.wait_for(smtp.sink.wait_for(1), 2.0)

    old = await _listener_pids(app_conn)
    assert len(old) == 1
    await app_conn.execute("SELECT pg_terminate_backend($1)", old[0])

    async def reconnected() -> bool:
        pids = await _listener_pids(app_conn)
        return len(pids) == 1 and pids != old

    await wait_until(reconnected, within=3.0)
    await enqueue_many(app_conn, mailer, 1, prefix="second")
    await asyncio.wait_for(smtp.sink.wait_for(2), 2.0)


async def test_database_errors_do_not_stop_the_worker(
    app_conn: asyncpg.Connection,
    owner_conn: asyncpg.Connection,
    mailer: Mailer,
    smtp: SmtpServer,
    start_worker: WorkerFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    worker = await start_worker()
    await owner_conn.execute("REVOKE UPDATE ON mail_outbox FROM auth_app")
    await app_conn.execute(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
        " WHERE usename = current_user AND pid <> pg_backend_pid()"
    )
    await enqueue_many(app_conn, mailer, 3)

    async def failing() -> bool:
        return any(r.getMessage() == "mail.worker_error" for r in caplog.records)

    await wait_until(failing)
    assert smtp.sink.received == []
    await owner_conn.execute("GRANT UPDATE ON mail_outbox TO auth_app")
    await wait_until(lambda: all_sent(app_conn, 3))
    assert len(smtp.sink.counts()) == 3
    assert worker._task is not None
    assert not worker._task.done()


async def _only(conn: asyncpg.Connection, status: str) -> bool:
    return await statuses(conn) == {status: 1}


async def _listener_pids(conn: asyncpg.Connection) -> list[int]:
    rows = await conn.fetch(
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
        " AND application_name = 'auth-service-mail-listener'"
    )
    return [row["pid"] for row in rows]
