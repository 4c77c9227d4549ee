"""Passkeys in Debian's Chromium, with a virtual authenticator (Chrome DevTools Protocol's
``WebAuthn`` domain through Playwright): one registered, then used as the second factor after
a password, and to sign in alone with no password at all. The page's one script does the
WebAuthn calls; the service verifies with its own library.

WebAuthn needs a host name for the relying party (never an IP address), so these pages are
served at ``http://localhost:<port>``, a secure context for the browser."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import asyncpg
import httpx
import pytest
from playwright.async_api import Browser, BrowserContext, Page, Route, expect

from service.config import Settings
from tests.authorize.browser import pkce
from tests.browser.people import owner
from tests.mfa.helpers import claims
from tests.support.accounts import PASSWORD, bearer
from tests.support.flows import Mailbox

EMAIL = "night.nurse@harbour.example"
CALLBACK = "http://127.0.0.1:9/callback"  # never reached: the browser's request is caught

# What a web page of the service's origin runs to create a passkey from the API's options.
CREATE = """async (options) => {
  const bytes = (t) => Uint8Array.from(atob(t.replace(/-/g, '+').replace(/_/g, '/')
      + '==='.slice((t.length + 3) % 4)), c => c.charCodeAt(0)).buffer;
  const text = (b) => btoa(String.fromCharCode(...new Uint8Array(b)))
      .replace(/\\+/g, '-').replace(/\\//g, '_').replace(/=+$/, '');
  options.challenge = bytes(options.challenge);
  options.user.id = bytes(options.user.id);
  (options.excludeCredentials || []).forEach(c => { c.id = bytes(c.id); });
  const made = await navigator.credentials.create({publicKey: options});
  return {id: made.id, rawId: text(made.rawId), type: made.type,
    response: {clientDataJSON: text(made.response.clientDataJSON),
               attestationObject: text(made.response.attestationObject),
               transports: made.response.getTransports()},
    clientExtensionResults: made.getClientExtensionResults(),
    authenticatorAttachment: made.authenticatorAttachment};
}"""


@pytest.fixture
def settings(settings: Settings) -> Settings:
    local = settings.public_base_url.replace("127.0.0.1", "localhost")
    return dataclasses.replace(settings, public_base_url=local)


@pytest.fixture
async def context(browser: Browser) -> AsyncIterator[BrowserContext]:
    made = await browser.new_context(java_script_enabled=True, locale="en-GB")
    try:
        yield made
    finally:
        await made.close()


async def _authenticator(page: Page) -> str:
    """A platform authenticator that holds discoverable credentials and verifies its user."""
    cdp = await page.context.new_cdp_session(page)
    await cdp.send("WebAuthn.enable")
    added = await cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    return str(added["authenticatorId"])


async def _app(client: httpx.AsyncClient, tokens: dict[str, Any]) -> str:
    roles = await client.get("/auth/roles?filter[code]=member", headers=bearer(tokens))
    role = roles.json()["data"][0]["id"]
    body = {
        "data": {
            "type": "auth/app-clients",
            "attributes": {
                "type": "single_page_application",
                "name": "Night Rounds",
                "redirectUris": [CALLBACK],
            },
            "relationships": {"auth/roles": {"data": {"type": "auth/roles", "id": role}}},
        }
    }
    made = await client.post(
        "/auth/app-clients",
        content=json.dumps(body),
        headers={**bearer(tokens), "Content-Type": "application/vnd.api+json"},
    )
    assert made.status_code == 201, made.text
    return str(made.json()["data"]["attributes"]["clientId"])


async def _register(
    client: httpx.AsyncClient, page: Page, base: str, tokens: dict[str, Any]
) -> str:
    """A passkey made in the browser from the API's options, confirmed through the API."""
    headers = {**bearer(tokens), "Accept": "application/vnd.api+json"}
    body = {"data": {"type": "auth/mfa-factors", "attributes": {"kind": "webauthn"}}}
    created = await client.post("/auth/me/mfa-factors", json=body, headers=headers)
    assert created.status_code == 201, created.text
    factor_id = created.json()["data"]["id"]
    options = created.json()["meta"]["publicKey"]
    assert options["rp"]["id"] == "localhost"
    await page.goto(f"{base}/health/live")
    credential = await page.evaluate(CREATE, options)
    confirmed = await client.post(
        f"/auth/me/mfa-factors/{factor_id}/confirm",
        json={"credential": credential},
        headers=headers,
    )
    assert confirmed.status_code == 200, confirmed.text
    assert len(confirmed.json()["meta"]["recoveryCodes"]) == 10
    return str(factor_id)


def _authorize_url(base: str, client_id: str, challenge: str, state: str) -> str:
    query = httpx.QueryParams(
        response_type="code",
        client_id=client_id,
        redirect_uri=CALLBACK,
        scope="openid email",
        state=state,
        code_challenge=challenge,
        code_challenge_method="S256",
    )
    return f"{base}/auth/authorize?{query}"


async def _exchange(
    client: httpx.AsyncClient, back: str, client_id: str, verifier: str
) -> dict[str, Any]:
    code = parse_qs(urlsplit(back).query)["code"][0]
    answer = await client.post(
        "/auth/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": CALLBACK,
            "code_verifier": verifier,
            "client_id": client_id,
        },
    )
    assert answer.status_code == 200, answer.text
    tokens: dict[str, Any] = answer.json()
    return tokens


