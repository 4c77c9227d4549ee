"""WebAuthn ceremonies (py_webauthn): the options a browser passes to
``navigator.credentials.create()``/``get()``, and checking what the authenticator answered.

The relying party is the service itself: its id is the host of ``PUBLIC_BASE_URL`` and the
only origin accepted is that URL's, so passkeys are created and used on the service's own
pages (a phishing page elsewhere gets nothing an authenticator would sign for here).
Attestation is not asked for (no vendor list to keep); user verification is preferred when
registering, and required when a passkey signs someone in alone."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.parse_authentication_credential_json import (
    parse_authentication_credential_json,
)
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    AuthenticatorTransport,
    CredentialDeviceType,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from service.config import Settings

RP_NAME = "Health Auth"
TIMEOUT_MS = 120_000


class Refused(Exception):
    """What the authenticator answered does not hold (the reason is for the log only)."""


@dataclass(frozen=True, slots=True)
class Registered:
    credential_id: bytes
    public_key: bytes
    sign_count: int
    transports: list[str]
    method: str  # RFC 8176: hwk (bound to a device) or swk (synced)


@dataclass(frozen=True, slots=True)
class Asserted:
    credential_id: bytes
    sign_count: int
    user_verified: bool
    method: str


@dataclass(frozen=True, slots=True)
class Known:
    """A passkey already registered: its id and how it is reached."""

    credential_id: bytes
    transports: list[str]


def relying_party(settings: Settings) -> tuple[str, str]:
    """(rp id, origin) from ``PUBLIC_BASE_URL``."""
    parts = urlsplit(settings.public_base_url)
    return parts.hostname or "localhost", f"{parts.scheme}://{parts.netloc}"


def _descriptors(known: list[Known]) -> list[PublicKeyCredentialDescriptor]:
    valid = {t.value for t in AuthenticatorTransport}
    return [
        PublicKeyCredentialDescriptor(
            id=k.credential_id,
            transports=[AuthenticatorTransport(t) for t in k.transports if t in valid],
        )
        for k in known
    ]


def creation_options(
    settings: Settings, *, user_handle: bytes, email: str, challenge: bytes, existing: list[Known]
) -> dict[str, Any]:
    """The options for ``navigator.credentials.create()``, as JSON-ready data."""
    rp_id, _ = relying_party(settings)
    options = generate_registration_options(
        rp_id=rp_id,
        rp_name=RP_NAME,
        user_name=email,
        user_id=user_handle,
        challenge=challenge,
        timeout=TIMEOUT_MS,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.PREFERRED,
            user_verification=UserVerificationRequirement.PREFERRED,
        ),
        exclude_credentials=_descriptors(existing),
    )
    loaded: dict[str, Any] = json.loads(options_to_json(options))
    return loaded


def request_options(
    settings: Settings, *, challenge: bytes, allowed: list[Known]
) -> dict[str, Any]:
    """The options for ``navigator.credentials.get()``: ``allowed`` empty lets the browser
    offer any passkey of this service (a discoverable credential, for signing in alone)."""
    rp_id, _ = relying_party(settings)
    options = generate_authentication_options(
        rp_id=rp_id,
        challenge=challenge,
        timeout=TIMEOUT_MS,
        allow_credentials=_descriptors(allowed),
        user_verification=(
            UserVerificationRequirement.PREFERRED
            if allowed
            else UserVerificationRequirement.REQUIRED
        ),
    )
    loaded: dict[str, Any] = json.loads(options_to_json(options))
    return loaded


def _method(device: CredentialDeviceType) -> str:
    return "swk" if device == CredentialDeviceType.MULTI_DEVICE else "hwk"


def registered(settings: Settings, credential: str, challenge: bytes) -> Registered:
    rp_id, origin = relying_party(settings)
    try:
        checked = verify_registration_response(
            credential=credential,
            expected_challenge=challenge,
            expected_rp_id=rp_id,
            expected_origin=origin,
        )
        transports = json.loads(credential).get("response", {}).get("transports", [])
    except (WebAuthnException, ValueError, TypeError, KeyError, AttributeError) as problem:
        raise Refused(type(problem).__name__) from None
    return Registered(
        checked.credential_id,
        checked.credential_public_key,
        checked.sign_count,
        [str(t) for t in transports if isinstance(t, str)][:10],
        _method(checked.credential_device_type),
    )


def credential_id_of(credential: str) -> bytes:
    """The id an assertion names, before anything else is checked (to find its passkey)."""
    try:
        return parse_authentication_credential_json(credential).raw_id
    except (WebAuthnException, ValueError, TypeError, KeyError, AttributeError) as problem:
        raise Refused(type(problem).__name__) from None


def asserted(
    settings: Settings,
    credential: str,
    challenge: bytes,
    *,
    public_key: bytes,
    sign_count: int,
    require_user_verification: bool,
) -> Asserted:
    rp_id, origin = relying_party(settings)
    try:
        checked = verify_authentication_response(
            credential=credential,
            expected_challenge=challenge,
            expected_rp_id=rp_id,
            expected_origin=origin,
            credential_public_key=public_key,
            credential_current_sign_count=sign_count,
            require_user_verification=require_user_verification,
        )
    except (WebAuthnException, ValueError, TypeError, KeyError, AttributeError) as problem:
        raise Refused(type(problem).__name__) from None
    return Asserted(
        checked.credential_id,
        checked.new_sign_count,
        checked.user_verified,
        _method(checked.credential_device_type),
    )
