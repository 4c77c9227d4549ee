"""A password reset ends every session of the account, including one a grant is issuing at
that very moment, and the access tokens issued before it."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from tests.sessions.conftest import Hold
from tests.support.accounts import PASSWORD, bearer, login, signed_up
from tests.support.flows import Mailbox, link_in

EMAIL = "nurse@ward.example.org"
NEW_PASSWORD = "a brand new passphrase"


async def _reset_link(client: httpx.AsyncClient, mailbox: Mailbox) -> str:
    asked = await client.post("/auth/password-reset", json={"email": EMAIL})
    assert asked.status_code == 202
    _, token = link_in(await mailbox.next_to(EMAIL, after=1))
    return token


def _confirm(client: httpx.AsyncClient, token: str) -> Any:
    return client.post(
        "/auth/password-reset/confirm", json={"token": token, "password": NEW_PASSWORD}
    )


async def _refresh(client: httpx.AsyncClient, tokens: dict[str, Any]) -> httpx.Response:
    return await client.post(
        "/auth/token",
        data={"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]},
    )


async def test_access_tokens_from_before_a_reset_are_refused(
    client: httpx.AsyncClient, mailbox: Mailbox
) -> None:
    before = await signed_up(client, mailbox, EMAIL)
    assert (await client.get("/auth/me", headers=bearer(before))).status_code == 200
    assert (await _confirm(client, await _reset_link(client, mailbox))).status_code == 204
    refused = await client.get("/auth/me", headers=bearer(before))
    assert refused.status_code == 401
    assert refused.json()["errors"][0]["code"] == "unauthorized"
    assert (await _refresh(client, before)).status_code == 400
    after = await login(client, EMAIL, NEW_PASSWORD)
    assert after.status_code == 200
    assert (await client.get("/auth/me", headers=bearer(after.json()))).status_code == 200


async def test_a_login_checked_against_the_old_password_issues_nothing_after_the_reset(
    client: httpx.AsyncClient, mailbox: Mailbox, hold: Hold
) -> None:
    """The grant has verified the old password and waits (on the roles it reads next) while
    the reset commits; it must then refuse, exactly like a wrong password."""
    await signed_up(client, mailbox, EMAIL)
    wrong = await login(client, EMAIL, "not the password at all")
    token = await _reset_link(client, mailbox)
    await hold.take("LOCK TABLE roles IN ACCESS EXCLUSIVE MODE")
    grant = asyncio.create_task(login(client, EMAIL, PASSWORD))
    await hold.until_waiting(1)
    reset = asyncio.create_task(_confirm(client, token))
    await hold.until_waiting(2)
    await hold.release()
    assert (await reset).status_code == 204
    refused = await grant
    assert refused.status_code == 401
    assert refused.content == wrong.content
    assert (await login(client, EMAIL, NEW_PASSWORD)).status_code == 200


async def test_a_session_issued_while_the_reset_runs_is_ended_by_it(
    client: httpx.AsyncClient, mailbox: Mailbox, hold: Hold
) -> None:
    """The grant has written its refresh token and waits (on the audit trail) before it
    commits; the reset that arrives now must still end that session."""
    await signed_up(client, mailbox, EMAIL)
    token = await _reset_link(client, mailbox)
    await hold.take("LOCK TABLE audit_events IN SHARE MODE")
    grant = asyncio.create_task(login(client, EMAIL, PASSWORD))
    await hold.until_waiting(1)
    reset = asyncio.create_task(_confirm(client, token))
    await hold.until_waiting(2)
    await hold.release()
    issued = await grant
    assert issued.status_code == 200, "the grant began before the reset and goes first"
    assert (await reset).status_code == 204
    assert (await _refresh(client, issued.json())).status_code == 400
    assert (await client.get("/auth/me", headers=bearer(issued.json()))).status_code == 401
