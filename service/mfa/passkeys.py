"""Passkeys a person registers (as a second factor, and to sign in without a password), and
checking one when it is used.

Registering: the options carry a fresh challenge kept on the unconfirmed factor; the
authenticator's answer is verified against it (origin and relying party included) before the
public key is kept. Signing in alone: the page's challenge is sealed by the service (its
expiry inside), so showing the page writes nothing; a used challenge is recorded until it
expires, so one assertion signs in once. The signature counter must go up, or a copied
authenticator would pass."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import struct
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import asyncpg
from cryptography.exceptions import InvalidTag

from service.db.tx import transaction
from service.errors import ApiError
from service.ids import uuid7
from service.metrics import events
from service.mfa import passkey_repo as keys
from service.mfa import repo
from service.mfa.repo import Factor
from service.mfa.service import Kit, audit, make_room, new_codes, notify
from service.security import passkeys
from service.security.passkeys import Known

CHALLENGE_BYTES = 32
SIGN_IN_SECONDS = 300
SEALED_FOR = b"passkey sign-in"


@dataclass(frozen=True, slots=True)
class PasskeyEnrolment:
    factor: Factor
    options: dict[str, Any]


@dataclass(frozen=True, slots=True)
class SignedInWith:
    """A passkey that signed someone in alone, with user verification."""

    user_id: UUID
    method: str


def _refused(detail: str = "The passkey could not be verified.") -> ApiError:
    return ApiError("invalid_code", detail, pointer="/credential")


def _known(found: list[keys.Passkey]) -> list[Known]:
    return [Known(p.credential_id, p.transports) for p in found]


async def enrol(
    kit: Kit,
    *,
    user_id: UUID,
    org_id: UUID,
    email: str,
    label: str,
    fresh: bool,
    address: str | None,
) -> PasskeyEnrolment:
    """A new passkey, unconfirmed until the authenticator's answer comes back; the same
    rules as an authenticator app (fresh second factor beside a confirmed one, at most ten)."""
    challenge, factor_id = os.urandom(CHALLENGE_BYTES), uuid7()
    async with transaction(kit.pool, org_id=org_id, user_id=user_id) as conn:
        await make_room(conn, user_id, fresh=fresh)
        existing = _known(await keys.passkeys(conn, user_id))
        factor = await keys.insert_passkey(conn, factor_id, user_id, label, challenge)
        await audit(conn, org_id, user_id, "mfa_factor.create", factor_id, address, after=factor)
    options = passkeys.creation_options(
        kit.settings,
        user_handle=user_id.bytes,
        email=email,
        challenge=challenge,
        existing=existing,
    )
    events.mfa("enrolled", kind="webauthn", user_id=user_id, org_id=org_id)
    return PasskeyEnrolment(factor, options)


async def confirm(
    kit: Kit,
    *,
    user_id: UUID,
    org_id: UUID,
    factor_id: UUID,
    credential: str,
    address: str | None,
) -> tuple[Factor, list[str] | None]:
    """The passkey confirmed by the authenticator's answer; the first recovery codes when it
    is the person's first confirmed factor."""
    async with transaction(kit.pool, org_id=org_id, user_id=user_id) as conn:
        await repo.lock_person(conn, user_id)
        challenge = await keys.pending_passkey(conn, factor_id, user_id)
        if challenge is None:
            raise ApiError("mfa_factor_not_found", "There is no such unconfirmed passkey of yours.")
        try:
            made = passkeys.registered(kit.settings, credential, challenge)
        except passkeys.Refused:
            events.mfa("failed", kind="webauthn", user_id=user_id, org_id=org_id)
            raise _refused() from None
        first = (await repo.counts(conn, user_id)).confirmed == 0
        try:
            factor = await keys.confirm_passkey(
                conn,
                factor_id,
                user_id,
                credential_id=made.credential_id,
                public_key=made.public_key,
                sign_count=made.sign_count,
                transports=made.transports,
            )
        except asyncpg.UniqueViolationError:
            raise ApiError("conflict", "This passkey is registered already.") from None
        if factor is None:
            raise ApiError("mfa_factor_not_found", "There is no such unconfirmed passkey of yours.")
        codes = await new_codes(conn, user_id) if first else None
        await audit(conn, org_id, user_id, "mfa_factor.confirm", factor_id, address, after=factor)
        await notify(conn, kit, user_id, f"A passkey ({factor.label}) was added.")
    events.mfa("confirmed", kind="webauthn", user_id=user_id, org_id=org_id)
    return factor, codes


