"""Development output a person reads: text log lines, a mail in the log as a short block,
and one banner once the port is bound; production keeps JSON lines."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from pathlib import Path

import pytest

from service.config import Settings
from service.logs import JsonFormatter, TextFormatter
from service.mail import LogTransport, message
from tests.operations.instances import environment, running
from tests.support import postgres

LINK = "http://127.0.0.1:8000/auth/verify-email?token=abc123"


def test_development_logs_text_and_production_json() -> None:
    assert Settings.from_env({}).log_format == "text"
    production = {
        "APP_ENV": "sandbox",
        "SMTP_URL": "smtp://mail.example.org",
    }
    assert Settings.from_env(production).log_format == "json"
    assert Settings.from_env({"LOG_FORMAT": "json"}).log_format == "json"


def test_a_text_line_has_time_level_event_and_fields() -> None:
    record = logging.LogRecord("service", logging.INFO, __file__, 1, "http.request", None, None)
    record.fields = {"method": "GET", "target": "/a?token=secret", "note": "two words"}
    line = TextFormatter().format(record)
    time_, level, event, *rest = line.split()
    assert len(time_) == len("12:00:00.000")
    assert (level, event) == ("INFO", "http.request")
    assert "method=GET" in rest
    assert 'note="two words"' in line
    assert "\n" not in line


async def test_a_mail_in_the_log_is_a_short_block(
    caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    caplog.set_level(logging.INFO, "service.mail")
    mail = message.build(
        sender="no-reply@example.com",
        recipient="ann@example.com",
        subject="Confirm your address",
        text=f"Hello,\n\nsome words\n\n{LINK}\n",
        html=f'<a href="{LINK}">x</a>',
        message_id="<1@example.com>",
        date=datetime.now(UTC),
    )
    await LogTransport(reveal=True, folder=tmp_path).send(mail)
    [record] = [r for r in caplog.records if r.getMessage() == "mail.logged"]
    head, *block = TextFormatter().format(record).splitlines()
    assert head.split()[1:] == ["INFO", "mail.logged"]
    assert "    To:      ann@example.com" in block
    assert "    Subject: Confirm your address" in block
    assert f"    Link:    {LINK}" in block
    assert "some words" not in "\n".join(block)
    assert len(block) <= 6
    assert json.loads(JsonFormatter().format(record))["links"] == [LINK]  # JSON unchanged


async def test_serve_prints_one_banner_once_listening(db: postgres.Database) -> None:
    env = environment(db, "smtp://mailer:smtp-secret@127.0.0.1:9", LOG_FORMAT="text")
    async with running("banner", env) as service:
        printed = "\n".join(service.lines)
    assert printed.count("is listening on") == 1
    assert f"is listening on {service.url}" in printed
    assert f"API docs:   {service.url}/schema/swagger" in printed
    assert "Mail:       sent through smtp://mailer:***@127.0.0.1:9" in printed
    assert "smtp-secret" not in printed
    assert "app-test-password" not in printed
    assert not any(line.startswith("{") for line in service.lines)


async def test_production_logs_the_listening_event_as_json(db: postgres.Database) -> None:
    env = environment(db, "smtp://127.0.0.1:9")
    async with running("json", env) as service:
        [event] = service.events("service.listening")
    assert event["url"] == service.url
    assert event["docs"] == f"{service.url}/schema/swagger"
