"""The account's security page, driven over HTTP as a browser would: a person signed in here
adds an authenticator app, gets new recovery codes and removes the factor; a stolen session
without the second factor, a cross-site form and another person's factor get nothing."""

from __future__ import annotations

import re

import asyncpg
import httpx

from tests.app_clients.clients import registered, role_id
from tests.authorize.browser import Browser, Flow, form_fields, redirected, sign_in
from tests.mfa.helpers import App, enrolled
from tests.roles.people import Member, owner
from tests.support.accounts import PASSWORD
from tests.support.flows import Mailbox

PAGE = "/auth/account/security"
REDIRECT = "https://app.example/callback"


async def _signed_in(
    client: httpx.AsyncClient, mailbox: Mailbox, admin_conn: asyncpg.Connection, email: str
) -> tuple[Member, Browser]:
    me = await owner(client, mailbox, admin_conn, email)
    app = await registered(
        client,
        me,
        await role_id(admin_conn, me.org_id, "member"),
        type="single_page_application",
        redirectUris=[REDIRECT],
    )
    browser = Browser(client)
    flow = Flow(str(app["attributes"]["clientId"]), REDIRECT)
    redirected(await sign_in(browser, flow, me.email, PASSWORD))
    return me, browser


async def _post(browser: Browser, page: httpx.Response, **fields: str) -> httpx.Response:
    return await browser.post(PAGE, {**form_fields(page.text), **fields})


async def test_add_an_authenticator_app_new_codes_and_remove_it_with_a_step_up(
    client: httpx.AsyncClient, mailbox: Mailbox, admin_conn: asyncpg.Connection
) -> None:
    _, browser = await _signed_in(client, mailbox, admin_conn, "page@clinic.org")
    start = await browser.get(PAGE)
    assert start.status_code == 200, start.text
    assert "No second factor yet." in start.text
    assert 'name="code"' not in start.text
    assert "<script" not in start.text
    adding = await _post(browser, start, step="add-totp")
    assert adding.status_code == 200, adding.text
    secret = re.search(r"<code>([A-Z2-7]+)</code>", adding.text)
    assert secret is not None
    app = App(secret.group(1))
    wrong = await _post(browser, adding, step="confirm-totp", code=app.stale())
    assert wrong.status_code == 400, wrong.text
    done = await _post(browser, wrong, step="confirm-totp", code=app.code())
    assert done.status_code == 200, done.text
    first = re.findall(r"<code>([0-9A-Z-]{19})</code>", done.text)
    assert len(first) == 10
    overview = await browser.get(PAGE)
    assert "(authenticator app, set up)" in overview.text
    assert "Recovery codes left: <strong>10</strong> of 10." in overview.text
    # The session's sign-in gave no second factor: changes need one now.
    assert 'name="code"' in overview.text
    factor_id = await admin_conn.fetchval("SELECT id::text FROM mfa_factors")
    refused = await _post(browser, overview, step=f"remove:{factor_id}")
    assert refused.status_code == 403, refused.text
    assert "second factor" in refused.text
    bad = await _post(browser, refused, step="recovery-codes", code="000000")
    assert bad.status_code == 400, bad.text
    fresh = await _post(browser, bad, step="recovery-codes", code=first[0])
    assert fresh.status_code == 200, fresh.text
    second = re.findall(r"<code>([0-9A-Z-]{19})</code>", fresh.text)
    assert len(second) == 10
    assert not set(first) & set(second)
    # The recovery code just given counts for five minutes: removing asks nothing more.
    overview = await browser.get(PAGE)
    assert 'name="code"' not in overview.text
    removed = await _post(browser, overview, step=f"remove:{factor_id}")
    assert removed.status_code == 200, removed.text
    assert "The factor was removed." in removed.text
    assert await admin_conn.fetchval("SELECT count(*) FROM mfa_factors") == 0
    assert await admin_conn.fetchval("SELECT count(*) FROM mfa_recovery_codes") == 0


async def test_no_session_no_csrf_and_another_persons_factor_get_nothing(
    client: httpx.AsyncClient, mailbox: Mailbox, admin_conn: asyncpg.Connection
) -> None:
    victim = await owner(client, mailbox, admin_conn, "victim@other.org", "Other Clinic")
    await enrolled(client, victim)
    _, browser = await _signed_in(client, mailbox, admin_conn, "mallory@clinic.org")
    anonymous = await client.get(PAGE)
    assert anonymous.status_code == 401
    assert "not signed in" in anonymous.text
    page = await browser.get(PAGE)
    victim_factor = await admin_conn.fetchval("SELECT id::text FROM mfa_factors")
    # A form posted from elsewhere (no CSRF cookie of this browser) changes nothing.
    stranger = Browser(client)
    stranger.cookies = {k: v for k, v in browser.cookies.items() if "csrf" not in k}
    forged = await stranger.post(PAGE, {**form_fields(page.text), "step": "add-totp"})
    assert forged.status_code == 403, forged.text
    # Another person's factor is not found through this session.
    across = await _post(browser, page, step=f"remove:{victim_factor}")
    assert across.status_code == 404, across.text
    assert await admin_conn.fetchval("SELECT count(*) FROM mfa_factors") == 1
