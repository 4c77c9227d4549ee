"""Authorization code with PKCE through the hosted sign-in page, and what an attacker tries."""

from __future__ import annotations

import asyncio
import base64
import json
from typing import Any

import asyncpg
import httpx
import jwt

from tests.app_clients.clients import bearer, registered, role_id
from tests.authorize.browser import Browser, Flow, exchange, form_fields, redirected, sign_in
from tests.roles.people import Member, owner
from tests.support.accounts import PASSWORD
from tests.support.flows import Mailbox

REDIRECT = "https://app.example/callback"


def payload(token: str) -> dict[str, Any]:
    part = token.split(".")[1]
    decoded: dict[str, Any] = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    return decoded


async def _spa(
    client: httpx.AsyncClient, mailbox: Mailbox, admin_conn: asyncpg.Connection, email: str
) -> tuple[Member, dict[str, Any]]:
    me = await owner(client, mailbox, admin_conn, email)
    app = await registered(
        client,
        me,
        await role_id(admin_conn, me.org_id, "member"),
        type="single_page_application",
        redirectUris=[REDIRECT],
    )
    return me, app


async def test_sign_in_exchange_and_a_second_app_without_the_password(
    client: httpx.AsyncClient, mailbox: Mailbox, admin_conn: asyncpg.Connection
) -> None:
    me, app = await _spa(client, mailbox, admin_conn, "flow@clinic.org")
    client_id = app["attributes"]["clientId"]
    browser = Browser(client)
    flow = Flow(client_id, REDIRECT, scope="openid profile email offline_access")
    back = redirected(await sign_in(browser, flow, me.email, PASSWORD))
    assert back["state"] == flow.state
    assert back["iss"] == "https://auth.example.test"
    answer = await exchange(client, flow, back["code"])
    assert answer.status_code == 200, answer.text
    tokens = answer.json()
    assert {"access_token", "refresh_token", "id_token", "expires_in"} <= set(tokens)
    access = payload(tokens["access_token"])
    assert access["client_id"] == client_id
    assert access["org"] == str(me.org_id)
    # A verifier nobody here wrote (PyJWT) checks the ID token against the published keys.
    keys = jwt.PyJWKSet.from_dict((await client.get("/.well-known/jwks.json")).json())
    kid = jwt.get_unverified_header(tokens["id_token"])["kid"]
    verified = jwt.decode(
        tokens["id_token"],
        next(key for key in keys.keys if key.key_id == kid),
        algorithms=["RS256"],
        audience=client_id,
        issuer="https://auth.example.test",
    )
    assert verified["sub"] == access["sub"]
    id_token = payload(tokens["id_token"])
    assert id_token["aud"] == client_id
    assert id_token["nonce"] == flow.nonce
    assert id_token["email"] == me.email
    assert id_token["amr"] == ["pwd"]
    assert (await client.get("/auth/me", headers=bearer(tokens["access_token"]))).status_code == 200
    # The refresh token works for this client only.
    first = {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]}
    assert (await client.post("/auth/token", data=first)).status_code == 400
    rotated = await client.post("/auth/token", data={**first, "client_id": client_id})
    assert rotated.status_code == 200, rotated.text
    # The code is single use: a replay is refused and kills the refresh family it issued.
    replay = await exchange(client, flow, back["code"])
    assert replay.status_code == 400
    assert replay.json()["error"] == "invalid_grant"
    later = {**first, "refresh_token": rotated.json()["refresh_token"], "client_id": client_id}
    refreshed = await client.post("/auth/token", data=later)
    assert refreshed.status_code == 400, refreshed.text
    # Signed in once, the browser gets a second code without the password.
    again = Flow(client_id, REDIRECT)
    second = redirected(await browser.get("/auth/authorize", **again.params()))
    assert (await exchange(client, again, second["code"])).status_code == 200
    # Unless the client asks for a fresh sign-in.
    fresh = await browser.get("/auth/authorize", **Flow(client_id, REDIRECT).params(prompt="login"))
    assert fresh.status_code == 200
    assert 'name="password"' in fresh.text


