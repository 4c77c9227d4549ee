"""``REGISTRATION=closed``: nobody signs up; operators and invitations still create accounts."""

from __future__ import annotations

import dataclasses

import asyncpg
import httpx
import pytest

from service.config import Settings
from service.operators import provision
from tests.support.accounts import bearer
from tests.support.flows import Mailbox, link_in

BODY = {
    "email": "walk-in@clinic.org",
    "password": "a long enough passphrase",
    "firstName": "Walk",
    "lastName": "In",
    "organizationName": "Walk-in Clinic",
}
NEW = {"firstName": "Ann", "lastName": "Chief", "password": "the chief's own passphrase"}


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return dataclasses.replace(settings, registration="closed")


async def _counts(admin_conn: asyncpg.Connection) -> tuple[int, int, int]:
    row = await admin_conn.fetchrow(
        "SELECT (SELECT count(*) FROM users) AS users,"
        " (SELECT count(*) FROM organizations) AS organizations,"
        " (SELECT count(*) FROM mail_outbox) AS mails"
    )
    return row["users"], row["organizations"], row["mails"]


async def test_sign_up_is_refused_alike_for_every_address(
    client: httpx.AsyncClient, admin_conn: asyncpg.Connection, settings: Settings
) -> None:
    await provision(settings, name="Known Clinic", owner_email="known@clinic.org")
    before = await _counts(admin_conn)
    answers = []
    for email in ("walk-in@clinic.org", "known@clinic.org"):
        response = await client.post("/auth/register", json={**BODY, "email": email})
        assert response.status_code == 403, response.text
        [error] = response.json()["errors"]
        answers.append((error["code"], error["detail"]))
    assert answers[0] == answers[1]
    assert answers[0][0] == "forbidden"
    assert await _counts(admin_conn) == before


async def test_operators_and_invitations_still_create_accounts(
    client: httpx.AsyncClient, mailbox: Mailbox, settings: Settings
) -> None:
    await provision(settings, name="Northside Clinic", owner_email="chief@northside.org")
    path, token = link_in(await mailbox.next_to("chief@northside.org"))
    assert path == "/auth/invitations/accept"
    accepted = await client.post("/auth/invitations/accept", json={"token": token, **NEW})
    assert accepted.status_code == 200, accepted.text
    me = await client.get("/auth/me", headers=bearer(accepted.json()))
    assert me.json()["data"]["attributes"]["email"] == "chief@northside.org"
