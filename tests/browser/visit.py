"""One person's visit: a page in a JavaScript-free context, every request it makes recorded,
and screenshots kept under ``reports/screenshots/``."""

from __future__ import annotations

from collections.abc import Awaitable
from pathlib import Path
from urllib.parse import urlsplit

from playwright.async_api import BrowserContext, Page, Request, Response

SCREENSHOTS = Path(__file__).resolve().parents[2] / "reports" / "screenshots"


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


class Visit:
    def __init__(self, page: Page, measuring: BrowserContext, base: str) -> None:
        self.page = page
        self.measuring = measuring
        self.base = base
        self.requests: list[str] = []
        self.documents: list[Response] = []

    @classmethod
    async def start(cls, context: BrowserContext, measuring: BrowserContext, base: str) -> Visit:
        visit = cls(await context.new_page(), measuring, base)
        context.on("request", visit._requested)
        return visit

    def _requested(self, request: Request) -> None:
        self.requests.append(request.url)

    async def open(self, url: str) -> Response:
        response = await self.page.goto(url, wait_until="load")
        assert response is not None, f"no response for {url}"
        self.documents.append(response)
        return response

    async def submit(self, action: Awaitable[None]) -> Response:
        """Run ``action`` (a click or a key press) and return the page it leads to."""
        async with self.page.expect_navigation(wait_until="load") as navigation:
            await action
        response = await navigation.value
        assert response is not None, "the form led nowhere"
        self.documents.append(response)
        return response

    async def screenshot(self, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        await self.page.screenshot(path=str(path), full_page=True)
        assert path.stat().st_size > 0
        return path

    def assert_same_origin(self) -> None:
        """Everything the browser asked for came from the app itself."""
        assert self.requests, "the browser made no request at all"
        foreign = [url for url in self.requests if origin_of(url) != origin_of(self.base)]
        assert not foreign, f"requests to other origins: {foreign}"
