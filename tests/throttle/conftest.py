"""Fixtures of the throttle tests: pools standing for instances, and the app over HTTP behind a
trusted proxy on loopback, so that a test plays any client address with X-Forwarded-For."""

from __future__ import annotations

import dataclasses
import ipaddress
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import httpx
import pytest
from litestar import get
from litestar.datastructures import State

from service.config import Settings
from tests.support import flows, postgres
from tests.support.server import serve
from tests.support.smtp import SmtpServer

smtp = flows.smtp
mailbox = flows.mailbox


@pytest.fixture
async def pool(db: postgres.Database) -> AsyncIterator[asyncpg.Pool]:
    async with asyncpg.create_pool(db.app, min_size=1, max_size=10) as created:
        yield created


@pytest.fixture
async def other_pool(db: postgres.Database) -> AsyncIterator[asyncpg.Pool]:
    async with asyncpg.create_pool(db.app, min_size=1, max_size=10) as created:
        yield created


@pytest.fixture
def settings(settings: Settings, smtp: SmtpServer) -> Settings:
    return flows.with_mail(
        settings, smtp, trusted_proxies=(ipaddress.ip_network("127.0.0.1/32"),), db_pool_max=10
    )


@get("/test/hasher", media_type="application/json", include_in_schema=False)
async def hasher_stats(state: State) -> dict[str, Any]:
    """How much argon2 work the service did: what the tests count attacks in."""
    return dataclasses.asdict(state.hasher.stats)


@pytest.fixture
async def base_url(settings: Settings) -> AsyncIterator[str]:
    async with serve(settings, extra_routes=[hasher_stats]) as url:
        yield url


@pytest.fixture
async def client(base_url: str) -> AsyncIterator[httpx.AsyncClient]:
    limits = httpx.Limits(max_connections=200)
    async with httpx.AsyncClient(base_url=base_url, timeout=30, limits=limits) as http:
        yield http
