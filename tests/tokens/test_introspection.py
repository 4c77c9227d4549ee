"""``POST /auth/introspect`` (RFC 7662) over HTTP, as a resource server of an organization
asks: live tokens are active with whose they are, everything else is ``{"active": false}``,
and only a confidential app client may ask."""

from __future__ import annotations

import asyncio
import base64
import json
import time
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import httpx
import pytest
from authlib.integrations.httpx_client import AsyncOAuth2Client
from authlib.oauth2.rfc7523 import PrivateKeyJWT
from joserfc.jwk import RSAKey

from service.app import ROUTES
from service.config import Settings
from service.jsonapi import JSONAPI
from service.security.jwt import issue_access_token
from service.security.keys import KeyRing
from service.tokens.introspection_http import ROUTER as INTROSPECTION_ROUTER
from tests.app_clients.clients import basic, claims, registered, role_id, token
from tests.roles.people import Member, member, owner
from tests.support.accounts import PASSWORD
from tests.support.flows import Mailbox, mailbox, settings, smtp  # noqa: F401  (fixtures)
from tests.support.server import serve

INACTIVE = {"active": False}


def mounted() -> list[Any]:
    """The introspection router, unless the app mounts it already."""
    return [] if INTROSPECTION_ROUTER in ROUTES else [INTROSPECTION_ROUTER]


@pytest.fixture
async def base_url(settings: Settings) -> AsyncIterator[str]:  # noqa: F811
    async with serve(settings, extra_routes=mounted()) as url:
        yield url


async def machine(
    client: httpx.AsyncClient, who: Member, admin_conn: asyncpg.Connection, **attributes: Any
) -> dict[str, str]:
    """A machine_to_machine client of ``who``'s organization (role admin)."""
    made = await registered(
        client, who, await role_id(admin_conn, who.org_id, "admin"), **attributes
    )
    found = {"id": made["id"], "client_id": made["attributes"]["clientId"]}
    return found | {"secret": made["attributes"].get("clientSecret", "")}


async def introspect(
    client: httpx.AsyncClient, robot: dict[str, str], subject: str
) -> httpx.Response:
    return await client.post(
        "/auth/introspect",
        data={"token": subject},
        headers=basic(robot["client_id"], robot["secret"]),
    )


async def is_inactive(client: httpx.AsyncClient, robot: dict[str, str], subject: str) -> bool:
    answer = await introspect(client, robot, subject)
    assert answer.status_code == 200, answer.text
    return bool(answer.json() == INACTIVE)


def access_of(who: Member) -> str:
    return who.headers["Authorization"].removeprefix("Bearer ")


async def test_a_live_persons_token_is_active_with_who_and_what(
    client: httpx.AsyncClient,
    mailbox: Mailbox,  # noqa: F811
    admin_conn: asyncpg.Connection,
    settings: Settings,  # noqa: F811
) -> None:
    me = await owner(client, mailbox, admin_conn, "owner@clinic.org")
    robot = await machine(client, me, admin_conn)
    answer = await introspect(client, robot, access_of(me))
    assert answer.status_code == 200, answer.text
    assert answer.headers["cache-control"] == "no-store"
    assert answer.headers["content-type"].startswith("application/json")
    body = answer.json()
    seen = claims(access_of(me))
    assert body == {
        "active": True,
        "scope": " ".join(seen["permissions"]),
        "client_id": "health-auth",
        "username": "owner@clinic.org",
        "token_type": "Bearer",
        "exp": seen["exp"],
        "iat": seen["iat"],
        "sub": seen["sub"],
        "aud": settings.jwt_audience,
        "iss": "https://auth.example.test",
        "jti": seen["jti"],
        "org": str(me.org_id),
        "role": "owner",
        "permissions": seen["permissions"],
        "principal_type": "user",
    }


