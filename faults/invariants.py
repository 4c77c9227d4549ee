"""The invariants every fault is checked against, each returning a list of violations (text).

- HTTP: no 500 and no hang: a request either answers as it should or fails with 503 and
  ``Retry-After``, within ``hang_after`` seconds.
- Registrations: whole or absent (user, organization, owner membership, verification token,
  outbox row); every 202 whole.
- Mail: every outbox row of a 202 is accepted by the SMTP server at least once; a Message-ID
  accepted twice is a duplicate, allowed only where the scenario says so.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Iterable
from typing import Any, Protocol

import asyncpg
import httpx

from faults.load import EXPECTED, Call
from tests.support.smtp import SmtpSink


class Database(Protocol):
    """Superuser queries (row-level security does not hide rows from them)."""

    async def fetch(self, sql: str, *args: Any) -> list[asyncpg.Record]: ...


REGISTRATION_PARTS = """
SELECT a.email,
       u.id IS NOT NULL AS has_user,
       (SELECT count(*) FROM memberships m JOIN roles r ON r.id = m.role_id
         WHERE m.user_id = u.id AND r.code = 'owner' AND m.active) AS owners,
       (SELECT count(*) FROM organizations o JOIN memberships m ON m.organization_id = o.id
         WHERE m.user_id = u.id) AS organizations,
       (SELECT count(*) FROM one_time_tokens t
         WHERE t.user_id = u.id AND t.purpose = 'verify_email') AS tokens,
       (SELECT count(*) FROM mail_outbox x
         WHERE x.recipient = a.email AND x.template = 'verify_email') AS mails
FROM unnest($1::text[]) AS a(email)
LEFT JOIN users u ON u.email = a.email
"""

ORPHANS = """
SELECT
  (SELECT count(*) FROM organizations o
    WHERE NOT EXISTS (SELECT 1 FROM memberships m WHERE m.organization_id = o.id)) AS orgs,
  (SELECT count(*) FROM mail_outbox x WHERE x.template = 'verify_email'
    AND NOT EXISTS (SELECT 1 FROM users u WHERE u.email = x.recipient)) AS mails,
  (SELECT count(*) FROM one_time_tokens t
    WHERE NOT EXISTS (SELECT 1 FROM users u WHERE u.id = t.user_id)) AS tokens
"""


def http_violations(
    calls: Iterable[Call], *, hang_after: float, allow_no_answer: bool = False
) -> list[str]:
    """No 500, no hang, every 503 with Retry-After, no other unexpected answer."""
    found: Counter[str] = Counter()
    for call in calls:
        if call.error == "hang" or call.seconds > hang_after:
            found[f"{call.op}: no answer within {hang_after:g} s"] += 1
        elif call.status == 0:
            if not allow_no_answer:
                found[f"{call.op}: connection failed ({(call.error or '')[:60]})"] += 1
        elif call.status >= 500 and call.status != 503:
            found[f"{call.op}: {call.status}"] += 1
        elif call.status == 503 and not call.retry_after:
            found[f"{call.op}: 503 without Retry-After"] += 1
        elif call.status not in (EXPECTED[call.op], 503):
            found[f"{call.op}: unexpected {call.status}"] += 1
    return [f"{what} (x{n})" for what, n in sorted(found.items())]


async def registrations(pg: Database, attempted: list[str], answered_202: list[str]) -> list[str]:
    """Every attempted registration whole or absent; every 202 whole; no orphans anywhere."""
    problems: list[str] = []
    ok = set(answered_202)
    for row in await pg.fetch(REGISTRATION_PARTS, sorted(set(attempted))):
        parts = (row["owners"], row["organizations"], row["tokens"], row["mails"])
        whole = row["has_user"] and parts == (1, 1, 1, 1)
        absent = not row["has_user"] and row["mails"] == 0
        if row["email"] in ok and not whole:
            problems.append(f"202 but not whole: {row['email']} {dict(row)}")
        elif not (whole or absent):
            problems.append(f"half-written: {row['email']} {dict(row)}")
    orphans = (await pg.fetch(ORPHANS))[0]
    for what in ("orgs", "mails", "tokens"):
        if orphans[what]:
            problems.append(f"{orphans[what]} orphaned {what}")
    return problems


async def outbox_ids(pg: Database, recipients: list[str]) -> dict[str, str]:
    """Message-ID -> status for every outbox row addressed to ``recipients``."""
    rows = await pg.fetch(
        "SELECT message_id, status FROM mail_outbox WHERE recipient = ANY($1::text[])",
        sorted(set(recipients)),
    )
    return {r["message_id"]: r["status"] for r in rows}


LATE = """
SELECT count(*) AS pending,
       count(*) FILTER (WHERE locked_until > now()) AS leased,
       max(attempts) AS most_attempts,
       array_agg(DISTINCT left(last_error, 80)) FILTER (WHERE last_error IS NOT NULL) AS errors