async def _caught(page: Page) -> None:
    async def callback(route: Route) -> None:
        await route.fulfill(status=200, content_type="text/plain", body="back in the app")

    await page.route(f"{CALLBACK}*", callback)


async def test_a_passkey_as_second_factor_and_to_sign_in_alone(
    client: httpx.AsyncClient, mailbox: Mailbox, settings: Settings, context: BrowserContext
) -> None:
    base_url = settings.public_base_url
    tokens = await owner(client, mailbox, base_url, EMAIL, "Harbour Clinic")
    client_id = await _app(client, tokens)
    page = await context.new_page()
    await _authenticator(page)
    await _register(client, page, base_url, tokens)
    await _caught(page)
    # 1. The password, then the passkey as the second factor.
    verifier, challenge = pkce()
    opened = await page.goto(_authorize_url(base_url, client_id, challenge, "one"))
    assert opened is not None
    assert "script-src" in opened.headers["content-security-policy"]
    await page.get_by_label("E-mail address").fill(EMAIL)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in", exact=True).click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Enter your code")
    async with page.expect_request(f"{CALLBACK}*") as requested:
        await page.get_by_role("button", name="Use a passkey").click()
    await expect(page.locator("body")).to_have_text("back in the app")
    first = await _exchange(client, (await requested.value).url, client_id, verifier)
    access = claims(first["access_token"])
    assert access["amr"] in (["pwd", "hwk", "mfa"], ["pwd", "swk", "mfa"])
    assert claims(first["id_token"])["acr"] == "urn:health-auth:acr:mfa"
    # 2. A new browser, no password: the passkey signs in alone.
    await context.clear_cookies()
    verifier, challenge = pkce()
    await page.goto(_authorize_url(base_url, client_id, challenge, "two"))
    await expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    async with page.expect_request(f"{CALLBACK}*") as requested:
        await page.get_by_role("button", name="Sign in with a passkey").click()
    second = await _exchange(client, (await requested.value).url, client_id, verifier)
    alone = claims(second["access_token"])
    assert alone["amr"] in (["hwk", "user", "mfa"], ["swk", "user", "mfa"])
    assert alone["email"] == EMAIL
    # Another organization's app: the passkey is the person's, but they are no member there.
    other = await owner(client, mailbox, base_url, "head@elsewhere.example", "Elsewhere Lab")
    other_app = await _app(client, other)
    await context.clear_cookies()
    _, challenge = pkce()
    await page.goto(_authorize_url(base_url, other_app, challenge, "elsewhere"))
    await page.get_by_role("button", name="Sign in with a passkey").click()
    await expect(page.get_by_role("alert").first).to_contain_text("could not sign you in")


async def test_without_javascript_the_passkey_button_stays_hidden_and_the_form_works(
    client: httpx.AsyncClient, mailbox: Mailbox, settings: Settings, browser: Browser
) -> None:
    base_url = settings.public_base_url
    tokens = await owner(client, mailbox, base_url, EMAIL, "Harbour Clinic")
    client_id = await _app(client, tokens)
    plain = await browser.new_context(java_script_enabled=False)
    try:
        page = await plain.new_page()
        await _caught(page)
        _, challenge = pkce()
        await page.goto(_authorize_url(base_url, client_id, challenge, "plain"))
        await expect(page.get_by_role("button", name="Sign in with a passkey")).to_be_hidden()
        await page.get_by_label("E-mail address").fill(EMAIL)
        await page.get_by_label("Password").fill(PASSWORD)
        async with page.expect_request(f"{CALLBACK}*"):
            await page.get_by_role("button", name="Sign in", exact=True).click()
    finally:
        await plain.close()


