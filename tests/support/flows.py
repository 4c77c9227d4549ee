"""Fixtures and helpers of the flow tests: the app over HTTP, with its mail delivered to a real
SMTP server and read the way a person reads it.

A test folder whose tests follow flows takes the fixtures into its conftest::

    from tests.support.flows import mailbox, settings, smtp  # noqa: F401  (fixtures)
"""

from __future__ import annotations

import asyncio
import dataclasses
import re
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from service.config import Settings
from tests.support.smtp import Received, SmtpServer, SmtpSink, smtp_server


@pytest.fixture
async def smtp() -> AsyncIterator[SmtpServer]:
    async with smtp_server(SmtpSink()) as server:
        yield server


def with_mail(settings: Settings, smtp: SmtpServer, **changes: Any) -> Settings:
    """The settings of a flow test: mail to ``smtp``, links on the test's public address, quick
    retries; ``changes`` on top."""
    return dataclasses.replace(
        settings,
        **{
            "smtp_url": smtp.url,
            "public_base_url": "https://auth.example.test",
            "mail_retry_seconds": 0.1,
            **changes,
        },
    )


@pytest.fixture
def settings(settings: Settings, smtp: SmtpServer) -> Settings:
    return with_mail(settings, smtp)


class Mailbox:
    """What the SMTP server received, read the way a person reads mail."""

    def __init__(self, sink: SmtpSink) -> None:
        self.sink = sink

    async def next_to(self, address: str, *, after: int = 0, wait: float = 10.0) -> Received:
        async with asyncio.timeout(wait):
            while True:
                mine = [r for r in self.sink.received if address in r.recipients]
                if len(mine) > after:
                    return mine[after]
                await asyncio.sleep(0.02)

    def to(self, address: str) -> list[Received]:
        return [r for r in self.sink.received if address in r.recipients]


@pytest.fixture
def mailbox(smtp: SmtpServer) -> Mailbox:
    return Mailbox(smtp.sink)


LINK = re.compile(r"https://auth\.example\.test(/[^\s\"<>]+)")


def link_in(mail: Received) -> tuple[str, str]:
    """(path, token) of the one link with a token in the mail's text part."""
    links = [m for m in LINK.findall(mail.text) if "token=" in m]
    assert len(links) == 1, f"expected one link with a token, found {links}"
    parts = urlsplit(links[0])
    return parts.path, parse_qs(parts.query)["token"][0]
