"""Mail is enqueued in the caller's transaction, and nothing can inject a header or recipient."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import asyncpg
import pytest

from service.mail import Mailer, message
from tests.mail.conftest import BASE_URL

INJECTIONS = [
    "victim@example.com\r\nBcc: spy@evil.example",
    "victim@example.com\nBcc: spy@evil.example",
    "victim@example.com, spy@evil.example",
    "Victim <victim@example.com>",
    "victim@example.com\x00",
    "victim",
    "victim@localhost",
    "@example.com",
    "a" * 65 + "@example.com",
]
BAD_VALUES = ["Eve\r\nBcc: spy@evil.example", "Eve\nX: y", "Eve\u2028X", "\x1b[31m", "a\rb"]


async def outbox_rows(conn: asyncpg.Connection) -> list[asyncpg.Record]:
    rows: list[asyncpg.Record] = await conn.fetch(
        "SELECT id, message_id, recipient, subject, body_text, body_html, template, status,"
        " attempts FROM mail_outbox ORDER BY id"
    )
    return rows


async def test_a_committed_transaction_leaves_one_pending_row(
    app_conn: asyncpg.Connection, mailer: Mailer
) -> None:
    async with app_conn.transaction():
        outbox_id = await mailer.password_reset(
            app_conn, to="ann@example.com", name="Ann", organization_name="Acme", token="t0k"
        )
    [row] = await outbox_rows(app_conn)
    assert row["id"] == outbox_id
    assert row["message_id"] == f"<{outbox_id.hex}@mail.example.com>"
    assert (row["recipient"], row["template"], row["status"]) == (
        "ann@example.com",
        "password_reset",
        "pending",
    )
    assert row["subject"] == "Reset your password for Acme"
    assert f"{BASE_URL}/auth/reset-password?token=t0k" in row["body_text"]
    assert f'href="{BASE_URL}/auth/reset-password?token=t0k"' in row["body_html"]


async def test_a_rolled_back_transaction_leaves_nothing(
    app_conn: asyncpg.Connection, mailer: Mailer
) -> None:
    with pytest.raises(RuntimeError, match="boom"):
        async with app_conn.transaction():
            await mailer.verify_email(
                app_conn, to="ann@example.com", name="Ann", organization_name="Acme", token="x"
            )
            assert len(await outbox_rows(app_conn)) == 1
            raise RuntimeError("boom")
    assert await outbox_rows(app_conn) == []


async def test_enqueueing_outside_a_transaction_is_refused(
    app_conn: asyncpg.Connection, mailer: Mailer
) -> None:
    with pytest.raises(RuntimeError, match="transaction"):
        await mailer.welcome(app_conn, to="ann@example.com", name="Ann", organization_name="Acme")
    assert await outbox_rows(app_conn) == []


async def test_recipients_that_are_not_one_plain_address_are_refused(
    app_conn: asyncpg.Connection, mailer: Mailer
) -> None:
    async with app_conn.transaction():
        for to in INJECTIONS:
            with pytest.raises(ValueError, match="address"):
                await mailer.password_changed(app_conn, to=to, name="Ann", organization_name="A")
    assert await outbox_rows(app_conn) == []


async def test_display_values_with_line_breaks_or_controls_are_refused(
    app_conn: asyncpg.Connection, mailer: Mailer
) -> None:
    async with app_conn.transaction():
        for bad in BAD_VALUES:
            with pytest.raises(ValueError, match="line breaks"):
                await mailer.added_to_organization(
                    app_conn, to="ann@example.com", name=bad, organization_name="Acme"
                )
            for field in ("organization_name", "inviter_name", "role_name"):
                values = {"organization_name": "Acme", "inviter_name": "Bob", "role_name": "M"}
                with pytest.raises(ValueError, match="line breaks"):
                    await mailer.invitation(
                        app_conn,
                        to="ann@example.com",
                        token="t",
                        expires_days=7,
                        **{**values, field: bad},
                    )
    assert await outbox_rows(app_conn) == []


def test_the_message_builder_itself_refuses_header_injection() -> None:
    good = {
        "sender": "no-reply@example.com",
        "recipient": "ann@example.com",
        "subject": "Hello",
        "text": "t",
        "html": "<p>h</p>",
        "message_id": "<1@example.com>",
        "date": datetime.now(UTC),
    }
    built = message.build(**good)  # type: ignore[arg-type]
    assert built["To"] == "ann@example.com"
    assert built["Bcc"] is None
    for key, bad in [
        ("subject", "Hi\r\nBcc: spy@evil.example"),
        ("recipient", "ann@example.com\r\nBcc: spy@evil.example"),
        ("message_id", "<1@example.com>\r\nBcc: spy@evil.example"),
        ("sender", "no-reply@example.com\nBcc: spy@evil.example"),
    ]:
        with pytest.raises(ValueError, match=r"address|line"):
            message.build(**{**good, key: bad})  # type: ignore[arg-type]


async def test_a_name_that_looks_like_a_header_stays_in_the_body(
    app_conn: asyncpg.Connection, mailer: Mailer
) -> None:
    async with app_conn.transaction():
        await mailer.already_registered(
            app_conn,
            to="ann@example.com",
            name="Ann Bcc: spy@evil.example",
        )
    [row] = await outbox_rows(app_conn)
    assert row["recipient"] == "ann@example.com"
    assert "Hello Ann Bcc: spy@evil.example," in row["body_text"]


async def test_invitation_names_inviter_role_and_expiry(
    app_conn: asyncpg.Connection, mailer: Mailer
) -> None:
    async with app_conn.transaction():
        await mailer.invitation(
            app_conn,
            to="new@example.com",
            organization_name="Acme Care",
            inviter_name="Bob Lee",
            role_name="Care Team User",
            token="inv/1",
            expires_days=1,
        )
        await mailer.set_password(
            app_conn, to="sam@example.com", name="Sam", organization_name="Acme", token="sp"
        )
    invite, setpw = await outbox_rows(app_conn)
    assert invite["subject"] == "Bob Lee invited you to join Acme Care"
    assert "as Care Team User" in invite["body_text"]
    assert "expires in 1 day." in invite["body_text"]
    assert f"{BASE_URL}/auth/invitations/accept?token=inv%2F1" in invite["body_text"]
    assert f"{BASE_URL}/auth/reset-password?token=sp" in setpw["body_text"]
    assert re.fullmatch(r"<[0-9a-f]{32}@mail\.example\.com>", invite["message_id"])
    assert invite["message_id"] != setpw["message_id"]
