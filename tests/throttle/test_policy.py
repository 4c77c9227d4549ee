"""Throttle keys and the default limits per endpoint."""

from __future__ import annotations

from datetime import UTC, datetime

import asyncpg
import pytest

from service.throttle import (
    LOGIN,
    Limit,
    Rule,
    Throttle,
    ThrottleDecision,
    ThrottlePolicy,
    account_key,
    address_bucket,
    address_key,
    known_client_key,
    recipient_rule,
)

T0 = datetime(2030, 1, 1, 9, 0, tzinfo=UTC)


def test_account_keys_ignore_case_and_surrounding_space() -> None:
    assert account_key(LOGIN, "  Dr.Who@Clinic.Example ") == "login:account:dr.who@clinic.example"


def test_address_keys_count_ipv6_per_64_network() -> None:
    assert address_key(LOGIN, "198.51.100.9") == "login:ip:198.51.100.9"
    assert address_key(LOGIN, "2001:db8:1:2:aaaa::1") == "login:ip:2001:db8:1:2::/64"
    assert address_key(LOGIN, "2001:db8:1:2:bbbb::9") == address_key(LOGIN, "2001:db8:1:2::1")
    assert address_key(LOGIN, "2001:db8:1:3::1") != address_key(LOGIN, "2001:db8:1:2::1")
    assert address_bucket("::ffff:198.51.100.9") == "198.51.100.9"
    assert address_bucket("unknown") == "unknown"
    assert address_bucket("  ") == "unknown"


def test_overlong_parts_are_replaced_by_their_digest() -> None:
    key = account_key(LOGIN, "a" * 1000 + "@example.com")
    assert key.startswith("login:account:sha256:")
    assert len(key) < 100
    assert key == account_key(LOGIN, "A" * 1000 + "@EXAMPLE.COM")


def test_default_limits() -> None:
    policy = ThrottlePolicy()
    login = policy.login("Someone@Example.com", "198.51.100.9")
    assert [(rule.key, rule.limit, rule.waivable) for rule in login] == [
        ("login:account-ip:198.51.100.9:someone@example.com", Limit(10, 900), False),
        ("login:account:someone@example.com", Limit(100, 900), True),
        ("login:ip:198.51.100.9", Limit(100, 900), True),
    ]
    assert known_client_key("Someone@Example.com", "198.51.100.9") == (
        "login:known:198.51.100.9:someone@example.com"
    )
    assert policy.reset_confirm("198.51.100.9")[0].limit == Limit(20, 900)
    assert policy.verify("198.51.100.9")[0].key == "verify:ip:198.51.100.9"
    assert policy.invitation_accept("198.51.100.9")[0].key == "invitation-accept:ip:198.51.100.9"
    assert policy.refresh("198.51.100.9")[0].limit == Limit(100, 900)
    assert policy.register("198.51.100.9")[0].limit == Limit(30, 3600)
    assert recipient_rule(" Dr@Clinic.Example ", 5) == Rule(
        "mail:to:dr@clinic.example", Limit(5, 3600)
    )


def test_limits_are_constructor_arguments() -> None:
    policy = ThrottlePolicy(login_account_client=Limit(5, 60), refresh_address=Limit(7))
    assert policy.login("a@example.com", "198.51.100.9")[0].limit == Limit(5, 60)
    assert policy.refresh("198.51.100.9")[0].limit == Limit(7, 900)
    with pytest.raises(ValueError, match="at least one"):
        Limit(0)


async def test_one_client_is_blocked_on_an_account_while_another_is_not(
    pool: asyncpg.Pool,
) -> None:
    throttle = Throttle(pool)
    victim = "victim@example.com"
    for _ in range(10):
        rules = throttle.policy.login(victim, "203.0.113.5")
        assert not (await throttle.reserve(rules, now=T0)).blocked
    blocked = await throttle.reserve(throttle.policy.login(victim, "203.0.113.5"), now=T0)
    assert blocked == ThrottleDecision(True, 900)
    elsewhere = throttle.policy.login(victim, "198.51.100.1")
    assert not (await throttle.reserve(elsewhere, now=T0)).blocked


async def test_the_account_ceiling_spares_a_known_client(pool: asyncpg.Pool) -> None:
    throttle = Throttle(pool)
    victim = "victim@example.com"
    for attempt in range(100):  # many addresses, each under its own limit
        rules = throttle.policy.login(victim, f"10.0.{attempt // 200}.{attempt % 200}")
        assert not (await throttle.reserve(rules, now=T0)).blocked
    stranger = throttle.policy.login(victim, "198.51.100.1")
    assert (await throttle.reserve(stranger, now=T0)).blocked
    home = known_client_key(victim, "192.0.2.7")
    await throttle.settle(known=home, now=T0)
    own = throttle.policy.login(victim, "192.0.2.7")
    assert not (await throttle.reserve(own, known=home, now=T0)).blocked


async def test_a_hundred_failures_from_one_address_block_strangers_but_not_known_clients(
    pool: asyncpg.Pool,
) -> None:
    throttle = Throttle(pool)
    nat = "203.0.113.5"
    staff = "nurse@clinic.example"
    await throttle.settle(known=known_client_key(staff, nat), now=T0)
    for attempt in range(100):
        rules = throttle.policy.login(f"user{attempt}@example.com", nat)
        await throttle.reserve(rules, now=T0)
    fresh = throttle.policy.login("never-tried@example.com", nat)
    assert (await throttle.reserve(fresh, now=T0)).blocked
    mine = throttle.policy.login(staff, nat)
    assert not (await throttle.reserve(mine, known=known_client_key(staff, nat), now=T0)).blocked
    elsewhere = throttle.policy.login("never-tried@example.com", "203.0.113.6")
    assert not (await throttle.reserve(elsewhere, now=T0)).blocked
