"""Two service processes on one database behave as one service.

Throttles, refresh-token families, signing keys and the mail outbox live in PostgreSQL, so
what one instance learns the other acts on: a throttle reached through A holds on B, a token
rotated on A and replayed on B kills the family, a key rotated by the command is served and
accepted by both, and mail queued through both goes out exactly once.
"""

from __future__ import annotations

import asyncio
import base64
import json
import time
from collections import Counter
from typing import Any

import asyncpg
import httpx
from joserfc import jwt
from joserfc.jwk import KeySet

from tests.operations.conftest import Deployment
from tests.operations.instances import Instance, run_command
from tests.operations.scrape import scrape, value
from tests.support.accounts import PASSWORD, bearer, login, register, signed_up, verify_from_mail

WRONG = "not the password at all"


def _secrets_absent(instances: tuple[Instance, ...], *secrets: str) -> None:
    for instance in instances:
        for line in instance.lines:
            for secret in secrets:
                assert secret not in line, f"{instance.name} logged a secret: {line}"


async def test_a_throttle_reached_through_one_instance_holds_on_the_other(
    deployment: Deployment,
) -> None:
    email = "throttled@clinic.org"
    async with deployment.a.client() as a, deployment.b.client() as b:
        await register(a, email)
        await verify_from_mail(b, deployment.mailbox, email)
        first = await login(b, email)
        assert first.status_code == 200, first.text
        refusals = [await login(a, email, WRONG) for _ in range(10)]
        right_password_on_b = await login(b, email, PASSWORD)
        a_metrics, b_metrics = await scrape(a), await scrape(b)

    assert {r.status_code for r in refusals} == {401}
    assert right_password_on_b.status_code == 401
    assert right_password_on_b.content == refusals[-1].content
    challenge = refusals[-1].headers["www-authenticate"]
    assert right_password_on_b.headers["www-authenticate"] == challenge
    assert value(a_metrics, "auth_logins_total", outcome="failure") == 10
    assert value(b_metrics, "auth_logins_total", outcome="throttled") == 1
    assert value(b_metrics, "auth_throttled_attempts_total", action="login") == 1
    assert value(b_metrics, "auth_logins_total", outcome="failure") == 0

    user_id = _claims(first.json()["access_token"])["sub"]
    throttled = deployment.b.events("auth.login_throttled")
    assert [entry["userId"] for entry in throttled] == [user_id]
    failed = deployment.a.events("auth.login_failed")
    assert [(e["userId"], e["reason"]) for e in failed] == [(user_id, "wrong_password")] * 10
    assert all(entry["requestId"] not in ("", "-") for entry in failed + throttled)
    _secrets_absent((deployment.a, deployment.b), PASSWORD, WRONG, first.json()["refresh_token"])


async def _refresh(client: httpx.AsyncClient, token: str) -> httpx.Response:
    return await client.post(
        "/auth/token", data={"grant_type": "refresh_token", "refresh_token": token}
    )


async def test_a_refresh_token_rotated_on_one_instance_and_replayed_late_on_the_other_revokes_the_family(  # noqa: E501
    deployment: Deployment, superuser: asyncpg.Connection
) -> None:
    email = "replayed@clinic.org"
    async with deployment.a.client() as a, deployment.b.client() as b:
        first = await signed_up(a, deployment.mailbox, email)
        rotated = await _refresh(a, first["refresh_token"])
        assert rotated.status_code == 200, rotated.text
        second = rotated.json()["refresh_token"]
        late = await superuser.execute(
            "UPDATE refresh_tokens SET rotated_at = now() - interval '1 minute' "
            "WHERE rotated_at IS NOT NULL AND user_id = (SELECT id FROM users WHERE email = $1)",
            email,
        )
        assert late == "UPDATE 1"
        replay = await _refresh(b, first["refresh_token"])
        after = await _refresh(a, second)
        b_metrics = await scrape(b)

    assert replay.status_code == 400
    assert replay.json()["error"] == "invalid_grant"
    assert after.status_code == 400, "the family should be revoked everywhere"
    rows = await superuser.fetch(
        "SELECT revoked_at, revoked_reason FROM refresh_tokens "
        "WHERE user_id = (SELECT id FROM users WHERE email = $1)",
        email,
    )
    assert len(rows) == 2
    assert all(r["revoked_at"] is not None and r["revoked_reason"] == "reuse" for r in rows)
    assert value(b_metrics, "auth_refresh_token_reuse_total") == 1
    reuse = deployment.b.events("auth.refresh_reuse")
    assert len(reuse) == 1
    assert reuse[0]["userId"] == _claims(first["access_token"])["sub"]
    assert reuse[0]["level"] == "warning"
    _secrets_absent((deployment.a, deployment.b), first["refresh_token"], second, PASSWORD)


