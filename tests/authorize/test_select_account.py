"""``prompt=select_account``: the account chooser of a browser signed in here, and what an
attacker tries with its "Continue as" button."""

from __future__ import annotations

import base64
import html
import json
from datetime import datetime
from typing import Any

import asyncpg
import httpx

from service.config import Settings
from tests.app_clients.clients import registered, role_id
from tests.authorize.browser import Browser, Flow, exchange, form_fields, redirected, sign_in
from tests.roles.people import Member, member, owner
from tests.support.accounts import PASSWORD
from tests.support.flows import Mailbox, link_in

REDIRECT = "https://app.example/callback"
CONTINUE = 'name="choice" value="continue"'
SESSION = "__Host-auth_session"
CSRF = "__Host-auth_csrf"


def claims(token: str) -> dict[str, Any]:
    part = token.split(".")[1]
    decoded: dict[str, Any] = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    return decoded


async def _app(
    client: httpx.AsyncClient,
    mailbox: Mailbox,
    admin_conn: asyncpg.Connection,
    email: str,
    organization: str = "City General Hospital",
) -> tuple[Member, str]:
    """An organization's owner and the client id of its single-page app."""
    me = await owner(client, mailbox, admin_conn, email, organization=organization)
    app = await registered(
        client,
        me,
        await role_id(admin_conn, me.org_id, "member"),
        type="single_page_application",
        redirectUris=[REDIRECT],
    )
    return me, str(app["attributes"]["clientId"])


async def _signed_in(client: httpx.AsyncClient, client_id: str, email: str) -> Browser:
    browser = Browser(client)
    redirected(await sign_in(browser, Flow(client_id, REDIRECT), email, PASSWORD))
    assert SESSION in browser.cookies
    return browser


async def _backdate(admin_conn: asyncpg.Connection, email: str, seconds: int) -> datetime:
    """Moves the person's browser sign-in ``seconds`` into the past; its new time."""
    when: datetime = await admin_conn.fetchval(
        "UPDATE refresh_tokens SET auth_time = auth_time - make_interval(secs => $2)"
        " WHERE browser AND user_id = (SELECT id FROM users WHERE email = $1)"
        " RETURNING auth_time",
        email,
        seconds,
    )
    return when


async def _chooser(browser: Browser, flow: Flow, **changes: Any) -> dict[str, str]:
    """GET the chooser; the fields its form posts back."""
    page = await browser.get("/auth/authorize", **flow.params(prompt="select_account", **changes))
    assert page.status_code == 200, page.text
    assert CONTINUE in page.text, page.text
    return form_fields(page.text)


def _no_code(answer: httpx.Response, status: int = 200) -> None:
    """The sign-in page, and nothing for the client."""
    assert answer.status_code == status, answer.text
    assert "location" not in answer.headers
    assert 'name="password"' in answer.text
    assert CONTINUE not in answer.text


async def test_continue_gives_a_code_with_the_original_sign_in_time(
    client: httpx.AsyncClient, mailbox: Mailbox, admin_conn: asyncpg.Connection
) -> None:
    me, client_id = await _app(client, mailbox, admin_conn, "chooser@clinic.org")
    browser = await _signed_in(client, client_id, me.email)
    signed_at = await _backdate(admin_conn, me.email, 3600)
    flow = Flow(client_id, REDIRECT)
    page = await browser.get("/auth/authorize", **flow.params(prompt="select_account"))
    assert page.status_code == 200, page.text
    assert f"Continue as {me.email}" in page.text
    assert 'name="choice" value="another"' in page.text
    assert 'name="password"' not in page.text
    assert "City General Hospital" in page.text
    assert "<script" not in page.text
    policy = page.headers["content-security-policy"]
    assert "default-src 'none'" in policy
    assert "https://app.example" in policy
    fields = form_fields(page.text)
    params = flow.params()
    assert {key: fields[key] for key in params} == params
    assert fields["csrf"] == browser.cookies[CSRF]
    back = redirected(await browser.post("/auth/authorize", {**fields, "choice": "continue"}))
    assert back["state"] == flow.state
    assert CSRF not in browser.cookies  # the form is spent
    answer = await exchange(client, flow, back["code"])
    assert answer.status_code == 200, answer.text
    id_token = claims(answer.json()["id_token"])
    assert id_token["auth_time"] == int(signed_at.timestamp())
    assert id_token["email"] == me.email
    assert id_token["nonce"] == flow.nonce
    # The same form again: its CSRF cookie is gone, so no second code.
    replay = await browser.post("/auth/authorize", {**fields, "choice": "continue"})
    assert replay.status_code == 403
    assert "location" not in replay.headers


