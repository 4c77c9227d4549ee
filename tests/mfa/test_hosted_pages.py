"""The hosted sign-in's second step, driven over HTTP as a browser would, with codes from
pyotp: after the password, on a re-prompt of a browser session, and enrolling on the spot
when the organization requires a factor; and what an attacker tries between the steps."""

from __future__ import annotations

import re
from typing import Any

import asyncpg
import httpx

from tests.app_clients.clients import registered, role_id
from tests.authorize.browser import Browser, Flow, exchange, form_fields, redirected, sign_in
from tests.mfa.helpers import App, claims, enrolled
from tests.roles.people import Member, owner
from tests.support.flows import Mailbox

REDIRECT = "https://app.example/callback"
SESSION = "__Host-auth_session"


async def _app(
    client: httpx.AsyncClient, mailbox: Mailbox, admin_conn: asyncpg.Connection, email: str
) -> tuple[Member, str]:
    me = await owner(client, mailbox, admin_conn, email)
    app = await registered(
        client,
        me,
        await role_id(admin_conn, me.org_id, "member"),
        type="single_page_application",
        redirectUris=[REDIRECT],
    )
    return me, str(app["attributes"]["clientId"])


async def _code_page(browser: Browser, page: httpx.Response, code: str) -> httpx.Response:
    assert page.status_code in (200, 401), page.text  # 401: the page after a wrong code
    assert 'name="step" value="second-factor"' in page.text
    fields = form_fields(page.text)
    return await browser.post("/auth/authorize", {**fields, "code": code, "step": "second-factor"})


async def _tokens(
    client: httpx.AsyncClient, flow: Flow, response: httpx.Response
) -> dict[str, Any]:
    back = redirected(response)
    assert back["state"] == flow.state
    answer = await exchange(client, flow, back["code"])
    assert answer.status_code == 200, answer.text
    tokens: dict[str, Any] = answer.json()
    return tokens


async def test_the_password_then_the_code_and_a_session_that_remembers_it(
    client: httpx.AsyncClient, mailbox: Mailbox, admin_conn: asyncpg.Connection
) -> None:
    me, client_id = await _app(client, mailbox, admin_conn, "pages@clinic.org")
    _, app, _ = await enrolled(client, me)
    browser = Browser(client)
    flow = Flow(client_id, REDIRECT)
    page = await sign_in(browser, flow, me.email, "SecurePass123!")
    # The password alone gives no code and no session: the second step's page.
    assert "location" not in page.headers
    assert SESSION not in browser.cookies
    assert "<script" not in page.text
    assert "default-src 'none'" in page.headers["content-security-policy"]
    wrong = await _code_page(browser, page, app.stale())
    assert wrong.status_code == 401, wrong.text
    assert "The code is wrong" in wrong.text
    tokens = await _tokens(client, flow, await _code_page(browser, wrong, app.code()))
    assert SESSION in browser.cookies
    assert claims(tokens["access_token"])["amr"] == ["pwd", "otp", "mfa"]
    id_token = claims(tokens["id_token"])
    assert id_token["acr"] == "urn:health-auth:acr:mfa"
    assert id_token["amr"] == ["pwd", "otp", "mfa"]
    # The browser session remembers the second factor: a second app signs in at once.
    again = Flow(client_id, REDIRECT)
    quick = await browser.get("/auth/authorize", **again.params())
    assert claims((await _tokens(client, again, quick))["access_token"])["acr"].endswith("mfa")
    # prompt=login asks for the password and the second factor again.
    fresh = Flow(client_id, REDIRECT)
    login_page = await sign_in(browser, fresh, me.email, "SecurePass123!", prompt="login")
    assert 'name="step" value="second-factor"' in login_page.text
    await _tokens(client, fresh, await _code_page(browser, login_page, app.code()))


async def test_a_session_past_the_reprompt_interval_gives_the_code_again_first(
    client: httpx.AsyncClient, mailbox: Mailbox, admin_conn: asyncpg.Connection
) -> None:
    me, client_id = await _app(client, mailbox, admin_conn, "reprompt@clinic.org")
    _, app, _ = await enrolled(client, me)
    browser = Browser(client)
    flow = Flow(client_id, REDIRECT)
    page = await sign_in(browser, flow, me.email, "SecurePass123!")
    await _tokens(client, flow, await _code_page(browser, page, app.code()))
    await admin_conn.execute(
        "UPDATE refresh_tokens SET mfa_at = mfa_at - interval '73 hours' WHERE browser"
    )
    # prompt=none cannot ask: interaction_required.
    silent = Flow(client_id, REDIRECT)
    answer = redirected(await browser.get("/auth/authorize", **silent.params(prompt="none")))
    assert answer["error"] == "interaction_required"
    # Otherwise only the code is asked for (the password still stands), then the session
    # is stepped up and gives codes again.
    later = Flow(client_id, REDIRECT)
    step = await browser.get("/auth/authorize", **later.params())
    assert 'name="password"' not in step.text
    tokens = await _tokens(client, later, await _code_page(browser, step, app.code()))
    assert claims(tokens["access_token"])["amr"] == ["pwd", "otp", "mfa"]
    mfa_at = await admin_conn.fetchval(
        "SELECT mfa_at > now() - interval '1 minute' FROM refresh_tokens WHERE browser"
    )
    assert mfa_at is True


