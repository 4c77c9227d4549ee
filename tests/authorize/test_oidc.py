"""OpenID Connect beyond the code: userinfo by scope, and RP-initiated logout ending the
browser's session."""

from __future__ import annotations

from typing import Any

import asyncpg
import httpx

from tests.app_clients.clients import registered, role_id
from tests.authorize.browser import Browser, Flow, exchange, redirected, sign_in
from tests.roles.people import Member, owner
from tests.support.accounts import PASSWORD
from tests.support.flows import Mailbox, link_in

REDIRECT = "https://app.example/callback"
AFTER = "https://app.example/goodbye"


async def _app(
    client: httpx.AsyncClient, mailbox: Mailbox, admin_conn: asyncpg.Connection, email: str
) -> tuple[Member, dict[str, Any]]:
    me = await owner(client, mailbox, admin_conn, email)
    app = await registered(
        client,
        me,
        await role_id(admin_conn, me.org_id, "member"),
        type="regular_web_application",
        redirectUris=[REDIRECT],
        postLogoutRedirectUris=[AFTER],
        tokenEndpointAuthMethod="client_secret_post",
    )
    return me, app


async def _signed_in(
    client: httpx.AsyncClient, app: dict[str, Any], me: Member, scope: str
) -> tuple[Browser, dict[str, Any]]:
    attributes = app["attributes"]
    browser = Browser(client)
    flow = Flow(attributes["clientId"], REDIRECT, scope=scope)
    code = redirected(await sign_in(browser, flow, me.email, PASSWORD))["code"]
    answer = await exchange(client, flow, code, client_secret=attributes["clientSecret"])
    assert answer.status_code == 200, answer.text
    return browser, answer.json()


async def test_userinfo_releases_what_the_scope_asked_for(
    client: httpx.AsyncClient, mailbox: Mailbox, admin_conn: asyncpg.Connection
) -> None:
    me, app = await _app(client, mailbox, admin_conn, "info@clinic.org")
    _, tokens = await _signed_in(client, app, me, "openid email")
    info = await client.get(
        "/auth/userinfo", headers={"Authorization": f"Bearer {tokens['access_token']}"}
    )
    assert info.status_code == 200, info.text
    claims = info.json()
    assert claims["email"] == me.email
    assert claims["email_verified"] is True
    assert "name" not in claims
    assert claims["org"] == str(me.org_id)
    # A confidential client without its secret gets no tokens for a code.
    flow = Flow(app["attributes"]["clientId"], REDIRECT)
    browser = Browser(client)
    code = redirected(await sign_in(browser, flow, me.email, PASSWORD))["code"]
    assert (await exchange(client, flow, code)).status_code == 401


async def test_logout_ends_the_browser_session_and_returns_to_a_registered_uri_only(
    client: httpx.AsyncClient, mailbox: Mailbox, admin_conn: asyncpg.Connection
) -> None:
    me, app = await _app(client, mailbox, admin_conn, "bye@clinic.org")
    browser, tokens = await _signed_in(client, app, me, "openid")
    client_id = app["attributes"]["clientId"]
    evil = await browser.get(
        "/auth/logout",
        id_token_hint=tokens["id_token"],
        post_logout_redirect_uri="https://evil.test/",
    )
    assert evil.status_code == 200
    assert "location" not in evil.headers
    # Signed out: the next authorization request shows the page again.
    page = await browser.get("/auth/authorize", **Flow(client_id, REDIRECT).params())
    assert page.status_code == 200
    assert 'name="password"' in page.text
    browser2, tokens2 = await _signed_in(client, app, me, "openid")
    back = await browser2.get(
        "/auth/logout",
        id_token_hint=tokens2["id_token"],
        post_logout_redirect_uri=AFTER,
        state="s1",
    )
    assert back.status_code == 303
    assert back.headers["location"] == AFTER + "?state=s1"
    page2 = await browser2.get("/auth/authorize", **Flow(client_id, REDIRECT).params(prompt="none"))
    assert redirected(page2)["error"] == "login_required"


