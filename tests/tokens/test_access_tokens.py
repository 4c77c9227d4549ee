"""Access tokens as issued, and as verified: what the claims say and what comes back."""

from __future__ import annotations

import time
import uuid

import pytest

from service.config import Settings
from service.errors import ApiError
from service.security.jwt import (
    LEEWAY,
    UNAUTHORIZED_DETAIL,
    issue_access_token,
    verify_access_token,
)
from service.security.keys import KeyRing
from tests.tokens import forge


async def test_issued_token_is_an_rfc9068_jwt_with_every_claim(
    keyring: KeyRing, settings: Settings
) -> None:
    user_id, org_id = uuid.uuid4(), uuid.uuid4()
    token, expires_in = issue_access_token(
        keyring,
        settings,
        user_id=user_id,
        org_id=org_id,
        role="admin",
        permissions=["users.write", "users.read", "users.read"],
        email="admin@example.org",
        practitioner_id="pr-42",
        sessions_epoch=3,
        now=1_700_000_000,
    )
    assert expires_in == settings.access_token_ttl == 900
    assert forge.header(token) == {
        "alg": "RS256",
        "typ": "at+jwt",
        "kid": keyring.signing_key.kid,
    }
    body = forge.payload(token)
    assert uuid.UUID(body.pop("jti"))
    assert body == {
        "iss": settings.public_base_url,
        "sub": str(user_id),
        "aud": "health-auth",
        "exp": 1_700_000_900,
        "iat": 1_700_000_000,
        "client_id": "health-auth",
        "org": str(org_id),
        "role": "admin",
        "permissions": ["users.read", "users.write"],
        "email": "admin@example.org",
        "fhirUser": "Practitioner/pr-42",
        "sessions_epoch": 3,
    }


async def test_verified_claims_round_trip(keyring: KeyRing, settings: Settings) -> None:
    user_id, org_id = uuid.uuid4(), uuid.uuid4()
    token, _ = issue_access_token(
        keyring,
        settings,
        user_id=user_id,
        org_id=org_id,
        role="member",
        permissions=["fhir:Patient.read"],
        email="nurse@example.org",
        practitioner_id="abc.1",
    )
    claims = await verify_access_token(keyring, settings, token)
    assert claims.user_id == user_id
    assert claims.org_id == org_id
    assert claims.role == "member"
    assert claims.permissions == frozenset({"fhir:Patient.read"})
    assert claims.email == "nurse@example.org"
    assert claims.practitioner_id == "abc.1"
    assert claims.client_id == "health-auth"
    assert claims.expires_at - claims.issued_at == settings.access_token_ttl
    assert claims.token_id == forge.payload(token)["jti"]


async def test_fhir_user_only_when_linked(keyring: KeyRing, settings: Settings) -> None:
    token, _ = issue_access_token(
        keyring,
        settings,
        user_id=uuid.uuid4(),
        org_id=uuid.uuid4(),
        role="member",
        permissions=[],
        email="x@example.org",
    )
    assert "fhirUser" not in forge.payload(token)
    claims = await verify_access_token(keyring, settings, token)
    assert claims.practitioner_id is None
    assert claims.permissions == frozenset()


async def test_every_token_has_its_own_jti(keyring: KeyRing, settings: Settings) -> None:
    ids = set()
    for _ in range(5):
        token, _ = issue_access_token(
            keyring,
            settings,
            user_id=uuid.uuid4(),
            org_id=uuid.uuid4(),
            role="member",
            permissions=[],
            email="x@example.org",
        )
        ids.add(forge.payload(token)["jti"])
    assert len(ids) == 5


async def test_a_clock_slightly_behind_still_accepts(keyring: KeyRing, settings: Settings) -> None:
    now = time.time()
    token, _ = issue_access_token(
        keyring,
        settings,
        user_id=uuid.uuid4(),
        org_id=uuid.uuid4(),
        role="member",
        permissions=[],
        email="x@example.org",
        now=now,
    )
    claims = await verify_access_token(keyring, settings, token, now=now - LEEWAY + 5)
    assert claims.role == "member"


async def test_expiry_is_exact(keyring: KeyRing, settings: Settings) -> None:
    token, expires_in = issue_access_token(
        keyring,
        settings,
        user_id=uuid.uuid4(),
        org_id=uuid.uuid4(),
        role="member",
        permissions=[],
        email="x@example.org",
        now=1_800_000_000,
    )
    last_moment = 1_800_000_000 + expires_in - 0.001
    assert (await verify_access_token(keyring, settings, token, now=last_moment)).role == "member"
    with pytest.raises(ApiError) as refused:
        await verify_access_token(keyring, settings, token, now=1_800_000_000 + expires_in)
    assert refused.value.items[0].code == "unauthorized"
    assert refused.value.items[0].detail == UNAUTHORIZED_DETAIL
