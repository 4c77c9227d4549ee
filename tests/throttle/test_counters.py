"""Throttle counters in PostgreSQL: reservations exact under bursts, windows, refunds, shared."""

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


def rule(key: str = KEY, limit: int = 3, window: int = 60, *, waivable: bool = False) -> Rule:
    return Rule(key, Limit(limit, window), waivable)


async def count(throttle: Throttle, key: str, now: datetime = T0) -> int:
    counters = await throttle.counters([key], now=now)
    return counters[0].failures if counters else 0


async def test_a_burst_reserves_no_more_than_the_limit(pool: asyncpg.Pool) -> None:
    throttle = Throttle(pool)
    decisions = await asyncio.gather(
        *(throttle.reserve([rule(limit=10)], now=T0) for _ in range(40))
    )
    assert sum(not d.blocked for d in decisions) == 10
    assert await count(throttle, KEY) == 10


async def test_keys_in_any_order_neither_deadlock_nor_lose_counts(pool: asyncpg.Pool) -> None:
    throttle = Throttle(pool)
    a, b = "login:account:a@example.com", "login:ip:198.51.100.9"
    await asyncio.gather(
        *(
            throttle.reserve([rule(k, 1000) for k in keys], now=T0)
            for _ in range(20)
            for keys in ([a, b], [b, a], [a, a, b])
        )
    )
    assert await count(throttle, a) == 60  # a key named twice in one call counts once
    assert await count(throttle, b) == 60


async def test_a_refusal_counts_on_no_key(pool: asyncpg.Pool) -> None:
    throttle = Throttle(pool)
    full, other = "login:account-ip:x", "login:account:x@example.com"
    assert await throttle.reserve([rule(full, 1)], now=T0) == OPEN
    for _ in range(5):
        refused = await throttle.reserve([rule(full, 1), rule(other, 100)], now=at(10))
        assert refused == ThrottleDecision(blocked=True, retry_after=50)
    assert await count(throttle, other, at(10)) == 0


async def test_the_limit_blocks_until_the_window_ends(pool: asyncpg.Pool) -> None:
    throttle = Throttle(pool)
    for second in (0, 10, 20):
        assert await throttle.reserve([rule()], now=at(second)) == OPEN
    assert await throttle.reserve([rule()], now=at(30)) == ThrottleDecision(True, 30)
    assert await throttle.reserve([rule()], now=at(59.5)) == ThrottleDecision(True, 1)
    # The window lapses: the next attempt opens a fresh one.
    assert await throttle.reserve([rule()], now=at(60)) == OPEN
    assert await count(throttle, KEY, at(60)) == 1
    assert (await throttle.counters([KEY], now=at(60)))[0].window_ends_at == at(120)


async def test_a_refund_gives_one_attempt_back(pool: asyncpg.Pool) -> None:
    throttle = Throttle(pool)
    for _ in range(3):
        await throttle.reserve([rule()], now=T0)
    assert (await throttle.reserve([rule()], now=T0)).blocked
    await throttle.refund([rule()], now=T0)
    assert await throttle.reserve([rule()], now=T0) == OPEN
    assert (await throttle.reserve([rule()], now=T0)).blocked


async def test_settle_clears_refunds_and_remembers_the_client(pool: asyncpg.Pool) -> None:
    throttle = Throttle(pool)
    hard, ceiling, known = "h", "c", "login:known:k"
    rules = [rule(hard, 2), rule(ceiling, 2, waivable=True)]
    await throttle.reserve(rules, known=known, now=T0)
    await throttle.reserve(rules, known=known, now=T0)
    assert (await throttle.reserve(rules, known=known, now=T0)).blocked
    await throttle.settle(refund=[ceiling], clear=[hard], known=known, now=T0)
    assert await count(throttle, hard) == 0
    assert await count(throttle, ceiling) == 1
    # The known client is spared the waivable rule, even once it is full.
    await throttle.reserve([rule(ceiling, 2)], now=T0)
    assert (await throttle.reserve([rule(ceiling, 2)], now=T0)).blocked
    assert await throttle.reserve(rules, known=known, now=T0) == OPEN
    assert (await throttle.reserve(rules, known="login:known:other", now=T0)).blocked
    # ...for thirty days.
    assert (await throttle.counters([known], now=T0))[0].window_ends_at == T0 + timedelta(days=30)


async def test_two_instances_share_counts(pool: asyncpg.Pool, other_pool: asyncpg.Pool) -> None:
    first, second = Throttle(pool), Throttle(other_pool)
    decisions = await asyncio.gather(
        *(t.reserve([rule(limit=25)], now=T0) for _ in range(20) for t in (first, second))
    )
    assert sum(not d.blocked for d in decisions) == 25
    assert (await second.reserve([rule(limit=25)], now=T0)).blocked


async def test_a_reservation_survives_the_rollback_of_the_request(pool: asyncpg.Pool) -> None:
    throttle = Throttle(pool)
    with pytest.raises(RuntimeError):
        async with transaction(pool) as conn:
            await conn.execute("SELECT 1")
            await throttle.reserve([rule()], now=T0)
            raise RuntimeError("the login failed and its transaction rolls back")
    assert await count(throttle, KEY) == 1


async def test_take_counts_only_what_commits(pool: asyncpg.Pool) -> None:
    limit = rule("mail:to:a@example.com", 2, 3600)
    with pytest.raises(RuntimeError):
        async with transaction(pool) as conn:
            assert await Throttle.take(conn, limit)
            raise RuntimeError("the change that would have sent the mail rolls back")

    async def one() -> bool:
        async with transaction(pool) as conn:
            return await Throttle.take(conn, limit)

    assert sorted(await asyncio.gather(*(one() for _ in range(10)))) == [False] * 8 + [True] * 2
    async with transaction(pool) as conn:
        assert 3595 <= await Throttle.retry_after(conn, limit.key) <= 3600


async def test_the_database_clock_is_used_when_no_time_is_given(pool: asyncpg.Pool) -> None:
    throttle = Throttle(pool)
    assert await throttle.reserve([rule(limit=1, window=600)]) == OPEN
    decision = await throttle.reserve([rule(limit=1, window=600)])
    assert decision.blocked
    assert 598 <= decision.retry_after <= 600


async def test_lapsed_windows_are_pruned(pool: asyncpg.Pool) -> None:
    throttle = Throttle(pool, prune_every=3)
    await throttle.reserve([rule("old:1"), rule("old:2")], now=T0)
    await throttle.reserve([rule("recent", window=600)], now=T0)
    async with pool.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM throttle_counters") == 3
        # The third call prunes on its way out: both lapsed rows go, the open ones stay.
        await throttle.reserve([rule("new")], now=at(120))
        rows = await conn.fetch("SELECT key FROM throttle_counters ORDER BY key")
    assert [row["key"] for row in rows] == ["new", "recent"]
    assert await throttle.prune(now=at(10_000)) == 2


async def test_a_closed_pool_answers_service_unavailable(db_pool_closed: asyncpg.Pool) -> None:
    with pytest.raises(ApiError) as raised:
        await Throttle(db_pool_closed).reserve([rule()])
    assert raised.value.items[0].code == "service_unavailable"
    assert raised.value.status == 503


@pytest.fixture
async def db_pool_closed(pool: asyncpg.Pool) -> asyncpg.Pool:
    await pool.close()
    return pool