async def test_wrong_password_prompt_none_and_a_stranger_get_nothing(
    client: httpx.AsyncClient, mailbox: Mailbox, admin_conn: asyncpg.Connection
) -> None:
    me, app = await _spa(client, mailbox, admin_conn, "wrong@clinic.org")
    other = await owner(client, mailbox, admin_conn, "other@b.org", organization="B Clinic")
    client_id = app["attributes"]["clientId"]
    browser = Browser(client)
    flow = Flow(client_id, REDIRECT)
    wrong = await sign_in(browser, flow, me.email, PASSWORD + "x")
    stranger = await sign_in(browser, flow, other.email, PASSWORD)  # right password, other org
    unknown = await sign_in(browser, flow, "nobody@clinic.org", PASSWORD)
    for answer in (wrong, stranger, unknown):
        assert answer.status_code == 401, answer.text
        assert "The e-mail address or password is incorrect." in answer.text
        assert "location" not in answer.headers
    silent = await Browser(client).get("/auth/authorize", **flow.params(prompt="none"))
    assert redirected(silent)["error"] == "login_required"


async def test_pkce_and_redirect_uri_are_bound_to_the_code(
    client: httpx.AsyncClient, mailbox: Mailbox, admin_conn: asyncpg.Connection
) -> None:
    me, app = await _spa(client, mailbox, admin_conn, "pkce@clinic.org")
    client_id = app["attributes"]["clientId"]
    browser = Browser(client)
    flow = Flow(client_id, REDIRECT)
    code = redirected(await sign_in(browser, flow, me.email, PASSWORD))["code"]
    wrong = await exchange(client, flow, code, code_verifier="x" * 43)
    assert wrong.status_code == 400
    assert wrong.json()["error"] == "invalid_grant"
    # A failed attempt spends the code: the right verifier is too late now.
    assert (await exchange(client, flow, code)).status_code == 400
    flow2 = Flow(client_id, REDIRECT)
    code2 = redirected(await browser.get("/auth/authorize", **flow2.params()))["code"]
    moved = await exchange(client, flow2, code2, redirect_uri=REDIRECT + "/other")
    assert moved.status_code == 400


async def test_unregistered_redirects_are_shown_as_a_page_never_followed(
    client: httpx.AsyncClient, mailbox: Mailbox, admin_conn: asyncpg.Connection
) -> None:
    _, app = await _spa(client, mailbox, admin_conn, "redir@clinic.org")
    client_id = app["attributes"]["clientId"]
    flow = Flow(client_id, REDIRECT)
    variants = [
        REDIRECT + "x",
        REDIRECT + "/",
        "https://app.example/callback?next=1",
        "https://APP.example/callback",
        "https://user@app.example/callback",
        REDIRECT + "#frag",
        "https://app.example.evil.test/callback",
        "http://app.example/callback",
    ]
    for uri in variants:
        answer = await client.get("/auth/authorize", params=flow.params(redirect_uri=uri))
        assert answer.status_code == 400, uri
        assert "location" not in answer.headers
        assert answer.headers["content-type"].startswith("text/html")
    unknown = await client.get(
        "/auth/authorize", params=flow.params(client_id="NoSuchClient000000000")
    )
    assert unknown.status_code == 400
    # Once the redirect is trusted, problems go back to it with state.
    plain = await client.get("/auth/authorize", params=flow.params(code_challenge_method="plain"))
    assert redirected(plain)["error"] == "invalid_request"
    assert redirected(plain)["state"] == flow.state
    missing = await client.get("/auth/authorize", params=flow.params(code_challenge=None))
    assert redirected(missing)["error"] == "invalid_request"
    twice = await client.get(
        "/auth/authorize?" + httpx.QueryParams(flow.params()).add("state", "again").__str__()
    )
    assert twice.status_code == 400


async def test_the_form_without_its_csrf_cookie_signs_nobody_in(
    client: httpx.AsyncClient, mailbox: Mailbox, admin_conn: asyncpg.Connection
) -> None:
    me, app = await _spa(client, mailbox, admin_conn, "csrf@clinic.org")
    flow = Flow(app["attributes"]["clientId"], REDIRECT)
    page = await client.get("/auth/authorize", params=flow.params())
    from tests.authorize.browser import form_fields

    fields = form_fields(page.text)
    forged = await client.post(
        "/auth/authorize", data={**fields, "email": me.email, "password": PASSWORD}
    )
    assert forged.status_code == 403
    assert "location" not in forged.headers


