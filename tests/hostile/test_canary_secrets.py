"""No password or token ever reaches a log line or an error body.

Every flow runs once with recognisable canary values (passwords like ``canary-password-…``,
bad tokens like ``canary-token-…``), with every logger at DEBUG; every token the service issues
or mails is collected too. Then each secret, whole or in part, is looked for in every log line
the service wrote (formatted by its own JSON formatter) and in every error body it sent.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.hostile.canary import Watch, canary, everything_at_debug, log_lines
from tests.support.flows import Mailbox, link_in

FORM = "application/x-www-form-urlencoded"


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def _mailed_token(watch: Watch, mailbox: Mailbox, email: str, after: int, path: str) -> str:
    found_path, token = link_in(await mailbox.next_to(email, after=after))
    assert found_path == path
    return watch.secret(token)


async def _login(client: httpx.AsyncClient, email: str, password: str) -> httpx.Response:
    form = {"grant_type": "password", "username": email, "password": password}
    return await client.post("/auth/token", data=form)


async def _sign_up(
    client: httpx.AsyncClient, mailbox: Mailbox, watch: Watch, email: str
) -> tuple[str, dict[str, Any]]:
    password = watch.secret(canary("password"))
    body = {
        "email": email,
        "password": password,
        "firstName": "Canary",
        "lastName": "Owner",
        "organizationName": "Canary Clinic",
    }
    assert (await client.post("/auth/register", json=body)).status_code == 202
    token = await _mailed_token(watch, mailbox, email, 0, "/auth/verify-email")
    assert (await client.get("/auth/verify-email", params={"token": token})).status_code == 200
    page = await client.post("/auth/verify-email", data={"token": token, "password": password})
    assert page.status_code == 200
    again = {"token": token, "password": password}
    assert (await client.post("/auth/verify-email", json=again)).status_code == 400
    response = await _login(client, email, password)
    assert response.status_code == 200, response.text
    return password, watch.tokens(response.json())


async def _refresh_and_sign_out(
    client: httpx.AsyncClient, watch: Watch, tokens: dict[str, Any]
) -> None:
    first = tokens["refresh_token"]
    grant = {"grant_type": "refresh_token", "refresh_token": first}
    rotated = await client.post("/auth/token", data=grant)
    assert rotated.status_code == 200, rotated.text
    second = watch.tokens(rotated.json())["refresh_token"]
    assert (await client.post("/auth/token", data=grant)).status_code == 400
    assert (await client.post("/auth/revoke", data={"token": second})).status_code == 200
    grant["refresh_token"] = second
    assert (await client.post("/auth/token", data=grant)).status_code == 400


async def _bad_credentials(
    client: httpx.AsyncClient, watch: Watch, email: str, tokens: dict[str, Any]
) -> None:
    assert (await _login(client, email, watch.secret(canary("password")))).status_code == 401
    stranger = f"{canary('nobody')}@canary.example.org"
    assert (await _login(client, stranger, watch.secret(canary("password")))).status_code == 401
    access = tokens["access_token"]
    forged = access[:-6] + ("AAAAAA" if not access.endswith("AAAAAA") else "BBBBBB")
    for bad in (watch.secret(canary("bearer")), watch.secret(forged), access + "x"):
        assert (await client.get("/auth/me", headers=_bearer(bad))).status_code == 401
    bad_token = watch.secret(canary("token"))
    refresh = {"grant_type": "refresh_token", "refresh_token": f"rt_{bad_token}"}
    assert (await client.post("/auth/token", data=refresh)).status_code == 400
    assert (await client.post("/auth/verify-email", json={"token": bad_token})).status_code == 400
    confirm = {"token": bad_token, "password": watch.secret(canary("password"))}
    assert (await client.post("/auth/password-reset/confirm", json=confirm)).status_code == 400
    accept = {"token": bad_token, "firstName": "A", "lastName": "B", "password": "x" * 12}
    assert (await client.post("/auth/invitations/accept", json=accept)).status_code == 400
    for page in ("/auth/reset-password", "/auth/invitations/accept", "/auth/verify-email"):
        assert (await client.get(page, params={"token": bad_token})).status_code == 400
    short = {"email": stranger, "password": watch.secret("canary-pw"), "firstName": "A"}
    assert (await client.post("/auth/register", json=short)).status_code == 400
    stray = await client.get("/auth/nowhere", headers=_bearer(watch.secret(canary("bearer"))))
    assert stray.status_code == 404


async def _reset(
    client: httpx.AsyncClient, mailbox: Mailbox, watch: Watch, email: str, old: str
) -> dict[str, Any]:
    assert (await client.post("/auth/password-reset", json={"email": email})).status_code == 202
    token = await _mailed_token(watch, mailbox, email, 1, "/auth/reset-password")
    assert (await client.get("/auth/reset-password", params={"token": token})).status_code == 200
    password = watch.secret(canary("password"))
    done = await client.post(
        "/auth/password-reset/confirm", data={"token": token, "password": password}
    )
    assert done.status_code == 200, done.text
    again = {"token": token, "password": watch.secret(canary("password"))}
    assert (await client.post("/auth/password-reset/confirm", json=again)).status_code == 400
    assert (await _login(client, email, old)).status_code == 401
    response = await _login(client, email, password)
    assert response.status_code == 200, response.text
    return watch.tokens(response.json())


async def _invite_and_accept(
    client: httpx.AsyncClient, mailbox: Mailbox, watch: Watch, owner: dict[str, Any]
) -> None:
    member = f"{canary('member')}@canary.example.org"
    invite = {"email": member, "role": "member"}
    sent = await client.post("/auth/invite", json=invite, headers=_bearer(owner["access_token"]))
    assert sent.status_code == 201, sent.text
    token = await _mailed_token(watch, mailbox, member, 0, "/auth/invitations/accept")
    page = await client.get("/auth/invitations/accept", params={"token": token})
    assert page.status_code == 200
    password = watch.secret(canary("password"))
    form = {"token": token, "firstName": "Canary", "lastName": "Member", "password": password}
    accepted = await client.post("/auth/invitations/accept", data=form)
    assert accepted.status_code == 200, accepted.text
    replay = await client.post("/auth/invitations/accept", json=form)
    assert replay.status_code == 400
    response = await _login(client, member, password)
    assert response.status_code == 200, response.text
    watch.tokens(response.json())


async def test_no_secret_reaches_a_log_line_or_an_error_body(
    client: httpx.AsyncClient, mailbox: Mailbox, caplog: pytest.LogCaptureFixture
) -> None:
    everything_at_debug(caplog)
    watch = Watch()
    client.event_hooks["response"].append(watch.on_response)
    email = f"{canary('owner')}@canary.example.org"
    password, tokens = await _sign_up(client, mailbox, watch, email)
    await _refresh_and_sign_out(client, watch, tokens)
    await _bad_credentials(client, watch, email, tokens)
    owner = await _reset(client, mailbox, watch, email, password)
    await _invite_and_accept(client, mailbox, watch, owner)

    lines = log_lines(caplog.records)
    # The run was seen: one access line a request, and the link pages' tokens masked in them.
    assert sum('"event": "http.request"' in line for line in lines) >= 30
    assert sum("token=[redacted]" in line for line in lines) >= 5
    assert len(watch.secrets) >= 20
    assert len(watch.error_bodies) >= 15
    assert watch.leaks(lines) == []
    assert watch.leaks(watch.error_bodies) == []
