"""Browser flows: the app over real HTTP, its mail received by a real SMTP server, and
Debian's Chromium following the links with JavaScript switched off.

``PUBLIC_BASE_URL`` is set to the address the app is served on (the port is bound before the
settings are made), so the links in mail and the pages' form actions lead to this server
exactly as they are written, with no rewriting.
"""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator, Iterator

import pytest
from playwright.async_api import Browser, async_playwright

from service.config import Settings
from tests.browser.chromium import ARGS, executable
from tests.browser.served import base_of, bound_socket, serve_on
from tests.browser.visit import Visit
from tests.support.flows import mailbox, smtp, with_mail  # noqa: F401  (fixtures)
from tests.support.smtp import SmtpServer


@pytest.fixture
def listening() -> Iterator[socket.socket]:
    sock = bound_socket()
    try:
        yield sock
    finally:
        sock.close()


@pytest.fixture
def settings(settings: Settings, smtp: SmtpServer, listening: socket.socket) -> Settings:  # noqa: F811
    return with_mail(settings, smtp, public_base_url=base_of(listening))


@pytest.fixture
async def base_url(settings: Settings, listening: socket.socket) -> AsyncIterator[str]:
    async with serve_on(listening, settings) as url:
        yield url


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    path = executable()
    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(executable_path=path, args=ARGS)
        try:
            yield chromium
        finally:
            await chromium.close()


@pytest.fixture
async def visit(browser: Browser, base_url: str) -> AsyncIterator[Visit]:
    """A fresh browser context with JavaScript off, recording every request it makes, and a
    second one with JavaScript on used only to measure computed colours."""
    plain = await browser.new_context(java_script_enabled=False, locale="en-GB")
    measuring = await browser.new_context(java_script_enabled=True)
    try:
        yield await Visit.start(plain, measuring, base_url)
    finally:
        await plain.close()
        await measuring.close()
