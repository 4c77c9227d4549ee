"""Mail in the outbox reaches a real SMTP server: once, whole, retried or dead-lettered."""

from __future__ import annotations

import asyncpg

from service.mail import Mailer
from tests.mail.conftest import BASE_URL, SENDER, WorkerFactory, statuses, wait_until
from tests.support.smtp import SmtpServer


async def test_committed_mail_is_delivered_with_both_parts_and_its_message_id(
    app_conn: asyncpg.Connection, mailer: Mailer, smtp: SmtpServer, start_worker: WorkerFactory
) -> None:
    await start_worker()
    async with app_conn.transaction():
        outbox_id = await mailer.verify_email(
            app_conn, to="ann@example.com", name="Ann", organization_name="Acme Care", token="v1"
        )
    [mail] = await smtp.sink.wait_for(1)
    assert mail.recipients == ["ann@example.com"]
    assert mail.mail_from == SENDER
    assert mail.message_id == f"<{outbox_id.hex}@mail.example.com>"
    assert mail.message["Subject"] == "Confirm your e-mail address for Acme Care"
    assert mail.message["Auto-Submitted"] == "auto-generated"
    link = f"{BASE_URL}/auth/verify-email?token=v1"
    assert "Acme Care" in mail.text
    assert link in mail.text
    assert "Acme Care" in mail.html
    assert f'href="{link}"' in mail.html


async def test_bodies_are_cleared_once_the_mail_is_sent(
    app_conn: asyncpg.Connection, mailer: Mailer, smtp: SmtpServer, start_worker: WorkerFactory
) -> None:
    await start_worker()
    async with app_conn.transaction():
        await mailer.password_reset(
            app_conn, to="ann@example.com", name="Ann", organization_name="Acme", token="r"
        )

    async def sent() -> bool:
        return await statuses(app_conn) == {"sent": 1}

    await wait_until(sent)
    row = await app_conn.fetchrow(
        "SELECT body_text, body_html, subject, recipient, template, attempts, sent_at,"
        " locked_until, last_error FROM mail_outbox"
    )
    assert (row["body_text"], row["body_html"]) == (None, None)
    assert (row["subject"], row["recipient"], row["template"]) == (
        "Reset your password for Acme",
        "ann@example.com",
        "password_reset",
    )
    assert row["attempts"] == 1
    assert row["sent_at"] is not None
    assert row["locked_until"] is None
    assert row["last_error"] is None


async def test_rolled_back_mail_is_never_sent(
    app_conn: asyncpg.Connection, mailer: Mailer, smtp: SmtpServer, start_worker: WorkerFactory
) -> None:
    await start_worker()
    try:
        async with app_conn.transaction():
            await mailer.verify_email(
                app_conn, to="gone@example.com", name="G", organization_name="Acme", token="g"
            )
            raise LookupError("the change failed")
    except LookupError:
        pass
    async with app_conn.transaction():
        await mailer.verify_email(
            app_conn, to="kept@example.com", name="K", organization_name="Acme", token="k"
        )
    # The worker is running and delivers the later mail; the rolled-back one never existed.
    await smtp.sink.wait_for(1)
    await wait_until(lambda: _status_is(app_conn, "sent"))
    assert [m.recipients for m in smtp.sink.received] == [["kept@example.com"]]


async def test_html_part_of_a_delivered_mail_escapes_a_script_in_a_name(
    app_conn: asyncpg.Connection, mailer: Mailer, smtp: SmtpServer, start_worker: WorkerFactory
) -> None:
    await start_worker()
    async with app_conn.transaction():
        await mailer.added_to_organization(
            app_conn,
            to="ann@example.com",
            name="<script>alert(1)</script>",
            organization_name='Acme "<b>Care</b>"',
        )
    [mail] = await smtp.sink.wait_for(1)
    assert "<script" not in mail.html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in mail.html
    assert "Acme &quot;&lt;b&gt;Care&lt;/b&gt;&quot;" in mail.html
    assert "Hello <script>alert(1)</script>," in mail.text


async def test_a_temporary_failure_is_retried_with_the_same_message_id(
    app_conn: asyncpg.Connection, mailer: Mailer, smtp: SmtpServer, start_worker: WorkerFactory
) -> None:
    smtp.sink.temporary_failures = 2
    await start_worker()
    async with app_conn.transaction():
        outbox_id = await mailer.password_changed(
            app_conn, to="ann@example.com", name="Ann", organization_name="Acme"
        )
    [mail] = await smtp.sink.wait_for(1)
    assert mail.message_id == f"<{outbox_id.hex}@mail.example.com>"
    assert smtp.sink.data_commands == 3
    await wait_until(lambda: _status_is(app_conn, "sent"))
    assert await app_conn.fetchval("SELECT attempts FROM mail_outbox") == 3


async def test_a_permanent_failure_is_dead_lettered_and_the_queue_moves_on(
    app_conn: asyncpg.Connection, mailer: Mailer, smtp: SmtpServer, start_worker: WorkerFactory
) -> None:
    smtp.sink.reject.add("nobody@example.com")
    async with app_conn.transaction():
        for to in ("nobody@example.com", "ann@example.com"):
            await mailer.welcome(app_conn, to=to, name="N", organization_name="Acme")
    await start_worker(batch_size=1)  # one at a time: the good mail waits behind the bad one
    [mail] = await smtp.sink.wait_for(1)
    assert mail.recipients == ["ann@example.com"]
    await wait_until(lambda: _status_counts(app_conn, {"sent": 1, "dead": 1}))
    dead = await app_conn.fetchrow(
        "SELECT attempts, last_error, body_text, body_html FROM mail_outbox WHERE status = 'dead'"
    )
    assert dead["attempts"] == 1
    assert dead["last_error"].startswith("550")
    assert (dead["body_text"], dead["body_html"]) == (None, None)


async def test_a_stalled_server_times_out_and_the_mail_is_retried(
    app_conn: asyncpg.Connection, mailer: Mailer, smtp: SmtpServer, start_worker: WorkerFactory
) -> None:
    from service.mail import SmtpTransport

    smtp.sink.slow_datas, smtp.sink.data_delay = 1, 1.5
    await start_worker(transport=SmtpTransport(smtp.url, timeout=0.3))
    async with app_conn.transaction():
        await mailer.welcome(app_conn, to="ann@example.com", name="A", organization_name="Acme")
    took = await wait_until(lambda: _status_is(app_conn, "sent"))
    assert took < 1.5, "the worker waited for the stalled server instead of timing out"
    assert len(smtp.sink.received) == 1
    assert await app_conn.fetchval("SELECT attempts FROM mail_outbox") == 2


async def test_mail_is_dead_after_the_last_attempt(
    app_conn: asyncpg.Connection, mailer: Mailer, smtp: SmtpServer, start_worker: WorkerFactory
) -> None:
    smtp.sink.temporary_failures = 100
    await start_worker(max_attempts=3)
    async with app_conn.transaction():
        await mailer.welcome(app_conn, to="ann@example.com", name="A", organization_name="Acme")
    await wait_until(lambda: _status_is(app_conn, "dead"))
    row = await app_conn.fetchrow("SELECT attempts, last_error FROM mail_outbox")
    assert row["attempts"] == 3
    assert row["last_error"].startswith("451")
    assert smtp.sink.data_commands == 3
    assert smtp.sink.received == []


async def _status_is(conn: asyncpg.Connection, status: str) -> bool:
    return await statuses(conn) == {status: 1}


async def _status_counts(conn: asyncpg.Connection, expected: dict[str, int]) -> bool:
    return await statuses(conn) == expected
