"""``POST /auth/revoke`` with client authentication (RFC 7009 2.1): an app client revokes only
refresh tokens issued to it; a request naming no client revokes as it always did."""

from __future__ import annotations

from typing import Any

import asyncpg
import httpx
from authlib.integrations.httpx_client import AsyncOAuth2Client

from tests.app_clients.clients import basic, registered, role_id
from tests.authorize.browser import Browser, Flow, redirected, sign_in
from tests.roles.people import Member, owner
from tests.support.accounts import PASSWORD
from tests.support.flows import Mailbox, mailbox, settings, smtp  # noqa: F401  (fixtures)

REDIRECT = "https://app.example/callback"


async def web_client(
    client: httpx.AsyncClient, who: Member, admin_conn: asyncpg.Connection, **attributes: Any
) -> dict[str, str]:
    """An app client of ``who``'s organization that signs people in: a confidential web
    application unless ``attributes`` say otherwise (a public one has no secret)."""
    made = await registered(
        client,
        who,
        await role_id(admin_conn, who.org_id, "member"),
        **{"kind": "regular_web_application", "redirectUris": [REDIRECT], **attributes},
    )
    found = made["attributes"]
    return {"client_id": found["clientId"], "secret": found.get("clientSecret", "")}


def authenticated(app: dict[str, str] | None) -> dict[str, Any]:
    """How ``app`` authenticates a request: Basic, ``client_id`` alone for a public client,
    nothing for the first-party client."""
    if app is None:
        return {"data": {}, "headers": None}
    if not app["secret"]:
        return {"data": {"client_id": app["client_id"]}, "headers": None}
    return {"data": {}, "headers": basic(app["client_id"], app["secret"])}


async def signed_in(
    client: httpx.AsyncClient, email: str, app: dict[str, str] | None = None
) -> dict[str, Any]:
    """Tokens of a sign-in: through ``app``'s hosted sign-in and code exchange with
    ``offline_access`` (its refresh token is issued to ``app``), or a first-party password
    grant."""
    if app is None:
        answer = await client.post(
            "/auth/token", data={"grant_type": "password", "username": email, "password": PASSWORD}
        )
    else:
        flow = Flow(app["client_id"], REDIRECT, scope="openid offline_access")
        code = redirected(await sign_in(Browser(client), flow, email, PASSWORD))["code"]
        auth = authenticated(app)
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT,
            "code_verifier": flow.verifier,
        }
        answer = await client.post(
            "/auth/token", data={**form, **auth["data"]}, headers=auth["headers"]
        )
    assert answer.status_code == 200, answer.text
    tokens: dict[str, Any] = answer.json()
    return tokens


async def refreshes(
    client: httpx.AsyncClient, refresh_token: str, app: dict[str, str] | None = None
) -> bool:
    auth = authenticated(app)
    answer = await client.post(
        "/auth/token",
        data={"grant_type": "refresh_token", "refresh_token": refresh_token, **auth["data"]},
        headers=auth["headers"],
    )
    assert answer.status_code in (200, 400), answer.text
    return answer.status_code == 200


async def revoke(
    client: httpx.AsyncClient, token: str, app: dict[str, str] | None = None, **form: str
) -> httpx.Response:
    auth = authenticated(app)
    return await client.post(
        "/auth/revoke", data={"token": token, **form, **auth["data"]}, headers=auth["headers"]
    )


async def test_a_client_revokes_its_own_refresh_token(
    client: httpx.AsyncClient,
    mailbox: Mailbox,  # noqa: F811
    admin_conn: asyncpg.Connection,
) -> None:
    me = await owner(client, mailbox, admin_conn, "own@clinic.org")
    web = await web_client(client, me, admin_conn)
    issued = await signed_in(client, "own@clinic.org", web)
    answer = await revoke(client, issued["refresh_token"], web, token_type_hint="refresh_token")
    assert answer.status_code == 200, answer.text
    assert answer.headers["cache-control"] == "no-store"
    assert not await refreshes(client, issued["refresh_token"], web)
    reason = await admin_conn.fetchval(
        "SELECT revoked_reason FROM refresh_tokens WHERE app_client_id IS NOT NULL"
    )
    assert reason == "logout"


async def test_a_client_may_not_revoke_another_clients_or_the_first_party_tokens(
    client: httpx.AsyncClient,
    mailbox: Mailbox,  # noqa: F811
    admin_conn: asyncpg.Connection,
) -> None:
    me = await owner(client, mailbox, admin_conn, "other@clinic.org")
    web, rival = await web_client(client, me, admin_conn), await web_client(client, me, admin_conn)
    theirs = (await signed_in(client, "other@clinic.org", rival))["refresh_token"]
    first_party = (await signed_in(client, "other@clinic.org"))["refresh_token"]
    for token, owner_app in ((theirs, rival), (first_party, None)):
        answer = await revoke(client, token, web)
        assert answer.status_code == 400, answer.text
        assert answer.json() == {
            "error": "unauthorized_client",
            "error_description": "This token was not issued to this client.",
        }
        # Untouched: it still refreshes for the client it was issued to.
        assert await refreshes(client, token, owner_app)


