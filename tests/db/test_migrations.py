"""Migrations: applied once, in order, under a lock; edits refused; the dump matches."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import asyncpg
import pytest

from service.db import migrations
from tests.support import postgres, schema


async def test_all_migrations_in_order_equal_the_committed_schema(
    template: postgres.Database,
) -> None:
    current = schema.dump(template.admin)
    committed = schema.SCHEMA_FILE.read_text(encoding="utf-8")
    assert current == committed, "sql/schema.sql is stale: run `make schema` and commit it"


async def test_migrate_again_applies_nothing(db: postgres.Database) -> None:
    assert await migrations.migrate(db.owner) == []


async def test_concurrent_runs_apply_each_migration_once(pg_admin: str) -> None:
    conn = await asyncpg.connect(pg_admin)
    name = "t_concurrent_migrate"
    await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await conn.execute(f'CREATE DATABASE "{name}" OWNER auth_owner')
    await conn.close()
    target = postgres.database(pg_admin, name)
    try:
        results = await asyncio.gather(*(migrations.migrate(target.owner) for _ in range(3)))
        applied = sorted(name for result in results for name in result)
        assert applied == [f"{m.version:03d}_{m.name}" for m in migrations.discover()]
        owner = await asyncpg.connect(target.owner)
        try:
            versions = await owner.fetch("SELECT version FROM schema_migrations ORDER BY version")
        finally:
            await owner.close()
        assert [r["version"] for r in versions] == [m.version for m in migrations.discover()]
    finally:
        await postgres.drop(pg_admin, name)


async def test_an_edited_applied_migration_is_refused(
    db: postgres.Database, tmp_path: Path
) -> None:
    folder = tmp_path / "migrations"
    shutil.copytree(migrations.MIGRATIONS_DIR, folder)
    edited = folder / "004_roles.sql"
    edited.write_text(edited.read_text() + "\n-- a harmless-looking edit\n")
    with pytest.raises(migrations.MigrationError, match="004_roles was edited"):
        await migrations.migrate(db.owner, folder)


async def test_a_new_file_is_applied_and_recorded(db: postgres.Database, tmp_path: Path) -> None:
    folder = tmp_path / "migrations"
    shutil.copytree(migrations.MIGRATIONS_DIR, folder)
    (folder / "900_extra.sql").write_text("CREATE TABLE extra_probe (id int);")
    assert await migrations.migrate(db.owner, folder) == ["900_extra"]
    assert await migrations.migrate(db.owner, folder) == []


async def test_a_failing_migration_leaves_nothing_behind(
    db: postgres.Database, tmp_path: Path
) -> None:
    folder = tmp_path / "migrations"
    shutil.copytree(migrations.MIGRATIONS_DIR, folder)
    (folder / "900_broken.sql").write_text("CREATE TABLE half_done (id int); SELECT 1/0;")
    with pytest.raises(asyncpg.DivisionByZeroError):
        await migrations.migrate(db.owner, folder)
    conn = await asyncpg.connect(db.owner)
    try:
        assert await conn.fetchval("SELECT to_regclass('half_done')") is None
        assert (
            await conn.fetchval("SELECT count(*) FROM schema_migrations WHERE version = 900") == 0
        )
    finally:
        await conn.close()


def test_badly_named_files_are_refused(tmp_path: Path) -> None:
    (tmp_path / "7_oops.sql").write_text("SELECT 1;")
    with pytest.raises(migrations.MigrationError, match="NNN_snake_case"):
        migrations.discover(tmp_path)