async def test_a_live_client_token_is_active_narrowed_to_its_scope(
    client: httpx.AsyncClient,
    mailbox: Mailbox,  # noqa: F811
    admin_conn: asyncpg.Connection,
) -> None:
    me = await owner(client, mailbox, admin_conn, "robots@clinic.org")
    robot = await machine(client, me, admin_conn)
    poster = await machine(client, me, admin_conn, tokenEndpointAuthMethod="client_secret_post")
    issued = await token(client, robot["client_id"], robot["secret"], scope="users.read")
    access = issued.json()["access_token"]
    answer = await client.post(
        "/auth/introspect",
        data={
            "token": access,
            "token_type_hint": "access_token",
            "client_id": poster["client_id"],
            "client_secret": poster["secret"],
        },
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["active"] is True
    assert body["principal_type"] == "app_client"
    assert (body["sub"], body["client_id"]) == (robot["id"], robot["client_id"])
    assert (body["scope"], body["permissions"], body["role"]) == (
        "users.read",
        ["users.read"],
        "admin",
    )
    assert "username" not in body
    assert (await introspect(client, robot, access)).json()["active"] is True  # itself


async def test_expired_tampered_malformed_and_refresh_tokens_are_inactive(
    client: httpx.AsyncClient,
    mailbox: Mailbox,  # noqa: F811
    admin_conn: asyncpg.Connection,
    settings: Settings,  # noqa: F811
    keyring: KeyRing,
) -> None:
    me = await owner(client, mailbox, admin_conn, "stale@clinic.org")
    robot = await machine(client, me, admin_conn)
    seen = claims(access_of(me))
    expired, _ = issue_access_token(
        keyring,
        settings,
        user_id=seen["sub"],
        org_id=seen["org"],
        role="owner",
        permissions=seen["permissions"],
        email="stale@clinic.org",
        now=time.time() - settings.access_token_ttl - 60,
    )
    live = access_of(me)
    head, body, signature = live.split(".")
    flipped = signature[:-4] + ("AAAA" if signature[-4:] != "AAAA" else "BBBB")
    widened = json.dumps(seen | {"role": "admin"}).encode()
    forged_body = base64.urlsafe_b64encode(widened).rstrip(b"=").decode()
    refresh = (await client.post(
        "/auth/token",
        data={"grant_type": "password", "username": "stale@clinic.org", "password": PASSWORD},
    )).json()["refresh_token"]  # fmt: skip
    for subject in (
        expired,
        f"{head}.{body}.{flipped}",
        f"{head}.{forged_body}.{signature}",
        "not-a-token",
        refresh,
        live + " ",
    ):
        assert await is_inactive(client, robot, subject), subject
    assert not await is_inactive(client, robot, live)


async def test_a_removed_deactivated_or_signed_out_member_is_inactive(
    client: httpx.AsyncClient,
    mailbox: Mailbox,  # noqa: F811
    admin_conn: asyncpg.Connection,
    settings: Settings,  # noqa: F811
) -> None:
    me = await owner(client, mailbox, admin_conn, "boss@clinic.org")
    robot = await machine(client, me, admin_conn)
    nurse = await member(client, admin_conn, settings, me.org_id, "nurse@clinic.org", "member")
    porter = await member(client, admin_conn, settings, me.org_id, "porter@clinic.org", "member")
    clerk = await member(client, admin_conn, settings, me.org_id, "clerk@clinic.org", "member")
    for who in (nurse, porter, clerk):
        assert not await is_inactive(client, robot, access_of(who))
    gone = await client.delete(f"/auth/users/{claims(access_of(nurse))['sub']}", headers=me.headers)
    assert gone.status_code == 204, gone.text
    porter_id = claims(access_of(porter))["sub"]
    off = {"data": {"type": "auth/users", "id": porter_id, "attributes": {"active": False}}}
    changed = await client.patch(
        f"/auth/users/{porter_id}",
        content=json.dumps(off),
        headers={**me.headers, "Content-Type": JSONAPI},
    )
    assert changed.status_code == 200, changed.text
    await admin_conn.execute(  # what a password reset does to the account's sessions
        "UPDATE users SET sessions_epoch = sessions_epoch + 1 WHERE email = 'clerk@clinic.org'"
    )
    for who in (nurse, porter, clerk):
        assert await is_inactive(client, robot, access_of(who)), who.email
    assert not await is_inactive(client, robot, access_of(me))


async def test_disabling_or_deleting_a_client_makes_its_tokens_inactive(
    client: httpx.AsyncClient,
    mailbox: Mailbox,  # noqa: F811
    admin_conn: asyncpg.Connection,
) -> None:
    me = await owner(client, mailbox, admin_conn, "switch@clinic.org")
    server = await machine(client, me, admin_conn)
    robot = await machine(client, me, admin_conn)
    web = await machine(
        client,
        me,
        admin_conn,
        kind="regular_web_application",
        redirectUris=["https://app.example/cb"],
        passwordGrant=True,
    )
    own = (await token(client, robot["client_id"], robot["secret"])).json()["access_token"]
    signed_in = await client.post(
        "/auth/token",
        data={"grant_type": "password", "username": "switch@clinic.org", "password": PASSWORD},
        headers=basic(web["client_id"], web["secret"]),
    )
    assert signed_in.status_code == 200, signed_in.text
    through_web = signed_in.json()["access_token"]
    assert claims(through_web)["client_id"] == web["client_id"]
    for subject in (own, through_web):
        assert not await is_inactive(client, server, subject)
    await _set_status(client, me, robot["id"], "disabled")
    await _set_status(client, me, web["id"], "disabled")
    for subject in (own, through_web):
        assert await is_inactive(client, server, subject)
    await _set_status(client, me, robot["id"], "active")
    await asyncio.sleep(5.2)  # a re-enabled client's new tokens count after the clock margin
    fresh = (await token(client, robot["client_id"], robot["secret"])).json()["access_token"]
    assert not await is_inactive(client, server, fresh)
    deleted = await client.delete(f"/auth/app-clients/{robot['id']}", headers=me.headers)
    assert deleted.status_code == 204
    assert await is_inactive(client, server, fresh)


async def _set_status(client: httpx.AsyncClient, who: Member, client_id: str, status: str) -> None:
    body = {"data": {"type": "auth/app-clients", "id": client_id, "attributes": {"status": status}}}
    changed = await client.patch(
        f"/auth/app-clients/{client_id}",
        content=json.dumps(body),
        headers={**who.headers, "Content-Type": JSONAPI},
    )
    assert changed.status_code == 200, changed.text


async def test_a_token_of_another_organization_is_inactive(
    client: httpx.AsyncClient,
    mailbox: Mailbox,  # noqa: F811
    admin_conn: asyncpg.Connection,
) -> None:
    ours = await owner(client, mailbox, admin_conn, "a@one.org", "One")
    theirs = await owner(client, mailbox, admin_conn, "b@two.org", "Two")
    our_robot = await machine(client, ours, admin_conn)
    their_robot = await machine(client, theirs, admin_conn)
    their_token = (await token(client, their_robot["client_id"], their_robot["secret"])).json()
    for subject in (access_of(theirs), their_token["access_token"]):
        assert await is_inactive(client, our_robot, subject)
        assert not await is_inactive(client, their_robot, subject)


async def test_only_a_confidential_client_may_introspect(
    client: httpx.AsyncClient,
    mailbox: Mailbox,  # noqa: F811
    admin_conn: asyncpg.Connection,
) -> None:
    me = await owner(client, mailbox, admin_conn, "guard@clinic.org")
    robot = await machine(client, me, admin_conn)
    spa = await machine(client, me, admin_conn, kind="single_page_application")
    subject = access_of(me)
    refused = [
        await client.post("/auth/introspect", data={"token": subject}),
        await client.post("/auth/introspect", data={"token": subject, "client_id": "health-auth"}),
        await client.post(
            "/auth/introspect", data={"token": subject, "client_id": spa["client_id"]}
        ),
        await client.post(
            "/auth/introspect",
            data={"token": subject},
            headers=basic(robot["client_id"], robot["secret"] + "x"),
        ),
        await client.post(
            "/auth/introspect",
            data={"token": subject},
            headers={**basic(robot["client_id"], robot["secret"]), "Authorization": "Bearer x"},
        ),
    ]
    for answer in refused:
        assert answer.status_code == 401, answer.text
        assert answer.json() == {
            "error": "invalid_client",
            "error_description": "Client authentication failed.",
        }
        assert answer.headers["www-authenticate"].startswith("Basic ")
        assert answer.headers["cache-control"] == "no-store"
    missing = await client.post(
        "/auth/introspect", data={}, headers=basic(robot["client_id"], robot["secret"])
    )
    assert missing.status_code == 400
    assert missing.json()["error"] == "invalid_request"
    as_json = await client.post(
        "/auth/introspect", json={"token": subject}, headers=basic(robot["client_id"], "x")
    )
    assert as_json.status_code == 415
    assert as_json.json()["error"] == "invalid_request"


async def test_authlib_introspects_with_a_secret_and_with_a_signed_assertion(
    client: httpx.AsyncClient,
    base_url: str,
    mailbox: Mailbox,  # noqa: F811
    admin_conn: asyncpg.Connection,
) -> None:
    me = await owner(client, mailbox, admin_conn, "lib@clinic.org")
    robot = await machine(client, me, admin_conn)
    url = f"{base_url}/auth/introspect"
    async with AsyncOAuth2Client(robot["client_id"], robot["secret"]) as oauth:
        answer = await oauth.introspect_token(url, token=access_of(me))
    assert answer.json()["username"] == "lib@clinic.org"
    key = RSAKey.generate_key(2048, parameters={"kid": "rs-1", "use": "sig"})
    keyed = await machine(
        client,
        me,
        admin_conn,
        tokenEndpointAuthMethod="private_key_jwt",
        jwks={"keys": [key.as_dict(private=False)]},
    )
    # The audience: the endpoint, as the issuer names it (the test serves on another address).
    auth = PrivateKeyJWT("https://auth.example.test/auth/introspect", headers={"kid": "rs-1"})
    async with AsyncOAuth2Client(keyed["client_id"], key, token_endpoint_auth_method=auth) as oauth:
        answer = await oauth.introspect_token(url, token=access_of(me))
    assert answer.status_code == 200, answer.text
    assert answer.json()["active"] is True


async def test_a_secret_that_is_not_the_clients_own_way_learns_nothing(
    client: httpx.AsyncClient,
    mailbox: Mailbox,  # noqa: F811
    admin_conn: asyncpg.Connection,
) -> None:
    """The client and the token's subject are read in one statement: whatever was read for a
    request that then fails authentication never reaches the answer."""
    me = await owner(client, mailbox, admin_conn, "ways@clinic.org")
    robot = await machine(client, me, admin_conn)
    sibling = await machine(client, me, admin_conn)
    subject = access_of(me)
    tries = [
        # Another client's secret under this client's name.
        await client.post(
            "/auth/introspect",
            data={"token": subject},
            headers=basic(robot["client_id"], sibling["secret"]),
        ),
        # The right secret, sent in the form by a client registered for HTTP Basic.
        await client.post(
            "/auth/introspect",
            data={
                "token": subject,
                "client_id": robot["client_id"],
                "client_secret": robot["secret"],
            },
        ),
    ]
    for answer in tries:
        assert answer.status_code == 401, answer.text
        assert answer.json()["error"] == "invalid_client"
        assert "ways@clinic.org" not in answer.text
    await admin_conn.execute(
        "UPDATE app_clients SET status = 'disabled' WHERE client_id = $1", robot["client_id"]
    )
    disabled = await client.post(
        "/auth/introspect",
        data={"token": subject},
        headers=basic(robot["client_id"], robot["secret"]),
    )
    assert disabled.status_code == 401
    assert "ways@clinic.org" not in disabled.text