async def second_factor_options(
    conn: asyncpg.Connection, kit: Kit, user_id: UUID, token_hash: bytes
) -> dict[str, Any] | None:
    """Options to use one of the person's passkeys at a pending second step (its challenge
    kept on the step); None when they have none."""
    found = await keys.passkeys(conn, user_id)
    if not found:
        return None
    challenge = os.urandom(CHALLENGE_BYTES)
    await keys.set_passkey_challenge(conn, token_hash, user_id, challenge)
    return passkeys.request_options(kit.settings, challenge=challenge, allowed=_known(found))


async def second_factor_passes(
    conn: asyncpg.Connection, kit: Kit, user_id: UUID, credential: str, challenge: bytes | None
) -> str | None:
    """The RFC 8176 method (``hwk``/``swk``) when the assertion is one of the person's
    passkeys answering the step's challenge; None otherwise."""
    if challenge is None:
        return None
    try:
        wanted = passkeys.credential_id_of(credential)
    except passkeys.Refused:
        return None
    for key in await keys.passkeys(conn, user_id):
        if key.credential_id != wanted:
            continue
        try:
            checked = passkeys.asserted(
                kit.settings,
                credential,
                challenge,
                public_key=key.public_key,
                sign_count=key.sign_count,
                require_user_verification=False,
            )
        except passkeys.Refused:
            return None
        if await keys.use_passkey(conn, key.id, user_id, checked.sign_count):
            return checked.method
    return None


def sign_in_options(kit: Kit) -> dict[str, Any]:
    """Options for a sign-in page: any passkey of this service, user verification required;
    the challenge seals its own expiry, so nothing is stored until it is used."""
    expires = struct.pack(">Q", int(time.time()) + SIGN_IN_SECONDS)
    challenge = kit.sealer.seal(expires + os.urandom(8), SEALED_FOR)
    return passkeys.request_options(kit.settings, challenge=challenge, allowed=[])


def _challenge_in(credential: str) -> bytes:
    try:
        response = json.loads(credential)["response"]
        client_data = json.loads(_unb64(response["clientDataJSON"]))
        return _unb64(client_data["challenge"])
    except (ValueError, TypeError, KeyError) as problem:
        raise passkeys.Refused(type(problem).__name__) from None


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


async def signed_in_with(kit: Kit, credential: str) -> SignedInWith | None:
    """The person a passkey signs in alone: the page's sealed challenge, unexpired and never
    used before; a confirmed passkey; a valid signature with user verification and a counter
    that went up. None for anything else (one answer)."""
    try:
        challenge = _challenge_in(credential)
        expires = struct.unpack(">Q", kit.sealer.open(challenge, SEALED_FOR)[:8])[0]
        wanted = passkeys.credential_id_of(credential)
    except (passkeys.Refused, InvalidTag, ValueError, struct.error):
        return None
    if expires < time.time():
        return None
    async with transaction(kit.pool, anonymous=True) as conn:
        found = await keys.passkey_by_credential(conn, wanted)
        if found is None:
            return None
        try:
            checked = passkeys.asserted(
                kit.settings,
                credential,
                challenge,
                public_key=found.public_key,
                sign_count=found.sign_count,
                require_user_verification=True,
            )
        except passkeys.Refused:
            return None
        used = hashlib.sha256(challenge).digest()
        when = datetime.fromtimestamp(expires, UTC)
        if not await keys.use_sign_in_challenge(conn, used, when):
            return None
    async with transaction(kit.pool, user_id=found.user_id) as conn:
        if not await keys.use_passkey(conn, found.id, found.user_id, checked.sign_count):
            return None
    events.mfa("passed", kind="webauthn", user_id=found.user_id)
    return SignedInWith(found.user_id, checked.method)
