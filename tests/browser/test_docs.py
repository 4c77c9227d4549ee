"""The API documentation works with no internet: Chromium, with every request to another
host aborted, opens the Swagger page and sees the operations listed; the front page links it."""

from __future__ import annotations

from urllib.parse import urlsplit

import httpx
from playwright.async_api import Browser, Route


async def test_the_docs_page_lists_the_operations_with_the_network_cut(
    browser: Browser, base_url: str
) -> None:
    ours = urlsplit(base_url).netloc
    context = await browser.new_context(java_script_enabled=True)
    elsewhere: list[str] = []

    async def only_ours(route: Route) -> None:
        if urlsplit(route.request.url).netloc == ours:
            await route.continue_()
        else:
            elsewhere.append(route.request.url)
            await route.abort()

    try:
        page = await context.new_page()
        await page.route("**/*", only_ours)
        await page.goto(f"{base_url}/schema/swagger")
        await page.wait_for_selector(".opblock-summary-path", timeout=15_000)
        paths = await page.locator(".opblock-summary-path").all_inner_texts()
        assert any("/auth/token" in p for p in paths)
        assert any("/auth/users/{user_id}" in p for p in paths)
        assert await page.locator(".opblock-tag").count() >= 5
    finally:
        await context.close()
    assert elsewhere == []


async def test_the_front_page_leads_to_the_docs(browser: Browser, base_url: str) -> None:
    context = await browser.new_context(java_script_enabled=False)
    try:
        page = await context.new_page()
        await page.goto(f"{base_url}/")
        await page.get_by_role("link", name="API documentation").click()
        assert page.url == f"{base_url}/schema/swagger"
    finally:
        await context.close()


async def test_front_page_scalar_and_assets_over_http(base_url: str) -> None:
    async with httpx.AsyncClient(base_url=base_url) as http:
        front = await http.get("/")
        assert front.status_code == 200
        assert front.headers["content-type"] == "text/html; charset=utf-8"
        for target in ("/schema/swagger", "/.well-known/openid-configuration", "/health/ready"):
            assert f'href="{target}"' in front.text
        scalar = await http.get("/schema/scalar")
        assert scalar.status_code == 308
        assert scalar.headers["location"] == "/schema/swagger"
        script = await http.get("/schema/assets/swagger-ui-bundle.js")
        assert script.status_code == 200
        assert len(script.content) > 100_000
        assert (await http.head("/schema/assets/swagger-ui.css")).status_code == 200
        swagger = await http.get("/schema/swagger")
        assert "cdn." not in swagger.text
        assert "/schema/assets/swagger-ui-bundle.js" in swagger.text
