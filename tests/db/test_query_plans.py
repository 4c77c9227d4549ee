"""Lookups that must stay index scans whatever the table's size, read from the planner as the
app role (row-level security applies). Sequential scans are priced out for the check, so a
plan that still scans the table means no index can serve the query."""

from __future__ import annotations

from uuid import UUID

import asyncpg

from service.accounts import members
from service.accounts import repo as users
from service.db.tx import begin_with_tenant
from service.metrics import outbox as metrics


async def _plan(
    conn: asyncpg.Connection, query: str, *args: object, org_id: UUID | None = None
) -> str:
    """The plan with no tenant set (as a login's lookup runs), or inside ``org_id``."""
    async with conn.transaction():
        await conn.execute(begin_with_tenant(org_id, None).removeprefix("BEGIN; "))
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


async def test_a_page_of_members_is_cut_from_the_memberships_index_first(
    app_conn: asyncpg.Connection,
) -> None:
    org = UUID(int=1)
    plan = await _plan(
        app_conn, members.q.list_members, org, members.FIRST, None, None, None, 25, org_id=org
    )
    page = plan.split("CTE Scan on page", 1)[0]
    assert "CTE page" in page, plan
    assert "Scan using memberships_pkey on memberships" in page, plan
    assert "Seq Scan" not in plan, plan


async def test_one_member_and_a_filtered_page_are_read_through_indexes(
    app_conn: asyncpg.Connection,
) -> None:
    org = UUID(int=1)
    one = await _plan(app_conn, users.q.member_view, org, UUID(int=2), org_id=org)
    filtered = await _plan(
        app_conn,
        members.q.list_members_filtered,
        *(org, members.FIRST, "someone@example.com", None, None, 25),
        org_id=org,
    )
    for plan in (one, filtered):
        assert "Seq Scan" not in plan, plan
        assert "memberships_pkey" in plan, plan
