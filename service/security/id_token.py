"""OpenID Connect ID tokens (Core 2, 3.1.3.6): who signed in, for which client, signed by the
key ring's current key with the ``typ`` ``JWT``, so that no ID token is ever taken for an
access token (those are ``at+jwt``, :mod:`service.security.jwt`).

Claims: ``iss``, ``sub`` (the person's id), ``aud`` (the client's ``client_id``), ``exp``,
``iat``, ``auth_time``, ``nonce`` (when the request sent one), ``amr`` (``pwd``), ``azp``, and
by scope: ``email`` and ``email_verified`` (``email``), ``name`` (``profile``), ``fhirUser``
(``fhirUser``, when the member is linked to a Practitioner); ``org`` always.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from joserfc import jwt

from service.config import Settings
from service.security.keys import KeyRing
from service.security.sign_in import SignIn

ID_TOKEN_TTL = 600


@dataclass(frozen=True, slots=True)
class Person:
    """What the claims say about the person."""

    user_id: UUID
    email: str
    email_verified: bool
    name: str
    org_id: UUID
    practitioner_id: str | None


def person_claims(person: Person, scopes: frozenset[str]) -> dict[str, Any]:
    """The claims about the person that ``scopes`` release (for the ID token and userinfo)."""
    claims: dict[str, Any] = {"sub": str(person.user_id), "org": str(person.org_id)}
    if "email" in scopes:
        claims["email"] = person.email
        claims["email_verified"] = person.email_verified
    if "profile" in scopes:
        claims["name"] = person.name
    if "fhirUser" in scopes and person.practitioner_id:
        claims["fhirUser"] = f"Practitioner/{person.practitioner_id}"
    return claims


def issue_id_token(
    keyring: KeyRing,
    settings: Settings,
    *,
    person: Person,
    client_id: str,
    scopes: frozenset[str],
    signed_in: SignIn,
    nonce: str | None,
    now: float | None = None,
) -> str:
    issued = int(time.time() if now is None else now)
    claims = {
        "iss": settings.public_base_url,
        "aud": client_id,
        "azp": client_id,
        "exp": issued + ID_TOKEN_TTL,
        "iat": issued,
        **signed_in.claims(),
        **person_claims(person, scopes),
    }
    if nonce is not None:
        claims["nonce"] = nonce
    key = keyring.signing_key
    header = {"alg": key.algorithm, "typ": "JWT", "kid": key.kid}
    return jwt.encode(header, claims, key.key, algorithms=[key.algorithm])
