"""The second step of a sign-in whose password was right and which needs a second factor.

The first step (a password grant, or the hosted sign-in page) opens the step: an opaque token
of 256 random bits behind the person's id (``mfa_…``; only its SHA-256 is stored), five
minutes long, bound to the organization the sign-in is for, the sessions epoch it was
decided under, and the app client that asked (none for the first-party client). The token
alone gives nothing: the step passes only with a right code, once. Each attempt reserves one
on the person's second-factor throttle before the code is looked at; a wrong code counts
there and on the step, whose fifth failure spends it. Whatever the step then issues is
written in the same transaction that spent it, under its lock, so two requests racing with
one token and one code get one session between them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TypeVar
from uuid import UUID

import asyncpg

from service.audit.actions import Action
from service.db.tx import set_tenant, transaction
from service.errors import ApiError
from service.metrics import events
from service.mfa import repo as mfa
from service.mfa.attempts import checked, is_wrong_code
from service.mfa.check import Given, passes
from service.mfa.repo import Challenge
from service.mfa.service import wrong_code
from service.security import scoped
from service.security.sign_in import SignIn, with_factor
from service.tokens.issue import Issuer, auth_event

T = TypeVar("T")
PREFIX = mfa.STEP_PREFIX
LIFETIME_SECONDS = 300
MOST_FAILURES = 5


@dataclass(frozen=True, slots=True)
class Pending:
    """A password that was right, for a sign-in that needs its second step first."""

    user_id: UUID
    organization_id: UUID
    sessions_epoch: int
    enrol: bool  # no factor yet: the organization requires one, so enrol first


class _Wrong:
    """A wrong code, whose failure must commit before it is answered."""


WRONG = _Wrong()


def user_of(raw: str) -> UUID | None:
    return scoped.scope_of(PREFIX, raw)


async def open_step(
    issuer: Issuer,
    pending: Pending,
    *,
    purpose: str,
    client_id: UUID | None = None,
    browser_family: UUID | None = None,
    signed_in: SignIn | None = None,
) -> str:
    """Open the step; its token (shown once)."""
    raw, hashed = scoped.mint(PREFIX, pending.user_id)
    how = signed_in or SignIn.password_now()
    async with transaction(issuer.pool, user_id=pending.user_id) as conn:
        await mfa.insert_challenge(
            conn,
            token_hash=hashed,
            user_id=pending.user_id,
            organization_id=pending.organization_id,
            sessions_epoch=pending.sessions_epoch,
            purpose=purpose,
            app_client_id=client_id,
            browser_family=browser_family,
            enrol=pending.enrol,
            auth_time=how.auth_time,
            amr=list(how.amr),
            ttl=LIFETIME_SECONDS,
        )
    return raw


async def peek(issuer: Issuer, raw: str, *, purpose: str) -> Challenge | None:
    """The live step the token names (for a page to show it), without taking it."""
    user_id = user_of(raw)
    if user_id is None:
        return None
    async with transaction(issuer.pool, user_id=user_id) as conn:
        found = await mfa.lock_challenge(conn, scoped.digest(raw), user_id)
    if found is None or found.used or found.expired or found.purpose != purpose:
        return None
    return found


Then = Callable[[asyncpg.Connection, Challenge, SignIn], Awaitable[T]]


async def pass_step(
    issuer: Issuer,
    raw: str,
    given: Given,
    *,
    purpose: str,
    client_id: UUID | None,
    address: str | None,
    then: Then[T],
    invalid: Callable[[], BaseException],
) -> T:
    """Check ``given`` against the step ``raw`` names and, when it passes, spend the step and
    run ``then`` in the same transaction (it issues what the sign-in gives). A token that is
    unknown, spent, expired, of another purpose or another client, and a wrong code, all
    raise ``invalid()``; only a wrong code (or a throttled attempt) counts."""
    user_id = user_of(raw)
    if user_id is None:
        raise invalid()

    async def attempt() -> T:
        async with transaction(issuer.pool, user_id=user_id) as conn:
            outcome = await _attempt(
                conn, issuer, raw, user_id, given, (purpose, client_id, address), then
            )
        if outcome is None:
            raise invalid()
        if isinstance(outcome, _Wrong):
            raise wrong_code()
        return outcome

    def refused() -> BaseException:
        events.mfa("throttled", kind=given.kind, user_id=user_id)
        return invalid()

    try:
        return await checked(issuer.throttle, user_id, address, attempt, refusal=refused)
    except ApiError as error:
        if is_wrong_code(error):
            raise invalid() from None
        raise


async def _attempt(
    conn: asyncpg.Connection,
    issuer: Issuer,
    raw: str,
    user_id: UUID,
    given: Given,
    asked: tuple[str, UUID | None, str | None],
    then: Then[T],
) -> T | _Wrong | None:
    purpose, client_id, address = asked
    hashed = scoped.digest(raw)
    step = await mfa.lock_challenge(conn, hashed, user_id)
    if step is None or step.used or step.expired or step.purpose != purpose:
        return None
    if step.app_client_id != client_id:
        return None
    if step.satisfied:
        method: str | None = step.satisfied[0]
    else:
        method = await passes(conn, issuer.mfa, user_id, given, step.passkey_challenge)
    await set_tenant(conn, org_id=step.organization_id, user_id=user_id)
    if method is None:
        await mfa.fail_challenge(conn, hashed, user_id, MOST_FAILURES)
        await auth_event(
            conn, step.organization_id, user_id, "auth.mfa_failed", address, actor_kind="anonymous"
        )
        events.mfa("failed", kind=given.kind, user_id=user_id, org_id=step.organization_id)
        return WRONG
    await mfa.spend_challenge(conn, hashed, user_id)
    action: Action = "auth.recovery_code_used" if given.recovery_code else "auth.mfa_passed"
    await auth_event(conn, step.organization_id, user_id, action, address)
    event = "recovery_code_used" if given.recovery_code else "passed"
    events.mfa(event, kind=given.kind, user_id=user_id, org_id=step.organization_id)
    how = SignIn(with_factor(step.amr, method), datetime.now(UTC))
    return await then(conn, step, how)


async def satisfy(issuer: Issuer, raw: str, methods: list[str]) -> None:
    """The step's second factor was given another way (a factor confirmed on the page): the
    step passes next time without a code, once."""
    user_id = user_of(raw)
    if user_id is None:
        return
    async with transaction(issuer.pool, user_id=user_id) as conn:
        await mfa.satisfy_challenge(conn, scoped.digest(raw), user_id, methods)
