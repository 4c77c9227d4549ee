"""Fixtures for mail: a real SMTP server, the app pool, a mailer and fast workers."""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import asyncpg
import pytest

from service.config import Settings
from service.db.pool import create_pool
from service.mail import Mailer, MailWorker, SmtpTransport
from tests.support import postgres
from tests.support.smtp import SmtpServer, SmtpSink, smtp_server

BASE_URL = "https://auth.example.com"
SENDER = "no-reply@mail.example.com"

# Fast enough for tests: retries after tens of milliseconds, polls every 50 ms.
FAST: dict[str, Any] = {
    "sender": SENDER,
    "poll_interval": 0.05,
    "backoff_base": 0.02,
    "backoff_cap": 0.1,
    "lease_seconds": 5.0,
    "send_timeout": 3.0,
    "max_attempts": 5,
}


@pytest.fixture
def mail_settings(settings: Settings) -> Settings:
    return dataclasses.replace(settings, public_base_url=BASE_URL, mail_from=SENDER)


@pytest.fixture
def mailer(mail_settings: Settings) -> Mailer:
    return Mailer(mail_settings)


@pytest.fixture
async def smtp() -> AsyncIterator[SmtpServer]:
    async with smtp_server(SmtpSink()) as server:
        yield server


@pytest.fixture
async def pool(settings: Settings) -> AsyncIterator[asyncpg.Pool]:
    assert settings.database_url is not None
    app_pool = await create_pool(settings.database_url, settings)
    try:
        yield app_pool
    finally:
        await app_pool.close()


WorkerFactory = Callable[..., Awaitable[MailWorker]]


@pytest.fixture
async def start_worker(
    pool: asyncpg.Pool, smtp: SmtpServer, db: postgres.Database
) -> AsyncIterator[WorkerFactory]:
    """Start a worker sending to the test's SMTP server; every one is stopped afterwards."""
    started: list[MailWorker] = []

    async def start(**options: Any) -> MailWorker:
        settings = {**FAST, "listen_dsn": db.app, **options}
        transport = settings.pop("transport", None) or SmtpTransport(smtp.url, timeout=2.0)
        worker = MailWorker(pool, transport, **settings)
        await worker.start()
        started.append(worker)
        return worker

    yield start
    for worker in started:
        await worker.stop(grace=5)


async def statuses(conn: asyncpg.Connection) -> dict[str, int]:
    rows = await conn.fetch("SELECT status, count(*) AS n FROM mail_outbox GROUP BY status")
    return {row["status"]: row["n"] for row in rows}


async def wait_until(
    check: Callable[[], Awaitable[bool]], within: float = 10.0, every: float = 0.02
) -> float:
    """Seconds it took for ``check`` (a database query) to hold; fails after ``within``."""
    started = time.perf_counter()
    async with asyncio.timeout(within):
        while not await check():
            await asyncio.sleep(every)
    return time.perf_counter() - started


async def enqueue_many(
    conn: asyncpg.Connection, mailer: Mailer, count: int, *, prefix: str = "user"
) -> list[str]:
    """``count`` verification mails committed in one transaction; their recipients."""
    recipients = [f"{prefix}{n}@example.com" for n in range(count)]
    async with conn.transaction():
        for n, to in enumerate(recipients):
            await mailer.verify_email(
                conn, to=to, name=f"User {n}", organization_name="Acme Care", token=f"tok{n}"
            )
    return recipients
