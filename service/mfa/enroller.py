"""Who may add and confirm a factor: a person's access token, as everywhere under
``/auth/me``; or, for someone whose organization requires a factor they do not have yet, the
``mfa_token`` the password grant answered ``mfa_required`` with (``mfa_enrollment_required``).
That token was issued only after a right password, lives five minutes and is good for nothing
else; once a factor is confirmed with it, the password grant's second step completes with the
same token and no code (the confirmation was the code)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import asyncpg
from litestar import Request

from service.accounts import repo as users
from service.config import Settings
from service.db.tx import transaction
from service.errors import ApiError
from service.mfa import repo
from service.routing import Injected
from service.security import scoped
from service.security.clients import address_of
from service.security.jwt import CHALLENGE, UNAUTHORIZED_DETAIL
from service.security.keys import KeyRing
from service.security.principal import Principal
from service.session import bearer_token, provide_caller


@dataclass(frozen=True, slots=True)
class Enroller:
    """The person adding a factor; ``step_token`` when they came with an ``mfa_token``."""

    principal: Principal
    step_token: str | None = None


def _refused() -> ApiError:
    return ApiError("unauthorized", UNAUTHORIZED_DETAIL, headers=CHALLENGE)


async def provide_enroller(
    request: Request[Any, Any, Any],
    pool: Injected[asyncpg.Pool],
    settings: Injected[Settings],
    keyring: Injected[KeyRing],
) -> Enroller:
    raw = bearer_token(request)
    if not raw.startswith(repo.STEP_PREFIX):
        caller = await provide_caller(request, pool, settings, keyring)
        return Enroller(caller.principal)
    user_id = scoped.scope_of(repo.STEP_PREFIX, raw)
    if user_id is None:
        raise _refused()
    async with transaction(pool, user_id=user_id) as conn:
        step = await repo.lock_challenge(conn, scoped.digest(raw), user_id)
        user = await users.by_id(conn, user_id)
    if step is None or user is None or step.used or step.expired:
        raise _refused()
    if not step.enrol or step.purpose != "grant":
        raise _refused()
    principal = Principal(
        user_id=user_id,
        org_id=step.organization_id,
        email=user.email,
        role="",
        permissions=frozenset(),
        practitioner_id=None,
        address=address_of(request, settings),
    )
    return Enroller(principal, raw)


async def satisfy(pool: asyncpg.Pool, enroller: Enroller, method: str) -> None:
    """The factor just confirmed passes the enrolment's second step (once, in the grant)."""
    if enroller.step_token is None:
        return
    user_id = enroller.principal.user_id
    async with transaction(pool, user_id=user_id) as conn:
        await repo.satisfy_challenge(conn, scoped.digest(enroller.step_token), user_id, [method])