async def test_disabling_the_client_ends_the_sessions_issued_through_it(
    client: httpx.AsyncClient, mailbox: Mailbox, admin_conn: asyncpg.Connection
) -> None:
    me, app = await _spa(client, mailbox, admin_conn, "through@clinic.org")
    client_id = app["attributes"]["clientId"]
    flow = Flow(client_id, REDIRECT, scope="openid offline_access")
    code = redirected(await sign_in(Browser(client), flow, me.email, PASSWORD))["code"]
    tokens = (await exchange(client, flow, code)).json()
    access = bearer(tokens["access_token"])
    assert (await client.get("/auth/me", headers=access)).status_code == 200
    assert (await client.get("/auth/users", headers=access)).status_code == 200
    # The owner's own first-party token is not affected by what happens to the client.
    off = {
        "data": {"type": "auth/app-clients", "id": app["id"], "attributes": {"status": "disabled"}}
    }
    changed = await client.patch(
        f"/auth/app-clients/{app['id']}",
        content=json.dumps(off),
        headers={**me.headers, "Content-Type": "application/vnd.api+json"},
    )
    assert changed.status_code == 200, changed.text
    assert (await client.get("/auth/me", headers=access)).status_code == 401
    assert (await client.get("/auth/users", headers=access)).status_code == 401
    assert (await client.get("/auth/me", headers=me.headers)).status_code == 200
    refreshed = await client.post(
        "/auth/token",
        data={
            "grant_type": "refresh_token",
            "refresh_token": tokens["refresh_token"],
            "client_id": client_id,
        },
    )
    assert refreshed.status_code in (400, 401)
    reason = await admin_conn.fetchval(
        "SELECT revoked_reason FROM refresh_tokens WHERE app_client_id = $1::uuid", app["id"]
    )
    assert reason == "client_removed"


async def test_native_loopback_any_port_and_nothing_else(
    client: httpx.AsyncClient, mailbox: Mailbox, admin_conn: asyncpg.Connection
) -> None:
    me = await owner(client, mailbox, admin_conn, "native@clinic.org")
    app = await registered(
        client,
        me,
        await role_id(admin_conn, me.org_id, "member"),
        type="native",
        redirectUris=["http://127.0.0.1/cb", "com.example.app:/oauth2redirect"],
    )
    client_id = app["attributes"]["clientId"]
    for uri in (
        "http://127.0.0.1:53682/cb",
        "http://127.0.0.1/cb",
        "com.example.app:/oauth2redirect",
    ):
        page = await client.get("/auth/authorize", params=Flow(client_id, uri).params())
        assert page.status_code == 200, uri
    for uri in (
        "http://127.0.0.1:53682/other",
        "http://localhost.evil.test:53682/cb",
        "http://evil@127.0.0.1:53682/cb",
        "http://127.0.0.2:53682/cb",
        "com.example.app:/other",
    ):
        page = await client.get("/auth/authorize", params=Flow(client_id, uri).params())
        assert page.status_code == 400, uri
        assert "location" not in page.headers
    flow = Flow(client_id, "http://127.0.0.1:40000/cb")
    back = await sign_in(Browser(client), flow, me.email, PASSWORD)
    assert back.headers["location"].startswith("http://127.0.0.1:40000/cb?code=")


async def test_a_code_is_worth_nothing_to_another_client_and_a_disabled_client_gets_no_page(
    client: httpx.AsyncClient, mailbox: Mailbox, admin_conn: asyncpg.Connection
) -> None:
    me, app = await _spa(client, mailbox, admin_conn, "bound@clinic.org")
    other = await registered(
        client,
        me,
        await role_id(admin_conn, me.org_id, "member"),
        type="single_page_application",
        redirectUris=[REDIRECT],
        name="Other app",
    )
    flow = Flow(app["attributes"]["clientId"], REDIRECT)
    code = redirected(await sign_in(Browser(client), flow, me.email, PASSWORD))["code"]
    stolen = await exchange(client, flow, code, client_id=other["attributes"]["clientId"])
    assert stolen.status_code == 400
    assert stolen.json()["error"] == "invalid_grant"
    off = {
        "data": {
            "type": "auth/app-clients",
            "id": other["id"],
            "attributes": {"status": "disabled"},
        }
    }
    await client.patch(
        f"/auth/app-clients/{other['id']}",
        content=json.dumps(off),
        headers={**me.headers, "Content-Type": "application/vnd.api+json"},
    )
    page = await client.get(
        "/auth/authorize", params=Flow(other["attributes"]["clientId"], REDIRECT).params()
    )
    assert page.status_code == 400
    assert "location" not in page.headers


