"""Fixtures for the fast fault tests: the SMTP sink (tests/support/smtp.py), superuser queries,
and a private PostgreSQL for the faults a shared server cannot take."""

from __future__ import annotations

import asyncio
import dataclasses
import shutil
from collections.abc import AsyncIterator

import pytest

from faults.harness import private_folder
from faults.postgres import Admin, PrivatePostgres
from service.config import Settings
from tests.support import postgres
from tests.support.flows import smtp  # noqa: F401  (fixture)
from tests.support.smtp import SmtpServer


@pytest.fixture
def settings(settings: Settings, smtp: SmtpServer) -> Settings:  # noqa: F811
    return dataclasses.replace(
        settings,
        smtp_url=smtp.url,
        mail_retry_seconds=0.1,
        db_acquire_timeout=2.0,
        mail_requests_per_address_per_hour=100_000,  # the load comes from one address
    )


@pytest.fixture
def admin(db: postgres.Database) -> Admin:
    return Admin(db.admin)


@pytest.fixture(scope="module")
async def private_pg() -> AsyncIterator[PrivatePostgres]:
    """A PostgreSQL of this module's own, to restart and to freeze."""
    folder = private_folder()
    pg = await PrivatePostgres.start(folder)
    try:
        yield pg
    finally:
        await asyncio.to_thread(pg.stop)
        shutil.rmtree(folder, ignore_errors=True)
