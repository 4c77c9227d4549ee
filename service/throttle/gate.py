"""Throttling around endpoints that check a secret, and limits on endpoints that send mail.

A refused guess gets the very answer a wrong secret gets, so throttling tells an attacker
nothing. A refused mail-sending request gets 429 with ``Retry-After``; its count depends only
on the client or the organization, never on whether an address has an account.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

import asyncpg

from service.errors import ApiError
from service.throttle.counters import Throttle, keys
from service.throttle.policy import Rule

T = TypeVar("T")


async def guarded(
    throttle: Throttle,
    rules: list[Rule],
    attempt: Callable[[], Awaitable[T]],
    *,
    refusal: Callable[[], BaseException],
    counts: Callable[[BaseException], bool],
    known: str | None = None,
) -> T:
    """Reserve an attempt on ``rules`` (refused with ``refusal()`` when over a limit), run
    ``attempt``, and give the reservation back unless it failed in a way ``counts`` names.
    With ``known``, waivable rules spare a client holding that key, and a success marks the
    client with it (for 30 days)."""
    if (await throttle.reserve(rules, known=known)).blocked:
        raise refusal()
    try:
        result = await attempt()
    except Exception as error:
        if not counts(error):
            await throttle.refund(rules)
        raise
    await throttle.settle(refund=keys(rules), known=known)
    return result


async def limited(throttle: Throttle, rules: list[Rule]) -> None:
    """Count this request on ``rules``; 429 with ``Retry-After`` when one is at its limit."""
    decision = await throttle.reserve(rules)
    if decision.blocked:
        raise too_many(decision.retry_after)


async def limited_in(conn: asyncpg.Connection, rules: list[Rule]) -> None:
    """Count this request on ``rules`` inside its own transaction, so that only what commits
    counts; 429 with ``Retry-After`` when one is at its limit."""
    for rule in rules:
        if not await Throttle.take(conn, rule):
            raise too_many(await Throttle.retry_after(conn, rule.key))


def too_many(retry_after: int) -> ApiError:
    return ApiError(
        "rate_limited",
        "Too many requests of this kind; try again later.",
        headers={"Retry-After": str(max(retry_after, 1))},
    )


def invalid_token(error: BaseException) -> bool:
    """Counts as a failed guess: a link token that is unknown, used or expired."""
    return isinstance(error, ApiError) and error.items[0].code == "invalid_token"
