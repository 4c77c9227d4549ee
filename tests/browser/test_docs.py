"""The API documentation works with no internet: Chromium, with every request to another
host aborted, opens the Swagger page and sees the operations listed; the front page links it."""

from __future__ import annotations

from urllib.parse import urlsplit

import httpx
from playwright.async_api import Browser, Route, expect


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

    # Anything the page's Content-Security-Policy refused, reported by the page itself.
    await context.add_init_script(
        "window.refused = [];"
        "document.addEventListener('securitypolicyviolation',"
        " e => window.refused.push(e.violatedDirective + ' ' + e.blockedURI));"
    )
    try:
        page = await context.new_page()
        await page.route("**/*", only_ours)
        response = await page.goto(f"{base_url}/schema/swagger")
        assert response is not None
        policy = (await response.all_headers())["content-security-policy"]
        assert "script-src 'self';" in policy
        assert "unsafe" not in policy
        await page.wait_for_selector(".opblock-summary-path", timeout=15_000)
        paths = await page.locator(".opblock-summary-path").all_inner_texts()
        assert any("/auth/token" in p for p in paths)
        assert any("/auth/users/{user_id}" in p for p in paths)
        assert await page.locator(".opblock-tag").count() >= 5
        await expect(page.locator(".opblock-tag", has_text="tokens")).to_have_count(1)
        assert await page.evaluate("window.refused") == []
    finally:
        await context.close()
    assert elsewhere == []


async def test_the_front_page_leads_to_the_docs(browser: Browser, base_url: str) -> None:
    context = await browser.new_context(java_script_enabled=False)
    try:
        page = await context.new_page()
        await page.goto(f"{base_url}/")
        await expect(page.get_by_role("heading", level=1)).to_have_text("Health Auth Service")
        for name, target in (
            ("Discovery", "/.well-known/openid-configuration"),
            ("signing keys", "/.well-known/jwks.json"),
            ("Health", "/health/ready"),
        ):
            await expect(page.get_by_role("link", name=name, exact=True)).to_have_attribute(
                "href", target
            )
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
        assert "<script>" not in swagger.text
        assert "<style>" not in swagger.text
        init = await http.get("/schema/swagger-init.js")
        assert init.headers["content-type"].startswith("text/javascript")
        assert "/schema/openapi.json" in init.text


async def test_the_docs_and_front_page_allow_only_what_they_need(base_url: str) -> None:
    async with httpx.AsyncClient(base_url=base_url) as http:
        for path in ("/schema/swagger", "/schema", "/schema/openapi.json"):
            policy = (await http.get(path)).headers["content-security-policy"]
            directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
            assert directives["default-src"] == "'none'", path
            assert directives["frame-ancestors"] == "'none'", path
            for name in ("script-src", "style-src", "connect-src"):
                assert directives[name] == "'self'", (path, name)
            assert directives["img-src"] == "'self' data:", path
        front = (await http.get("/")).headers["content-security-policy"]
        assert front.startswith("default-src 'none'; style-src 'sha256-")
        assert "script-src" not in front
        elsewhere = (await http.get("/health/live")).headers["content-security-policy"]
        assert elsewhere == "default-src 'none'; frame-ancestors 'none'"


async def test_the_assets_folder_serves_nothing_outside_it(base_url: str) -> None:
    """The static route under /schema/assets must not walk out of Swagger UI's folder."""
    async with httpx.AsyncClient(base_url=base_url) as http:
        for escape in (
            "/schema/assets/%2e%2e/%2e%2e/__init__.py",
            "/schema/assets/..%2f..%2f__init__.py",
            "/schema/assets/%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd",
        ):
            response = await http.get(escape)
            assert response.status_code in (400, 404), (escape, response.status_code)
            assert "import" not in response.text
            assert "root:" not in response.text
