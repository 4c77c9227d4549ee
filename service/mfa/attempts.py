"""Every check of a second factor goes through here: an attempt is reserved on the person's
second-factor throttle before the code is looked at (so parallel guesses each take one), a
wrong code keeps its reservation, anything else gives it back, and a right one also marks
the client as one that gave this account's second factor (the account-wide limits spare it
for 30 days, as a password's do)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar
from uuid import UUID

from service.errors import ApiError
from service.throttle.counters import Throttle
from service.throttle.gate import guarded
from service.throttle.policy import second_factor_known_key

T = TypeVar("T")


def is_wrong_code(error: BaseException) -> bool:
    return isinstance(error, ApiError) and error.items[0].code == "invalid_code"


async def checked(
    throttle: Throttle,
    user_id: UUID,
    address: str | None,
    attempt: Callable[[], Awaitable[T]],
    *,
    refusal: Callable[[], BaseException],
) -> T:
    """Run ``attempt`` under the throttle; ``refusal()`` when a limit is in force. An
    ``attempt`` that fails with ``invalid_code`` counts as a wrong guess."""
    where = address or ""
    return await guarded(
        throttle,
        throttle.policy.second_factor(user_id, where),
        attempt,
        refusal=refusal,
        counts=is_wrong_code,
        known=second_factor_known_key(user_id, where),
    )
