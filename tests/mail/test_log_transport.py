"""Without SMTP_URL, mail goes to the log: links readable in development, nothing elsewhere."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

import asyncpg
import pytest

from service.config import Settings
from service.logs import JsonFormatter
from service.mail import LogTransport, Mailer, SmtpTransport, message, transport_from_settings
from service.mail.transports import DeliveryError
from tests.mail.conftest import BASE_URL, WorkerFactory, statuses, wait_until
from tests.support.smtp import SmtpServer

LINK = f"{BASE_URL}/auth/verify-email?token=abc123"


def sample() -> EmailMessage:
    return message.build(
        sender="no-reply@example.com",
        recipient="ann@example.com",
        subject="Confirm",
        text=f"Hello,\n\n{LINK}\n",
        html=f'<a href="{LINK}">x</a>',
        message_id="<1@example.com>",
        date=datetime.now(UTC),
    )


def formatted(caplog: pytest.LogCaptureFixture, event: str) -> dict[str, object]:
    [record] = [r for r in caplog.records if r.getMessage() == event]
    line: dict[str, object] = json.loads(JsonFormatter().format(record))
    return line


async def test_in_development_the_log_shows_the_clickable_link(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, "service.mail")
    await LogTransport(reveal=True).send(sample())
    line = formatted(caplog, "mail.logged")
    assert line["links"] == [LINK]
    assert LINK in str(line["text"])
    assert line["to"] == "ann@example.com"
    assert line["subject"] == "Confirm"
    assert "not sent" in str(line["notice"])


async def test_elsewhere_the_log_holds_no_body_and_no_link(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, "service.mail")
    await LogTransport(reveal=False).send(sample())
    line = formatted(caplog, "mail.not_delivered")
    assert "abc123" not in json.dumps(line)
    assert "ann@example.com" not in json.dumps(line)
    assert line["messageId"] == "<1@example.com>"


def test_the_transport_follows_the_settings() -> None:
    smtp = transport_from_settings(Settings(smtp_url="smtps://u%40x:p%3Aw@mail.example.com"))
    assert isinstance(smtp, SmtpTransport)
    assert (smtp.hostname, smtp.port, smtp.use_tls) == ("mail.example.com", 465, True)
    assert smtp._username == "u@x"
    assert smtp._password == "p:w"
    assert "p:w" not in repr(smtp)
    assert "p%3Aw" not in repr(smtp)
    plain = SmtpTransport("smtp://127.0.0.1", timeout=5)
    assert (plain.port, plain.use_tls, plain.timeout) == (25, False, 5)
    dev = transport_from_settings(Settings(app_env="development"))
    prod = transport_from_settings(Settings(app_env="production"))
    assert isinstance(dev, LogTransport)
    assert dev.reveal
    assert isinstance(prod, LogTransport)
    assert not prod.reveal


async def test_worker_events_carry_no_link_and_no_body(
    app_conn: asyncpg.Connection,
    mail_settings: Settings,
    start_worker: WorkerFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, "service.mail")
    await start_worker(transport=LogTransport(reveal=True))
    async with app_conn.transaction():
        await Mailer(mail_settings).verify_email(
            app_conn, to="ann@example.com", name="Ann", organization_name="Acme", token="abc123"
        )

    async def sent() -> bool:
        return await statuses(app_conn) == {"sent": 1}

    await wait_until(sent)
    assert formatted(caplog, "mail.logged")["links"] == [LINK]
    worker_line = json.dumps(formatted(caplog, "mail.sent"))
    assert "abc123" not in worker_line
    assert "Hello" not in worker_line
    assert json.loads(worker_line)["template"] == "verify_email"


async def test_credentials_in_smtp_url_are_used(smtp: SmtpServer) -> None:
    smtp.sink.accounts["mailer@example.com"] = "s3cret:/@"
    url = f"smtp://mailer%40example.com:s3cret%3A%2F%40@127.0.0.1:{smtp.port}"
    await SmtpTransport(url).send(sample())
    [mail] = await smtp.sink.wait_for(1)
    assert mail.login == "mailer@example.com"
    smtp.sink.accounts["mailer@example.com"] = "changed"
    with pytest.raises(DeliveryError, match="535") as failure:
        await SmtpTransport(url).send(sample())
    assert not failure.value.permanent  # bad credentials are configuration, not the message


async def test_in_development_each_mail_is_also_kept_as_a_file(tmp_path: Path) -> None:
    """The walkthrough in the README picks the newest link for an address from these files."""
    transport = transport_from_settings(
        Settings(app_env="development", data_dir=tmp_path, host="127.0.0.1")
    )
    assert isinstance(transport, LogTransport)
    mail = EmailMessage()
    mail["To"] = "ann@example.com"
    mail["Subject"] = "Verify your address"
    mail["Message-ID"] = "<2@example.com>"
    mail.set_content("Open https://auth.example.test/auth/verify-email?token=abc123 to verify.")
    await transport.send(mail)
    kept = list((tmp_path / "mail").iterdir())
    assert len(kept) == 1
    assert kept[0].name.endswith("-ann@example.com.txt")
    assert "verify-email?token=abc123" in kept[0].read_text(encoding="utf-8")
    nowhere = transport_from_settings(Settings(app_env="production", data_dir=tmp_path / "p"))
    await nowhere.send(mail)
    assert not (tmp_path / "p").exists()