async def test_another_account_shows_an_empty_sign_in_form(
    client: httpx.AsyncClient,
    mailbox: Mailbox,
    admin_conn: asyncpg.Connection,
    settings: Settings,
) -> None:
    me, client_id = await _app(client, mailbox, admin_conn, "first@clinic.org")
    nurse = await member(client, admin_conn, settings, me.org_id, "nurse@clinic.org", "member")
    browser = await _signed_in(client, client_id, me.email)
    flow = Flow(client_id, REDIRECT)
    fields = await _chooser(browser, flow, login_hint=me.email)
    page = await browser.post("/auth/authorize", {**fields, "choice": "another"})
    _no_code(page)
    assert 'value=""' in page.text
    assert me.email not in page.text
    again = {**form_fields(page.text), "email": nurse.email, "password": PASSWORD}
    back = redirected(await browser.post("/auth/authorize", again))
    answer = await exchange(client, flow, back["code"])
    assert claims(answer.json()["id_token"])["email"] == nurse.email
    # A choice sent twice is no choice: the sign-in form, without a password, fails.
    fields = await _chooser(browser, Flow(client_id, REDIRECT))
    both = {**fields, "choice": ["continue", "another"]}
    jar = "; ".join(f"{name}={value}" for name, value in browser.cookies.items())
    twice = await client.post("/auth/authorize", data=both, headers={"Cookie": jar})
    assert twice.status_code == 401
    assert "location" not in twice.headers


async def test_a_cross_site_continue_gets_no_code(
    client: httpx.AsyncClient, mailbox: Mailbox, admin_conn: asyncpg.Connection
) -> None:
    me, client_id = await _app(client, mailbox, admin_conn, "forged@clinic.org")
    browser = await _signed_in(client, client_id, me.email)
    fields = await _chooser(browser, Flow(client_id, REDIRECT))
    forged = {**fields, "choice": "continue"}
    # Another site's form: no cookie at all.
    _no_code(await client.post("/auth/authorize", data=forged), status=403)
    # The session cookie, but not the form's CSRF cookie, or a field that differs from it.
    session = {"Cookie": f"{SESSION}={browser.cookies[SESSION]}"}
    both = {"Cookie": f"{SESSION}={browser.cookies[SESSION]}; {CSRF}={browser.cookies[CSRF]}"}
    without = {key: value for key, value in forged.items() if key != "csrf"}
    for data, headers in (
        (forged, session),
        ({**forged, "csrf": "x" * 43}, both),
        (without, both),
    ):
        answer = await client.post("/auth/authorize", data=data, headers=headers)
        assert answer.status_code == 403, answer.text
        assert "location" not in answer.headers
        assert "This page expired. Please choose again." in answer.text
    # The page itself: never in a frame.
    page = await browser.get(
        "/auth/authorize", **Flow(client_id, REDIRECT).params(prompt="select_account")
    )
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert page.headers["x-frame-options"] == "DENY"


async def test_a_person_outside_the_clients_organization_is_not_offered_and_gets_no_code(
    client: httpx.AsyncClient, mailbox: Mailbox, admin_conn: asyncpg.Connection
) -> None:
    me, client_id = await _app(client, mailbox, admin_conn, "mine@clinic.org")
    _, foreign_id = await _app(client, mailbox, admin_conn, "theirs@b.org", organization="B")
    browser = await _signed_in(client, client_id, me.email)
    flow = Flow(foreign_id, REDIRECT)
    page = await browser.get("/auth/authorize", **flow.params(prompt="select_account"))
    _no_code(page)
    assert me.email not in page.text
    fields = form_fields(page.text)
    _no_code(await browser.post("/auth/authorize", {**fields, "choice": "continue"}))
    # A chooser shown for the person's own client, its form sent to the other client.
    mine = await _chooser(browser, Flow(client_id, REDIRECT))
    moved = {**mine, "client_id": foreign_id, "choice": "continue"}
    _no_code(await browser.post("/auth/authorize", moved))
    # Removed from the organization between the page and the click.
    fields = await _chooser(browser, Flow(client_id, REDIRECT))
    await admin_conn.execute(
        "UPDATE memberships SET active = false"
        " WHERE user_id = (SELECT id FROM users WHERE email = $1)",
        me.email,
    )
    _no_code(await browser.post("/auth/authorize", {**fields, "choice": "continue"}))
    page = await browser.get(
        "/auth/authorize", **Flow(client_id, REDIRECT).params(prompt="select_account")
    )
    _no_code(page)


async def test_a_signed_out_session_gets_no_code_even_with_its_old_cookie(
    client: httpx.AsyncClient, mailbox: Mailbox, admin_conn: asyncpg.Connection
) -> None:
    me, client_id = await _app(client, mailbox, admin_conn, "leaving@clinic.org")
    browser = await _signed_in(client, client_id, me.email)
    fields = await _chooser(browser, Flow(client_id, REDIRECT))
    kept = browser.cookies[SESSION]
    out = await browser.get("/auth/logout")
    assert out.status_code == 200
    assert SESSION not in browser.cookies
    browser.cookies[SESSION] = kept  # a copy of the cookie, replayed
    _no_code(await browser.post("/auth/authorize", {**fields, "choice": "continue"}))
    page = await browser.get(
        "/auth/authorize", **Flow(client_id, REDIRECT).params(prompt="select_account")
    )
    _no_code(page)


