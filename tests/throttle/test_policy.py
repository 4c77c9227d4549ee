"""Throttle keys and the default limits per endpoint."""

from __future__ import annotations

from datetime import UTC, datetime

import asyncpg
import pytest

from service.throttle import (
    LOGIN,
    Limit,
    Throttle,
    ThrottlePolicy,
    account_key,
    address_bucket,
    address_key,
    keys,
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
    assert [(rule.key, rule.limit) for rule in login] == [
        ("login:account:someone@example.com", Limit(10, 900)),
        ("login:ip:198.51.100.9", Limit(50, 900)),
    ]
    assert policy.reset_confirm("198.51.100.9")[0].limit == Limit(20, 900)
    assert policy.verify("198.51.100.9")[0].key == "verify:ip:198.51.100.9"
    assert policy.invitation_accept("198.51.100.9")[0].key == "invitation-accept:ip:198.51.100.9"
    assert policy.refresh("198.51.100.9")[0].limit == Limit(100, 900)


def test_limits_are_constructor_arguments() -> None:
    policy = ThrottlePolicy(login_account=Limit(5, 60), refresh_address=Limit(7))
    assert policy.login("a@example.com", "198.51.100.9")[0].limit == Limit(5, 60)
    assert policy.refresh("198.51.100.9")[0].limit == Limit(7, 900)
    with pytest.raises(ValueError, match="at least one"):
        Limit(0)


async def test_ten_failed_logins_block_the_account_from_every_address(
    pool: asyncpg.Pool,
) -> None:
    throttle = Throttle(pool)
    for attempt in range(10):
        address = f"198.51.100.{attempt}"
        rules = throttle.policy.login("victim@example.com", address)
        assert not (await throttle.check(keys(rules), now=T0)).blocked
        await throttle.record_failures(rules, now=T0)
    blocked = await throttle.check(keys(throttle.policy.login("victim@example.com", "::1")), now=T0)
    assert blocked.blocked
    assert blocked.retry_after == 900
    other = throttle.policy.login("someone-else@example.com", "198.51.100.1")
    assert not (await throttle.check(keys(other), now=T0)).blocked


async def test_fifty_failures_from_one_address_block_it_for_every_account(
    pool: asyncpg.Pool,
) -> None:
    throttle = Throttle(pool)
    for attempt in range(50):
        rules = throttle.policy.login(f"user{attempt}@example.com", "203.0.113.5")
        await throttle.record_failures(rules, now=T0)
    fresh = throttle.policy.login("never-tried@example.com", "203.0.113.5")
    assert (await throttle.check(keys(fresh), now=T0)).blocked
    elsewhere = throttle.policy.login("never-tried@example.com", "203.0.113.6")
    assert not (await throttle.check(keys(elsewhere), now=T0)).blocked
