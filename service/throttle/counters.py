"""Attempt counters in PostgreSQL, shared by every instance of the service.

An endpoint that checks a secret reserves an attempt before it checks anything: one call
counts the attempt on every key of its rules, or on none of them when any key is at its limit,
so forty simultaneous guesses get exactly as many checks as the limit allows. A success gives
the reservation back; a failure keeps it. Each call is one statement on a connection of its
own, so it commits on its own: a failed attempt rolls its request's transaction back, yet it
stays counted.

Give the throttle a small pool of its own (or call it while the request holds no connection):
a request that holds a connection from the same pool and waits for a second one can exhaust
the pool under load.

Usage on an endpoint that checks a secret::

    rules = throttle.policy.login(email, address)
    if (await throttle.reserve(rules, known=known_client_key(email, address))).blocked:
        ...  # refuse with the wrong-secret answer, without checking anything
    # ...check the secret; on failure keep the reservation, on success:
    await throttle.settle(refund=keys(rules))

:meth:`Throttle.take` counts inside the caller's transaction instead, for what is only worth
counting when the change commits (mail queued for a recipient).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

import asyncpg

from service.db.queries import load
from service.db.tx import alone
from service.metrics import events
from service.throttle.policy import KNOWN_CLIENT_SECONDS, Rule, ThrottlePolicy

queries = load(__file__)
log = logging.getLogger(__name__)

PRUNE_EVERY = 200
PRUNE_BATCH = 1000


@dataclass(frozen=True, slots=True)
class ThrottleDecision:
    """Whether the attempt is refused, and for how many more seconds (0 when not)."""

    blocked: bool
    retry_after: int

    @classmethod
    def from_retry_after(cls, retry_after: int) -> ThrottleDecision:
        return cls(blocked=retry_after > 0, retry_after=max(retry_after, 0))


@dataclass(frozen=True, slots=True)
class Counter:
    key: str
    failures: int
    max_failures: int
    window_ends_at: datetime


def keys(rules: Iterable[Rule]) -> list[str]:
    return [rule.key for rule in rules]


class Throttle:
    """Reserves, gives back and counts attempts per key; ``policy`` holds the limits."""

    def __init__(
        self,
        pool: asyncpg.Pool,
        policy: ThrottlePolicy | None = None,
        *,
        prune_every: int = PRUNE_EVERY,
        prune_batch: int = PRUNE_BATCH,
    ) -> None:
        self._pool = pool
        self.policy = policy or ThrottlePolicy()
        self._prune_every = prune_every
        self._prune_batch = prune_batch
        self._reserved = 0

    async def reserve(
        self, rules: Sequence[Rule], *, known: str | None = None, now: datetime | None = None
    ) -> ThrottleDecision:
        """Count one attempt on every rule's key, or on none when any key is at its limit.
        Waivable rules are left out while the ``known`` key has an open window."""
        if not rules:
            return ThrottleDecision.from_retry_after(0)
        arguments = self.reservation(rules, known=known, now=now)
        retry_after = await self._fetchval(queries.reserve, *arguments)
        return await self.reserved(rules, retry_after, now=now)

    @staticmethod
    def reservation(
        rules: Sequence[Rule], *, known: str | None = None, now: datetime | None = None
    ) -> tuple[object, ...]:
        """The arguments of ``throttle_reserve`` (migration 019) for these rules, for a
        statement that reserves along with other work (a password grant's first one)."""
        return (
            [rule.key for rule in rules],
            [rule.limit.failures for rule in rules],
            [rule.limit.window_seconds for rule in rules],
            [rule.waivable for rule in rules],
            known,
            now,
        )

    async def reserved(
        self, rules: Sequence[Rule], retry_after: int, *, now: datetime | None = None
    ) -> ThrottleDecision:
        """What a reservation answered, counted and pruned after as :meth:`reserve` does."""
        decision = ThrottleDecision.from_retry_after(retry_after)
        if decision.blocked and rules:
            events.throttled(rules[0].key.split(":", 1)[0])  # keys start with their action
        self._reserved += 1
        if self._prune_every and self._reserved % self._prune_every == 0:
            await self._prune_quietly(now)
        return decision

    async def settle(
        self,
        *,
        refund: Sequence[str] = (),
        clear: Sequence[str] = (),
        known: str | None = None,
        now: datetime | None = None,
    ) -> None:
        """After a success: give one reservation back on each ``refund`` key, forget the
        ``clear`` keys and remember the ``known`` client for 30 days."""
        await self._execute(queries.settle, *self.settlement(refund, clear, known), now)

    @staticmethod
    def settlement(
        refund: Sequence[str] = (), clear: Sequence[str] = (), known: str | None = None
    ) -> tuple[list[str], list[str], str | None, int]:
        """The arguments of ``throttle_settle`` but its clock, for a statement that settles
        along with other work (a password grant's last one)."""
        return list(refund), list(clear), known, KNOWN_CLIENT_SECONDS

    async def refund(self, rules: Sequence[Rule], *, now: datetime | None = None) -> None:
        """Give back a reservation whose attempt never checked anything."""
        await self.settle(refund=keys(rules), now=now)

    @staticmethod
    async def take(conn: asyncpg.Connection, rule: Rule) -> bool:
        """Count one on ``rule`` inside the caller's transaction unless it is at its limit;
        whether it was counted. Concurrent callers wait for each other's commit."""
        return bool(
            await conn.fetchval(
                queries.take, rule.key, rule.limit.failures, rule.limit.window_seconds
            )
        )

    @staticmethod
    async def retry_after(conn: asyncpg.Connection, key: str) -> int:
        """Seconds until the window of ``key`` ends (0 when none is open)."""
        return int(await conn.fetchval(queries.retry_after, key) or 0)

    async def counters(self, keys: Sequence[str], *, now: datetime | None = None) -> list[Counter]:
        """The open windows of these keys, for operators and tests."""
        rows = await self._fetch(queries.failures, list(keys), now)
        return [Counter(**dict(row)) for row in rows]

    async def prune(self, *, now: datetime | None = None, batch: int | None = None) -> int:
        """Delete up to ``batch`` rows whose window has lapsed; returns how many went."""
        status = await self._execute(queries.prune, now, batch or self._prune_batch)
        return int(status.rsplit(" ", 1)[-1])

    async def _prune_quietly(self, now: datetime | None) -> None:
        try:
            await self.prune(now=now)
        except Exception:  # pruning is housekeeping: the attempt was already counted
            log.warning("pruning throttle counters failed", exc_info=True)

    async def _fetchval(self, query: str, *args: object) -> int:
        async with alone(self._pool) as conn:
            value = await conn.fetchval(query, *args)
        return int(value or 0)

    async def _fetch(self, query: str, *args: object) -> list[asyncpg.Record]:
        async with alone(self._pool) as conn:
            rows: list[asyncpg.Record] = await conn.fetch(query, *args)
        return rows

    async def _execute(self, query: str, *args: object) -> str:
        async with alone(self._pool) as conn:
            status: str = await conn.execute(query, *args)
        return status
