"""Custom domain tests: the app over HTTP, a real SMTP server, and a real DNS server on
loopback (``zone``) that the service asks for TXT records."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest

from service.config import Settings
from tests.domains.zone import Zone, serving
from tests.support.flows import SmtpServer, mailbox, smtp, with_mail  # noqa: F401  (fixtures)


@pytest.fixture
def dns_server() -> Iterator[tuple[Zone, int]]:
    with serving() as served:
        yield served


@pytest.fixture
def zone(dns_server: tuple[Zone, int]) -> Zone:
    return dns_server[0]


@pytest.fixture
def settings(settings: Settings, smtp: SmtpServer, dns_server: tuple[Zone, int]) -> Settings:  # noqa: F811
    resolvers = (("127.0.0.1", dns_server[1]),)
    return dataclasses.replace(with_mail(settings, smtp), domain_dns_resolvers=resolvers)
