"""Flows that must not tell a known address from an unknown one by their timing run the same
statements on both paths (the path that changes nothing rolls its work back)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import asyncpg

from service.config import Settings
from service.db.tx import begin_with_tenant
from service.mail import Mailer
from service.recovery import service as recovery
from service.registration import service as registration
from service.registration.schemas import RegistrationAttributes

KNOWN = "known@equal.example.org"


def _form(email: str) -> registration.Registration:
    attrs = RegistrationAttributes(
        email=email,
        password="an equal-work passphrase",
        first_name="Equal",
        last_name="Work",
        organization_name="Equal Clinic",
    )
    return registration.validate(attrs, prefix="", min_length=12)


async def _sent(conn: asyncpg.Connection, flow: Callable[[], Awaitable[None]]) -> list[str]:
    """The statements ``flow`` sends, in order, in an anonymous unit of work."""
    sent: list[str] = []

    def seen(record: asyncpg.connection.LoggedQuery) -> None:
        # Keeping or undoing the work is the one statement that differs, by design.
        kept_or_undone = record.query in (
            "RELEASE SAVEPOINT kept_if",
            "ROLLBACK TO SAVEPOINT kept_if",
        )
        sent.append("end of kept_if" if kept_or_undone else record.query)

    await conn.execute(begin_with_tenant(None, None, anonymous=True))
    conn.add_query_logger(seen)
    try:
        await flow()
    finally:
        conn.remove_query_logger(seen)
    await conn.execute("COMMIT")
    return sent


async def _register(conn: asyncpg.Connection, settings: Settings, email: str) -> list[str]:
    """The statements one registration sends, in order."""
    form, mailer = _form(email), Mailer(settings)
    return await _sent(
        conn,
        lambda: registration.register(conn, form, password_hash="$argon2id$unused", mailer=mailer),
    )


async def test_a_known_address_costs_the_same_statements_as_a_new_one(
    app_conn: asyncpg.Connection, admin_conn: asyncpg.Connection, settings: Settings
) -> None:
    await _register(app_conn, settings, KNOWN)
    await admin_conn.execute("UPDATE users SET email_verified_at = now() WHERE email = $1", KNOWN)
    organizations = await admin_conn.fetchval("SELECT count(*) FROM organizations")
    known = await _register(app_conn, settings, KNOWN)
    assert await admin_conn.fetchval("SELECT count(*) FROM organizations") == organizations
    new = await _register(app_conn, settings, "new@equal.example.org")
    assert await admin_conn.fetchval("SELECT count(*) FROM organizations") == organizations + 1
    assert len(known) > 5
    assert known == new
    templates = await admin_conn.fetch("SELECT template FROM mail_outbox ORDER BY created_at")
    assert [t["template"] for t in templates] == [
        "verify_email",
        "already_registered",
        "verify_email",
    ]


async def test_a_reset_for_an_unknown_address_costs_what_a_real_one_costs(
    app_conn: asyncpg.Connection, admin_conn: asyncpg.Connection, settings: Settings
) -> None:
    await _register(app_conn, settings, KNOWN)
    await admin_conn.execute(
        "UPDATE users u SET email_verified_at = now(), last_organization_id = m.organization_id "
        "FROM memberships m WHERE m.user_id = u.id AND u.email = $1",
        KNOWN,
    )
    mailer = Mailer(settings)
    links = "SELECT count(*) FROM one_time_tokens WHERE purpose = 'password_reset'"
    known = await _sent(app_conn, lambda: recovery.request_reset(app_conn, KNOWN, mailer=mailer))
    unknown = await _sent(
        app_conn,
        lambda: recovery.request_reset(app_conn, "nobody@equal.example.org", mailer=mailer),
    )
    assert len(known) == len(unknown) > 4
    assert await admin_conn.fetchval(links) == 1
    assert await admin_conn.fetchval("SELECT count(*) FROM users") == 1


async def test_a_resend_for_an_unknown_address_costs_what_a_real_one_costs(
    app_conn: asyncpg.Connection, admin_conn: asyncpg.Connection, settings: Settings
) -> None:
    await _register(app_conn, settings, KNOWN)
    mailer = Mailer(settings)
    pending = await _sent(app_conn, lambda: registration.resend(app_conn, KNOWN, mailer=mailer))
    unknown = await _sent(
        app_conn, lambda: registration.resend(app_conn, "nobody@equal.example.org", mailer=mailer)
    )
    # The stand-in account's own insert is the one statement the unknown path adds.
    stand_in = [q for q in unknown if q.startswith("INSERT INTO users")]
    assert len(stand_in) == 1
    assert pending == [q for q in unknown if q not in stand_in]
    live = "SELECT count(*) FROM one_time_tokens WHERE used_at IS NULL"
    assert await admin_conn.fetchval(live) == 1
    assert await admin_conn.fetchval("SELECT count(*) FROM users") == 1
