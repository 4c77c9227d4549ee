"""A person's own factors over JSON:API: enrol, confirm, list, rename, remove, recovery codes,
and the fresh second factor the risky changes need."""

from __future__ import annotations

import asyncio
import time

import asyncpg
import httpx
import pyotp

from tests.mfa.helpers import (
    FACTORS,
    App,
    add,
    claims,
    enrolled,
    headers_of,
    new_factor,
    signed_in,
)
from tests.roles.people import owner
from tests.support.accounts import login
from tests.support.flows import Mailbox


async def test_enrol_confirm_and_list_an_authenticator_app(
    client: httpx.AsyncClient, mailbox: Mailbox, admin_conn: asyncpg.Connection
) -> None:
    me = await owner(client, mailbox, admin_conn, "enrol@clinic.org")
    factor_id, app, created = await add(client, me.headers)
    attributes = created["data"]["attributes"]
    assert attributes["kind"] == "totp"
    assert attributes["confirmed"] is False
    meta = created["meta"]
    assert meta["otpauthUri"].startswith("otpauth://totp/Health%20Auth:enrol@clinic.org?")
    assert pyotp.parse_uri(meta["otpauthUri"]).secret == meta["secret"]
    assert meta["qrSvg"].startswith("<svg")
    assert "<script" not in meta["qrSvg"]
    # The secret is sealed at rest: not the base32 text, not the raw bytes.
    stored = await admin_conn.fetchval(
        "SELECT secret FROM mfa_factors WHERE id = $1::uuid", factor_id
    )
    assert meta["secret"].encode() not in stored
    # A wrong code does not confirm it.
    wrong = await client.post(
        f"{FACTORS}/{factor_id}/confirm", json={"code": app.stale()}, headers=me.headers
    )
    assert wrong.status_code == 400, wrong.text
    assert wrong.json()["errors"][0]["code"] == "invalid_code"
    confirmed = await client.post(
        f"{FACTORS}/{factor_id}/confirm", json={"code": app.code()}, headers=me.headers
    )
    assert confirmed.status_code == 200, confirmed.text
    codes = confirmed.json()["meta"]["recoveryCodes"]
    assert len(codes) == 10
    assert len(set(codes)) == 10
    hashes = await admin_conn.fetch("SELECT code_hash FROM mfa_recovery_codes")
    assert len(hashes) == 10
    assert all(code.encode() not in row[0] for row in hashes for code in codes)
    listed = await client.get(FACTORS, headers=me.headers)
    assert listed.status_code == 200, listed.text
    body = listed.json()
    assert [f["id"] for f in body["data"]] == [factor_id]
    assert body["data"][0]["attributes"]["confirmed"] is True
    assert body["meta"] == {"recoveryCodesLeft": 10, "recoveryCodesIssued": 10}
    assert "secret" not in listed.text
    actions = await admin_conn.fetch(
        "SELECT action FROM audit_events WHERE action LIKE 'mfa_factor.%' ORDER BY created_at"
    )
    assert [a["action"] for a in actions] == ["mfa_factor.create", "mfa_factor.confirm"]
    # The person hears of it (the first mail was the address's verification).
    notice = await mailbox.next_to(me.email, after=1)
    assert "second factors of your account changed" in str(notice.message["Subject"])
    assert "An authenticator app (Phone) was added." in notice.part("plain")


async def test_a_confirmed_factor_is_removed_only_after_a_fresh_second_factor(
    client: httpx.AsyncClient, mailbox: Mailbox, admin_conn: asyncpg.Connection
) -> None:
    me = await owner(client, mailbox, admin_conn, "remove@clinic.org")
    factor_id, app, _ = await enrolled(client, me)
    # The password-only token of before the factor: no step-up.
    refused = await client.delete(f"{FACTORS}/{factor_id}", headers=me.headers)
    assert refused.status_code == 403, refused.text
    assert refused.json()["errors"][0]["code"] == "step_up_required"
    again = await client.post(FACTORS, json=new_factor("Second"), headers=me.headers)
    assert again.status_code == 403, again.text  # no second factor planted by a bare session
    regenerate = await client.post("/auth/me/recovery-codes", headers=me.headers)
    assert regenerate.status_code == 403, regenerate.text
    # A sign-in with the code: amr says so, and auth_time is now.
    tokens = await signed_in(client, me.email, app)
    token = claims(tokens["access_token"])
    assert token["amr"] == ["pwd", "otp", "mfa"]
    assert token["acr"] == "urn:health-auth:acr:mfa"
    assert abs(token["auth_time"] - time.time()) < 30
    fresh = headers_of(tokens)
    renamed = await client.patch(
        f"{FACTORS}/{factor_id}",
        json={
            "data": {
                "type": "auth/mfa-factors",
                "id": factor_id,
                "attributes": {"label": "Old phone"},
            }
        },
        headers=fresh,
    )
    assert renamed.status_code == 200, renamed.text
    assert renamed.json()["data"]["attributes"]["label"] == "Old phone"
    codes = await client.post("/auth/me/recovery-codes", headers=fresh)
    assert codes.status_code == 200, codes.text
    assert len(codes.json()["meta"]["recoveryCodes"]) == 10
    gone = await client.delete(f"{FACTORS}/{factor_id}", headers=fresh)
    assert gone.status_code == 204, gone.text
    assert await admin_conn.fetchval("SELECT count(*) FROM mfa_factors") == 0
    assert await admin_conn.fetchval("SELECT count(*) FROM mfa_recovery_codes") == 0
    # No factor left: the password alone signs in again.
    assert (await login(client, me.email)).status_code == 200


