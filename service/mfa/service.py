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
from service.ids import uuid7
from service.mail.mailer import Mailer
from service.metrics import events
from service.mfa import repo
from service.mfa.repo import Factor
from service.security import qr, recovery_codes, totp
from service.security.sealing import Sealer
from service.throttle.counters import Throttle
from service.throttle.gate import guarded

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
class Enrolment:
    """A new, unconfirmed authenticator app: shown once."""

    factor: Factor
    secret: str
    uri: str
    qr_svg: str


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


async def enrol_totp(
    kit: Kit,
    *,
    user_id: UUID,
    org_id: UUID,
    email: str,
    label: str,
    fresh: bool,
    address: str | None,
) -> Enrolment:
    """A new authenticator app, unconfirmed until a code from it comes back; it replaces any
    other unconfirmed one. A person who already has a confirmed factor adds another only with
    a fresh second factor (a stolen session must not plant its own)."""
    async with transaction(kit.pool, org_id=org_id, user_id=user_id) as conn:
        await repo.delete_unconfirmed(conn, user_id)
        have = await repo.counts(conn, user_id)
        if have.confirmed > 0 and not fresh:
            raise step_up()
        if have.total >= MAX_FACTORS:
            raise ApiError("conflict", f"A person holds at most {MAX_FACTORS} factors.")
        secret, factor_id = totp.new_secret(), uuid7()
        sealed = kit.sealer.seal(secret, factor_id.bytes)
        factor = await repo.insert_totp(conn, factor_id, user_id, label, sealed)
        await audit(conn, org_id, user_id, "mfa_factor.create", factor_id, address, after=factor)
    events.mfa("enrolled", kind="totp", user_id=user_id, org_id=org_id)
    return _enrolment(factor, secret, email)


def _enrolment(factor: Factor, secret: bytes, email: str) -> Enrolment:
    uri = totp.uri(secret, account=email, issuer=ISSUER_NAME)
    return Enrolment(factor, totp.base32(secret), uri, qr.svg(uri, title="Authenticator app"))


@dataclass(frozen=True, slots=True)
class Again:
    """A page's confirmation that failed: why, and the same app to show again (None when
    that factor is gone or confirmed meanwhile)."""

    detail: str
    enrolment: Enrolment | None


async def confirm_on_page(
    kit: Kit,
    *,
    user_id: UUID,
    org_id: UUID,
    factor_id: UUID,
    code: str,
    email: str,
    address: str | None,
) -> tuple[Factor, list[str] | None] | Again:
    """:func:`confirm_totp` for a page, which shows the same QR code again after a wrong
    code rather than an error."""
    try:
        return await confirm_totp(
            kit, user_id=user_id, org_id=org_id, factor_id=factor_id, code=code, address=address
        )
    except ApiError as refused:
        again = await pending_enrolment(kit, user_id=user_id, factor_id=factor_id, email=email)
        return Again(refused.items[0].detail, again)


async def pending_enrolment(
    kit: Kit, *, user_id: UUID, factor_id: UUID, email: str
) -> Enrolment | None:
    """An unconfirmed authenticator app shown again (its page after a wrong code)."""
    async with transaction(kit.pool, user_id=user_id) as conn:
        found = await repo.factor(conn, factor_id, user_id)
    if found is None or found.kind != "totp" or found.confirmed_at is not None:
        return None
    return _enrolment(found, kit.sealer.open(found.secret, found.id.bytes), email)


async def confirm_totp(
    kit: Kit, *, user_id: UUID, org_id: UUID, factor_id: UUID, code: str, address: str | None
) -> tuple[Factor, list[str] | None]:
    """The factor confirmed by a code from it; the person's first recovery codes when it is
    their first confirmed factor (shown once)."""

    async def attempt() -> tuple[Factor, list[str] | None]:
        async with transaction(kit.pool, org_id=org_id, user_id=user_id) as conn:
            return await _confirm(conn, kit, user_id, org_id, factor_id, code, address)

    return await guarded(
        kit.throttle,
        kit.throttle.policy.second_factor(user_id),
        attempt,
        refusal=wrong_code,
        counts=_is_wrong_code,
    )


async def _confirm(
    conn: asyncpg.Connection,
    kit: Kit,
    user_id: UUID,
    org_id: UUID,
    factor_id: UUID,
    code: str,
    address: str | None,
) -> tuple[Factor, list[str] | None]:
    factor = await repo.factor(conn, factor_id, user_id)
    if factor is None or factor.kind != "totp":
        raise ApiError("mfa_factor_not_found", "There is no such authenticator app of yours.")
    if factor.confirmed_at is not None:
        raise ApiError("conflict", "This factor is confirmed already.")
    first = (await repo.counts(conn, user_id)).confirmed == 0
    secret = kit.sealer.open(factor.secret, factor.id.bytes)
    step = totp.matching_step(secret, code, after=factor.last_step)
    if step is None or not await repo.accept_step(conn, factor.id, user_id, step):
        events.mfa("failed", kind="totp", user_id=user_id, org_id=org_id)
        raise wrong_code()
    codes = None
    if first:
        codes = await new_codes(conn, user_id)
    confirmed = await repo.factor(conn, factor_id, user_id)
    assert confirmed is not None
    await audit(conn, org_id, user_id, "mfa_factor.confirm", factor_id, address, factor, confirmed)
    await notify(conn, kit, user_id, f"An authenticator app ({confirmed.label}) was added.")
    events.mfa("confirmed", kind="totp", user_id=user_id, org_id=org_id)
    return confirmed, codes


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


def _is_wrong_code(error: BaseException) -> bool:
    return isinstance(error, ApiError) and error.items[0].code == "invalid_code"
