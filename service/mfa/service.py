"""Decisions about a person's second factors: enrolling and confirming an authenticator app,
renaming and removing factors, recovery codes, and checking a code a sign-in was given.

Every check of a code reserves an attempt on the person's second-factor throttle before it
looks (parallel guesses each take one), and a wrong code, a replayed one and a throttled one
get the same answer. A TOTP step is taken with a single conditional UPDATE, so one code
works once even when two requests race with it."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

import asyncpg

from service.accounts import repo as users
from service.audit.actions import Action
from service.audit.recorder import record
from service.config import Settings
from service.db.tx import transaction
from service.errors import ApiError
from service.mail.mailer import Mailer
from service.metrics import events
from service.mfa import repo
from service.mfa.repo import Factor
from service.security import recovery_codes
from service.security.sealing import Sealer
from service.throttle.counters import Throttle

MAX_FACTORS = 10
STEP_UP_SECONDS = 300
WRONG_CODE = "The code is wrong, expired or already used."
ISSUER_NAME = "Health Auth"


@dataclass(frozen=True, slots=True)
class Kit:
    """What second factors need, passed explicitly."""

    pool: asyncpg.Pool
    sealer: Sealer
    throttle: Throttle
    settings: Settings
    mailer: Mailer


async def notify(conn: asyncpg.Connection, kit: Kit, user_id: UUID, change: str) -> None:
    """Mail the person that their second factors changed, in the change's transaction."""
    user = await users.by_id(conn, user_id)
    if user is not None:
        await kit.mailer.mfa_changed(conn, to=user.email, name=user.name, change=change)


@dataclass(frozen=True, slots=True)
class Listing:
    factors: list[Factor]
    recovery_codes_left: int
    recovery_codes_issued: int


def wrong_code(pointer: str = "/code") -> ApiError:
    return ApiError("invalid_code", WRONG_CODE, pointer=pointer)


def step_up() -> ApiError:
    return ApiError(
        "step_up_required",
        f"Sign in again with your second factor (within {STEP_UP_SECONDS // 60} minutes) first.",
    )


async def audit(
    conn: asyncpg.Connection,
    org_id: UUID,
    user_id: UUID,
    action: Action,
    resource: UUID,
    address: str | None,
    before: Factor | None = None,
    after: Factor | None = None,
) -> None:
    await record(
        conn,
        organization_id=org_id,
        action=action,
        resource_id=resource,
        actor_user_id=user_id,
        before=_snapshot(before),
        after=_snapshot(after),
        address=address,
    )


def _snapshot(factor: Factor | None) -> dict[str, object] | None:
    if factor is None:
        return None
    return {
        "kind": factor.kind,
        "label": factor.label,
        "confirmed": factor.confirmed_at is not None,
    }


async def make_room(conn: asyncpg.Connection, user_id: UUID, *, fresh: bool) -> None:
    """Before a new factor: the person's unconfirmed ones go (they carry no trust, and
    whoever holds the password must not fill the slots with them); beside a confirmed one a
    fresh second factor is needed (a stolen session must not plant its own); ten at most.
    Takes the person's factor lock first."""
    await repo.lock_person(conn, user_id)
    await repo.delete_unconfirmed(conn, user_id)
    have = await repo.counts(conn, user_id)
    if have.confirmed > 0 and not fresh:
        raise step_up()
    if have.total >= MAX_FACTORS:
        raise ApiError("conflict", f"A person holds at most {MAX_FACTORS} factors.")


async def email_of(kit: Kit, user_id: UUID) -> str:
    """The person's address, as an authenticator app labels the account."""
    async with transaction(kit.pool, user_id=user_id) as conn:
        user = await users.by_id(conn, user_id)
    return user.email if user is not None else ""


async def listing(kit: Kit, user_id: UUID) -> Listing:
    async with transaction(kit.pool, user_id=user_id) as conn:
        found = await repo.factors(conn, user_id)
        left, issued = await repo.recovery_codes_left(conn, user_id)
    return Listing(found, left, issued)


async def one(kit: Kit, user_id: UUID, factor_id: UUID) -> Factor:
    async with transaction(kit.pool, user_id=user_id) as conn:
        found = await repo.factor(conn, factor_id, user_id)
    if found is None:
        raise ApiError("mfa_factor_not_found", "There is no such factor of yours.")
    return found


async def new_codes(conn: asyncpg.Connection, user_id: UUID) -> list[str]:
    codes = recovery_codes.new_set()
    hashes = [recovery_codes.digest(code) for code in codes]
    await repo.replace_recovery_codes(conn, user_id, [h for h in hashes if h is not None])
    return codes


async def relabel(
    kit: Kit, *, user_id: UUID, org_id: UUID, factor_id: UUID, label: str, address: str | None
) -> Factor:
    async with transaction(kit.pool, org_id=org_id, user_id=user_id) as conn:
        before = await repo.factor(conn, factor_id, user_id)
        after = await repo.rename(conn, factor_id, user_id, label)
        if before is None or after is None:
            raise ApiError("mfa_factor_not_found", "There is no such factor of yours.")
        if before.label != label:
            await audit(
                conn, org_id, user_id, "mfa_factor.update", factor_id, address, before, after
            )
            events.mfa("renamed", kind=after.kind, user_id=user_id, org_id=org_id)
    return after


async def remove(
    kit: Kit, *, user_id: UUID, org_id: UUID, factor_id: UUID, fresh: bool, address: str | None
) -> None:
    """Removing a confirmed factor needs a fresh second factor; an unconfirmed one does not.
    The last confirmed factor takes the recovery codes with it."""
    async with transaction(kit.pool, org_id=org_id, user_id=user_id) as conn:
        await repo.lock_person(conn, user_id)
        found = await repo.factor(conn, factor_id, user_id)
        if found is None:
            raise ApiError("mfa_factor_not_found", "There is no such factor of yours.")
        if found.confirmed_at is not None and not fresh:
            raise step_up()
        await repo.delete(conn, factor_id, user_id)
        if (await repo.counts(conn, user_id)).confirmed == 0:
            await repo.forget_recovery_codes(conn, user_id)
        await audit(conn, org_id, user_id, "mfa_factor.delete", factor_id, address, before=found)
        if found.confirmed_at is not None:
            await notify(conn, kit, user_id, f"A second factor ({found.label}) was removed.")
    events.mfa("removed", kind=found.kind, user_id=user_id, org_id=org_id)


async def regenerate(
    kit: Kit, *, user_id: UUID, org_id: UUID, fresh: bool, address: str | None
) -> list[str]:
    """A new set of recovery codes replaces the old one (fresh second factor needed)."""
    if not fresh:
        raise step_up()
    async with transaction(kit.pool, org_id=org_id, user_id=user_id) as conn:
        await repo.lock_person(conn, user_id)  # two sets at once would both stay valid
        if (await repo.counts(conn, user_id)).confirmed == 0:
            raise ApiError("conflict", "Recovery codes come with a confirmed second factor.")
        codes = await new_codes(conn, user_id)
        await notify(
            conn, kit, user_id, "New recovery codes were made; the old ones stopped working."
        )
        await record(
            conn,
            organization_id=org_id,
            action="auth.recovery_codes_regenerated",
            resource_id=user_id,
            actor_user_id=user_id,
            address=address,
        )
    events.mfa("recovery_codes_regenerated", kind="recovery", user_id=user_id, org_id=org_id)
    return codes