async def test_the_password_grant_through_a_client_only_where_the_client_allows_it(
    client: httpx.AsyncClient, mailbox: Mailbox, admin_conn: asyncpg.Connection
) -> None:
    me = await owner(client, mailbox, admin_conn, "legacy@clinic.org")
    role = await role_id(admin_conn, me.org_id, "member")
    allowed = await registered(
        client,
        me,
        role,
        type="regular_web_application",
        redirectUris=[REDIRECT],
        passwordGrant=True,
    )
    refused = await registered(
        client, me, role, type="regular_web_application", redirectUris=[REDIRECT], name="Strict"
    )
    form = {"grant_type": "password", "username": me.email, "password": PASSWORD}
    for app, status in ((allowed, 200), (refused, 400)):
        attributes = app["attributes"]
        answer = await client.post(
            "/auth/token",
            data=form,
            auth=(attributes["clientId"], attributes["clientSecret"]),
        )
        assert answer.status_code == status, answer.text
    ok = await client.post(
        "/auth/token",
        data=form,
        auth=(allowed["attributes"]["clientId"], allowed["attributes"]["clientSecret"]),
    )
    assert payload(ok.json()["access_token"])["client_id"] == allowed["attributes"]["clientId"]
    # Its refresh token is the client's: it refreshes with the client, and not without it.
    attributes = allowed["attributes"]
    rotate = {"grant_type": "refresh_token", "refresh_token": ok.json()["refresh_token"]}
    assert (await client.post("/auth/token", data=rotate)).status_code == 400
    again = await client.post(
        "/auth/token", data=rotate, auth=(attributes["clientId"], attributes["clientSecret"])
    )
    assert again.status_code == 200, again.text


async def test_twenty_parallel_exchanges_of_one_code_get_one_set_of_tokens(
    client: httpx.AsyncClient, mailbox: Mailbox, admin_conn: asyncpg.Connection
) -> None:
    me, app = await _spa(client, mailbox, admin_conn, "race@clinic.org")
    flow = Flow(app["attributes"]["clientId"], REDIRECT, scope="openid offline_access")
    code = redirected(await sign_in(Browser(client), flow, me.email, PASSWORD))["code"]
    answers = await asyncio.gather(*(exchange(client, flow, code) for _ in range(20)))
    statuses = sorted(answer.status_code for answer in answers)
    assert statuses == [200] + [400] * 19, statuses
    # The losers were replays: the family the winner got is revoked.
    winner = next(answer for answer in answers if answer.status_code == 200).json()
    again = await client.post(
        "/auth/token",
        data={
            "grant_type": "refresh_token",
            "refresh_token": winner["refresh_token"],
            "client_id": app["attributes"]["clientId"],
        },
    )
    assert again.status_code == 400


async def test_parallel_guesses_on_the_page_meet_the_password_grants_throttle(
    client: httpx.AsyncClient, mailbox: Mailbox, admin_conn: asyncpg.Connection
) -> None:
    me, app = await _spa(client, mailbox, admin_conn, "guess@clinic.org")
    browser = Browser(client)
    page = await browser.get(
        "/auth/authorize", **Flow(app["attributes"]["clientId"], REDIRECT).params()
    )
    fields = form_fields(page.text)
    guesses = await asyncio.gather(
        *(
            browser.post("/auth/authorize", {**fields, "email": me.email, "password": f"guess {n}"})
            for n in range(20)
        )
    )
    assert {answer.status_code for answer in guesses} == {401}
    # Past the limit, even the right password is refused with the same answer, no code.
    again = await browser.get(
        "/auth/authorize", **Flow(app["attributes"]["clientId"], REDIRECT).params()
    )
    fresh = {**form_fields(again.text), "email": me.email, "password": PASSWORD}
    right = await browser.post("/auth/authorize", fresh)

    assert right.status_code == 401
    assert "location" not in right.headers
    failures = await admin_conn.fetchval(
        "SELECT count(*) FROM audit_events WHERE action = 'auth.login_failed'"
    )
    assert failures <= 10  # checked attempts: no more than the account-and-client limit
