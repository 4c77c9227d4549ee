"""Member tests: the API flow fixtures, plus a stand-in FHIR server."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from service.config import Settings
from tests.support.fhir import FhirServer, fhir_server
from tests.support.flows import mailbox, smtp, with_mail  # noqa: F401  (fixtures)
from tests.support.smtp import SmtpServer

SEED_CLIENT = "PuzaR6b4U1l2wMC3qciU1qUJI2fOxJLw"


@pytest.fixture
async def fhir() -> AsyncIterator[FhirServer]:
    async with fhir_server() as server:
        yield server


@pytest.fixture
def settings(settings: Settings, smtp: SmtpServer, fhir: FhirServer) -> Settings:  # noqa: F811
    return with_mail(
        settings,
        smtp,
        fhir_base_url=fhir.base_url,
        client_redirects=((SEED_CLIENT, "https://docs.example.test/welcome"),),
    )
