"""A private embedded PostgreSQL, migrated, and plain-SQL seeding as its superuser.

The superuser bypasses row-level security, so seeding needs no tenant settings; the service
itself connects as the app role, where RLS applies as in production.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import asyncpg

from bench.lib import machine
from service.db import embedded, migrations
from service.ids import uuid7
from service.security.permissions import MANAGED_ROLES

DATABASE = "auth"


@dataclass
class Database:
    server: Any
    dsns: embedded.Dsns

    def pids(self) -> list[int]:
        """The postmaster and its backends."""
        postmaster = int(self.server.get_pid())
        return [postmaster, *machine.children(postmaster)]

    def stop(self) -> None:
        with contextlib.suppress(Exception):
            self.server.cleanup()
            atexit.unregister(self.server._cleanup)


def start(folder: Path) -> Database:
    """Start PostgreSQL in ``folder``/pg, create the roles and the database, migrate."""
    server = embedded.start(folder / "pg", cleanup="stop")
    dsns = embedded.dsns(server, DATABASE)
    asyncio.run(embedded.bootstrap(dsns.admin, DATABASE))
    asyncio.run(migrations.migrate(dsns.owner))
    return Database(server, dsns)


def admin_dsn(db: Database) -> str:
    """The superuser, in the service's database (the bootstrap DSN names ``postgres``)."""
    uri: str = db.server.get_postmaster_info().get_uri(user="postgres", database=DATABASE)
    return uri


async def create_organization(conn: asyncpg.Connection, slug: str) -> tuple[UUID, dict[str, UUID]]:
    """An organization with its managed roles; returns its id and role code -> role id."""
    org_id = uuid7()
    await conn.execute(
        "INSERT INTO organizations (id, name, slug) VALUES ($1, $2, $3)", org_id, slug, slug
    )
    roles = {role.code: uuid7() for role in MANAGED_ROLES}
    await conn.executemany(
        "INSERT INTO roles (id, organization_id, code, name, description, is_managed,"
        " permissions) VALUES ($1, $2, $3, $4, $5, true, $6)",
        [
            (roles[r.code], org_id, r.code, r.name, r.description, list(r.permissions))
            for r in MANAGED_ROLES
        ],
    )
    return org_id, roles


async def add_members(
    conn: asyncpg.Connection,
    org_id: UUID,
    role_id: UUID,
    emails: Sequence[str],
    password_hash: str | None,
) -> list[UUID]:
    """Verified users with ``password_hash``, each a member of ``org_id`` with ``role_id``;
    COPY, so a hundred thousand take seconds."""
    now = datetime.now(UTC)
    ids = [uuid7() for _ in emails]
    await conn.copy_records_to_table(
        "users",
        columns=["id", "email", "name", "password_hash", "email_verified_at"],
        records=[
            (uid, email, email.split("@")[0], password_hash, now)
            for uid, email in zip(ids, emails, strict=True)
        ],
    )
    await conn.copy_records_to_table(
        "memberships",
        columns=["organization_id", "user_id", "role_id"],
        records=[(org_id, uid, role_id) for uid in ids],
    )
    return ids


def seed(db: Database, work: Callable[[asyncpg.Connection], Any]) -> Any:
    """Run ``async work(conn)`` in one transaction as the superuser; returns its result."""

    async def go() -> Any:
        conn = await asyncpg.connect(admin_dsn(db))
        try:
            async with conn.transaction():
                return await work(conn)
        finally:
            await conn.close()

    return asyncio.run(go())


def fetchval(db: Database, sql: str, *args: Any) -> Any:
    """One value of one statement as the superuser, outside any transaction (so ``ANALYZE``
    works too)."""

    async def go() -> Any:
        conn = await asyncpg.connect(admin_dsn(db))
        try:
            return await conn.fetchval(sql, *args)
        finally:
            await conn.close()

    return asyncio.run(go())
