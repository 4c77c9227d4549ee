"""The janitor: deletes what no one needs any more, in bounded batches.

Every sweep, in this order:

1. pending self-registrations whose verification link expired more than a day ago, with the
   organization they created (``app_discard_expired_registrations`` decides what is pure
   pending and writes the audit line);
2. links (verification, reset, first password) that expired or were used more than
   ``LINK_RETENTION_DAYS`` ago: long after step 1 needs them;
3. delivered and dead-lettered mail queued more than ``MAIL_RETENTION_DAYS`` ago (bodies are
   cleared at once anyway; the rows are the delivery record);
4. throttle counters whose window has lapsed;
5. authorization codes and pending second steps of sign-ins a day after they expired, and
   used client assertion ids and passkey sign-in challenges once they expired;
6. a batch of verified custom domains due for a look at their TXT record again
   (``DOMAIN_RECHECK_HOURS``): one whose record is gone goes back to pending and stops
   resolving.

It runs every ``JANITOR_INTERVAL_SECONDS`` inside the service (0 turns that off) and once with
``python -m service janitor``, e.g. from cron. Several instances may sweep at the same time.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import asdict, dataclass

import asyncpg

from service.config import Settings
from service.db.queries import load
from service.db.tx import transaction
from service.domains.service import recheck
from service.throttle.counters import Throttle

queries = load(__file__)
log = logging.getLogger("service.janitor")

REGISTRATION_GRACE_SECONDS = 24 * 3600
LINK_RETENTION_DAYS = 7
BATCH = 1000


@dataclass(frozen=True, slots=True)
class Swept:
    registrations: int
    links: int
    mail: int
    counters: int
    codes: int
    assertions: int
    domains: int
    challenges: int = 0


async def sweep(pool: asyncpg.Pool, settings: Settings, *, batch: int = BATCH) -> Swept:
    """One pass over everything; how many of each were removed."""
    async with pool.acquire() as conn, conn.transaction():
        registrations = int(
            await conn.fetchval(queries.discard_registrations, REGISTRATION_GRACE_SECONDS) or 0
        )
    links = await _batches(pool, queries.delete_links, LINK_RETENTION_DAYS, batch)
    mail = await _batches(pool, queries.delete_mail, settings.mail_retention_days, batch)
    counters = 0
    throttle = Throttle(pool, prune_batch=batch)
    while (pruned := await throttle.prune()) > 0:
        counters += pruned
        if pruned < batch:
            break
    codes = await _batches(pool, queries.delete_codes, 1, batch)
    assertions = await _batches(pool, queries.delete_assertions, 0, batch)
    challenges = await _batches(pool, queries.delete_challenges, 1, batch)
    challenges += await _batches(pool, queries.delete_used_passkey_challenges, 0, batch)
    domains = await recheck(pool, settings)
    return Swept(registrations, links, mail, counters, codes, assertions, domains, challenges)


async def _batches(pool: asyncpg.Pool, query: str, days: int, batch: int) -> int:
    removed = 0
    while True:
        # Links are visible only to the anonymous context (no tenant shows them).
        async with transaction(pool, anonymous=True) as conn:
            status: str = await conn.execute(query, days, batch)
        count = int(status.rsplit(" ", 1)[-1])
        removed += count
        if count < batch:
            return removed


class Janitor:
    """Sweeps every ``interval`` seconds in the background of the event loop."""

    def __init__(self, pool: asyncpg.Pool, settings: Settings) -> None:
        self._pool = pool
        self._settings = settings
        self._interval = settings.janitor_interval_seconds
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self._task is None and self._interval > 0:
            self._task = asyncio.create_task(self._run(), name="janitor")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self._interval)
            try:
                swept = await sweep(self._pool, self._settings)
            except Exception as exc:  # the database is away: the next sweep catches up
                log.warning("janitor.failed", extra={"fields": {"error": type(exc).__name__}})
                continue
            log.info("janitor.swept", extra={"fields": asdict(swept)})
