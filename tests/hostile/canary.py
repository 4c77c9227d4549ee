"""Canary secrets: recognisable values sent to and issued by the service, and the places they
must never show up (log lines, error bodies)."""

from __future__ import annotations

import logging
import secrets
from typing import Any

import httpx

from service.logs import JsonFormatter

# Loggers of the test's own parts, not of the service: the test's HTTP client logs the URLs it
# fetches (link tokens included) and the test's SMTP server may log the mail it receives.
HARNESS_LOGGERS = ("httpx", "httpcore", "mail.log", "aiosmtpd")
SLICE = 16  # a leak of part of a secret counts too


def canary(kind: str) -> str:
    return f"canary-{kind}-{secrets.token_hex(8)}"


class Watch:
    """The secrets of one run and every error body the service sent during it."""

    def __init__(self) -> None:
        self.secrets: set[str] = set()
        self.error_bodies: list[str] = []

    def secret(self, value: str) -> str:
        self.secrets.add(value)
        return value

    def tokens(self, body: dict[str, Any]) -> dict[str, Any]:
        self.secret(body["access_token"])
        self.secret(body["refresh_token"])
        return body

    async def on_response(self, response: httpx.Response) -> None:
        if response.status_code >= 400:
            await response.aread()
            self.error_bodies.append(response.text)

    def needles(self) -> dict[str, str]:
        """What to look for: each secret whole, and a slice from its random part."""
        found = {}
        for value in self.secrets:
            found[value] = value
            tail = value[-SLICE:]
            if len(value) > SLICE * 2:
                found[tail] = value
        return found

    def leaks(self, haystacks: list[str]) -> list[tuple[str, str]]:
        needles = self.needles()
        return [
            (secret, text[:300])
            for text in haystacks
            for needle, secret in needles.items()
            if needle in text
        ]


def log_lines(records: list[logging.LogRecord]) -> list[str]:
    """The service's log records as the service writes them: one JSON line each."""
    formatter = JsonFormatter()
    return [
        formatter.format(record)
        for record in records
        if not record.name.startswith(HARNESS_LOGGERS)
    ]


def everything_at_debug(caplog: Any) -> None:
    """DEBUG for the root logger and every logger that exists by now."""
    caplog.set_level(logging.DEBUG)
    for name in list(logging.root.manager.loggerDict):
        caplog.set_level(logging.DEBUG, logger=name)
