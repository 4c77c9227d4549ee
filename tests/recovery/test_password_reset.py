"""Password reset through the mailed link: single use, sessions ended, nothing told."""

from __future__ import annotations

import asyncio

import asyncpg
import httpx

from tests.support.accounts import PASSWORD, login, register, signed_up
from tests.support.flows import Mailbox, link_in

NEW_PASSWORD = "correct horse battery staple"


async def _reset_link(client: httpx.AsyncClient, mailbox: Mailbox, email: str, after: int) -> str:
    response = await client.post("/auth/password-reset", json={"email": email})
    assert response.status_code == 202
    path, token = link_in(await mailbox.next_to(email, after=after))
    assert path == "/auth/reset-password"
    return token


async def test_reset_flow_ends_sessions_and_sends_a_notice(
    client: httpx.AsyncClient, mailbox: Mailbox
) -> None:
    tokens = await signed_up(client, mailbox, "forgot@clinic.org")
    token = await _reset_link(client, mailbox, "forgot@clinic.org", after=1)
    page = await client.get("/auth/reset-password", params={"token": token})
    assert page.status_code == 200
    assert 'name="password"' in page.text
    assert "City General Hospital" in page.text
    done = await client.post(
        "/auth/password-reset/confirm", json={"token": token, "password": NEW_PASSWORD}
    )
    assert done.status_code == 204
    assert (await login(client, "forgot@clinic.org")).status_code == 401
    assert (await login(client, "forgot@clinic.org", NEW_PASSWORD)).status_code == 200
    refresh = await client.post(
        "/auth/token",
        data={"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]},
    )
    assert refresh.status_code == 400
    notice = await mailbox.next_to("forgot@clinic.org", after=2)
    assert "token=" not in notice.text
    again = await client.post(
        "/auth/password-reset/confirm", json={"token": token, "password": "another fine passphrase"}
    )
    assert again.status_code == 400
    assert again.json()["errors"][0]["code"] == "invalid_token"


async def test_unknown_and_known_addresses_get_the_same_answer(
    client: httpx.AsyncClient, mailbox: Mailbox
) -> None:
    await signed_up(client, mailbox, "known@clinic.org")
    known = await client.post("/auth/password-reset", json={"email": "known@clinic.org"})
    unknown = await client.post("/auth/password-reset", json={"email": "ghost@clinic.org"})
    assert known.status_code == unknown.status_code == 202
    assert known.content == unknown.content
    await mailbox.next_to("known@clinic.org", after=1)
    await asyncio.sleep(0.3)
    assert mailbox.to("ghost@clinic.org") == []


async def test_twenty_concurrent_uses_give_one_success(
    client: httpx.AsyncClient, mailbox: Mailbox
) -> None:
    await signed_up(client, mailbox, "race@clinic.org")
    token = await _reset_link(client, mailbox, "race@clinic.org", after=1)
    answers = await asyncio.gather(
        *(
            client.post(
                "/auth/password-reset/confirm",
                json={"token": token, "password": f"{NEW_PASSWORD} {i}"},
            )
            for i in range(20)
        )
    )
    assert sorted(a.status_code for a in answers) == [204] + [400] * 19


async def test_a_weak_password_is_refused_and_the_link_still_works(
    client: httpx.AsyncClient, mailbox: Mailbox
) -> None:
    await signed_up(client, mailbox, "weak@clinic.org")
    token = await _reset_link(client, mailbox, "weak@clinic.org", after=1)
    for weak in ("short", "password123456", "weak@clinic.org"):
        answer = await client.post(
            "/auth/password-reset/confirm", json={"token": token, "password": weak}
        )
        assert answer.status_code == 400
        assert {e["source"]["pointer"] for e in answer.json()["errors"]} == {"/password"}
    page = await client.post(
        "/auth/password-reset/confirm", data={"token": token, "password": "short"}
    )
    assert page.status_code == 400
    assert 'role="alert"' in page.text
    good = await client.post(
        "/auth/password-reset/confirm", data={"token": token, "password": NEW_PASSWORD}
    )
    assert good.status_code == 200
    assert "Password changed" in good.text


async def test_reset_takes_an_unverified_account_from_a_squatter(
    client: httpx.AsyncClient, mailbox: Mailbox, admin_conn: asyncpg.Connection
) -> None:
    squatter_password = "Squatters passphrase 1"
    await register(client, "owner@clinic.org", password=squatter_password)
    _, squatter_verify = link_in(await mailbox.next_to("owner@clinic.org"))
    token = await _reset_link(client, mailbox, "owner@clinic.org", after=1)
    done = await client.post(
        "/auth/password-reset/confirm", json={"token": token, "password": NEW_PASSWORD}
    )
    assert done.status_code == 204
    assert (await login(client, "owner@clinic.org", squatter_password)).status_code == 401
    assert (await login(client, "owner@clinic.org", NEW_PASSWORD)).status_code == 200
    stale = await client.post("/auth/verify-email", json={"token": squatter_verify})
    assert stale.status_code == 400


async def test_only_hashes_are_stored(
    client: httpx.AsyncClient, mailbox: Mailbox, admin_conn: asyncpg.Connection
) -> None:
    await signed_up(client, mailbox, "hash@clinic.org")
    token = await _reset_link(client, mailbox, "hash@clinic.org", after=1)
    rows = await admin_conn.fetch("SELECT token_hash FROM one_time_tokens")
    import hashlib

    assert hashlib.sha256(token.encode()).digest() in {bytes(r["token_hash"]) for r in rows}
    dump = await admin_conn.fetchval("SELECT string_agg(t::text, ' ') FROM one_time_tokens t")
    assert token not in dump
    assert PASSWORD not in (
        await admin_conn.fetchval("SELECT string_agg(u::text, ' ') FROM users u")
    )
