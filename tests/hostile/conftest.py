"""Fixtures of the hostile-input tests.

The flow fixtures of ``tests.api`` (a real SMTP server, the mailbox, the app over HTTP) for the
flow tests; for the fuzz runs, a database and a service of their own per module, served from a
thread of their own so that synchronous fuzzers can drive it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Iterator

import pytest

from service.config import Settings
from tests.support import postgres
from tests.support.flows import mailbox, settings, smtp  # noqa: F401  (fixtures)
from tests.support.hostile_server import ServiceThread, service_thread


@pytest.fixture(scope="module")
async def fuzz_db(pg_admin: str, template: postgres.Database) -> AsyncIterator[postgres.Database]:
    database = await postgres.clone(pg_admin)
    try:
        yield database
    finally:
        await postgres.drop(pg_admin, database.name)


@pytest.fixture(scope="module")
def fuzz_settings(fuzz_db: postgres.Database) -> Settings:
    return dataclasses.replace(
        Settings(),
        database_url=fuzz_db.app,
        migration_database_url=fuzz_db.owner,
        public_base_url="https://auth.example.test",
        db_pool_min=1,
        db_pool_max=4,
        argon2_memory_kib=256,
        argon2_time_cost=1,
        mail_retry_seconds=0.1,
    )


@pytest.fixture(scope="module")
def fuzz_service(fuzz_settings: Settings) -> Iterator[ServiceThread]:
    with service_thread(fuzz_settings) as service:
        yield service
