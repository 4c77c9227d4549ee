"""Mail is never lost: registrations succeed while SMTP is down, and every mail arrives later."""

from __future__ import annotations

import asyncio
import time

import asyncpg
import httpx

from tests.support.accounts import registration
from tests.support.flows import Mailbox
from tests.support.smtp import SmtpServer


async def test_smtp_down_then_back(
    client: httpx.AsyncClient, smtp: SmtpServer, mailbox: Mailbox, admin_conn: asyncpg.Connection
) -> None:
    await smtp.stop()
    addresses = [f"user{i}@clinic.org" for i in range(10)]
    started = time.perf_counter()
    answers = await asyncio.gather(
        *(
            client.post("/auth/register", json=registration(a, organization=f"Org {i}"))
            for i, a in enumerate(addresses)
        )
    )
    assert [a.status_code for a in answers] == [202] * 10
    assert time.perf_counter() - started < 10  # nobody waited for the mail server
    assert (
        await admin_conn.fetchval("SELECT count(*) FROM mail_outbox WHERE status = 'pending'") == 10
    )
    await smtp.start()  # same port
    for address in addresses:
        mail = await mailbox.next_to(address, wait=60)
        assert "token=" in mail.text
    counts = mailbox.sink.counts()
    assert all(n == 1 for n in counts.values())


async def test_a_rejected_message_is_dead_lettered_and_the_queue_moves_on(
    client: httpx.AsyncClient, smtp: SmtpServer, mailbox: Mailbox, admin_conn: asyncpg.Connection
) -> None:
    smtp.sink.reject.add("bounce@clinic.org")
    await client.post("/auth/register", json=registration("bounce@clinic.org"))
    await client.post("/auth/register", json=registration("fine@clinic.org"))
    await mailbox.next_to("fine@clinic.org")
    async with asyncio.timeout(10):
        while (
            await admin_conn.fetchval(
                "SELECT status FROM mail_outbox WHERE recipient = 'bounce@clinic.org'"
            )
            != "dead"
        ):
            await asyncio.sleep(0.05)
    assert mailbox.to("bounce@clinic.org") == []