async def test_failed_client_authentication_is_401_and_revokes_nothing(
    client: httpx.AsyncClient,
    mailbox: Mailbox,  # noqa: F811
    admin_conn: asyncpg.Connection,
) -> None:
    me = await owner(client, mailbox, admin_conn, "wrong@clinic.org")
    web = await web_client(client, me, admin_conn)
    issued = (await signed_in(client, "wrong@clinic.org", web))["refresh_token"]
    wrong = {"client_id": web["client_id"], "secret": web["secret"] + "x"}
    basic_refused = await revoke(client, issued, wrong)
    posted_refused = await client.post(
        "/auth/revoke",
        data={"token": issued, "client_id": web["client_id"], "client_secret": "acs_nope"},
    )
    unknown = await client.post(
        "/auth/revoke", data={"token": issued, "client_id": "NoSuchClientAtAll0000"}
    )
    for answer in (basic_refused, posted_refused, unknown):
        assert answer.status_code == 401, answer.text
        assert answer.json()["error"] == "invalid_client"
    assert basic_refused.headers["www-authenticate"].startswith("Basic ")
    assert await refreshes(client, issued, web)


async def test_without_a_client_revocation_works_as_before(
    client: httpx.AsyncClient,
    mailbox: Mailbox,  # noqa: F811
    admin_conn: asyncpg.Connection,
) -> None:
    me = await owner(client, mailbox, admin_conn, "plain@clinic.org")
    web = await web_client(client, me, admin_conn)
    mine = (await signed_in(client, "plain@clinic.org"))["refresh_token"]
    assert (await revoke(client, mine, client_id="health-auth")).status_code == 200
    assert not await refreshes(client, mine)
    # Naming no client, a holder of a refresh token may end its session whoever it was for.
    through_web = (await signed_in(client, "plain@clinic.org", web))["refresh_token"]
    assert (await revoke(client, through_web)).status_code == 200
    assert not await refreshes(client, through_web, web)
    for garbage in ("rt_nothing", "not-a-token"):
        assert (await revoke(client, garbage)).status_code == 200
    missing = await client.post("/auth/revoke", data={})
    assert missing.status_code == 400
    assert missing.json()["error"] == "invalid_request"


async def test_unknown_tokens_and_access_tokens_are_fine_for_a_client(
    client: httpx.AsyncClient,
    mailbox: Mailbox,  # noqa: F811
    admin_conn: asyncpg.Connection,
) -> None:
    me = await owner(client, mailbox, admin_conn, "unknown@clinic.org")
    web = await web_client(client, me, admin_conn)
    issued = await signed_in(client, "unknown@clinic.org", web)
    for token in ("rt_unknown", "garbage", issued["access_token"]):
        assert (await revoke(client, token, web)).status_code == 200
    assert await refreshes(client, issued["refresh_token"], web)


async def test_authlib_revokes_with_client_secret_post(
    client: httpx.AsyncClient,
    base_url: str,
    mailbox: Mailbox,  # noqa: F811
    admin_conn: asyncpg.Connection,
) -> None:
    me = await owner(client, mailbox, admin_conn, "lib@clinic.org")
    web = await web_client(client, me, admin_conn, tokenEndpointAuthMethod="client_secret_post")
    flow = Flow(web["client_id"], REDIRECT, scope="openid offline_access")
    code = redirected(await sign_in(Browser(client), flow, me.email, PASSWORD))["code"]
    async with AsyncOAuth2Client(
        web["client_id"],
        web["secret"],
        token_endpoint_auth_method="client_secret_post",
        revocation_endpoint_auth_method="client_secret_post",
        redirect_uri=REDIRECT,
    ) as oauth:
        issued = await oauth.fetch_token(
            f"{base_url}/auth/token", code=code, code_verifier=flow.verifier
        )
        answer = await oauth.revoke_token(
            f"{base_url}/auth/revoke",
            token=issued["refresh_token"],
            token_type_hint="refresh_token",
        )
    assert answer.status_code == 200, answer.text
    revoked = await admin_conn.fetchval(
        "SELECT revoked_reason FROM refresh_tokens WHERE app_client_id IS NOT NULL"
    )
    assert revoked == "logout"


async def test_a_public_client_revokes_its_own_tokens_only(
    client: httpx.AsyncClient,
    mailbox: Mailbox,  # noqa: F811
    admin_conn: asyncpg.Connection,
) -> None:
    me = await owner(client, mailbox, admin_conn, "spa@clinic.org")
    spa = await web_client(client, me, admin_conn, kind="single_page_application")
    web = await web_client(client, me, admin_conn)
    mine = (await signed_in(client, me.email, spa))["refresh_token"]
    theirs = (await signed_in(client, me.email, web))["refresh_token"]
    refused = await revoke(client, theirs, spa)
    assert refused.status_code == 400
    assert refused.json()["error"] == "unauthorized_client"
    assert (await revoke(client, mine, spa)).status_code == 200
    assert not await refreshes(client, mine, spa)
    assert await refreshes(client, theirs, web)