async def test_an_organization_that_requires_a_factor_enrols_its_member_on_the_spot(
    client: httpx.AsyncClient, mailbox: Mailbox, admin_conn: asyncpg.Connection
) -> None:
    me, client_id = await _app(client, mailbox, admin_conn, "policy@clinic.org")
    await admin_conn.execute("UPDATE organizations SET mfa_required = true")
    browser = Browser(client)
    flow = Flow(client_id, REDIRECT)
    page = await sign_in(browser, flow, me.email, "SecurePass123!")
    assert page.status_code == 200, page.text
    assert "<svg" in page.text
    assert "<script" not in page.text
    # Going on without setting the factor up gives nothing but the set-up page again.
    skipped = await browser.post(
        "/auth/authorize", {**form_fields(page.text), "step": "second-factor", "code": ""}
    )
    assert "location" not in skipped.headers
    assert "Set up the authenticator app first" in skipped.text
    secret = re.search(r"<code>([A-Z2-7]+)</code>", skipped.text)
    assert secret is not None
    app = App(secret.group(1))
    fields = form_fields(skipped.text)
    wrong = await browser.post(
        "/auth/authorize", {**fields, "step": "confirm-factor", "code": app.stale()}
    )
    assert wrong.status_code == 400, wrong.text
    assert "<svg" in wrong.text
    fields = form_fields(wrong.text)
    codes_page = await browser.post(
        "/auth/authorize", {**fields, "step": "confirm-factor", "code": app.code()}
    )
    assert codes_page.status_code == 200, codes_page.text
    codes = re.findall(
        r"<code>([2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4})</code>", codes_page.text
    )
    assert len(codes) == 10
    go_on = form_fields(codes_page.text)
    tokens = await _tokens(
        client, flow, await browser.post("/auth/authorize", {**go_on, "step": "second-factor"})
    )
    assert claims(tokens["access_token"])["amr"] == ["pwd", "otp", "mfa"]
    # The step is spent: the same "continue" gives nothing more.
    replay = await browser.post("/auth/authorize", {**go_on, "step": "second-factor"})
    assert "location" not in replay.headers
    assert (
        await admin_conn.fetchval("SELECT count(*) FROM mfa_factors WHERE confirmed_at IS NOT NULL")
        == 1
    )


async def test_a_step_token_works_only_for_its_own_client_and_form(
    client: httpx.AsyncClient, mailbox: Mailbox, admin_conn: asyncpg.Connection
) -> None:
    me, client_id = await _app(client, mailbox, admin_conn, "bound@clinic.org")
    other = await registered(
        client,
        me,
        await role_id(admin_conn, me.org_id, "member"),
        type="single_page_application",
        redirectUris=[REDIRECT],
    )
    _, app, _ = await enrolled(client, me)
    browser = Browser(client)
    flow = Flow(client_id, REDIRECT)
    page = await sign_in(browser, flow, me.email, "SecurePass123!")
    token = form_fields(page.text)["mfa_token"]
    # The same step token inside another client's request: refused, no code.
    elsewhere = Flow(str(other["attributes"]["clientId"]), REDIRECT)
    other_page = await browser.get("/auth/authorize", **elsewhere.params())
    fields = {**form_fields(other_page.text), "mfa_token": token}
    moved = await browser.post(
        "/auth/authorize", {**fields, "code": app.peek(), "step": "second-factor"}
    )
    assert "location" not in moved.headers
    # Without the form's CSRF cookie: refused.
    stranger = Browser(client)
    forged = await stranger.post(
        "/auth/authorize", {**form_fields(page.text), "code": app.peek(), "step": "second-factor"}
    )
    assert forged.status_code == 403
    assert "location" not in forged.headers
    # The password grant with the page's step token: refused (another purpose).
    grant = await client.post(
        "/auth/token",
        data={
            "grant_type": "urn:health-auth:params:oauth:grant-type:mfa",
            "mfa_token": token,
            "otp": app.peek(),
        },
    )
    assert grant.status_code == 400, grant.text
    # The rightful form, in the browser that holds its step, still works.
    rightful = {**form_fields(page.text), "csrf": browser.cookies["__Host-auth_csrf"]}
    done = await browser.post(
        "/auth/authorize", {**rightful, "code": app.code(), "step": "second-factor"}
    )
    await _tokens(client, flow, done)