async def test_a_password_reset_ends_the_browser_session(
    client: httpx.AsyncClient, mailbox: Mailbox, admin_conn: asyncpg.Connection
) -> None:
    me, app = await _app(client, mailbox, admin_conn, "reset@clinic.org")
    browser, _ = await _signed_in(client, app, me, "openid")
    client_id = app["attributes"]["clientId"]
    silent = await browser.get("/auth/authorize", **Flow(client_id, REDIRECT).params(prompt="none"))
    assert "code" in redirected(silent)
    await admin_conn.execute(
        "UPDATE users SET sessions_epoch = sessions_epoch + 1 WHERE email = $1", me.email
    )
    after = await browser.get("/auth/authorize", **Flow(client_id, REDIRECT).params(prompt="none"))
    assert redirected(after)["error"] == "login_required"


async def test_removing_the_member_ends_what_the_browser_can_get(
    client: httpx.AsyncClient, mailbox: Mailbox, admin_conn: asyncpg.Connection
) -> None:
    me, app = await _app(client, mailbox, admin_conn, "gone@clinic.org")
    browser, tokens = await _signed_in(client, app, me, "openid")
    await admin_conn.execute(
        "UPDATE memberships SET active = false"
        " WHERE user_id = (SELECT id FROM users WHERE email = $1)",
        me.email,
    )
    after = await browser.get(
        "/auth/authorize", **Flow(app["attributes"]["clientId"], REDIRECT).params(prompt="none")
    )
    assert redirected(after)["error"] == "login_required"
    info = await client.get(
        "/auth/userinfo", headers={"Authorization": f"Bearer {tokens['access_token']}"}
    )
    assert info.status_code == 401


async def test_a_password_set_through_an_app_clients_link_leads_to_that_app(
    client: httpx.AsyncClient, mailbox: Mailbox, admin_conn: asyncpg.Connection
) -> None:
    me, app = await _app(client, mailbox, admin_conn, "zus-admin@clinic.org")
    member_role = await role_id(admin_conn, me.org_id, "member")
    attributes = {
        "email": "new.nurse@clinic.org",
        "name": "New Nurse",
        "userType": "builder",
        "clientId": app["attributes"]["clientId"],
    }
    body = {
        "data": {
            "type": "auth/users",
            "attributes": attributes,
            "relationships": {"auth/roles": {"data": {"type": "auth/roles", "id": member_role}}},
        }
    }
    created = await client.post("/auth/users", json=body, headers=me.headers)
    assert created.status_code == 201, created.text
    mail = await mailbox.next_to("new.nurse@clinic.org")
    _, token = link_in(mail)
    done = await client.post(
        "/auth/password-reset/confirm",
        data={"token": token, "password": "copper kettle under the bridge"},
    )
    assert done.status_code == 200, done.text
    assert 'href="https://app.example/"' in done.text
    # Another organization's client is no clientId here.
    other = await owner(client, mailbox, admin_conn, "elsewhere@b.org", organization="B")
    foreign = {**attributes, "email": "x@b.org"}
    refused = await client.post(
        "/auth/users",
        json={
            "data": {
                **body["data"],
                "attributes": foreign,
                "relationships": {
                    "auth/roles": {
                        "data": {
                            "type": "auth/roles",
                            "id": await role_id(admin_conn, other.org_id, "member"),
                        }
                    }
                },
            }
        },
        headers=other.headers,
    )
    assert refused.status_code == 400, refused.text


async def test_introspection_shows_a_code_flow_tokens_openid_scope(
    client: httpx.AsyncClient, mailbox: Mailbox, admin_conn: asyncpg.Connection
) -> None:
    me, app = await _app(client, mailbox, admin_conn, "scoped@clinic.org")
    _, tokens = await _signed_in(client, app, me, "openid email")
    attributes = app["attributes"]
    answer = await client.post(
        "/auth/introspect",
        data={
            "token": tokens["access_token"],
            "client_id": attributes["clientId"],
            "client_secret": attributes["clientSecret"],
        },
    )
    assert answer.status_code == 200, answer.text
    found = answer.json()
    assert found["active"] is True
    assert found["scope"] == "openid email"
    assert found["client_id"] == attributes["clientId"]
    assert "users.read" in found["permissions"]