FROM mail_outbox WHERE status = 'pending' AND recipient = ANY($1::text[])
"""


async def wait_delivered(
    pg: Database,
    sink: SmtpSink,
    recipients: list[str],
    *,
    within: float,
    late: dict[str, object] | None = None,
) -> tuple[float, dict[str, str]]:
    """Until every row for ``recipients`` is decided (sent or dead) and every sent one was
    accepted by the sink; (seconds waited, message id -> status). ``late`` receives what the
    undecided rows looked like after 10 s, if any were left then."""
    started = time.monotonic()
    statuses: dict[str, str] = {}
    looked = False
    while time.monotonic() - started < within:
        if late is not None and not looked and time.monotonic() - started > 10:
            looked = True
            row = (await pg.fetch(LATE, sorted(set(recipients))))[0]
            late.update(
                dict(row),
                accepted_already=sum(
                    1 for m, s in statuses.items() if s == "pending" and m in sink.counts()
                ),
            )
        statuses = await outbox_ids(pg, recipients)
        accepted = sink.counts()
        pending = [m for m, s in statuses.items() if s == "pending"]
        unseen = [m for m, s in statuses.items() if s == "sent" and m not in accepted]
        if not pending and not unseen:
            break
        await asyncio.sleep(0.5)
    return time.monotonic() - started, statuses


def mail_violations(
    statuses: dict[str, str],
    sink: SmtpSink,
    *,
    expected_dead: set[str] | None = None,
    max_duplicates: int = 0,
) -> tuple[list[str], int]:
    """(violations, duplicates): each row sent exactly once, dead only where expected."""
    problems: list[str] = []
    counts = sink.counts()
    dead_ok = expected_dead or set()
    pending = [m for m, s in statuses.items() if s == "pending"]
    if pending:
        problems.append(f"{len(pending)} mails still pending")
    missing = [m for m, s in statuses.items() if s != "dead" and counts[m] == 0]
    if missing:
        problems.append(f"{len(missing)} mails never arrived, e.g. {missing[0]}")
    dead = {m for m, s in statuses.items() if s == "dead"}
    if dead - dead_ok:
        problems.append(f"{len(dead - dead_ok)} mails dead-lettered unexpectedly")
    if dead_ok - dead:
        problems.append(f"{len(dead_ok - dead)} mails that should be dead are not")
    if any(counts[m] for m in dead):
        problems.append("a dead-lettered mail was delivered")
    duplicates = sum(counts[m] - 1 for m in statuses if counts[m] > 1)
    if duplicates > max_duplicates:
        problems.append(f"{duplicates} duplicate deliveries (allowed {max_duplicates})")
    return problems, duplicates


async def recovery(base: str, *, within: float) -> float | None:
    """Seconds until ``/health/ready`` answers 200 (None: not within ``within``)."""
    started = time.monotonic()
    async with httpx.AsyncClient(timeout=5) as client:
        while time.monotonic() - started < within:
            try:
                if (await client.get(base + "/health/ready")).status_code == 200:
                    return round(time.monotonic() - started, 2)
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.1)
    return None