async def test_a_captured_assertion_signs_in_once_and_a_cloned_counter_never(
    client: httpx.AsyncClient,
    mailbox: Mailbox,
    settings: Settings,
    context: BrowserContext,
    admin_conn: asyncpg.Connection,
) -> None:
    base_url = settings.public_base_url
    tokens = await owner(client, mailbox, base_url, EMAIL, "Harbour Clinic")
    client_id = await _app(client, tokens)
    page = await context.new_page()
    await _authenticator(page)
    await _register(client, page, base_url, tokens)
    await _caught(page)
    posted: list[tuple[str, str]] = []

    async def record(route: Route) -> None:
        request = route.request
        if request.method == "POST":
            posted.append((request.post_data or "", request.headers.get("cookie", "")))
        await route.continue_()

    await page.route(f"{base_url}/auth/authorize", record)
    _, challenge = pkce()
    await page.goto(_authorize_url(base_url, client_id, challenge, "once"))
    async with page.expect_request(f"{CALLBACK}*"):
        await page.get_by_role("button", name="Sign in with a passkey").click()
    await expect(page.locator("body")).to_have_text("back in the app")
    [(form, cookie)] = posted
    assert "passkey-sign-in" in form
    # The same post again, cookies and all: its challenge was used, so no second code.
    replay = await client.post(
        "/auth/authorize",
        content=form,
        headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie},
    )
    assert replay.status_code == 401, replay.text  # the CSRF cookie held: the challenge did not
    assert "location" not in replay.headers
    # An authenticator whose counter is behind the one recorded (a copy) signs nobody in.
    await admin_conn.execute("UPDATE mfa_factors SET sign_count = sign_count + 1000")
    _, challenge = pkce()
    await context.clear_cookies()
    await page.goto(_authorize_url(base_url, client_id, challenge, "clone"))
    await page.get_by_role("button", name="Sign in with a passkey").click()
    await expect(page.get_by_role("alert").first).to_contain_text("could not sign you in")
    logins = await admin_conn.fetchval(
        "SELECT count(*) FROM audit_events WHERE action = 'auth.login'"
    )
    assert logins == 2  # the owner's password grant, and the one passkey sign-in


async def test_a_passkey_made_on_the_security_page_signs_in_alone(
    client: httpx.AsyncClient, mailbox: Mailbox, settings: Settings, context: BrowserContext
) -> None:
    base_url = settings.public_base_url
    tokens = await owner(client, mailbox, base_url, EMAIL, "Harbour Clinic")
    client_id = await _app(client, tokens)
    page = await context.new_page()
    await _authenticator(page)
    await _caught(page)
    _, challenge = pkce()
    await page.goto(_authorize_url(base_url, client_id, challenge, "password"))
    await page.get_by_label("E-mail address").fill(EMAIL)
    await page.get_by_label("Password").fill(PASSWORD)
    async with page.expect_request(f"{CALLBACK}*"):
        await page.get_by_role("button", name="Sign in", exact=True).click()
    await expect(page.locator("body")).to_have_text("back in the app")
    # Signed in here: the security page adds a passkey with the browser's authenticator.
    await page.goto(f"{base_url}/auth/account/security")
    await expect(page.get_by_text("No second factor yet.")).to_be_visible()
    await page.get_by_role("button", name="Add a passkey").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Add a passkey")
    await page.get_by_role("button", name="Create the passkey").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Your new recovery codes")
    assert await page.locator("li code").count() == 10
    await page.goto(f"{base_url}/auth/account/security")
    await expect(page.get_by_text("(passkey, set up)")).to_be_visible()
    # Another browser on this device: the passkey alone signs in.
    await context.clear_cookies()
    verifier, challenge = pkce()
    await page.goto(_authorize_url(base_url, client_id, challenge, "alone"))
    async with page.expect_request(f"{CALLBACK}*") as requested:
        await page.get_by_role("button", name="Sign in with a passkey").click()
    await expect(page.locator("body")).to_have_text("back in the app")
    signed = await _exchange(client, (await requested.value).url, client_id, verifier)
    assert claims(signed["access_token"])["acr"] == "urn:health-auth:acr:mfa"
