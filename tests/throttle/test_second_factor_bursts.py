"""The second step's throttle, played from many addresses by someone who has the password:
five wrong codes a quarter hour from one client, twenty a day from everywhere together, and
the owner's own client spared the account-wide limits, as it is for passwords."""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
import httpx

from tests.mfa.helpers import MFA_GRANT, App
from tests.throttle.support import from_address, login, staff

HOME = "192.0.2.44"


async def _enrol(client: httpx.AsyncClient, email: str) -> App:
    tokens = (await login(client, email, address=HOME)).json()
    headers = {"Authorization": f"Bearer {tokens['access_token']}", **from_address(HOME)}
    body = {"data": {"type": "auth/mfa-factors", "attributes": {"kind": "totp"}}}
    made = await client.post("/auth/me/mfa-factors", json=body, headers=headers)
    assert made.status_code == 201, made.text
    app = App(made.json()["meta"]["secret"])
    path = f"/auth/me/mfa-factors/{made.json()['data']['id']}/confirm"
    confirmed = await client.post(path, json={"code": app.code()}, headers=headers)
    assert confirmed.status_code == 200, confirmed.text
    return app


async def _step(client: httpx.AsyncClient, email: str, address: str) -> str:
    first = await login(client, email, address=address)
    assert first.status_code == 401, first.text
    token: str = first.json()["mfa_token"]
    return token


async def _code(client: httpx.AsyncClient, token: str, otp: str, address: str) -> httpx.Response:
    form: dict[str, Any] = {"grant_type": MFA_GRANT, "mfa_token": token, "otp": otp}
    return await client.post("/auth/token", data=form, headers=from_address(address))


async def test_an_attack_from_many_addresses_does_not_lock_the_owner_out_of_their_client(
    client: httpx.AsyncClient, app_conn: asyncpg.Connection, admin_conn: asyncpg.Connection
) -> None:
    await staff(app_conn, admin_conn, ["owner@clinic.example"])
    email = "owner@clinic.example"
    app = await _enrol(client, email)
    # The owner gave the second factor from home once: that client is known.
    home = await _code(client, await _step(client, email, HOME), app.code(), HOME)
    assert home.status_code == 200, home.text
    # Someone with the password guesses from ten addresses, ten at once from each.
    addresses = [f"203.0.113.{i}" for i in range(10)]
    tokens = {a: await _step(client, email, a) for a in addresses}
    guesses = [_code(client, tokens[a], f"{n:06d}", a) for a in addresses for n in range(10)]
    answers = await asyncio.gather(*guesses)
    assert {r.status_code for r in answers} == {400}
    checked = await admin_conn.fetchval(
        "SELECT count(*) FROM audit_events WHERE action = 'auth.mfa_failed'"
    )
    assert checked <= 20  # twenty a day from everywhere together, at most five per client
    # A stranger's right code would not pass now either: the same answer.
    stranger = "198.51.100.7"
    blocked = await _code(client, await _step(client, email, stranger), app.peek(), stranger)
    assert blocked.status_code == 400
    assert blocked.json() == answers[0].json()
    # The owner's own client is spared the account-wide limits.
    again = await _code(client, await _step(client, email, HOME), app.code(), HOME)
    assert again.status_code == 200, again.text
