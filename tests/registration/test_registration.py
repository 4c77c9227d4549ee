"""Registration and e-mail verification, followed through the mail that was really sent."""

from __future__ import annotations

import asyncpg
import httpx

from tests.support.accounts import (
    PASSWORD,
    bearer,
    login,
    register,
    registration,
    signed_up,
    verify_from_mail,
)
from tests.support.flows import Mailbox, link_in

SEED_BODY = (
    b'{\n"email": "admin@hospital.com",\n"password": "SecurePass123!",\n"firstName": "Admin",\n'
    b'"lastName": "User",\n"organizationName": "City General Hospital"\n}'
)
SEED_ANSWER = {
    "message": "Verification email sent. Please check your inbox to activate your account."
}


async def test_the_seed_request_byte_for_byte(client: httpx.AsyncClient, mailbox: Mailbox) -> None:
    response = await client.post(
        "/auth/register", content=SEED_BODY, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 202
    assert response.json() == SEED_ANSWER
    assert response.headers["content-type"].startswith("application/json")
    mail = await mailbox.next_to("admin@hospital.com")
    assert "City General Hospital" in mail.text
    assert "City General Hospital" in mail.html


async def test_json_api_shape(client: httpx.AsyncClient, mailbox: Mailbox) -> None:
    document = {
        "data": {"type": "auth/registrations", "attributes": registration("doc@clinic.org")}
    }
    response = await client.post(
        "/auth/register",
        content=httpx.Request("POST", "/", json=document).content,
        headers={"Content-Type": "application/vnd.api+json"},
    )
    assert response.status_code == 202
    assert response.headers["content-type"].startswith("application/vnd.api+json")
    assert response.json() == {"meta": SEED_ANSWER}
    await mailbox.next_to("doc@clinic.org")


async def test_register_verify_login_me(client: httpx.AsyncClient, mailbox: Mailbox) -> None:
    tokens = await signed_up(client, mailbox, "owner@clinic.org")
    assert tokens["token_type"] == "Bearer"
    assert tokens["expires_in"] == 900
    me = await client.get("/auth/me", headers=bearer(tokens))
    assert me.status_code == 200, me.text
    data = me.json()["data"]
    assert data["type"] == "auth/users"
    assert data["attributes"]["email"] == "owner@clinic.org"
    assert data["attributes"]["name"] == "Admin User"
    assert data["attributes"]["emailVerified"] is True


async def test_unverified_cannot_log_in(client: httpx.AsyncClient, mailbox: Mailbox) -> None:
    await register(client, "early@clinic.org")
    response = await login(client, "early@clinic.org")
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_grant"


async def test_the_verify_link_works_once(client: httpx.AsyncClient, mailbox: Mailbox) -> None:
    await register(client, "once@clinic.org")
    token = await verify_from_mail(client, mailbox, "once@clinic.org")
    again = await client.post("/auth/verify-email", json={"token": token, "password": PASSWORD})
    assert again.status_code == 400
    assert again.json()["errors"][0]["code"] == "invalid_token"


async def test_opening_the_link_changes_nothing(
    client: httpx.AsyncClient, mailbox: Mailbox
) -> None:
    await register(client, "scanner@clinic.org")
    path, token = link_in(await mailbox.next_to("scanner@clinic.org"))
    for _ in range(3):  # a mail scanner prefetching the link
        page = await client.get(path, params={"token": token})
        assert page.status_code == 200
        assert "City General Hospital" in page.text
    assert (await login(client, "scanner@clinic.org")).status_code == 401
    done = await client.post(path, data={"token": token, "password": PASSWORD})
    assert done.status_code == 200
    assert "confirmed" in done.text
    assert (await login(client, "scanner@clinic.org")).status_code == 200


async def test_a_known_address_gets_the_same_answer_and_a_notice(
    client: httpx.AsyncClient, mailbox: Mailbox, admin_conn: asyncpg.Connection
) -> None:
    await signed_up(client, mailbox, "known@clinic.org")
    before = await admin_conn.fetchval("SELECT count(*) FROM organizations")
    first = await client.post("/auth/register", json=registration("new@clinic.org"))
    second = await client.post(
        "/auth/register", json=registration("known@clinic.org", password="Another passphrase 9")
    )
    assert first.status_code == second.status_code == 202
    assert first.content == second.content
    notice = await mailbox.next_to("known@clinic.org", after=1)
    assert "token=" not in notice.text
    assert await admin_conn.fetchval("SELECT count(*) FROM organizations") == before + 1
    assert (await login(client, "known@clinic.org")).status_code == 200
    assert (await login(client, "known@clinic.org", "Another passphrase 9")).status_code == 401


async def test_pre_account_takeover_fails(
    client: httpx.AsyncClient, mailbox: Mailbox, admin_conn: asyncpg.Connection
) -> None:
    squatter_password = "Squatters passphrase 1"
    await register(
        client, "victim@clinic.org", password=squatter_password, organizationName="Evil Org"
    )
    squatter_mail = await mailbox.next_to("victim@clinic.org")
    _, squatter_token = link_in(squatter_mail)
    # The real owner registers their own address and verifies it.
    await register(client, "victim@clinic.org", organizationName="Real Clinic")
    await verify_from_mail(client, mailbox, "victim@clinic.org", after=1)
    assert (await login(client, "victim@clinic.org", squatter_password)).status_code == 401
    assert (await login(client, "victim@clinic.org", PASSWORD)).status_code == 200
    stale = await client.post(
        "/auth/verify-email", json={"token": squatter_token, "password": squatter_password}
    )
    assert stale.status_code == 400
    names = [r["name"] for r in await admin_conn.fetch("SELECT name FROM organizations")]
    assert "Evil Org" not in names


async def test_resend_answers_the_same_for_everyone(
    client: httpx.AsyncClient, mailbox: Mailbox
) -> None:
    await register(client, "slow@clinic.org")
    _, old_token = link_in(await mailbox.next_to("slow@clinic.org"))
    unknown = await client.post("/auth/verify-email/resend", json={"email": "nobody@clinic.org"})
    pending = await client.post("/auth/verify-email/resend", json={"email": "slow@clinic.org"})
    assert unknown.status_code == pending.status_code == 202
    assert unknown.content == pending.content
    fresh = await mailbox.next_to("slow@clinic.org", after=1)
    _, token = link_in(fresh)
    old = await client.post("/auth/verify-email", json={"token": old_token, "password": PASSWORD})
    assert old.status_code == 400
    new = await client.post("/auth/verify-email", json={"token": token, "password": PASSWORD})
    assert new.status_code == 204


async def test_guessable_passwords_are_refused_with_a_pointer(
    client: httpx.AsyncClient, admin_conn: asyncpg.Connection
) -> None:
    for password in ("123456789012", "aaaaaaaaaaaa", "abcdefghijkl"):
        body = registration("guessable@example.org", password=password)
        response = await client.post("/auth/register", json=body)
        assert response.status_code == 400, response.text
        errors = response.json()["errors"]
        assert [e["source"]["pointer"] for e in errors] == ["/password"]
        assert "guess" in errors[0]["detail"]
    assert await admin_conn.fetchval("SELECT count(*) FROM users") == 0


async def test_an_address_that_cannot_be_mailed_is_refused_before_anything_is_written(
    client: httpx.AsyncClient, admin_conn: asyncpg.Connection
) -> None:
    """The document's e-mail pattern is the one mail goes out to: a non-ASCII local part or a
    numeric last label (which the mailer refuses) is a 400 with its pointer, never a 500 after
    the account was half-written."""
    for address in ("\u00a7@clinic.example.org", "jos\u00e9@clinic.org", "ann@clinic.2o"):
        response = await client.post("/auth/register", json=registration(address))
        assert response.status_code == 400, (address, response.text)
        assert [e["source"]["pointer"] for e in response.json()["errors"]] == ["/email"]
    assert await admin_conn.fetchval("SELECT count(*) FROM users") == 0
