"""The token endpoint: password grant failures, refresh rotation, reuse, revocation."""

from __future__ import annotations

import asyncio

import asyncpg
import httpx
import pytest

from tests.support.accounts import PASSWORD, bearer, login, register, signed_up
from tests.support.flows import Mailbox


async def _refresh(client: httpx.AsyncClient, token: str, **extra: str) -> httpx.Response:
    return await client.post(
        "/auth/token", data={"grant_type": "refresh_token", "refresh_token": token, **extra}
    )


async def test_login_failures_are_identical(
    client: httpx.AsyncClient, mailbox: Mailbox, admin_conn: asyncpg.Connection
) -> None:
    await signed_up(client, mailbox, "real@clinic.org")
    await register(client, "unverified@clinic.org")
    await signed_up(client, mailbox, "disabled@clinic.org")
    await admin_conn.execute(
        "UPDATE users SET disabled_at = now() WHERE email = 'disabled@clinic.org'"
    )
    answers = [
        await login(client, "nobody@clinic.org"),
        await login(client, "real@clinic.org", "wrong password here"),
        await login(client, "unverified@clinic.org"),
        await login(client, "disabled@clinic.org"),
    ]
    assert {a.status_code for a in answers} == {401}
    assert len({a.content for a in answers}) == 1
    assert answers[0].json() == {
        "error": "invalid_grant",
        "error_description": "The e-mail address or password is incorrect.",
    }
    assert all(a.headers["cache-control"] == "no-store" for a in answers)


async def test_token_response_shape(client: httpx.AsyncClient, mailbox: Mailbox) -> None:
    tokens = await signed_up(client, mailbox, "shape@clinic.org")
    assert set(tokens) == {"access_token", "token_type", "expires_in", "refresh_token"}
    assert tokens["access_token"].count(".") == 2
    assert tokens["refresh_token"].startswith("rt_")


@pytest.mark.parametrize(
    ("form", "error"),
    [
        ({}, "invalid_request"),
        ({"grant_type": "urn:ietf:params:oauth:grant-type:device_code"}, "unsupported_grant_type"),
        ({"grant_type": "password", "username": "a@b.org"}, "invalid_request"),
        ({"grant_type": "refresh_token"}, "invalid_request"),
        (
            {
                "grant_type": "password",
                "username": "a@b.org",
                "password": "x",
                "organization_id": "nope",
            },
            "invalid_request",
        ),
        ({"grant_type": "refresh_token", "refresh_token": "not-ours"}, "invalid_grant"),
    ],
)
async def test_rfc6749_errors(client: httpx.AsyncClient, form: dict[str, str], error: str) -> None:
    response = await client.post("/auth/token", data=form)
    assert response.status_code in (400, 401)
    assert response.json()["error"] == error


@pytest.mark.parametrize(
    ("form", "description"),
    [
        ({}, "grant_type is required."),
        ({"grant_type": ""}, "grant_type is required."),
        ({"grant_type": "password", "password": "x"}, "username: This field is required."),
        ({"grant_type": "password", "username": "", "password": "x"}, "username: Not empty"),
        ({"grant_type": "password", "username": "a@b.org", "password": ""}, "password: Not"),
        ({"grant_type": "refresh_token", "refresh_token": ""}, "refresh_token: Not empty"),
    ],
)
async def test_a_form_the_document_calls_invalid_names_its_field(
    client: httpx.AsyncClient, form: dict[str, str], description: str
) -> None:
    """What the OpenAPI document marks required or non-empty per grant type is refused as
    invalid_request naming the field (an empty password never reaches the hasher)."""
    response = await client.post("/auth/token", data=form)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"
    assert response.json()["error_description"].startswith(description)


async def test_json_body_is_refused_with_415(client: httpx.AsyncClient) -> None:
    response = await client.post("/auth/token", json={"grant_type": "password"})
    assert response.status_code == 415


async def test_refresh_rotates_and_the_old_token_dies(
    client: httpx.AsyncClient, mailbox: Mailbox
) -> None:
    tokens = await signed_up(client, mailbox, "rotate@clinic.org")
    first = await _refresh(client, tokens["refresh_token"])
    assert first.status_code == 200, first.text
    rotated = first.json()
    assert rotated["refresh_token"] != tokens["refresh_token"]
    assert (await client.get("/auth/me", headers=bearer(rotated))).status_code == 200
    again = await _refresh(client, tokens["refresh_token"])
    assert again.status_code == 400
    assert again.json()["error"] == "invalid_grant"