async def test_a_password_reset_ends_what_continue_can_get(
    client: httpx.AsyncClient, mailbox: Mailbox, admin_conn: asyncpg.Connection
) -> None:
    me, client_id = await _app(client, mailbox, admin_conn, "resetting@clinic.org")
    browser = await _signed_in(client, client_id, me.email)
    fields = await _chooser(browser, Flow(client_id, REDIRECT))
    before = len(mailbox.to(me.email))
    asked = await client.post("/auth/password-reset", json={"email": me.email})
    assert asked.status_code == 202
    _, token = link_in(await mailbox.next_to(me.email, after=before))
    done = await client.post(
        "/auth/password-reset/confirm",
        json={"token": token, "password": "a brand new kettle of fish"},
    )
    assert done.status_code == 204, done.text
    _no_code(await browser.post("/auth/authorize", {**fields, "choice": "continue"}))


async def test_the_chooser_shows_the_browsers_own_person_only(
    client: httpx.AsyncClient,
    mailbox: Mailbox,
    admin_conn: asyncpg.Connection,
    settings: Settings,
) -> None:
    me, client_id = await _app(client, mailbox, admin_conn, "boss@clinic.org")
    odd = await member(client, admin_conn, settings, me.org_id, "o'hara&kin@clinic.org", "member")
    mine = await _signed_in(client, client_id, me.email)
    theirs = await _signed_in(client, client_id, odd.email)
    flow = Flow(client_id, REDIRECT)
    page = await mine.get("/auth/authorize", **flow.params(prompt="select_account"))
    assert me.email in page.text
    assert "hara" not in page.text
    other = await theirs.get("/auth/authorize", **flow.params(prompt="select_account"))
    assert f"Continue as {html.escape(odd.email, quote=True)}" in other.text
    assert odd.email not in other.text  # only ever escaped
    assert me.email not in other.text
    # Continue gives a code for the browser's own person, whatever the form says.
    fields = {**form_fields(other.text), "email": me.email, "choice": "continue"}
    back = redirected(await theirs.post("/auth/authorize", fields))
    answer = await exchange(client, flow, back["code"])
    assert claims(answer.json()["id_token"])["email"] == odd.email


async def test_max_age_and_prompt_login_pass_over_the_chooser(
    client: httpx.AsyncClient, mailbox: Mailbox, admin_conn: asyncpg.Connection
) -> None:
    me, client_id = await _app(client, mailbox, admin_conn, "aged@clinic.org")
    browser = await _signed_in(client, client_id, me.email)
    await _backdate(admin_conn, me.email, 3600)
    flow = Flow(client_id, REDIRECT)
    old = await browser.get("/auth/authorize", **flow.params(prompt="select_account", max_age=60))
    _no_code(old)
    login = await browser.get("/auth/authorize", **flow.params(prompt="login"))
    _no_code(login)
    # A chooser shown for a generous max_age, posted back with a stricter one or prompt=login.
    for changes in ({"max_age": "60"}, {"prompt": "login"}, {}):
        fields = await _chooser(browser, flow, max_age=7200)
        assert fields["max_age"] == "7200"
        answer = await browser.post("/auth/authorize", {**fields, **changes, "choice": "continue"})
        if changes:
            _no_code(answer)
    back = redirected(answer)
    assert (await exchange(client, flow, back["code"])).status_code == 200


async def test_continue_is_read_like_every_authorization_request(
    client: httpx.AsyncClient, mailbox: Mailbox, admin_conn: asyncpg.Connection
) -> None:
    me, client_id = await _app(client, mailbox, admin_conn, "altered@clinic.org")
    browser = await _signed_in(client, client_id, me.email)
    flow = Flow(client_id, REDIRECT)
    fields = {**await _chooser(browser, flow), "choice": "continue"}
    for uri in ("https://evil.test/callback", REDIRECT + "/", REDIRECT + "#x"):
        answer = await browser.post("/auth/authorize", {**fields, "redirect_uri": uri})
        assert answer.status_code == 400, uri
        assert "location" not in answer.headers
        assert "code=" not in answer.text
    for changes in ({"code_challenge_method": "plain"}, {"code_challenge": "short"}):
        back = redirected(await browser.post("/auth/authorize", {**fields, **changes}))
        assert back["error"] == "invalid_request"
        assert "code" not in back
    without = {key: value for key, value in fields.items() if key != "code_challenge"}
    assert redirected(await browser.post("/auth/authorize", without))["error"] == "invalid_request"
    # A challenge swapped on the way: the code is bound to it, not to the app's verifier.
    swapped = {**fields, "code_challenge": Flow(client_id, REDIRECT).challenge}
    code = redirected(await browser.post("/auth/authorize", swapped))["code"]
    refused = await exchange(client, flow, code)
    assert refused.status_code == 400
    assert refused.json()["error"] == "invalid_grant"
