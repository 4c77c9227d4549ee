"""Two service processes on one database, sharing one real SMTP server, for a whole module."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from dataclasses import dataclass

import asyncpg
import pytest

from tests.operations.instances import Instance, environment, running
from tests.support import postgres
from tests.support.flows import Mailbox
from tests.support.smtp import SmtpServer, SmtpSink, smtp_server


@dataclass(frozen=True)
class Deployment:
    a: Instance
    b: Instance
    db: postgres.Database
    env: dict[str, str]
    smtp: SmtpServer

    @property
    def mailbox(self) -> Mailbox:
        return Mailbox(self.smtp.sink)


@pytest.fixture(scope="module")
async def deployment(pg_admin: str, template: postgres.Database) -> AsyncIterator[Deployment]:
    """Instances A and B, started together (so they also migrate and load keys together)."""
    database = await postgres.clone(pg_admin)
    try:
        async with smtp_server(SmtpSink()) as smtp, AsyncExitStack() as stack:
            env = environment(database, smtp.url)
            started = await asyncio.gather(
                stack.enter_async_context(running("A", env)),
                stack.enter_async_context(running("B", env)),
                return_exceptions=True,
            )
            for outcome in started:
                if isinstance(outcome, BaseException):
                    raise outcome
            a, b = started
            assert isinstance(a, Instance)
            assert isinstance(b, Instance)
            yield Deployment(a, b, database, env, smtp)
    finally:
        await postgres.drop(pg_admin, database.name)


@pytest.fixture
async def superuser(deployment: Deployment) -> AsyncIterator[asyncpg.Connection]:
    """A superuser connection to the deployment's database, for arranging and asserting."""
    conn = await asyncpg.connect(deployment.db.admin)
    try:
        yield conn
    finally:
        await conn.close()
