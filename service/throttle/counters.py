"""Failure counters in PostgreSQL, shared by every instance of the service.

Each call is one statement on a connection of its own, so it commits on its own: a failed login
rolls its request's transaction back, yet the failure stays counted. Counting is one atomic
``INSERT ... ON CONFLICT DO UPDATE``, so concurrent failures on one key are counted exactly.

Give the throttle a small pool of its own (or call it while the request holds no connection):
a request that holds a connection from the same pool and waits for a second one can exhaust
the pool under load.

Usage on an endpoint that checks a secret::

    rules = throttle.policy.login(email, address)
    decision = await throttle.check(keys(rules))
    # ...one argon2 verification whatever the decision, then on failure (or when blocked):
    await throttle.record_failures(rules)
    # on success, when the account had failures counted:
    if account_key(LOGIN, email) in decision.counted:
        await throttle.reset(account_key(LOGIN, email))
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime

import asyncpg

from service.db.queries import load
from service.db.tx import UNAVAILABLE
from service.errors import service_unavailable
from service.metrics import events
from service.throttle.policy import Limit, Rule, ThrottlePolicy

queries = load(__file__)
log = logging.getLogger(__name__)

PRUNE_EVERY = 200
PRUNE_BATCH = 1000


@dataclass(frozen=True, slots=True)
class ThrottleDecision:
    """Whether to refuse the attempt, and for how many more seconds (0 when not blocked);
    ``counted`` names the checked keys that have failures in an open window."""

    blocked: bool
    retry_after: int
    counted: frozenset[str] = frozenset()

    @classmethod
    def from_retry_after(cls, retry_after: int, counted: Iterable[str] = ()) -> ThrottleDecision:
        return cls(
            blocked=retry_after > 0, retry_after=max(retry_after, 0), counted=frozenset(counted)
        )


@dataclass(frozen=True, slots=True)
class Counter:
    key: str
    failures: int
    max_failures: int
    window_ends_at: datetime


def keys(rules: Iterable[Rule]) -> list[str]:
    return [rule.key for rule in rules]


class Throttle:
    """Checks and counts failures per key; ``policy`` holds the limits per endpoint."""

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
        self._recorded = 0

    async def check(self, keys: Sequence[str], *, now: datetime | None = None) -> ThrottleDecision:
        """Blocked when any key has reached its limit inside its open window."""
        if not keys:
            return ThrottleDecision.from_retry_after(0)
        row = (await self._fetch(queries.check, list(keys), now))[0]
        decision = ThrottleDecision.from_retry_after(row["retry_after"], row["counted"])
        if decision.blocked:
            events.throttled(keys[0].split(":", 1)[0])  # keys start with their action
        return decision

    async def record_failure(
        self,
        keys: Sequence[str],
        *,
        limit: int,
        window_seconds: int,
        now: datetime | None = None,
    ) -> ThrottleDecision:
        """Count one failure on each key under one limit; the decision after counting."""
        limit_ = Limit(limit, window_seconds)
        return await self.record_failures([Rule(key, limit_) for key in keys], now=now)

    async def record_failures(
        self, rules: Sequence[Rule], *, now: datetime | None = None
    ) -> ThrottleDecision:
        """Count one failure on each rule's key under its own limit, all in one statement."""
        unique = {rule.key: rule for rule in reversed(rules)}  # the first rule for a key wins
        ordered = [unique[key] for key in sorted(unique)]
        if not ordered:
            return ThrottleDecision.from_retry_after(0)
        retry_after = await self._fetchval(
            queries.record_failures,
            [rule.key for rule in ordered],
            [rule.limit.failures for rule in ordered],
            [rule.limit.window_seconds for rule in ordered],
            now,
        )
        self._recorded += 1
        if self._prune_every and self._recorded % self._prune_every == 0:
            await self._prune_quietly(now)
        return ThrottleDecision.from_retry_after(retry_after)

    async def reset(self, *keys: str) -> None:
        """Forget the failures counted on these keys (after a success, say)."""
        if keys:
            await self._execute(queries.reset, list(keys))

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
        except Exception:  # pruning is housekeeping: the failure was already counted
            log.warning("pruning throttle counters failed", exc_info=True)

    async def _fetchval(self, query: str, *args: object) -> int:
        async with self._connection() as conn:
            value = await conn.fetchval(query, *args)
        return int(value or 0)

    async def _fetch(self, query: str, *args: object) -> list[asyncpg.Record]:
        async with self._connection() as conn:
            rows: list[asyncpg.Record] = await conn.fetch(query, *args)
        return rows

    async def _execute(self, query: str, *args: object) -> str:
        async with self._connection() as conn:
            status: str = await conn.execute(query, *args)
        return status

    @asynccontextmanager
    async def _connection(self) -> AsyncIterator[asyncpg.Connection]:
        try:
            async with self._pool.acquire() as conn:
                yield conn
        except UNAVAILABLE as exc:
            raise service_unavailable("The database is not reachable right now.") from exc
