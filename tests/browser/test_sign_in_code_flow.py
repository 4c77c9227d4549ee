"""A browser app signing a person in with a client library nobody here wrote: authlib's OAuth
2.0 client builds the authorization request (code + PKCE S256, state, nonce), Debian's
Chromium with JavaScript off fills the hosted sign-in page, and authlib exchanges the code.
The ID token is then verified against the published JWK Set."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import httpx
from authlib.common.security import generate_token
from authlib.integrations.httpx_client import AsyncOAuth2Client
from joserfc import jwt
from joserfc.jwk import KeySet
from playwright.async_api import Route, expect

from tests.browser import checks
from tests.browser.people import owner
from tests.browser.visit import Visit
from tests.support.accounts import PASSWORD, bearer
from tests.support.flows import Mailbox

EMAIL = "ward.clerk@riverside.example"
ORGANIZATION = "Riverside Community Clinic"
CALLBACK = "http://127.0.0.1:9/callback"  # never reached: the browser's request is caught


async def _register_app(client: httpx.AsyncClient, tokens: dict[str, str]) -> str:
    roles = await client.get("/auth/roles?filter[code]=member", headers=bearer(tokens))
    role = roles.json()["data"][0]["id"]
    body = {
        "data": {
            "type": "auth/app-clients",
            "attributes": {
                "type": "single_page_application",
                "name": "Ward Rounds",
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
    client_id: str = made.json()["data"]["attributes"]["clientId"]
    return client_id


async def test_authlib_and_chromium_through_the_hosted_page(
    client: httpx.AsyncClient, mailbox: Mailbox, visit: Visit, base_url: str
) -> None:
    tokens = await owner(client, mailbox, base_url, EMAIL, ORGANIZATION)
    client_id = await _register_app(client, tokens)
    verifier = generate_token(64)
    nonce = generate_token(20)
    oauth = AsyncOAuth2Client(
        client_id,
        redirect_uri=CALLBACK,
        scope="openid email profile",
        code_challenge_method="S256",
        token_endpoint_auth_method="none",
    )
    url, state = oauth.create_authorization_url(
        f"{base_url}/auth/authorize", code_verifier=verifier, nonce=nonce
    )
    caught: list[str] = []

    async def callback(route: Route) -> None:
        caught.append(route.request.url)
        await route.fulfill(status=200, content_type="text/plain", body="back in the app")

    await visit.page.route(f"{CALLBACK}*", callback)
    opened = await visit.open(url)
    assert opened.status == 200
    page = visit.page
    await expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    await checks.page(visit, opened, organization=ORGANIZATION, screenshot="sign_in")
    await page.get_by_label("E-mail address").fill(EMAIL)
    await page.get_by_label("Password").fill(PASSWORD + "-wrong")
    refused = await visit.submit(page.get_by_role("button", name="Sign in").click())
    assert refused.status == 401
    await expect(page.get_by_role("alert")).to_contain_text("incorrect")
    await expect(page.get_by_label("E-mail address")).to_have_value(EMAIL)
    await page.get_by_label("Password").fill(PASSWORD)
    async with page.expect_request(f"{CALLBACK}*") as requested:
        await page.get_by_role("button", name="Sign in").click()
    back = (await requested.value).url
    await expect(page.locator("body")).to_have_text("back in the app")
    assert caught == [back]
    query = parse_qs(urlsplit(back).query)
    assert query["state"] == [state]
    async with oauth:
        answer = await oauth.fetch_token(
            f"{base_url}/auth/token", authorization_response=back, code_verifier=verifier
        )
    jwks = KeySet.import_key_set((await client.get("/.well-known/jwks.json")).json())
    id_token = jwt.decode(answer["id_token"], jwks)
    assert id_token.header["typ"] == "JWT"
    claims = id_token.claims
    assert claims["aud"] == client_id
    assert claims["iss"] == base_url
    assert claims["nonce"] == nonce
    assert claims["email"] == EMAIL
    me = await client.get("/auth/me", headers={"Authorization": f"Bearer {answer['access_token']}"})
    assert me.status_code == 200
    assert "refresh_token" not in answer  # no offline_access asked for
