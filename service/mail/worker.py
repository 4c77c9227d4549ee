"""The outbox worker: claims due mail under a lease, sends it, and records what happened.

Delivery is at least once. Each claim takes up to ``batch_size`` due rows with
``FOR UPDATE SKIP LOCKED`` and leases them until ``locked_until``; a worker that dies while
holding a lease delays those messages until the lease runs out, then any worker takes them.
A temporary failure puts the message back with exponential backoff and jitter (capped); a
permanent one, or running out of attempts, dead-letters it; either way the queue moves on.
Bodies are cleared once a message is sent or dead.

One message can arrive twice: when the process is killed (or loses the database for longer
than a quarter of the lease) after the SMTP server accepted a message but before the row was
marked sent, the lease runs out and the message is sent again. Both copies carry the same
``Message-ID``, so a recipient's mail system can recognise the second one. The messages of
one claim are sent at once; with the default claim of one message, a kill duplicates at most
one message. Larger claims trade that bound for throughput against slow mail servers; run
more workers (``python -m service worker``) instead.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import signal
from collections.abc import Awaitable, Callable
from typing import Any
from uuid import UUID

import asyncpg

from service.config import Settings
from service.db.tx import is_unavailable
from service.ids import uuid7
from service.mail import message, outbox
from service.mail.listener import Listener
from service.mail.transports import DeliveryError, Transport, transport_from_settings

log = logging.getLogger("service.mail")


class MailWorker:
    def __init__(
        self,
        pool: asyncpg.Pool,
        transport: Transport,
        *,
        sender: str,
        listen_dsn: str | None = None,
        max_attempts: int = 8,
        batch_size: int = 1,
        lease_seconds: float = 120.0,
        poll_interval: float = 1.0,
        backoff_base: float = 30.0,
        backoff_cap: float = 3600.0,
        send_timeout: float = 60.0,
    ) -> None:
        if send_timeout >= lease_seconds:
            raise ValueError("send_timeout must be shorter than the lease")
        self.pool = pool
        self.transport = transport
        self.sender = sender
        self.max_attempts = max_attempts
        self.batch_size = batch_size
        self.lease_seconds = lease_seconds
        self.poll_interval = poll_interval
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.send_timeout = send_timeout
        self._wake = asyncio.Event()
        self._stopping = False
        self._task: asyncio.Task[None] | None = None
        self._unsure_lease: UUID | None = None  # a claim whose answer was lost
        self._listener = Listener(listen_dsn, self._wake.set) if listen_dsn else None

    @classmethod
    def from_settings(cls, settings: Settings, pool: asyncpg.Pool, **options: Any) -> MailWorker:
        """A worker sending through SMTP_URL (or the log) and listening on DATABASE_URL."""
        return cls(
            pool,
            transport_from_settings(settings),
            sender=settings.mail_from,
            listen_dsn=settings.database_url,
            max_attempts=settings.mail_max_attempts,
            **options,
        )

    async def start(self) -> None:
        """Run in the background of the current event loop until :meth:`stop`."""
        if self._task is None:
            self._stopping = False
            self._task = asyncio.create_task(self._run(), name="mail-worker")

    async def stop(self, grace: float = 10.0) -> None:
        """Let sends in progress finish (up to ``grace`` s), then end the loop.

        A send cut short leaves its row leased; another worker takes it when the lease ends.
        """
        task, self._task = self._task, None
        self._stopping = True
        self._wake.set()
        if task is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(task, grace)
        if self._listener is not None:
            await self._listener.close()

    async def run_once(self) -> int:
        """Claim one batch of due mail and deliver it; the number of messages claimed."""
        self._wake.clear()
        if self._unsure_lease is not None:
            # The connection died under the last claim, perhaps after it committed: put what
            # it may have leased back at once rather than when the lease runs out.
            await outbox.release_lease(self.pool, self._unsure_lease)
            self._unsure_lease = None
        lease_id = self._unsure_lease = uuid7()
        claimed = await outbox.claim(
            self.pool, limit=self.batch_size, lease_seconds=self.lease_seconds, lease_id=lease_id
        )
        self._unsure_lease = None
        if claimed:
            await asyncio.gather(*(self._deliver(row, lease_id) for row in claimed))
        return len(claimed)

    async def _run(self) -> None:
        failures = 0
        while not self._stopping:
            if self._listener is not None:
                await self._listener.ensure()
            try:
                claimed = await self.run_once()
            except Exception as exc:  # the database is away: log, wait, try again
                failures += 1
                log.warning("mail.worker_error", extra={"fields": {"error": _describe(exc)}})
                await self._idle(min(30.0, self.poll_interval * 2.0 ** min(failures, 5)))
                continue
            failures = 0
            if claimed < self.batch_size:
                await self._idle(self.poll_interval)

    async def _idle(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), seconds)

    async def _deliver(self, row: outbox.Claimed, lease_id: UUID) -> None:
        fields: dict[str, Any] = {
            "outboxId": str(row.id),
            "messageId": row.message_id,
            "template": row.template,
            "attempt": row.attempts,
        }
        try:
            if row.attempts > self.max_attempts:  # its earlier claims all ended with no outcome
                raise DeliveryError("claimed too often without an outcome", permanent=True)
            built = message.build(
                sender=self.sender,
                recipient=row.recipient,
                subject=row.subject,
                text=row.body_text,
                html=row.body_html,
                message_id=row.message_id,
                date=row.created_at,
            )
            async with asyncio.timeout(self.send_timeout):
                await self.transport.send(built)
        except DeliveryError as exc:
            await self._failed(row, lease_id, exc.reason, exc.permanent, fields)
        except ValueError as exc:  # the stored message cannot be built: it never will be
            await self._failed(row, lease_id, f"unsendable: {exc}", True, fields)
        except Exception as exc:  # a timeout or a fault in the transport: try again later
            await self._failed(row, lease_id, _describe(exc), False, fields)
        else:
            await self._record(lambda: outbox.mark_sent(self.pool, row.id), "mail.sent", fields)

    async def _failed(
        self,
        row: outbox.Claimed,
        lease_id: UUID,
        reason: str,
        permanent: bool,
        fields: dict[str, Any],
    ) -> None:
        fields["error"] = reason[:500]
        if permanent or row.attempts >= self.max_attempts:
            await self._record(
                lambda: outbox.mark_dead(self.pool, row.id, lease_id, error=reason[:500]),
                "mail.dead",
                fields,
                logging.ERROR,
            )
            return
        delay = self.backoff(row.attempts)
        fields["retryIn"] = round(delay, 3)
        await self._record(
            lambda: outbox.mark_retry(self.pool, row.id, lease_id, delay=delay, error=reason[:500]),
            "mail.retry",
            fields,
            logging.WARNING,
        )

    def backoff(self, attempts: int) -> float:
        """Seconds before the next try: doubling from ``backoff_base``, capped, ±25 % jitter."""
        delay = min(self.backoff_cap, self.backoff_base * 2.0 ** min(attempts - 1, 30))
        return delay * random.uniform(0.75, 1.25)

    async def _record(
        self,
        update: Callable[[], Awaitable[Any]],
        event: str,
        fields: dict[str, Any],
        level: int = logging.INFO,
    ) -> None:
        """Record an outcome. While the database is away, keep trying for up to a quarter of
        the lease: a message the server took is then not sent again when the lease runs out
        (a database restart or a killed connection lasts a few seconds)."""
        loop = asyncio.get_running_loop()
        give_up = loop.time() + self.lease_seconds / 4
        pause = 0.1
        while True:
            try:
                await update()
                break
            except Exception as exc:
                if is_unavailable(exc) and not self._stopping and loop.time() + pause < give_up:
                    await asyncio.sleep(pause)
                    pause = min(pause * 2, 2.0)
                    continue
                # the lease runs out and another claim decides
                fields["recordError"] = _describe(exc)
                log.warning("mail.record_failed", extra={"fields": {**fields, "outcome": event}})
                return
        log.log(level, event, extra={"fields": fields})


async def run_worker(
    settings: Settings, pool: asyncpg.Pool, *, stop: asyncio.Event | None = None
) -> None:
    """Deliver mail until ``stop`` is set (by default: until SIGINT or SIGTERM)."""
    loop = asyncio.get_running_loop()
    handled: list[signal.Signals] = []
    if stop is None:
        stop = asyncio.Event()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
            handled.append(signum)
    worker = MailWorker.from_settings(settings, pool)
    await worker.start()
    log.info("mail.worker_started", extra={"fields": {"transport": repr(worker.transport)}})
    try:
        await stop.wait()
    finally:
        await worker.stop()
        for signum in handled:
            loop.remove_signal_handler(signum)
        log.info("mail.worker_stopped")


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:300]
