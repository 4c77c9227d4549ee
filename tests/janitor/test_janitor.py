"""The janitor removes expired registrations, old links, old mail and lapsed counters, and
nothing else: run once from the command line, and periodically inside the service."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import os
import secrets
import subprocess
import sys
from uuid import UUID

import asyncpg
import httpx

from service.config import Settings
from service.ids import uuid7
from tests.support import postgres
from tests.support.accounts import registration
from tests.support.flows import Mailbox
from tests.support.server import serve
from tests.throttle.support import staff

DAY = "interval '1 day'"


async def _link(conn: asyncpg.Connection, user_id: UUID, expires: str, used: str | None) -> UUID:
    link_id = uuid7()
    await conn.execute(
        "INSERT INTO one_time_tokens (id, user_id, purpose, token_hash, email, expires_at, used_at)"
        f" VALUES ($1, $2, 'password_reset', $3, 'k@clinic.example', {expires}, {used or 'NULL'})",
        link_id,
        user_id,
        secrets.token_bytes(32),
    )
    return link_id


async def _mail(conn: asyncpg.Connection, status: str, age: str) -> UUID:
    mail_id = uuid7()
    body = "'text'" if status == "pending" else "NULL"
    sent = f"now() - {age}" if status == "sent" else "NULL"
    await conn.execute(
        "INSERT INTO mail_outbox (id, message_id, recipient, subject, body_text, body_html,"
        " template, status, created_at, sent_at, next_attempt_at) VALUES ($1, $2,"
        f" 'k@clinic.example', 's', {body}, {body}, 'password_reset', '{status}',"
        f" now() - {age}, {sent}, now() + interval '1 day')",
        mail_id,
        f"<{mail_id}@example.test>",
    )
    return mail_id


async def _ids(conn: asyncpg.Connection, table: str) -> set[UUID]:
    return {row["id"] for row in await conn.fetch(f"SELECT id FROM {table}")}


async def test_one_sweep_removes_what_has_expired_and_nothing_else(
    client: httpx.AsyncClient,
    mailbox: Mailbox,
    db: postgres.Database,
    app_conn: asyncpg.Connection,
    admin_conn: asyncpg.Connection,
) -> None:
    await staff(app_conn, admin_conn, ["kept@clinic.example"])
    kept_user = await admin_conn.fetchval(
        "SELECT id FROM users WHERE email = 'kept@clinic.example'"
    )
    for email in ("stale@clinic.example", "fresh@clinic.example"):
        assert (await client.post("/auth/register", json=registration(email))).status_code == 202
        await mailbox.next_to(email)
    await admin_conn.execute(
        "UPDATE one_time_tokens SET expires_at = now() - 2 * interval '1 day'"
        " WHERE email = 'stale@clinic.example'"
    )
    gone_links = {
        await _link(admin_conn, kept_user, f"now() - 8 * {DAY}", None),
        await _link(admin_conn, kept_user, f"now() + {DAY}", f"now() - 8 * {DAY}"),
    }
    kept_links = {
        await _link(admin_conn, kept_user, f"now() - 2 * {DAY}", None),
        await _link(admin_conn, kept_user, f"now() + {DAY}", None),
    }
    gone_mail = {
        await _mail(admin_conn, "sent", f"8 * {DAY}"),
        await _mail(admin_conn, "dead", f"8 * {DAY}"),
    }
    kept_mail = {
        await _mail(admin_conn, "sent", f"6 * {DAY}"),
        await _mail(admin_conn, "pending", f"8 * {DAY}"),
    }
    await admin_conn.execute(
        "INSERT INTO throttle_counters (key, failures, max_failures, window_ends_at) VALUES"
        " ('login:ip:192.0.2.1', 3, 10, now() - interval '1 second'),"
        " ('login:ip:192.0.2.2', 3, 10, now() + interval '1 minute'),"
        " ('login:known:192.0.2.3:kept@clinic.example', 0, 1, now() + 30 * interval '1 day')"
    )
    await admin_conn.execute(
        "INSERT INTO client_assertions (client_id, jti, expires_at) VALUES"
        " ('c', 'old', now() - interval '1 minute'), ('c', 'live', now() + interval '1 hour')"
    )
    await _codes(admin_conn, kept_user)
    org = await admin_conn.fetchval("SELECT organization_id FROM memberships LIMIT 1")
    for hours in (-25, -23):  # a second step a day past its expiry, and one not yet a day
        await admin_conn.execute(
            "INSERT INTO mfa_challenges (token_hash, user_id, organization_id, sessions_epoch,"
            " purpose, auth_time, expires_at)"
            " VALUES (sha256(gen_random_uuid()::text::bytea), $1, $2, 0, 'grant', now(),"
            " now() + make_interval(hours => $3))",
            kept_user,
            org,
            hours,
        )
    await admin_conn.execute(
        "INSERT INTO passkey_challenges_used (challenge_hash, expires_at) VALUES"
        " (sha256(gen_random_uuid()::text::bytea), now() - interval '1 minute'),"
        " (sha256(gen_random_uuid()::text::bytea), now() + interval '1 minute')"
    )
    links_before = await _ids(admin_conn, "one_time_tokens")
    mail_before = await _ids(admin_conn, "mail_outbox")

    swept = await asyncio.to_thread(_janitor_command, db)

    assert swept == {
        "registrations": 1,
        "links": 2,
        "mail": 2,
        "counters": 1,
        "codes": 1,
        "assertions": 1,
        "domains": 0,
        "challenges": 2,
    }
    assert await admin_conn.fetchval("SELECT count(*) FROM mfa_challenges") == 1
    assert await admin_conn.fetchval("SELECT count(*) FROM passkey_challenges_used") == 1
    left = await admin_conn.fetch("SELECT jti FROM client_assertions")
    assert [row["jti"] for row in left] == ["live"]
    assert await admin_conn.fetchval("SELECT count(*) FROM authorization_codes") == 1
    emails = {row["email"] for row in await admin_conn.fetch("SELECT email FROM users")}
    assert emails == {"kept@clinic.example", "fresh@clinic.example"}
    assert await admin_conn.fetchval("SELECT count(*) FROM organizations") == 2
    assert await admin_conn.fetchval("SELECT reason FROM registration_discards") == "expired"
    links = await _ids(admin_conn, "one_time_tokens")
    assert kept_links <= links
    assert not gone_links & links
    # Besides those, only the discarded registrant's own link went (with the account).
    assert len(links_before - links - gone_links) == 1
    assert await _ids(admin_conn, "mail_outbox") == mail_before - gone_mail
    assert kept_mail <= mail_before - gone_mail
    counters = {row["key"] for row in await admin_conn.fetch("SELECT key FROM throttle_counters")}
    assert "login:ip:192.0.2.1" not in counters
    assert {"login:ip:192.0.2.2", "login:known:192.0.2.3:kept@clinic.example"} <= counters
    assert {"register:ip:127.0.0.1", "mail:to:fresh@clinic.example"} <= counters  # still open


async def _codes(admin_conn: asyncpg.Connection, user_id: object) -> None:
    """Two codes of one app client: one expired two days ago (swept), one an hour ago (kept
    a day longer)."""
    org = await admin_conn.fetchval("SELECT organization_id FROM memberships LIMIT 1")
    role = await admin_conn.fetchval(
        "SELECT id FROM roles WHERE organization_id = $1 AND code = 'member'", org
    )
    client = await admin_conn.fetchval(
        "INSERT INTO app_clients (id, organization_id, client_id, name, type, role_id,"
        " token_endpoint_auth_method) VALUES (gen_random_uuid(), $1, 'janitorclient0000000',"
        " 'J', 'single_page_application', $2, 'none') RETURNING id",
        org,
        role,
    )
    for age in ("2 days", "1 hour"):
        await admin_conn.execute(
            "INSERT INTO authorization_codes (code_hash, organization_id, app_client_id,"
            " user_id, redirect_uri, code_challenge, auth_time, expires_at)"
            " VALUES (sha256(random()::text::bytea), $1, $2, $3, 'https://a.example/cb',"
            " repeat('a', 43), now(), now() - $4::text::interval)",
            org,
            client,
            user_id,
            age,
        )


def _janitor_command(db: postgres.Database) -> dict[str, int]:
    env = {**os.environ, "DATABASE_URL": db.app, "MIGRATION_DATABASE_URL": db.owner}
    done = subprocess.run(
        [sys.executable, "-m", "service", "janitor"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    result: dict[str, int] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


async def test_the_service_sweeps_on_its_own(
    settings: Settings, admin_conn: asyncpg.Connection
) -> None:
    await admin_conn.execute(
        "INSERT INTO throttle_counters (key, failures, max_failures, window_ends_at)"
        " VALUES ('verify:ip:192.0.2.9', 1, 20, now() - interval '1 second')"
    )
    await _mail(admin_conn, "sent", f"30 * {DAY}")
    async with serve(dataclasses.replace(settings, janitor_interval_seconds=0.2)):
        async with asyncio.timeout(10):
            while await admin_conn.fetchval(
                "SELECT (SELECT count(*) FROM throttle_counters)"
                " + (SELECT count(*) FROM mail_outbox)"
            ):
                await asyncio.sleep(0.05)
