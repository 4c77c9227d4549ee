"""Lookups that must stay index scans whatever the table's size, read from the planner as the
app role (row-level security applies). Sequential scans are priced out for the check, so a
plan that still scans the table means no index can serve the query."""

from __future__ import annotations

import asyncpg

from service.accounts import repo as users
from service.db.tx import begin_with_tenant
from service.metrics import outbox as metrics


async def _plan(conn: asyncpg.Connection, query: str, *args: object) -> str:
    """The plan with no tenant set (as a login's lookup runs)."""
    async with conn.transaction():
        await conn.execute(begin_with_tenant(None, None).removeprefix("BEGIN; "))
        await conn.execute("SET LOCAL enable_seqscan = off")
        rows = await conn.fetch(f"EXPLAIN {query}", *args)
    return "\n".join(row[0] for row in rows)


async def test_a_login_finds_the_address_through_its_index(app_conn: asyncpg.Connection) -> None:
    plan = await _plan(app_conn, users.q.user_by_email, "someone@example.com")
    assert "users_email_key" in plan, plan


async def test_the_dead_letter_count_reads_only_dead_rows(app_conn: asyncpg.Connection) -> None:
    plan = await _plan(app_conn, metrics.q.outbox_stats)
    assert "mail_outbox_dead_idx" in plan, plan
    assert "mail_outbox_due_idx" in plan, plan
