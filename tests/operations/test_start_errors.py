"""A database the service cannot reach or use stops every command with one line on stderr
that names the variable (and never the password), not a traceback."""

from __future__ import annotations

import asyncio
import struct
import uuid
from collections.abc import AsyncIterator

import asyncpg
import pytest

from tests.operations.instances import environment, finished, free_port
from tests.support import postgres

PASSWORD = "start-errors-secret"


async def _command(env: dict[str, str], *args: str) -> tuple[int, list[str], str]:
    """Run ``python -m service <args>``; its exit code, its plain stderr lines, all stderr."""
    try:
        code, _, text = await finished(env, *args)
    except TimeoutError:
        pytest.fail(f"{args[0]} started instead of stopping")
    plain = [line for line in text.splitlines() if line and not line.startswith("{")]
    return code, plain, text


def _one_line(outcome: tuple[int, list[str], str], starts: str) -> str:
    code, lines, everything = outcome
    assert code != 0
    assert "Traceback" not in everything, everything
    assert len(lines) == 1, everything
    assert lines[0].startswith(starts), lines[0]
    assert PASSWORD not in everything
    return lines[0]


@pytest.mark.parametrize("command", ["serve", "migrate", "worker", "janitor"])
async def test_a_closed_port_is_one_line(db: postgres.Database, command: str) -> None:
    port = free_port()
    url = f"postgresql://auth_app:{PASSWORD}@127.0.0.1:{port}/auth"
    env = environment(db, "smtp://127.0.0.1:9", DATABASE_URL=url, MIGRATION_DATABASE_URL="")
    line = _one_line(await _command(env, command), "DATABASE_URL: ")
    assert line == f"DATABASE_URL: cannot connect to 127.0.0.1:{port} (connection refused)"


async def test_a_closed_migration_port_names_its_own_variable(db: postgres.Database) -> None:
    port = free_port()
    url = f"postgresql://auth_owner:{PASSWORD}@127.0.0.1:{port}/auth"
    env = environment(db, "smtp://127.0.0.1:9", MIGRATION_DATABASE_URL=url)
    line = _one_line(await _command(env, "serve"), "MIGRATION_DATABASE_URL: ")
    assert "(connection refused)" in line


async def _refuse_password(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Just enough of a PostgreSQL server to turn every login down for its password."""
    try:
        while True:
            (length,) = struct.unpack("!I", await reader.readexactly(4))
            (code,) = struct.unpack("!I", await reader.readexactly(4))
            await reader.readexactly(length - 8)
            if code == 80877103:  # SSLRequest: no TLS here
                writer.write(b"N")
                await writer.drain()
                continue
            break
        fields = b"".join(
            kind + text.encode() + b"\0"
            for kind, text in (
                (b"S", "FATAL"),
                (b"V", "FATAL"),
                (b"C", "28P01"),
                (b"M", 'password authentication failed for user "auth_app"'),
            )
        )
        body = fields + b"\0"
        writer.write(b"E" + struct.pack("!I", len(body) + 4) + body)
        await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


@pytest.fixture
async def password_refusing_server() -> AsyncIterator[int]:
    server = await asyncio.start_server(_refuse_password, "127.0.0.1", 0)
    try:
        yield server.sockets[0].getsockname()[1]
    finally:
        server.close()
        await server.wait_closed()


@pytest.mark.parametrize("command", ["serve", "migrate"])
async def test_a_wrong_password_is_one_line(
    db: postgres.Database, password_refusing_server: int, command: str
) -> None:
    url = f"postgresql://auth_app:{PASSWORD}@127.0.0.1:{password_refusing_server}/auth"
    env = environment(db, "smtp://127.0.0.1:9", DATABASE_URL=url, MIGRATION_DATABASE_URL="")
    line = _one_line(await _command(env, command), "DATABASE_URL: ")
    assert "password authentication failed" in line


@pytest.mark.parametrize("command", ["serve", "migrate", "janitor"])
async def test_a_missing_database_is_one_line(
    pg_admin: str, db: postgres.Database, command: str
) -> None:
    missing = f"missing_{uuid.uuid4().hex[:8]}"
    url = postgres.with_user(pg_admin, "auth_app", PASSWORD, missing)
    env = environment(db, "smtp://127.0.0.1:9", DATABASE_URL=url, MIGRATION_DATABASE_URL="")
    line = _one_line(await _command(env, command), "DATABASE_URL: ")
    assert f'database "{missing}" does not exist' in line


@pytest.fixture
async def ungranted_role(pg_admin: str, db: postgres.Database) -> AsyncIterator[str]:
    """The URL of a login role that is neither auth_app nor a member of it."""
    role = f"t_nogrant_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(pg_admin)
    try:
        await admin.execute(f"CREATE ROLE {role} LOGIN PASSWORD '{PASSWORD}'")
        yield postgres.with_user(pg_admin, role, PASSWORD, db.name)
    finally:
        await admin.execute(f"DROP ROLE IF EXISTS {role}")
        await admin.close()


@pytest.mark.parametrize("command", ["serve", "worker"])
async def test_a_role_without_the_grants_is_refused_in_one_line(
    db: postgres.Database, ungranted_role: str, command: str
) -> None:
    env = environment(db, "smtp://127.0.0.1:9", DATABASE_URL=ungranted_role)
    line = _one_line(await _command(env, command), "refusing to start: DATABASE_URL: role ")
    assert "GRANT auth_app TO t_nogrant_" in line


async def test_the_janitor_through_a_role_without_the_grants_is_one_line(
    db: postgres.Database, ungranted_role: str
) -> None:
    env = environment(db, "smtp://127.0.0.1:9", DATABASE_URL=ungranted_role)
    line = _one_line(await _command(env, "janitor"), "DATABASE_URL: ")
    assert "permission denied" in line


async def test_migrations_through_a_role_without_the_grants_are_one_line(
    db: postgres.Database, ungranted_role: str
) -> None:
    env = environment(db, "smtp://127.0.0.1:9", MIGRATION_DATABASE_URL=ungranted_role)
    line = _one_line(await _command(env, "migrate"), "MIGRATION_DATABASE_URL: ")
    assert "permission denied" in line
