"""Pages that lead somewhere: after a password is set through a link that names a clientId,
the page links to that client's app; a used or unknown link's page offers a new link by
mail, and that link works."""

from __future__ import annotations

import dataclasses

import httpx
import pytest
from playwright.async_api import expect

from service.config import Settings
from tests.browser import checks
from tests.browser.links import link_to
from tests.browser.people import owner
from tests.browser.visit import Visit
from tests.support.accounts import bearer, login, register
from tests.support.flows import Mailbox

ORGANIZATION = "Hillcrest Physiotherapy"
OWNER = "owner@hillcrest.example"
CLIENT = "PuzaR6b4U1l2wMC3qciU1qUJI2fOxJLw"
WELCOME = "https://app.hillcrest.example/welcome"
NEW_PASSWORD = "quiet orchards after the rain"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return dataclasses.replace(settings, client_redirects=((CLIENT, WELCOME),))


async def test_a_password_set_for_a_client_leads_to_its_app(
    client: httpx.AsyncClient, mailbox: Mailbox, visit: Visit, base_url: str
) -> None:
    chief = bearer(await owner(client, mailbox, base_url, OWNER, ORGANIZATION))
    roles = await client.get("/auth/roles?filter[name]=Care Team User", headers=chief)
    role = roles.json()["data"][0]["id"]
    attributes = {"email": "pt@hillcrest.example", "name": "Pat Turner", "clientId": CLIENT}
    attributes |= {"userType": "builder", "sendPasswordResetEmail": True}
    relationships = {"auth/roles": {"data": {"type": "auth/roles", "id": role}}}
    body = {
        "data": {"type": "auth/users", "attributes": attributes, "relationships": relationships}
    }
    created = await client.post("/auth/users", json=body, headers=chief)
    assert created.status_code == 201, created.text
    url = link_to(await mailbox.next_to("pt@hillcrest.example"), base_url, "/auth/reset-password")
    page = visit.page

    await visit.open(url)
    await page.get_by_label("New password").fill(NEW_PASSWORD)
    done = await visit.submit(page.get_by_role("button", name="Set password").click())
    assert done.status == 200
    await expect(page.get_by_role("heading", level=1)).to_have_text("Password changed")
    onward = page.get_by_role("link", name="Continue to sign in")
    await expect(onward).to_have_attribute("href", WELCOME)
    assert await checks.tab_to(page, onward) == 1
    await checks.page(visit, done, organization=ORGANIZATION, screenshot="onward-client_app")
    assert (await login(client, "pt@hillcrest.example", NEW_PASSWORD)).status_code == 200
    visit.assert_same_origin()  # the app's link was not followed


async def test_a_used_reset_link_offers_a_new_one_that_works(
    client: httpx.AsyncClient, mailbox: Mailbox, visit: Visit, base_url: str
) -> None:
    await owner(client, mailbox, base_url, OWNER, ORGANIZATION)  # mail 0: verification
    assert (await client.post("/auth/password-reset", json={"email": OWNER})).status_code == 202
    used = link_to(await mailbox.next_to(OWNER, after=1), base_url, "/auth/reset-password")
    page = visit.page
    await visit.open(used)
    await page.get_by_label("New password").fill(NEW_PASSWORD)
    await visit.submit(page.get_by_role("button", name="Set password").click())
    await expect(page.get_by_role("heading", level=1)).to_have_text("Password changed")
    await expect(page.get_by_role("link")).to_have_count(0)  # no clientId: words, no link
    await expect(page.locator("main")).to_contain_text("Open the app you use with this account")

    dead = await visit.open(used)
    assert dead.status == 400
    await expect(page.get_by_role("heading", level=1)).to_have_text("This link cannot be used")
    await checks.page(visit, dead, organization="", screenshot="new_link-offered")
    await page.get_by_label("Your e-mail address").fill(OWNER)
    sent = await visit.submit(page.get_by_role("button", name="Send a new password link").click())
    assert sent.status == 200
    assert sent.request.method == "POST"
    await expect(page.get_by_role("heading", level=1)).to_have_text("Check your e-mail")
    await expect(page.locator("main")).to_contain_text(OWNER)
    await checks.page(visit, sent, organization="", screenshot="new_link-sent")

    # Mail 2 is the notice that the password changed; mail 3 the new link.
    fresh = link_to(await mailbox.next_to(OWNER, after=3), base_url, "/auth/reset-password")
    assert (await visit.open(fresh)).status == 200
    await expect(page.get_by_role("heading", level=1)).to_have_text("Choose a new password")
    visit.assert_same_origin()


async def test_an_unknown_verification_link_offers_a_new_one(
    client: httpx.AsyncClient, mailbox: Mailbox, visit: Visit, base_url: str
) -> None:
    await register(client, OWNER, organization=ORGANIZATION)
    page = visit.page
    dead = await visit.open(f"{base_url}/auth/verify-email?token=mistyped")
    assert dead.status == 400
    await page.get_by_label("Your e-mail address").fill(OWNER)
    button = page.get_by_role("button", name="Send a new confirmation link")
    sent = await visit.submit(button.click())
    assert sent.status == 200
    await expect(page.get_by_role("heading", level=1)).to_have_text("Check your e-mail")
    fresh = link_to(await mailbox.next_to(OWNER, after=1), base_url, "/auth/verify-email")
    assert (await visit.open(fresh)).status == 200
    await expect(page.get_by_role("heading", level=1)).to_have_text("Confirm your e-mail address")
    visit.assert_same_origin()
