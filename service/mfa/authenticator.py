"""Authenticator apps (TOTP): enrolling one (its secret sealed, its URI and QR code shown
once), confirming it with a code from it, and showing it again on a page after a wrong code.
Every confirmation reserves an attempt on the person's second-factor throttle first."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

import asyncpg

from service.db.tx import transaction
from service.errors import ApiError
from service.ids import uuid7
from service.metrics import events
from service.mfa import repo
from service.mfa.attempts import checked
from service.mfa.repo import Factor
from service.mfa.service import (
    ISSUER_NAME,
    Kit,
    audit,
    make_room,
    new_codes,
    notify,
    wrong_code,
)
from service.security import qr, totp


@dataclass(frozen=True, slots=True)
class Enrolment:
    """A new, unconfirmed authenticator app: shown once."""

    factor: Factor
    secret: str
    uri: str
    qr_svg: str


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
        await make_room(conn, user_id, fresh=fresh)
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

    return await checked(kit.throttle, user_id, address, attempt, refusal=wrong_code)


async def _confirm(
    conn: asyncpg.Connection,
    kit: Kit,
    user_id: UUID,
    org_id: UUID,
    factor_id: UUID,
    code: str,
    address: str | None,
) -> tuple[Factor, list[str] | None]:
    await repo.lock_person(conn, user_id)
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
