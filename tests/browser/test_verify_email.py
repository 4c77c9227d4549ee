"""Verifying an e-mail address in a browser, from the mail the SMTP server received."""

from __future__ import annotations

import httpx
from playwright.async_api import expect

from tests.browser import checks
from tests.browser.links import link_to
from tests.browser.visit import Visit
from tests.support.accounts import PASSWORD, login, register
from tests.support.flows import Mailbox

ORGANIZATION = "Riverside Family Practice"
EMAIL = "new.owner@riverside.example"


async def test_verify_email_then_log_in(
    client: httpx.AsyncClient, mailbox: Mailbox, visit: Visit, base_url: str
) -> None:
    await register(client, EMAIL, organization=ORGANIZATION)
    url = link_to(await mailbox.next_to(EMAIL), base_url, "/auth/verify-email")
    assert (await login(client, EMAIL)).status_code == 401
    page = visit.page

    opened = await visit.open(url)
    assert opened.status == 200
    await expect(page.get_by_role("heading", level=1)).to_have_text("Confirm your e-mail address")
    await expect(page.locator("main")).to_contain_text(EMAIL)
    await checks.page(visit, opened, organization=ORGANIZATION, screenshot="verify_email-link")
    field = page.get_by_label("Your password")
    button = page.get_by_role("button", name="Confirm my e-mail address")
    assert await checks.tab_to(page, field) == 1
    assert await checks.tab_to(page, button) == 1
    assert (await login(client, EMAIL)).status_code == 401, "opening the link changed nothing"

    await field.fill("Not the password I chose")
    wrong = await visit.submit(button.click())
    assert wrong.status == 400
    await expect(page.locator("main")).to_contain_text("not the password chosen")
    assert (await login(client, EMAIL)).status_code == 401, "a wrong password activates nothing"

    await page.get_by_label("Your password").fill(PASSWORD)
    done = await visit.submit(page.get_by_role("button", name="Confirm my e-mail address").click())
    assert done.status == 200
    assert done.request.method == "POST"
    await expect(page.get_by_role("heading", level=1)).to_have_text("E-mail address confirmed")
    await expect(page.locator("main")).to_contain_text("You can now sign in")
    await expect(page.locator("main")).to_contain_text("Open the app you use with this account")
    await expect(page.get_by_role("link")).to_have_count(0)  # no clientId, no sign-in page
    await checks.page(visit, done, organization=ORGANIZATION, screenshot="verify_email-confirmed")

    assert (await login(client, EMAIL)).status_code == 200
    visit.assert_same_origin()
