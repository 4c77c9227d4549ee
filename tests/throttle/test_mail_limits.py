"""Limits on what sends mail, over HTTP: a flood for one recipient queues at most five mails
while every answer stays the same, and one client or organization is slowed with 429."""

from __future__ import annotations

import asyncio

import asyncpg
import httpx
import pytest

from tests.support.accounts import registration
from tests.support.flows import Mailbox
from tests.throttle.support import from_address, staff

CAP = 5  # MAIL_PER_RECIPIENT_PER_HOUR's default


async def delivered_to(admin_conn: asyncpg.Connection, mailbox: Mailbox, address: str) -> int:
    """Once the outbox is drained: how many mails the SMTP server took for ``address``."""
    async with asyncio.timeout(15):
        while await admin_conn.fetchval(
            "SELECT count(*) FROM mail_outbox WHERE status = 'pending'"
        ):
            await asyncio.sleep(0.05)
    queued = await admin_conn.fetchval(
        "SELECT count(*) FROM mail_outbox WHERE recipient = $1", address
    )
    assert len(mailbox.to(address)) == queued
    return int(queued)


async def test_a_reset_flood_for_one_address_queues_five_mails(
    client: httpx.AsyncClient,
    mailbox: Mailbox,
    app_conn: asyncpg.Connection,
    admin_conn: asyncpg.Connection,
) -> None:
    await staff(app_conn, admin_conn, ["target@clinic.example"])
    flood = await asyncio.gather(
        *(
            client.post(
                "/auth/password-reset",
                json={"email": "target@clinic.example"},
                headers=from_address(f"203.0.113.{i}"),
            )
            for i in range(20)
        )
    )
    nobody = await client.post("/auth/password-reset", json={"email": "nobody@clinic.example"})
    assert {(r.status_code, r.content) for r in flood} == {(202, nobody.content)}
    assert await delivered_to(admin_conn, mailbox, "target@clinic.example") == CAP


async def test_a_registration_flood_for_one_address_queues_five_mails(
    client: httpx.AsyncClient,
    mailbox: Mailbox,
    app_conn: asyncpg.Connection,
    admin_conn: asyncpg.Connection,
) -> None:
    await staff(app_conn, admin_conn, ["known@clinic.example"])
    answers = []
    for i in range(12):
        for email in ("known@clinic.example", "pending@clinic.example"):
            body = registration(email, organization=f"Message number {i}")
            sent = await client.post("/auth/register", json=body, headers=from_address("192.0.2.1"))
            answers.append((sent.status_code, sent.content))
    assert len(set(answers)) == 1
    assert answers[0][0] == 202
    assert await delivered_to(admin_conn, mailbox, "known@clinic.example") == CAP
    assert await delivered_to(admin_conn, mailbox, "pending@clinic.example") == CAP


async def test_a_resend_flood_queues_five_mails_in_all(
    client: httpx.AsyncClient, mailbox: Mailbox, admin_conn: asyncpg.Connection
) -> None:
    registered = await client.post("/auth/register", json=registration("slow@clinic.example"))
    assert registered.status_code == 202
    flood = await asyncio.gather(
        *(
            client.post("/auth/verify-email/resend", json={"email": "slow@clinic.example"})
            for _ in range(15)
        )
    )
    nobody = await client.post("/auth/verify-email/resend", json={"email": "no@clinic.example"})
    assert {(r.status_code, r.content) for r in flood} == {(202, nobody.content)}
    assert await delivered_to(admin_conn, mailbox, "slow@clinic.example") == CAP


async def test_thirty_registrations_an_hour_from_one_address_then_429(
    client: httpx.AsyncClient, app_conn: asyncpg.Connection, admin_conn: asyncpg.Connection
) -> None:
    await staff(app_conn, admin_conn, ["taken@clinic.example"])
    clinic = from_address("198.51.100.77")
    for i in range(30):
        body = registration(f"person{i}@clinic.example")
        assert (await client.post("/auth/register", json=body, headers=clinic)).status_code == 202
    new = await client.post(
        "/auth/register", json=registration("person31@clinic.example"), headers=clinic
    )
    taken = await client.post(
        "/auth/register", json=registration("taken@clinic.example"), headers=clinic
    )
    assert new.status_code == 429
    assert new.json()["errors"] == taken.json()["errors"]  # meta holds only the request id
    assert new.headers["Retry-After"] == taken.headers["Retry-After"]
    assert new.json()["errors"][0]["code"] == "rate_limited"
    assert 3500 <= int(new.headers["Retry-After"]) <= 3600
    assert await admin_conn.fetchval("SELECT count(*) FROM users") == 31
    elsewhere = from_address("198.51.100.78")
    body = registration("person31@clinic.example")
    assert (await client.post("/auth/register", json=body, headers=elsewhere)).status_code == 202


@pytest.mark.parametrize("path", ["/auth/password-reset", "/auth/verify-email/resend"])
async def test_thirty_mail_requests_an_hour_from_one_address_then_429(
    client: httpx.AsyncClient, path: str
) -> None:
    one = from_address("198.51.100.90")
    answers = await asyncio.gather(
        *(client.post(path, json={"email": f"p{i}@clinic.example"}, headers=one) for i in range(40))
    )
    assert sorted(a.status_code for a in answers) == [202] * 30 + [429] * 10
    other = await client.post(
        path, json={"email": "p0@clinic.example"}, headers=from_address("::1")
    )
    assert other.status_code == 202
