"""Adding and confirming a factor of either kind, as the API asks for it: the choice between
an authenticator app and a passkey, made here rather than in the handlers."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from service.errors import ApiError
from service.mfa import authenticator, passkeys
from service.mfa.repo import Factor
from service.mfa.service import Kit
from service.security.principal import Principal


@dataclass(frozen=True, slots=True)
class Added:
    """A new, unconfirmed factor and what the person needs to confirm it (shown once)."""

    factor: Factor
    otpauth_uri: str | None = None
    secret: str | None = None
    qr_svg: str | None = None
    public_key: dict[str, Any] | None = None


async def add(kit: Kit, who: Principal, kind: str, label: str | None, *, fresh: bool) -> Added:
    if kind == "webauthn":
        made = await passkeys.enrol(
            kit,
            user_id=who.user_id,
            org_id=who.org_id,
            email=who.email,
            label=label or "Passkey",
            fresh=fresh,
            address=who.address,
        )
        return Added(made.factor, public_key=made.options)
    app = await authenticator.enrol_totp(
        kit,
        user_id=who.user_id,
        org_id=who.org_id,
        email=who.email,
        label=label or "Authenticator app",
        fresh=fresh,
        address=who.address,
    )
    return Added(app.factor, app.uri, app.secret, app.qr_svg)


async def confirm(
    kit: Kit,
    who: Principal,
    factor_id: UUID,
    *,
    code: str | None,
    credential: dict[str, Any] | None,
) -> tuple[Factor, list[str] | None]:
    """An authenticator app by a code from it, a passkey by the browser's credential."""
    if credential is not None:
        return await passkeys.confirm(
            kit,
            user_id=who.user_id,
            org_id=who.org_id,
            factor_id=factor_id,
            credential=json.dumps(credential),
            address=who.address,
        )
    if code is not None:
        return await authenticator.confirm_totp(
            kit,
            user_id=who.user_id,
            org_id=who.org_id,
            factor_id=factor_id,
            code=code,
            address=who.address,
        )
    detail = "Send the code, or the passkey's credential."
    raise ApiError("validation_error", detail, pointer="/code")
