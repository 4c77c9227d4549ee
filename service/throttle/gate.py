"""Throttling around endpoints that check a secret.

A blocked attempt is refused with the very answer a wrong secret gets, so throttling tells
an attacker nothing; failures are counted in their own transactions (the request's own rolls
back on failure) and so are shared by every instance.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from litestar import Request

from service.config import Settings
from service.security.clients import client_address
from service.throttle.counters import Throttle, keys
from service.throttle.policy import Rule

T = TypeVar("T")


def address_of(request: Request[Any, Any, Any], settings: Settings) -> str:
    peer = request.client.host if request.client else None
    forwarded = ",".join(request.headers.getall("x-forwarded-for", [])) or None
    return client_address(peer, forwarded, settings.trusted_proxies)


async def guarded(
    throttle: Throttle,
    rules: list[Rule],
    attempt: Callable[[], Awaitable[T]],
    *,
    refusal: Callable[[], BaseException],
    counts: Callable[[BaseException], bool],
) -> T:
    """Run ``attempt`` unless a rule is over its limit; count the failures ``counts`` names."""
    if (await throttle.check(keys(rules))).blocked:
        raise refusal()
    try:
        return await attempt()
    except BaseException as error:
        if counts(error):
            await throttle.record_failures(rules)
        raise


def invalid_token(error: BaseException) -> bool:
    """Counts as a failed guess: a link token that is unknown, used or expired."""
    from service.errors import ApiError

    return isinstance(error, ApiError) and error.items[0].code == "invalid_token"
