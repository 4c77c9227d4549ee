"""Forward-only SQL migrations from ``sql/migrations/NNN_name.sql``.

Each file is applied once, in its own transaction, under an advisory lock so that several
instances starting together migrate once. A file whose checksum differs from the one recorded
when it was applied stops the run: applied migrations are never edited.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import asyncpg

MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "sql" / "migrations"
LOCK_KEY = 0x6175746830  # "auth0": one advisory lock for the migration run
_FILE = re.compile(r"^(\d{3})_([a-z0-9_]+)\.sql$")

CREATE_LEDGER = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    version    integer PRIMARY KEY,
    name       text NOT NULL,
    checksum   text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
)
"""


class MigrationError(RuntimeError):
    """The database and the migration files disagree."""


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    name: str
    sql: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode()).hexdigest()


def discover(directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    migrations = []
    for path in sorted(directory.glob("*.sql")):
        match = _FILE.match(path.name)
        if not match:
            raise MigrationError(f"{path.name}: migration files are named NNN_snake_case.sql")
        migrations.append(
            Migration(int(match.group(1)), match.group(2), path.read_text(encoding="utf-8"))
        )
    versions = [m.version for m in migrations]
    if len(set(versions)) != len(versions):
        raise MigrationError("two migration files share a version number")
    return migrations


async def applied(conn: asyncpg.Connection) -> dict[int, str]:
    """version -> checksum of what the database has applied (empty when never migrated)."""
    exists = await conn.fetchval("SELECT to_regclass('public.schema_migrations') IS NOT NULL")
    if not exists:
        return {}
    rows = await conn.fetch("SELECT version, checksum FROM schema_migrations")
    return {row["version"]: row["checksum"] for row in rows}


def problems(migrations: list[Migration], done: dict[int, str]) -> list[str]:
    """What keeps the database from matching the files: pending, edited or unknown versions."""
    found = []
    known = {m.version for m in migrations}
    for migration in migrations:
        checksum = done.get(migration.version)
        if checksum is None:
            found.append(f"{migration.version:03d}_{migration.name} is not applied")
        elif checksum != migration.checksum:
            found.append(
                f"{migration.version:03d}_{migration.name} was edited after it was applied"
            )
    found.extend(f"version {v:03d} is applied but has no file" for v in sorted(set(done) - known))
    return found


async def migrate(dsn: str, directory: Path = MIGRATIONS_DIR) -> list[str]:
    """Apply what is pending; returns the names applied. Raises MigrationError on drift."""
    migrations = discover(directory)
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute("SELECT pg_advisory_lock($1)", LOCK_KEY)
        try:
            await conn.execute(CREATE_LEDGER)
            done = await applied(conn)
            drift = [p for p in problems(migrations, done) if "is not applied" not in p]
            if drift:
                raise MigrationError("; ".join(drift))
            names = []
            for migration in migrations:
                if migration.version in done:
                    continue
                async with conn.transaction():
                    await conn.execute(migration.sql)
                    await conn.execute(
                        "INSERT INTO schema_migrations (version, name, checksum)"
                        " VALUES ($1, $2, $3)",
                        migration.version,
                        migration.name,
                        migration.checksum,
                    )
                names.append(f"{migration.version:03d}_{migration.name}")
            return names
        finally:
            await conn.execute("SELECT pg_advisory_unlock($1)", LOCK_KEY)
    finally:
        await conn.close()