async def test_a_key_rotated_by_the_command_is_served_and_accepted_by_both(
    deployment: Deployment,
) -> None:
    out, err = await run_command(deployment.env, "rotate-keys", "--now")
    kid = out.strip()
    rotated = [json.loads(line) for line in err.splitlines() if '"signing_keys.rotated"' in line]
    assert [entry["kid"] for entry in rotated] == [kid]
    async with deployment.a.client() as a, deployment.b.client() as b:
        await _until_published(kid, a, b)
        tokens = {
            "A": await signed_up(a, deployment.mailbox, "key-a@clinic.org"),
            "B": await signed_up(b, deployment.mailbox, "key-b@clinic.org"),
        }
        jwks = KeySet.import_key_set((await b.get("/.well-known/jwks.json")).json())
        for signer, issued in tokens.items():
            header = _segment(issued["access_token"], 0)
            assert header["kid"] == kid, f"{signer} still signs with {header['kid']}"
            decoded = jwt.decode(issued["access_token"], jwks, algorithms=["RS256"])
            assert decoded.claims["email"] == f"key-{signer.lower()}@clinic.org"
            for verifier in (a, b):
                me = await verifier.get("/auth/me", headers=bearer(issued))
                assert me.status_code == 200, (signer, me.text)


async def _until_published(kid: str, *clients: httpx.AsyncClient, within: float = 30.0) -> None:
    """Both JWKS endpoints list ``kid``; the instances reload their keys every few seconds."""
    deadline = time.monotonic() + within
    waiting = list(clients)
    while waiting:
        assert time.monotonic() < deadline, f"{kid} not published by every instance in time"
        served = [await c.get("/.well-known/jwks.json") for c in waiting]
        waiting = [
            c
            for c, r in zip(waiting, served, strict=True)
            if kid not in {k["kid"] for k in r.json()["keys"]}
        ]
        if waiting:
            await asyncio.sleep(0.25)


async def test_mail_of_registrations_through_both_instances_goes_out_exactly_once(
    deployment: Deployment, superuser: asyncpg.Connection
) -> None:
    addresses = {f"once-{n}@clinic.org": n % 2 for n in range(16)}
    async with deployment.a.client() as a, deployment.b.client() as b:
        through = (a, b)
        await asyncio.gather(
            *(register(through[side], address) for address, side in addresses.items())
        )
    mails = {address: await deployment.mailbox.next_to(address) for address in addresses}
    await _until_outbox_settled(superuser, within=15.0)
    await asyncio.sleep(0.5)  # a second delivery would arrive about now

    sent = await superuser.fetch(
        "SELECT recipient, message_id, status FROM mail_outbox WHERE recipient = ANY($1)",
        list(addresses),
    )
    assert len(sent) == len(addresses)
    assert {r["status"] for r in sent} == {"sent"}
    counts = deployment.smtp.sink.counts()
    for row in sent:
        assert counts[row["message_id"]] == 1, row["recipient"]
    per_recipient = Counter(a for r in deployment.smtp.sink.received for a in r.recipients)
    assert all(per_recipient[address] == 1 for address in addresses)
    assert {m.message_id for m in mails.values()} == {r["message_id"] for r in sent}


async def _until_outbox_settled(conn: asyncpg.Connection, *, within: float) -> None:
    deadline = time.monotonic() + within
    while await conn.fetchval("SELECT count(*) FROM mail_outbox WHERE status = 'pending'"):
        assert time.monotonic() < deadline, "mail still pending"
        await asyncio.sleep(0.1)


def _segment(token: str, index: int) -> dict[str, Any]:
    part = token.split(".")[index]
    decoded: dict[str, Any] = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    return decoded


def _claims(token: str) -> dict[str, Any]:
    return _segment(token, 1)
