"""Accepting an invitation in a browser as someone without an account: names and a password
on the page, then signing in to the organization that invited them."""

from __future__ import annotations

import httpx
from playwright.async_api import expect

from tests.browser import checks
from tests.browser.links import link_to
from tests.browser.people import owner
from tests.browser.visit import Visit
from tests.support.accounts import bearer, login
from tests.support.flows import Mailbox

ORGANIZATION = "Northside Community Clinic"
OWNER = "chief@northside.example"
NEWCOMER = "r.okafor@northside.example"
PASSWORD = "seven lanterns over the marsh"


async def test_a_new_person_accepts_an_invitation_then_logs_in(
    client: httpx.AsyncClient, mailbox: Mailbox, visit: Visit, base_url: str
) -> None:
    chief = bearer(await owner(client, mailbox, base_url, OWNER, ORGANIZATION))
    invited = await client.post(
        "/auth/invite", json={"email": NEWCOMER, "role": "member"}, headers=chief
    )
    assert invited.status_code == 201, invited.text
    url = link_to(await mailbox.next_to(NEWCOMER), base_url, "/auth/invitations/accept")
    page = visit.page

    opened = await visit.open(url)
    assert opened.status == 200
    await expect(page.get_by_role("heading", level=1)).to_have_text("Join the organization")
    await expect(page.locator("main")).to_contain_text("Care Team User")
    await expect(page.locator("main")).to_contain_text(NEWCOMER)
    await checks.page(visit, opened, organization=ORGANIZATION, screenshot="invitation-link")

    # A guessable password is refused; the names typed stay, the password does not.
    await page.get_by_label("First name").fill("Ruth")
    await page.get_by_label("Last name").fill("Okafor")
    await page.get_by_label("Password").fill("123456789012")
    refused = await visit.submit(
        page.get_by_role("button", name="Create my account and join").click()
    )
    assert refused.status == 400
    await expect(page.get_by_role("alert")).to_contain_text("too easy to guess")
    await expect(page.get_by_label("First name")).to_have_value("Ruth")
    await expect(page.get_by_label("Last name")).to_have_value("Okafor")
    await expect(page.get_by_label("Password")).to_have_value("")
    await checks.page(visit, refused, organization=ORGANIZATION, screenshot="invitation-refused")

    await page.get_by_label("Password").fill(PASSWORD)
    button = page.get_by_role("button", name="Create my account and join")
    assert await checks.tab_to(page, button) == 1  # the next stop after the password
    await visit.screenshot("invitation-filled")
    joined = await visit.submit(page.keyboard.press("Enter"))
    assert joined.status == 200
    await expect(page.get_by_role("heading", level=1)).to_have_text("You have joined")
    await checks.page(visit, joined, organization=ORGANIZATION, screenshot="invitation-joined")
    await expect(page.get_by_role("link")).to_have_count(0)  # no clientId: words, no link
    await expect(page.locator("main")).to_contain_text("Open the app you use with this account")

    signed_in = await login(client, NEWCOMER, PASSWORD)
    assert signed_in.status_code == 200, signed_in.text
    me = await client.get("/auth/me", headers=bearer(signed_in.json()))
    assert me.status_code == 200, me.text
    assert me.json()["data"]["attributes"]["name"] == "Ruth Okafor"
    visit.assert_same_origin()