async def test_reuse_after_the_grace_revokes_the_family(
    client: httpx.AsyncClient, mailbox: Mailbox, admin_conn: asyncpg.Connection
) -> None:
    tokens = await signed_up(client, mailbox, "reuse@clinic.org")
    child = (await _refresh(client, tokens["refresh_token"])).json()
    # The stolen copy comes back a minute later.
    await admin_conn.execute(
        "UPDATE refresh_tokens SET rotated_at = rotated_at - interval '1 minute'"
    )
    assert (await _refresh(client, tokens["refresh_token"])).status_code == 400
    # The legitimate child is dead too: the whole family is revoked.
    assert (await _refresh(client, child["refresh_token"])).status_code == 400
    reasons = await admin_conn.fetch("SELECT DISTINCT revoked_reason FROM refresh_tokens")
    assert [r["revoked_reason"] for r in reasons] == ["reuse"]


async def test_ten_concurrent_refreshes_do_not_fork_the_family(
    client: httpx.AsyncClient, mailbox: Mailbox, admin_conn: asyncpg.Connection
) -> None:
    tokens = await signed_up(client, mailbox, "race@clinic.org")
    answers = await asyncio.gather(*(_refresh(client, tokens["refresh_token"]) for _ in range(10)))
    winners = [a for a in answers if a.status_code == 200]
    assert len(winners) == 1
    live = await admin_conn.fetchval(
        "SELECT count(*) FROM refresh_tokens WHERE rotated_at IS NULL AND revoked_at IS NULL"
    )
    assert live == 1
    assert (await _refresh(client, winners[0].json()["refresh_token"])).status_code == 200


async def test_revoke_ends_the_session(client: httpx.AsyncClient, mailbox: Mailbox) -> None:
    tokens = await signed_up(client, mailbox, "bye@clinic.org")
    response = await client.post("/auth/revoke", data={"token": tokens["refresh_token"]})
    assert response.status_code == 200
    assert (await _refresh(client, tokens["refresh_token"])).status_code == 400
    unknown = await client.post("/auth/revoke", data={"token": "rt_whatever"})
    assert unknown.status_code == 200


async def test_me_needs_a_valid_bearer_token(client: httpx.AsyncClient) -> None:
    for headers in ({}, {"Authorization": "Bearer nonsense"}, {"Authorization": "Basic abc"}):
        response = await client.get("/auth/me", headers=headers)
        assert response.status_code == 401
        assert response.json()["errors"][0]["code"] == "unauthorized"
        assert response.headers["www-authenticate"].startswith("Bearer")


async def test_a_disabled_user_is_refused_at_once(
    client: httpx.AsyncClient, mailbox: Mailbox, admin_conn: asyncpg.Connection
) -> None:
    tokens = await signed_up(client, mailbox, "gone@clinic.org")
    await admin_conn.execute("UPDATE users SET disabled_at = now() WHERE email = 'gone@clinic.org'")
    assert (await client.get("/auth/me", headers=bearer(tokens))).status_code == 401
    assert (await _refresh(client, tokens["refresh_token"])).status_code == 400


async def test_the_password_is_rehashed_when_parameters_rise(
    client: httpx.AsyncClient, mailbox: Mailbox, admin_conn: asyncpg.Connection
) -> None:
    await signed_up(client, mailbox, "old@clinic.org")
    stored = await admin_conn.fetchval(
        "SELECT password_hash FROM users WHERE email = 'old@clinic.org'"
    )
    assert "m=256" in stored
    # A hash made with weaker parameters than configured is replaced at the next login.
    from argon2 import PasswordHasher

    weak = PasswordHasher(memory_cost=64, time_cost=1, parallelism=1).hash(PASSWORD)
    await admin_conn.execute(
        "UPDATE users SET password_hash = $1 WHERE email = 'old@clinic.org'", weak
    )
    assert (await login(client, "old@clinic.org")).status_code == 200
    stored = await admin_conn.fetchval(
        "SELECT password_hash FROM users WHERE email = 'old@clinic.org'"
    )
    assert "m=256" in stored


async def test_a_throttled_login_looks_like_a_wrong_password(
    client: httpx.AsyncClient, mailbox: Mailbox, admin_conn: asyncpg.Connection
) -> None:
    await signed_up(client, mailbox, "target@clinic.org")
    wrong = [await login(client, "target@clinic.org", f"guess number {i}") for i in range(10)]
    assert {w.status_code for w in wrong} == {401}
    # The account is now throttled: even the right password gets the wrong-password answer.
    blocked = await login(client, "target@clinic.org")
    assert blocked.status_code == 401
    assert blocked.content == wrong[0].content
    # Counters live in PostgreSQL, shared by every instance.
    assert (
        await admin_conn.fetchval(
            "SELECT count(*) FROM throttle_counters WHERE key LIKE 'login:account:%'"
        )
        == 1
    )
