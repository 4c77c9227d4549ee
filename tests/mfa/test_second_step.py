"""The password grant's second step, played by whoever holds the password, a copied token, or
another account: one code once, one token once, no guess beyond the throttle."""

from __future__ import annotations

import asyncio

import asyncpg
import httpx

from tests.app_clients.clients import registered, role_id
from tests.mfa.helpers import MFA_GRANT, claims, enrolled, mfa_token, second_step
from tests.roles.people import owner
from tests.support.accounts import PASSWORD, login
from tests.support.flows import Mailbox


async def test_a_wrong_password_gets_no_mfa_token_and_a_right_one_issues_nothing_yet(
    client: httpx.AsyncClient, mailbox: Mailbox, admin_conn: asyncpg.Connection
) -> None:
    me = await owner(client, mailbox, admin_conn, "first@clinic.org")
    await enrolled(client, me)
    families = await admin_conn.fetchval("SELECT count(*) FROM refresh_tokens")
    wrong = await login(client, me.email, "not the password 1!")
    assert wrong.status_code == 401
    assert "mfa_token" not in wrong.json()
    body = await mfa_token(client, me.email)
    assert body["mfa_token"].startswith("mfa_")
    assert "mfa_enrollment_required" not in body
    assert await admin_conn.fetchval("SELECT count(*) FROM refresh_tokens") == families
    stored = await admin_conn.fetchval("SELECT token_hash FROM mfa_challenges")
    assert body["mfa_token"].encode() not in stored


async def test_one_code_passes_once_and_one_token_gives_one_session(
    client: httpx.AsyncClient, mailbox: Mailbox, admin_conn: asyncpg.Connection
) -> None:
    me = await owner(client, mailbox, admin_conn, "once@clinic.org")
    _, app, _ = await enrolled(client, me)
    token = (await mfa_token(client, me.email))["mfa_token"]
    code = app.code()
    # The same token and code, ten times in parallel: one session between them.
    answers = await asyncio.gather(*(second_step(client, token, otp=code) for _ in range(10)))
    assert sorted(a.status_code for a in answers) == [200] + [400] * 9
    assert {a.json()["error"] for a in answers if a.status_code == 400} == {"invalid_grant"}
    # The token is spent; the code's step is taken, even with a new token.
    assert (await second_step(client, token, otp=app.code())).status_code == 400
    again = (await mfa_token(client, me.email))["mfa_token"]
    replay = await second_step(client, again, otp=code)
    assert replay.status_code == 400, replay.text
    assert (await second_step(client, again, otp=app.code())).status_code == 200
    # Counted in the metrics, by event and kind.
    metrics = (await client.get("/metrics")).text
    assert 'auth_mfa_events_total{event="passed",kind="totp"} 2.0' in metrics
    assert 'auth_mfa_events_total{event="failed",kind="totp"}' in metrics


async def test_a_token_is_bound_to_its_person_and_its_five_minutes(
    client: httpx.AsyncClient, mailbox: Mailbox, admin_conn: asyncpg.Connection
) -> None:
    alice = await owner(client, mailbox, admin_conn, "alice@clinic.org", "Clinic A")
    mallory = await owner(client, mailbox, admin_conn, "mallory@other.org", "Clinic B")
    _, alice_app, _ = await enrolled(client, alice)
    _, mallory_app, _ = await enrolled(client, mallory)
    alice_token = (await mfa_token(client, alice.email))["mfa_token"]
    # Mallory's own valid code does not pass Alice's step.
    stolen = await second_step(client, alice_token, otp=mallory_app.code())
    assert stolen.status_code == 400, stolen.text
    # Nor does a token with Mallory's id swapped in, or a made-up one.
    forged = "mfa_" + alice_token[4:-4] + "AAAA"
    assert (await second_step(client, forged, otp=alice_app.code())).status_code == 400
    # An expired token passes nothing, even with Alice's right code.
    await admin_conn.execute("UPDATE mfa_challenges SET expires_at = now() - interval '1 second'")
    expired = await second_step(client, alice_token, otp=alice_app.code())
    assert expired.status_code == 400, expired.text
    assert (
        await admin_conn.fetchval("SELECT count(*) FROM refresh_tokens WHERE amr @> '{otp}'") == 0
    )


async def test_five_wrong_codes_spend_the_token(
    client: httpx.AsyncClient, mailbox: Mailbox, admin_conn: asyncpg.Connection
) -> None:
    me = await owner(client, mailbox, admin_conn, "five@clinic.org")
    _, app, _ = await enrolled(client, me)
    token = (await mfa_token(client, me.email))["mfa_token"]
    for _ in range(5):
        assert (await second_step(client, token, otp="000000")).status_code == 400
    spent = await second_step(client, token, otp=app.code())
    assert spent.status_code == 400, spent.text
    failures = await admin_conn.fetchval(
        "SELECT count(*) FROM audit_events WHERE action = 'auth.mfa_failed'"
    )
    assert failures == 5


