"""What every page a link in mail opens must offer: privacy headers, a document that
assistive technology can read, labelled fields, enough contrast, and a visible focus."""

from __future__ import annotations

from playwright.async_api import Locator, Page, Response, expect

from tests.browser.contrast import FOCUS_RING, TEXT_COLOURS, Text, ratio
from tests.browser.visit import Visit


async def headers(response: Response) -> None:
    sent = await response.all_headers()
    assert sent["content-type"].startswith("text/html"), sent
    policy = sent.get("content-security-policy", "")
    assert "default-src 'none'" in policy, policy
    assert "frame-ancestors 'none'" in policy, policy
    assert sent.get("referrer-policy") == "no-referrer", sent
    assert sent.get("x-frame-options") == "DENY", sent
    assert "no-store" in sent.get("cache-control", ""), sent


async def document(page: Page) -> None:
    lang = await page.locator("html").get_attribute("lang")
    assert lang, "the document has no lang"
    assert lang.strip(), "the document's lang is empty"
    assert (await page.title()).strip(), "the document has no title"
    await expect(page.locator("h1")).to_have_count(1)
    assert (await page.locator("h1").inner_text()).strip()


async def labels(page: Page) -> None:
    """Every field has exactly one ``label[for]`` naming it; every button has a name."""
    fields = page.locator("input:not([type=hidden]), select, textarea")
    for index in range(await fields.count()):
        field = fields.nth(index)
        ident = await field.get_attribute("id")
        assert ident, f"a field without an id: {await field.evaluate('e => e.outerHTML')}"
        await expect(page.locator(f'[id="{ident}"]')).to_have_count(1)
        label = page.locator(f'label[for="{ident}"]')
        await expect(label).to_have_count(1)
        name = (await label.inner_text()).strip()
        assert name, f"the label of {ident} is empty"
        await expect(field).to_have_accessible_name(name)
    buttons = page.get_by_role("button")
    for index in range(await buttons.count()):
        assert (await buttons.nth(index).inner_text()).strip(), "a button without a name"


async def styled(page: Page) -> None:
    """The page's only stylesheet (inline, allowed by its hash) was applied: the content
    column is narrow, where an unstyled ``main`` would span the whole window."""
    box = await page.locator("main").bounding_box()
    assert box is not None
    assert box["width"] < 600, f"the stylesheet was not applied: main is {box['width']}px wide"


async def contrast(visit: Visit) -> None:
    """Text and button contrast (WCAG AA) and focus rings (3:1), from computed colours, on
    the exact document the JavaScript-free page shows, loaded in a page with JavaScript on."""
    html = await visit.page.content()
    measure = await visit.measuring.new_page()
    try:
        await measure.set_content(html)
        texts = [Text.of(found) for found in await measure.evaluate(TEXT_COLOURS)]
        tags = {text.tag for text in texts}
        assert {"h1", "p"} <= tags, f"no body text measured: {texts}"
        if await measure.locator("button").count():
            assert "button" in tags, "the button's text was not measured"
        poor = [t for t in texts if t.ratio < t.needed]
        assert not poor, "contrast below WCAG AA: " + "; ".join(
            f"<{t.tag}> {t.text!r} {t.ratio:.2f} < {t.needed}" for t in poor
        )
        controls = measure.locator("input:not([type=hidden]), button:not([hidden]), a[href]")
        for index in range(await controls.count()):
            ring = await controls.nth(index).evaluate(FOCUS_RING)
            assert ring["focused"], "a control cannot take focus"
            assert ring["style"] != "none", f"no visible focus: {ring}"
            assert ring["width"] >= 2, f"a focus ring too thin to see: {ring}"
            seen = ratio(tuple(ring["colour"]), tuple(ring["around"]))
            assert seen >= 3, f"focus ring contrast {seen:.2f} < 3: {ring}"
    finally:
        await measure.close()


async def page(visit: Visit, response: Response, *, organization: str, screenshot: str) -> None:
    """Every check above on the page the visit shows now, and a screenshot of it."""
    await visit.screenshot(screenshot)
    await headers(response)
    await document(visit.page)
    await labels(visit.page)
    await styled(visit.page)
    await expect(visit.page.locator("main")).to_contain_text(organization)
    await contrast(visit)


async def tab_to(page: Page, target: Locator, *, limit: int = 8) -> int:
    """Press Tab until ``target`` has the focus; how many presses it took."""
    for presses in range(1, limit + 1):
        await page.keyboard.press("Tab")
        if await target.evaluate("element => element === document.activeElement"):
            return presses
    raise AssertionError(f"{target} is not reached by {limit} presses of Tab")
