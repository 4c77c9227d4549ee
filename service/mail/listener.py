"""A LISTEN connection that wakes the mail worker, and heals itself when the database goes away.

It is only a shortcut: the worker also polls, so mail still goes out (a little later) while
this connection is down. :meth:`Listener.ensure` never raises; it connects when needed, at
most once per ``retry_every`` seconds, and checks the connection every ``check_every``
seconds so a silently dead one is replaced.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

import asyncpg

log = logging.getLogger("service.mail")

CHANNEL = "mail_outbox"


class Listener:
    def __init__(
        self,
        dsn: str,
        on_notify: Callable[[], None],
        *,
        channel: str = CHANNEL,
        connect_timeout: float = 5.0,
        retry_every: float = 2.0,
        check_every: float = 30.0,
    ) -> None:
        self._dsn = dsn
        self._on_notify = on_notify
        self._channel = channel
        self._connect_timeout = connect_timeout
        self._retry_every = retry_every
        self._check_every = check_every
        self._conn: asyncpg.Connection | None = None
        self._next_try = 0.0
        self._next_check = 0.0
        self._lost_logged = False

    @property
    def connected(self) -> bool:
        return self._conn is not None and not self._conn.is_closed()

    async def ensure(self) -> None:
        now = time.monotonic()
        if self.connected:
            if now >= self._next_check:
                self._next_check = now + self._check_every
                await self._check()
            return
        if self._conn is not None:
            await self._drop("connection closed")
        if now < self._next_try:
            return
        self._next_try = now + self._retry_every
        await self._connect()

    async def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None and not conn.is_closed():
            try:
                await conn.close(timeout=self._connect_timeout)
            except Exception:  # closing a broken connection: nothing left to save
                conn.terminate()

    async def _connect(self) -> None:
        conn = None
        try:
            conn = await asyncpg.connect(
                self._dsn,
                timeout=self._connect_timeout,
                server_settings={"application_name": "auth-service-mail-listener"},
            )
            await conn.add_listener(self._channel, self._notified)
            # Wake the worker when this connection dies, so it reconnects without waiting.
            conn.add_termination_listener(self._notified)
        except Exception as exc:
            if conn is not None:
                conn.terminate()
            if not self._lost_logged:
                log.warning("mail.listener_down", extra={"fields": {"error": _describe(exc)}})
                self._lost_logged = True
            return
        self._conn = conn
        self._next_check = time.monotonic() + self._check_every
        if self._lost_logged:
            log.info("mail.listener_up")
        self._lost_logged = False
        self._on_notify()  # anything that committed while nobody listened

    async def _check(self) -> None:
        assert self._conn is not None
        try:
            await self._conn.fetchval("SELECT 1", timeout=self._connect_timeout)
        except Exception as exc:
            await self._drop(_describe(exc))

    async def _drop(self, why: str) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            conn.terminate()
        self._next_try = 0.0
        log.warning("mail.listener_down", extra={"fields": {"error": why}})
        self._lost_logged = True

    def _notified(self, *_args: Any) -> None:
        self._on_notify()


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:300]
