"""Checking the second factor a sign-in was given, inside the caller's transaction (which
holds the pending step's lock): an authenticator app's code, or a recovery code."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

import asyncpg

from service.audit.actions import Action
from service.audit.recorder import record
from service.db.tx import transaction
from service.errors import ApiError
from service.metrics import events
from service.mfa import repo
from service.mfa.attempts import checked, is_wrong_code
from service.mfa.passkeys import second_factor_passes
from service.mfa.service import Kit, wrong_code
from service.security import recovery_codes, totp


@dataclass(frozen=True, slots=True)
class Given:
    """What a person typed at the second step: six digits, or a recovery code."""

    otp: str = ""
    recovery_code: str = ""
    passkey: str = ""  # the JSON of a WebAuthn assertion

    @property
    def kind(self) -> str:
        if self.passkey:
            return "webauthn"
        return "totp" if self.otp else "recovery"


async def passes(
    conn: asyncpg.Connection,
    kit: Kit,
    user_id: UUID,
    given: Given,
    passkey_challenge: bytes | None = None,
) -> str | None:
    """The RFC 8176 method the code proves (``otp``, or ``hwk``/``swk`` for a passkey), or
    None when it is wrong, replayed or used. A TOTP code is tried against each confirmed
    authenticator app; the step it matched is taken, so the same code never passes twice. A
    passkey must answer the step's own challenge."""
    if given.passkey:
        return await second_factor_passes(conn, kit, user_id, given.passkey, passkey_challenge)
    if given.otp:
        for factor in await repo.confirmed_totp(conn, user_id):
            secret = kit.sealer.open(factor.secret, factor.id.bytes)
            step = totp.matching_step(secret, given.otp, after=factor.last_step)
            if step is not None and await repo.accept_step(conn, factor.id, user_id, step):
                return "otp"
        return None
    hashed = recovery_codes.digest(given.recovery_code)
    if hashed is not None and await repo.use_recovery_code(conn, user_id, hashed):
        return "otp"
    return None


async def has_factor(conn: asyncpg.Connection, user_id: UUID) -> bool:
    return (await repo.counts(conn, user_id)).confirmed > 0


async def proves_presence(
    kit: Kit, *, user_id: UUID, org_id: UUID, code: str, address: str | None
) -> bool:
    """A step-up on a page: whether ``code`` (six digits, or a recovery code) is a right
    second factor of the person now, throttled as every second step is (a wrong one counts,
    and is recorded)."""
    given = Given(otp=code) if totp.is_code(code) else Given(recovery_code=code)

    async def attempt() -> bool:
        async with transaction(kit.pool, org_id=org_id, user_id=user_id) as conn:
            method = await passes(conn, kit, user_id, given)
            action: Action = "auth.mfa_passed" if method else "auth.mfa_failed"
            await record(
                conn,
                organization_id=org_id,
                action=action,
                resource_id=user_id,
                actor_user_id=user_id,
                address=address,
            )
        events.mfa("passed" if method else "failed", kind=given.kind, user_id=user_id)
        if method is None:
            raise wrong_code()
        return True

    try:
        return await checked(kit.throttle, user_id, address, attempt, refusal=wrong_code)
    except ApiError as refused:
        if not is_wrong_code(refused):
            raise
        return False
