"""Choosing a new password in a browser through the reset link: a weak one is refused with a
message on the page, a good one is taken, and only the new password signs in."""

from __future__ import annotations

import httpx
from playwright.async_api import expect

from tests.browser import checks
from tests.browser.links import link_to
from tests.browser.people import owner
from tests.browser.visit import Visit
from tests.support.accounts import PASSWORD, login
from tests.support.flows import Mailbox

ORGANIZATION = "Harbour Diagnostics Lab"
EMAIL = "lab.manager@harbour.example"
NEW_PASSWORD = "copper kettle under the bridge"


async def test_reset_refuses_a_weak_password_then_takes_a_good_one(
    client: httpx.AsyncClient, mailbox: Mailbox, visit: Visit, base_url: str
) -> None:
    await owner(client, mailbox, base_url, EMAIL, ORGANIZATION)
    requested = await client.post("/auth/password-reset", json={"email": EMAIL})
    assert requested.status_code == 202
    url = link_to(await mailbox.next_to(EMAIL, after=1), base_url, "/auth/reset-password")
    page = visit.page

    opened = await visit.open(url)
    assert opened.status == 200
    await expect(page.get_by_role("heading", level=1)).to_have_text("Choose a new password")
    await checks.page(visit, opened, organization=ORGANIZATION, screenshot="password_reset-link")
    await expect(page.get_by_role("alert")).to_have_count(0)

    # Long enough for the browser's own check, refused by the server: it is the address.
    await page.get_by_label("New password").fill(EMAIL)
    refused = await visit.submit(page.get_by_role("button", name="Set password").click())
    assert refused.status == 400
    alert = page.get_by_role("alert")
    await expect(alert).to_have_count(1)
    await expect(alert).to_have_text("The password must not be the e-mail address.")
    field = page.get_by_label("New password")
    await expect(field).to_have_accessible_description(
        "The password must not be the e-mail address. At least 12 characters. "
        "A phrase of several words is easy to remember and hard to guess."
    )
    await expect(field).to_have_value("")
    await checks.page(
        visit, refused, organization=ORGANIZATION, screenshot="password_reset-weak_refused"
    )
    assert (await login(client, EMAIL)).status_code == 200, "the refusal changed nothing"

    # By keyboard alone: Tab to the field, type, Tab to the button, Enter.
    assert await checks.tab_to(page, field) == 1
    await page.keyboard.type(NEW_PASSWORD)
    button = page.get_by_role("button", name="Set password")
    assert await checks.tab_to(page, button) == 1
    changed = await visit.submit(page.keyboard.press("Enter"))
    assert changed.status == 200
    await expect(page.get_by_role("heading", level=1)).to_have_text("Password changed")
    await checks.page(visit, changed, organization=ORGANIZATION, screenshot="password_reset-done")

    assert (await login(client, EMAIL, PASSWORD)).status_code == 401
    assert (await login(client, EMAIL, NEW_PASSWORD)).status_code == 200
    visit.assert_same_origin()
