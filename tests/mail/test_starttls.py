"""SMTP over ``smtp://`` upgrades with STARTTLS when offered, and with ``?starttls=required``
sends neither credentials nor mail to a server that does not offer it."""

from __future__ import annotations

import asyncio
import datetime
import ipaddress
import ssl
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.smtp import SMTP, AuthResult
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from service.mail import SmtpTransport
from service.mail.transports import DeliveryError
from tests.mail.test_log_transport import sample
from tests.support.smtp import SmtpServer, SmtpSink

LOGIN, PASSWORD = "mailer@example.com", "smtp-secret"


@dataclass
class WatchingSink(SmtpSink):
    """Also notes every AUTH attempt and whether each accepted message came over TLS."""

    auth_over_tls: list[bool] = field(default_factory=list)
    data_over_tls: list[bool] = field(default_factory=list)

    def authenticate(
        self, server: Any, session: Any, envelope: Any, mechanism: str, data: Any
    ) -> AuthResult:
        self.auth_over_tls.append(session.ssl is not None)
        return super().authenticate(server, session, envelope, mechanism, data)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.data_over_tls.append(session.ssl is not None)
        return await super().handle_DATA(server, session, envelope)


class StartTlsServer(SmtpServer):
    """The test SMTP server, offering STARTTLS with the given certificate."""

    def __init__(self, sink: SmtpSink, context: ssl.SSLContext) -> None:
        super().__init__(sink)
        self.context = context

    def _protocol(self) -> SMTP:
        return SMTP(
            self.sink,
            hostname="localhost",
            authenticator=self.sink.authenticate,
            auth_require_tls=False,
            tls_context=self.context,
            loop=asyncio.get_running_loop(),
        )


def certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1, and its key."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


@pytest.fixture
def cert(tmp_path: Path) -> tuple[Path, Path]:
    return certificate(tmp_path)


@pytest.fixture
async def tls_smtp(cert: tuple[Path, Path]) -> AsyncIterator[StartTlsServer]:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*cert)
    server = StartTlsServer(WatchingSink(accounts={LOGIN: PASSWORD}), context)
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


@pytest.fixture
async def plain_smtp() -> AsyncIterator[SmtpServer]:
    server = SmtpServer(WatchingSink(accounts={LOGIN: PASSWORD}))
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


def url(port: int, query: str = "") -> str:
    return f"smtp://mailer%40example.com:{PASSWORD}@127.0.0.1:{port}{query}"


async def test_an_offered_starttls_is_used_before_credentials_and_mail(
    tls_smtp: StartTlsServer, cert: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(cert[0]))  # the client trusts this server
    await SmtpTransport(url(tls_smtp.port)).send(sample())
    sink = tls_smtp.sink
    assert isinstance(sink, WatchingSink)
    [mail] = await sink.wait_for(1)
    assert mail.login == LOGIN
    assert (sink.auth_over_tls, sink.data_over_tls) == ([True], [True])


async def test_an_untrusted_certificate_gets_neither_credentials_nor_mail(
    tls_smtp: StartTlsServer,
) -> None:
    with pytest.raises(DeliveryError) as failure:
        await SmtpTransport(url(tls_smtp.port)).send(sample())
    assert not failure.value.permanent
    sink = tls_smtp.sink
    assert isinstance(sink, WatchingSink)
    assert (sink.received, sink.auth_over_tls, sink.data_over_tls) == ([], [], [])


async def test_required_starttls_refuses_a_server_that_does_not_offer_it(
    plain_smtp: SmtpServer,
) -> None:
    transport = SmtpTransport(url(plain_smtp.port, "?starttls=required"))
    assert PASSWORD not in repr(transport)
    with pytest.raises(DeliveryError, match="STARTTLS") as failure:
        await transport.send(sample())
    assert not failure.value.permanent  # a configuration to fix, the message is fine
    sink = plain_smtp.sink
    assert isinstance(sink, WatchingSink)
    assert (sink.received, sink.auth_over_tls) == ([], [])
    # Without the requirement the same server still gets mail (opportunistic, plain here).
    await SmtpTransport(url(plain_smtp.port)).send(sample())
    assert (len(await sink.wait_for(1)), sink.auth_over_tls) == (1, [False])