async def test_a_step_up_older_than_five_minutes_is_not_fresh(
    client: httpx.AsyncClient, mailbox: Mailbox, admin_conn: asyncpg.Connection
) -> None:
    me = await owner(client, mailbox, admin_conn, "stale@clinic.org")
    factor_id, app, _ = await enrolled(client, me)
    tokens = await signed_in(client, me.email, app)
    # A refresh keeps the sign-in's amr and auth_time: it is no new authentication.
    await admin_conn.execute(
        "UPDATE refresh_tokens SET auth_time = auth_time - interval '10 minutes'"
    )
    refreshed = await client.post(
        "/auth/token",
        data={"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]},
    )
    assert refreshed.status_code == 200, refreshed.text
    token = claims(refreshed.json()["access_token"])
    assert token["amr"] == ["pwd", "otp", "mfa"]
    assert time.time() - token["auth_time"] > 590
    refused = await client.delete(f"{FACTORS}/{factor_id}", headers=headers_of(refreshed.json()))
    assert refused.status_code == 403, refused.text


async def test_another_persons_factor_is_not_found_for_every_verb(
    client: httpx.AsyncClient, mailbox: Mailbox, admin_conn: asyncpg.Connection
) -> None:
    alice = await owner(client, mailbox, admin_conn, "alice@clinic.org", "Clinic A")
    mallory = await owner(client, mailbox, admin_conn, "mallory@other.org", "Clinic B")
    factor_id, app, _ = await add(client, alice.headers)
    path = f"{FACTORS}/{factor_id}"
    attempts = [
        await client.get(path, headers=mallory.headers),
        await client.post(f"{path}/confirm", json={"code": app.code()}, headers=mallory.headers),
        await client.patch(
            path,
            json={
                "data": {"type": "auth/mfa-factors", "id": factor_id, "attributes": {"label": "x"}}
            },
            headers=mallory.headers,
        ),
        await client.delete(path, headers=mallory.headers),
    ]
    for response in attempts:
        assert response.status_code == 404, response.text
        assert response.json()["errors"][0]["code"] == "mfa_factor_not_found"
    assert (await client.get(FACTORS, headers=mallory.headers)).json()["data"] == []
    row = await admin_conn.fetchrow("SELECT label, confirmed_at FROM mfa_factors")
    assert row["label"] == "Phone"
    assert row["confirmed_at"] is None
    # Alice confirms her own with a later code: Mallory's attempt took nothing from her.
    confirmed = await client.post(
        f"{path}/confirm", json={"code": app.code()}, headers=alice.headers
    )
    assert confirmed.status_code == 200, confirmed.text


async def test_bad_bodies_are_refused_with_pointers(
    client: httpx.AsyncClient, mailbox: Mailbox, admin_conn: asyncpg.Connection
) -> None:
    me = await owner(client, mailbox, admin_conn, "bodies@clinic.org")
    cases = [
        (
            {"data": {"type": "auth/mfa-factors", "attributes": {"kind": "sms"}}},
            "/data/attributes/kind",
        ),
        (
            {"data": {"type": "auth/mfa-factors", "attributes": {"kind": "totp", "label": ""}}},
            "/data/attributes/label",
        ),
        (
            {"data": {"type": "auth/mfa-factors", "id": "x", "attributes": {"kind": "totp"}}},
            "/data/id",
        ),
    ]
    for body, pointer in cases:
        response = await client.post(FACTORS, json=body, headers=me.headers)
        assert response.status_code in (400, 403), response.text
        assert response.json()["errors"][0]["source"]["pointer"] == pointer
    assert await admin_conn.fetchval("SELECT count(*) FROM mfa_factors") == 0


async def test_parallel_copies_of_each_change_leave_one_result(
    client: httpx.AsyncClient, mailbox: Mailbox, admin_conn: asyncpg.Connection
) -> None:
    me = await owner(client, mailbox, admin_conn, "parallel@clinic.org")
    # Twenty additions at once: each replaces the unconfirmed one before it, so one stays.
    added = await asyncio.gather(
        *(client.post(FACTORS, json=new_factor(), headers=me.headers) for _ in range(20))
    )
    assert {r.status_code for r in added} == {201}
    assert await admin_conn.fetchval("SELECT count(*) FROM mfa_factors") == 1
    last = await admin_conn.fetchval("SELECT id::text FROM mfa_factors")
    [document] = [r.json() for r in added if r.json()["data"]["id"] == last]
    app = App(document["meta"]["secret"])
    # Two right codes (two time steps) at once: one confirmation, one set of codes.
    path = f"{FACTORS}/{last}/confirm"
    confirmed = await asyncio.gather(
        *(client.post(path, json={"code": app.code()}, headers=me.headers) for _ in range(2))
    )
    assert sorted(r.status_code for r in confirmed) == [200, 409]
    assert await admin_conn.fetchval("SELECT count(*) FROM mfa_recovery_codes") == 10
    # Five new sets at once, with a fresh second factor: ten codes stay valid, not fifty.
    fresh = headers_of(await signed_in(client, me.email, app))
    sets = await asyncio.gather(
        *(client.post("/auth/me/recovery-codes", headers=fresh) for _ in range(5))
    )
    assert {r.status_code for r in sets} == {200}
    assert await admin_conn.fetchval("SELECT count(*) FROM mfa_recovery_codes") == 10
