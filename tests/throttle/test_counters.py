"""Throttle counters in PostgreSQL: exact under concurrency, windows, reset, shared, durable."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest

from service.db.tx import transaction
from service.errors import ApiError
from service.throttle import Limit, Rule, Throttle, ThrottleDecision

T0 = datetime(2030, 1, 1, 9, 0, tzinfo=UTC)
KEY = "login:account:someone@example.com"
OPEN = ThrottleDecision(blocked=False, retry_after=0)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


async def failures(throttle: Throttle, key: str, now: datetime = T0) -> int:
    counters = await throttle.counters([key], now=now)
    return counters[0].failures if counters else 0


async def test_concurrent_failures_are_counted_exactly(pool: asyncpg.Pool) -> None:
    throttle = Throttle(pool)
    await asyncio.gather(
        *(throttle.record_failure([KEY], limit=1000, window_seconds=60, now=T0) for _ in range(50))
    )
    assert await failures(throttle, KEY) == 50


async def test_keys_in_any_order_neither_deadlock_nor_lose_counts(pool: asyncpg.Pool) -> None:
    throttle = Throttle(pool)
    a, b = "login:account:a@example.com", "login:ip:198.51.100.9"
    await asyncio.gather(
        *(
            throttle.record_failure(keys, limit=1000, window_seconds=60, now=T0)
            for _ in range(20)
            for keys in ([a, b], [b, a], [a, a, b])
        )
    )
    assert await failures(throttle, a) == 60  # a key named twice in one call counts once
    assert await failures(throttle, b) == 60


async def test_the_limit_blocks_until_the_window_ends(pool: asyncpg.Pool) -> None:
    throttle = Throttle(pool)
    for second in (0, 10):
        assert await throttle.record_failure([KEY], limit=3, window_seconds=60, now=at(second)) == (
            OPEN
        )
    # Not blocked yet, but the key is named as counted (a success would have to forget it).
    assert await throttle.check([KEY], now=at(20)) == ThrottleDecision(False, 0, frozenset({KEY}))
    third = await throttle.record_failure([KEY], limit=3, window_seconds=60, now=at(20))
    assert third == ThrottleDecision(blocked=True, retry_after=40)
    assert await throttle.check([KEY], now=at(30)) == ThrottleDecision(True, 30, frozenset({KEY}))
    assert await throttle.check([KEY], now=at(59.5)) == ThrottleDecision(True, 1, frozenset({KEY}))
    # Any blocked key blocks; keys with no failures do not.
    assert (await throttle.check(["login:ip:203.0.113.1", KEY], now=at(30))).blocked
    assert await throttle.check(["login:ip:203.0.113.1"], now=at(30)) == OPEN
    assert await throttle.check([], now=at(30)) == OPEN


async def test_the_window_expires(pool: asyncpg.Pool) -> None:
    throttle = Throttle(pool)
    for second in (0, 1, 2):
        await throttle.record_failure([KEY], limit=3, window_seconds=60, now=at(second))
    assert (await throttle.check([KEY], now=at(59))).blocked
    assert await throttle.check([KEY], now=at(60)) == OPEN  # a lapsed window counts nothing
    # The next failure opens a fresh window instead of adding to the old count.
    assert await throttle.record_failure([KEY], limit=3, window_seconds=60, now=at(61)) == OPEN
    assert await failures(throttle, KEY, at(61)) == 1
    assert (await throttle.counters([KEY], now=at(61)))[0].window_ends_at == at(121)


async def test_each_rule_has_its_own_limit(pool: asyncpg.Pool) -> None:
    throttle = Throttle(pool)
    account, address = "login:account:x@example.com", "login:ip:198.51.100.9"
    rules = [Rule(account, Limit(2, 60)), Rule(address, Limit(5, 300))]
    await throttle.record_failures(rules, now=T0)
    decision = await throttle.record_failures(rules, now=at(1))
    assert decision == ThrottleDecision(blocked=True, retry_after=59)
    assert not (await throttle.check([address], now=at(1))).blocked
    for second in (2, 3, 4):
        await throttle.record_failures([rules[1]], now=at(second))
    assert (await throttle.check([address], now=at(100))).retry_after == 200


async def test_reset_clears_only_its_key(pool: asyncpg.Pool) -> None:
    throttle = Throttle(pool)
    other = "login:ip:198.51.100.9"
    await throttle.record_failure([KEY, other], limit=1, window_seconds=60, now=T0)
    assert (await throttle.check([KEY], now=T0)).blocked
    await throttle.reset(KEY)
    assert await throttle.check([KEY], now=T0) == OPEN
    assert await failures(throttle, KEY) == 0
    assert (await throttle.check([other], now=T0)).blocked


async def test_two_instances_share_counts(pool: asyncpg.Pool, other_pool: asyncpg.Pool) -> None:
    first, second = Throttle(pool), Throttle(other_pool)
    await asyncio.gather(
        *(
            throttle.record_failure([KEY], limit=40, window_seconds=60, now=T0)
            for _ in range(20)
            for throttle in (first, second)
        )
    )
    assert await failures(first, KEY) == 40
    assert await first.check([KEY], now=T0) == ThrottleDecision(True, 60, frozenset({KEY}))
    assert await second.check([KEY], now=T0) == ThrottleDecision(True, 60, frozenset({KEY}))
    await second.reset(KEY)
    assert await first.check([KEY], now=T0) == OPEN


async def test_a_failure_survives_the_rollback_of_the_request(pool: asyncpg.Pool) -> None:
    throttle = Throttle(pool)
    with pytest.raises(RuntimeError):
        async with transaction(pool) as conn:
            await conn.execute("SELECT 1")
            await throttle.record_failure([KEY], limit=5, window_seconds=60, now=T0)
            raise RuntimeError("the login failed and its transaction rolls back")
    assert await failures(throttle, KEY) == 1


async def test_the_database_clock_is_used_when_no_time_is_given(pool: asyncpg.Pool) -> None:
    throttle = Throttle(pool)
    decision = await throttle.record_failure([KEY], limit=1, window_seconds=600)
    assert decision.blocked
    assert 598 <= decision.retry_after <= 600
    assert (await throttle.check([KEY])).blocked


async def test_lapsed_windows_are_pruned(pool: asyncpg.Pool) -> None:
    throttle = Throttle(pool, prune_every=3)
    await throttle.record_failure(["old:1", "old:2"], limit=5, window_seconds=60, now=T0)
    await throttle.record_failure(["recent"], limit=5, window_seconds=600, now=T0)
    async with pool.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM throttle_counters") == 3
        # The third call prunes on its way out: both lapsed rows go, the open ones stay.
        await throttle.record_failure(["new"], limit=5, window_seconds=60, now=at(120))
        rows = await conn.fetch("SELECT key FROM throttle_counters ORDER BY key")
    assert [row["key"] for row in rows] == ["new", "recent"]
    assert await throttle.prune(now=at(10_000)) == 2


async def test_a_closed_pool_answers_service_unavailable(db_pool_closed: asyncpg.Pool) -> None:
    with pytest.raises(ApiError) as raised:
        await Throttle(db_pool_closed).check([KEY])
    assert raised.value.items[0].code == "service_unavailable"
    assert raised.value.status == 503


@pytest.fixture
async def db_pool_closed(pool: asyncpg.Pool) -> asyncpg.Pool:
    await pool.close()
    return pool
