"""Access tokens: RFC 9068 JWTs signed by the key ring, and their strict verification.

A token is accepted only when its header holds exactly ``alg``, ``typ`` (``at+jwt``) and a
``kid`` the ring publishes, ``alg`` is that key's own algorithm, the signature verifies, and
every claim a downstream service relies on is present and current. Every refusal raises the
same ``unauthorized`` error, so a caller learns nothing about which check failed.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import re
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import msgspec
from joserfc import jws, jwt
from joserfc.errors import JoseError

from service.config import Settings
from service.errors import ApiError
from service.ids import parse_uuid
from service.security.keys import KeyRing
from service.security.principal import PrincipalKind
from service.security.sign_in import SignIn

log = logging.getLogger("service.security.jwt")

JWT_TYP = "at+jwt"
# RFC 9068 requires client_id; every token comes from this service's own token endpoint,
# used by first-party clients that do not authenticate, so one fixed value names them.
DEFAULT_CLIENT_ID = "health-auth"
LEEWAY = 30  # seconds a token's iat or nbf may lie in the future (clocks disagree a little)
MAX_TOKEN_LENGTH = 8192
_HEADER_NAMES = frozenset({"alg", "typ", "kid"})
_SEGMENT = re.compile(r"^[A-Za-z0-9_-]+$")
_TYPES = frozenset({JWT_TYP, "application/" + JWT_TYP})
UNAUTHORIZED_DETAIL = "The access token is missing, malformed, expired or not issued here."
CHALLENGE = {"WWW-Authenticate": 'Bearer error="invalid_token"'}
# RFC 6750 section 3.1: a request that carried no token at all gets the scheme, no error code.
NO_TOKEN_CHALLENGE = {"WWW-Authenticate": "Bearer"}


@dataclass(frozen=True, slots=True)
class AccessClaims:
    """What a verified access token says about its bearer."""

    user_id: UUID
    org_id: UUID
    role: str
    permissions: frozenset[str]
    email: str
    practitioner_id: str | None
    token_id: str
    client_id: str
    issued_at: int
    expires_at: int
    sessions_epoch: int
    kind: PrincipalKind = "user"
    scope: str | None = None
    amr: frozenset[str] = frozenset()
    auth_time: int | None = None


class _Payload(msgspec.Struct, frozen=True):
    iss: str
    sub: str
    aud: str | list[str]
    exp: int
    iat: int
    jti: str
    client_id: str
    org: str
    role: str
    permissions: list[str]
    email: str = ""
    nbf: int | None = None
    fhirUser: str | None = None  # the SMART on FHIR claim name
    sessions_epoch: int = 0
    principal_type: str = "user"
    scope: str | None = None
    amr: list[str] | None = None
    acr: str | None = None
    auth_time: int | None = None


_decode_payload = msgspec.json.Decoder(_Payload).decode


def issue_access_token(
    keyring: KeyRing,
    settings: Settings,
    *,
    user_id: UUID | str,
    org_id: UUID | str,
    role: str,
    permissions: Iterable[str],
    email: str,
    practitioner_id: str | None = None,
    client_id: str = DEFAULT_CLIENT_ID,
    sessions_epoch: int = 0,
    kind: PrincipalKind = "user",
    scope: str | None = None,
    signed_in: SignIn | None = None,
    now: float | None = None,
) -> tuple[str, int]:
    """Sign an access token with the ring's current key; returns (token, expires_in).

    ``sessions_epoch`` is the user's epoch when the token was issued: this service refuses the
    token once the user's sessions have ended (a password reset), before it expires.

    An app client acting as itself (``kind="app_client"``) gets ``sub`` = the client's id,
    ``principal_type: "app_client"`` (absent means a person) and no ``email``; ``scope`` is
    the space-separated permissions it asked for, when it narrowed its role's.

    A person's token says how they signed in (``signed_in``): ``amr`` (RFC 8176 methods:
    ``pwd``, then ``otp``/``hwk``/``swk`` and ``mfa`` once a second factor was given), ``acr``
    (:data:`ACR_MFA` or :data:`ACR_PASSWORD`) and ``auth_time``, when they last
    authenticated, so a resource server can demand a second factor, or a recent one, from the
    token alone."""
    issued = int(time.time() if now is None else now)
    ttl = settings.access_token_ttl
    claims: dict[str, Any] = {
        "iss": settings.public_base_url,
        "sub": str(user_id),
        "aud": settings.jwt_audience,
        "exp": issued + ttl,
        "iat": issued,
        "jti": str(uuid.uuid4()),
        "client_id": client_id,
        "org": str(org_id),
        "role": role,
        "permissions": sorted(set(permissions)),
        "sessions_epoch": sessions_epoch,
    }
    if kind == "user":
        claims["email"] = email
    else:
        claims["principal_type"] = kind
    if scope is not None:
        claims["scope"] = scope
    if signed_in is not None:
        claims.update(signed_in.claims())
    if practitioner_id is not None:
        claims["fhirUser"] = f"Practitioner/{practitioner_id}"
    key = keyring.signing_key
    header = {"alg": key.algorithm, "typ": JWT_TYP, "kid": key.kid}
    token = jwt.encode(header, claims, key.key, algorithms=[key.algorithm], default_type=None)
    return token, ttl


async def verify_access_token(
    keyring: KeyRing, settings: Settings, token: str, *, now: float | None = None
) -> AccessClaims:
    """The claims of a valid access token; ``ApiError("unauthorized")`` for anything else."""
    moment = time.time() if now is None else now
    try:
        return await _verify(keyring, settings, token, moment)
    except _Refused as refused:
        log.debug("access_token.refused", extra={"fields": {"reason": str(refused)}})
        raise ApiError("unauthorized", UNAUTHORIZED_DETAIL, headers=CHALLENGE) from None


class _Refused(Exception):
    """Why a token was refused (logged at debug level, never told to the caller)."""


async def _verify(keyring: KeyRing, settings: Settings, token: str, now: float) -> AccessClaims:
    """Signature, then claims. A token verified before skips the signature (the same string
    verified the same way before), but its key must still be in the ring and its claims are
    checked again: expiry, issuer and audience hold now, not when it was first seen."""
    remembered = keyring.verified(token)
    if remembered is not None:
        signed_by, seen = remembered
        if await keyring.find(signed_by, now) is None:
            raise _Refused("kid withdrawn")
        return _claims(seen, settings, now)
    header = _header(token)
    if not isinstance(header.get("typ"), str) or header["typ"].lower() not in _TYPES:
        raise _Refused("typ")
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        raise _Refused("kid missing")
    key = await keyring.find(kid, now)
    if key is None:
        raise _Refused("kid unknown")
    if header.get("alg") != key.algorithm:
        raise _Refused("alg")
    try:
        signed = jws.deserialize_compact(token, key.key, algorithms=[key.algorithm])
        payload = _decode_payload(signed.payload or b"")
    except (JoseError, msgspec.ValidationError, msgspec.DecodeError) as exc:
        raise _Refused(f"signature or payload: {type(exc).__name__}") from None
    claims = _claims(payload, settings, now)
    keyring.remember(token, kid, payload)
    return claims


def _header(token: object) -> dict[str, Any]:
    if not isinstance(token, str) or len(token) > MAX_TOKEN_LENGTH:
        raise _Refused("not a token")
    parts = token.split(".")
    if len(parts) != 3 or not all(_SEGMENT.match(p) for p in parts):
        raise _Refused("not a compact JWS")
    try:
        header = json.loads(base64.urlsafe_b64decode(parts[0] + "=" * (-len(parts[0]) % 4)))
    except (binascii.Error, ValueError, RecursionError) as exc:
        raise _Refused("header") from exc
    if not isinstance(header, dict) or set(header) - _HEADER_NAMES:
        raise _Refused("header parameters")  # jwk, jku, x5u, x5c, crit, ... never accepted
    return header


def _claims(payload: _Payload, settings: Settings, now: float) -> AccessClaims:
    if payload.iss != settings.public_base_url:
        raise _Refused("iss")
    audiences = [payload.aud] if isinstance(payload.aud, str) else payload.aud
    if settings.jwt_audience not in audiences:
        raise _Refused("aud")
    if payload.exp <= now:
        raise _Refused("expired")
    if payload.iat > now + LEEWAY or (payload.nbf is not None and payload.nbf > now + LEEWAY):
        raise _Refused("not yet valid")
    user_id, org_id = parse_uuid(payload.sub), parse_uuid(payload.org)
    if user_id is None or org_id is None:
        raise _Refused("sub or org")
    if payload.principal_type not in ("user", "app_client"):
        raise _Refused("principal_type")
    if payload.principal_type == "user" and not payload.email:
        raise _Refused("email")
    practitioner = None
    if payload.fhirUser is not None:
        kind, _, practitioner = payload.fhirUser.partition("/")
        if kind != "Practitioner" or not practitioner:
            raise _Refused("fhirUser")
    return AccessClaims(
        user_id=user_id,
        org_id=org_id,
        role=payload.role,
        permissions=frozenset(payload.permissions),
        email=payload.email,
        practitioner_id=practitioner,
        token_id=payload.jti,
        client_id=payload.client_id,
        issued_at=payload.iat,
        expires_at=payload.exp,
        sessions_epoch=payload.sessions_epoch,
        kind="app_client" if payload.principal_type == "app_client" else "user",
        scope=payload.scope,
        amr=frozenset(payload.amr or ()),
        auth_time=payload.auth_time,
    )