async def test_a_burst_of_guesses_meets_the_throttle_before_any_code_is_checked(
    client: httpx.AsyncClient, mailbox: Mailbox, admin_conn: asyncpg.Connection
) -> None:
    me = await owner(client, mailbox, admin_conn, "burst@clinic.org")
    _, app, _ = await enrolled(client, me)
    tokens = [(await mfa_token(client, me.email))["mfa_token"] for _ in range(4)]
    # Twenty guesses in parallel over four tokens: only five are ever checked.
    guesses = [second_step(client, tokens[i % 4], otp=f"{i:06d}") for i in range(20)]
    answers = await asyncio.gather(*guesses)
    assert all(a.status_code == 400 for a in answers)
    checked = await admin_conn.fetchval(
        "SELECT count(*) FROM audit_events WHERE action = 'auth.mfa_failed'"
    )
    assert checked <= 5
    # While the throttle holds, even the right code is refused with the same answer.
    fresh = (await mfa_token(client, me.email))["mfa_token"]
    right = await second_step(client, fresh, otp=app.code())
    assert right.status_code == 400, right.text
    assert right.json() == answers[0].json()


async def test_a_recovery_code_signs_in_once(
    client: httpx.AsyncClient, mailbox: Mailbox, admin_conn: asyncpg.Connection
) -> None:
    me = await owner(client, mailbox, admin_conn, "lost@clinic.org")
    _, _, codes = await enrolled(client, me)
    token = (await mfa_token(client, me.email))["mfa_token"]
    typed = codes[0].lower().replace("-", " ")  # as a person might type it
    answer = await second_step(client, token, recovery_code=typed)
    assert answer.status_code == 200, answer.text
    assert claims(answer.json()["access_token"])["amr"] == ["pwd", "otp", "mfa"]
    again = (await mfa_token(client, me.email))["mfa_token"]
    assert (await second_step(client, again, recovery_code=codes[0])).status_code == 400
    assert (await second_step(client, again, recovery_code=codes[1])).status_code == 200
    left = await admin_conn.fetchval(
        "SELECT count(*) FROM mfa_recovery_codes WHERE used_at IS NULL"
    )
    assert left == 8
    assert (
        await admin_conn.fetchval(
            "SELECT count(*) FROM audit_events WHERE action = 'auth.recovery_code_used'"
        )
        == 2
    )


async def test_the_second_step_takes_one_code_at_a_time(
    client: httpx.AsyncClient, mailbox: Mailbox, admin_conn: asyncpg.Connection
) -> None:
    me = await owner(client, mailbox, admin_conn, "shape@clinic.org")
    _, app, codes = await enrolled(client, me)
    token = (await mfa_token(client, me.email))["mfa_token"]
    both = await second_step(client, token, otp=app.code(), recovery_code=codes[0])
    assert both.status_code == 400
    assert both.json()["error"] == "invalid_request"
    # Without a code, only a step whose factor was just enrolled with the token passes.
    neither = await second_step(client, token)
    assert neither.status_code == 400
    assert neither.json()["error"] == "invalid_grant"
    missing = await client.post(
        "/auth/token",
        data={"grant_type": "urn:health-auth:params:oauth:grant-type:mfa", "otp": "123456"},
    )
    assert missing.status_code == 400
    assert missing.json()["error"] == "invalid_request"


async def test_a_step_opened_by_an_app_client_is_completed_by_that_client_only(
    client: httpx.AsyncClient, mailbox: Mailbox, admin_conn: asyncpg.Connection
) -> None:
    me = await owner(client, mailbox, admin_conn, "legacy@clinic.org")
    _, app, _ = await enrolled(client, me)
    role = await role_id(admin_conn, me.org_id, "member")
    made = await registered(
        client,
        me,
        role,
        type="regular_web_application",
        redirectUris=["https://app.example/callback"],
        passwordGrant=True,
    )
    auth = (made["attributes"]["clientId"], made["attributes"]["clientSecret"])
    form = {"grant_type": "password", "username": me.email, "password": PASSWORD}
    first = await client.post("/auth/token", data=form, auth=auth)
    assert first.status_code == 401, first.text
    token = first.json()["mfa_token"]
    # Without the client (as the first-party client), the step is refused.
    assert (await second_step(client, token, otp=app.peek())).status_code == 400
    done = await client.post(
        "/auth/token",
        data={"grant_type": MFA_GRANT, "mfa_token": token, "otp": app.code()},
        auth=auth,
    )
    assert done.status_code == 200, done.text
    access = claims(done.json()["access_token"])
    assert access["client_id"] == auth[0]
    assert access["amr"] == ["pwd", "otp", "mfa"]
    # Its refresh family is the client's, as the password grant's is.
    rotate = {"grant_type": "refresh_token", "refresh_token": done.json()["refresh_token"]}
    assert (await client.post("/auth/token", data=rotate)).status_code == 400
    assert (await client.post("/auth/token", data=rotate, auth=auth)).status_code == 200
