"""Every forged, altered or stale access token is refused with one and the same 401."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import pytest
from joserfc.jwk import ECKey, RSAKey

from service.config import Settings
from service.errors import ApiError
from service.security.jwt import UNAUTHORIZED_DETAIL, issue_access_token, verify_access_token
from service.security.keys import KeyRing
from tests.tokens import forge


async def refused(keyring: KeyRing, settings: Settings, token: Any) -> None:
    with pytest.raises(ApiError) as error:
        await verify_access_token(keyring, settings, token)
    item = error.value.items[0]
    assert (item.code, item.status, item.detail) == ("unauthorized", 401, UNAUTHORIZED_DETAIL)
    assert error.value.headers == {"WWW-Authenticate": 'Bearer error="invalid_token"'}


def our_header(keyring: KeyRing, **changes: Any) -> dict[str, Any]:
    header = {"alg": "RS256", "typ": "at+jwt", "kid": keyring.signing_key.kid, **changes}
    return {k: v for k, v in header.items() if v is not None}


async def test_the_honest_token_passes(keyring: KeyRing, settings: Settings) -> None:
    # The baseline the forgeries below differ from: our header, our claims, our key.
    token = forge.signed(our_header(keyring), forge.claims(settings), keyring.signing_key.key)
    assert (await verify_access_token(keyring, settings, token)).role == "member"


@pytest.mark.parametrize("signature", [b"", b"anything"])
async def test_alg_none(keyring: KeyRing, settings: Settings, signature: bytes) -> None:
    header = our_header(keyring, alg="none")
    await refused(keyring, settings, forge.unsigned(header, forge.claims(settings), signature))


@pytest.mark.parametrize("secret_form", ["pem", "jwk"])
async def test_hmac_with_the_public_key_as_secret(
    keyring: KeyRing, settings: Settings, secret_form: str
) -> None:
    public = keyring.signing_key.key
    secret = (
        public.as_pem(private=False)
        if secret_form == "pem"
        else json.dumps(keyring.public_jwks()["keys"][0]).encode()
    )
    token = forge.hmac_signed(our_header(keyring, alg="HS256"), forge.claims(settings), secret)
    await refused(keyring, settings, token)


async def test_another_asymmetric_alg_than_the_keys_own(
    keyring: KeyRing, settings: Settings
) -> None:
    stranger = ECKey.generate_key("P-256")
    token = forge.signed(our_header(keyring, alg="ES256"), forge.claims(settings), stranger)
    await refused(keyring, settings, token)


async def test_a_key_we_do_not_have_under_our_kid(keyring: KeyRing, settings: Settings) -> None:
    stranger = RSAKey.generate_key(2048)
    token = forge.signed(our_header(keyring), forge.claims(settings), stranger)
    await refused(keyring, settings, token)


@pytest.mark.parametrize("kid", [None, "", 7, "no-such-key-0123456789abcdef"])
async def test_missing_or_unknown_kid(keyring: KeyRing, settings: Settings, kid: Any) -> None:
    stranger = RSAKey.generate_key(2048)
    header = our_header(keyring, kid=kid)  # kid=None leaves it out
    assert header.get("kid") == kid
    body = forge.claims(settings)
    await refused(keyring, settings, forge.rs256(header, body, stranger))
    await refused(keyring, settings, forge.rs256(header, body, keyring.signing_key.key))


@pytest.mark.parametrize("name", ["jwk", "jku", "x5u", "x5c", "x5t", "crit", "cty", "b64"])
async def test_embedded_key_or_key_url_headers(
    keyring: KeyRing, settings: Settings, name: str
) -> None:
    stranger = RSAKey.generate_key(2048)
    values: dict[str, Any] = {
        "jwk": stranger.as_dict(private=False),
        "jku": "https://attacker.example/jwks.json",
        "x5u": "https://attacker.example/cert.pem",
        "x5c": ["MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA"],
        "x5t": "abc",
        "crit": ["exp"],
        "cty": "JWT",
        "b64": True,
    }
    header = our_header(keyring, **{name: values[name]})
    body = forge.claims(settings)
    # Signed by the key the header points at, and even by our own key: refused either way.
    await refused(keyring, settings, forge.rs256(header, body, stranger))
    await refused(keyring, settings, forge.rs256(header, body, keyring.signing_key.key))


@pytest.mark.parametrize("typ", [None, "JWT", "at+JWT+x", "application/jwt"])
async def test_wrong_or_missing_typ(keyring: KeyRing, settings: Settings, typ: str | None) -> None:
    header = our_header(keyring, typ=typ)
    token = forge.signed(header, forge.claims(settings), keyring.signing_key.key)
    await refused(keyring, settings, token)


@pytest.mark.parametrize(
    "change",
    [
        {"iss": "https://attacker.example"},
        {"iss": "http://127.0.0.1:8000/"},
        {"aud": "another-service"},
        {"aud": ["another-service", "third"]},
        {"exp": "now-1"},
        {"nbf": "now+120"},
        {"iat": "now+120"},
        {"sub": "not-a-uuid"},
        {"org": "00000000-0000-0000-0000"},
        {"fhirUser": "Patient/123"},
        {"exp": "9999999999"},
        {"permissions": "users.read"},
    ],
    ids=lambda change: "-".join(f"{k}={v}" for k, v in change.items()),
)
async def test_claims_that_do_not_hold(
    keyring: KeyRing, settings: Settings, change: dict[str, Any]
) -> None:
    # Times relative to now are resolved here, when the test runs, not when it is collected.
    now = int(time.time())
    offsets = {"now-1": now - 1, "now+120": now + 120}
    change = {k: offsets.get(v, v) if isinstance(v, str) else v for k, v in change.items()}
    token = forge.signed(
        our_header(keyring), forge.claims(settings, **change), keyring.signing_key.key
    )
    await refused(keyring, settings, token)


@pytest.mark.parametrize(
    "claim",
    ["iss", "sub", "aud", "exp", "iat", "jti", "client_id", "org", "role", "permissions", "email"],
)
async def test_missing_required_claim(keyring: KeyRing, settings: Settings, claim: str) -> None:
    body = forge.claims(settings, **{claim: None})
    token = forge.signed(our_header(keyring), body, keyring.signing_key.key)
    await refused(keyring, settings, token)


async def test_an_audience_list_naming_us_is_accepted(keyring: KeyRing, settings: Settings) -> None:
    body = forge.claims(settings, aud=["another-service", settings.jwt_audience])
    token = forge.signed(our_header(keyring), body, keyring.signing_key.key)
    assert (await verify_access_token(keyring, settings, token)).email == "nurse@example.org"


async def test_tampered_payload(keyring: KeyRing, settings: Settings) -> None:
    token, _ = issue_access_token(
        keyring,
        settings,
        user_id=uuid.uuid4(),
        org_id=uuid.uuid4(),
        role="member",
        permissions=["users.read"],
        email="nurse@example.org",
    )
    head, _, signature = token.split(".")
    body = forge.payload(token) | {"role": "owner", "permissions": ["users.write"]}
    await refused(keyring, settings, f"{head}.{forge.part(body)}.{signature}")


@pytest.mark.parametrize(
    "token",
    [
        "",
        "abc",
        "a.b",
        "a.b.c.d",
        "a..c",
        "###.###.###",
        f"{forge.b64(b'not json')}.{forge.part({})}.c2ln",
        f"{forge.part(['alg'])}.{forge.part({})}.c2ln",
        f"{forge.b64(b'[' * 3000)}.{forge.part({})}.c2ln",
        "x" * 9000,
        None,
        12,
        b"a.b.c",
    ],
    ids=range(13),
)
async def test_malformed(keyring: KeyRing, settings: Settings, token: Any) -> None:
    await refused(keyring, settings, token)


async def test_payload_that_is_not_a_json_object(keyring: KeyRing, settings: Settings) -> None:
    key = keyring.signing_key.key
    for body in (b"[1, 2]", b"not json", b'"text"'):
        token = forge.rs256(our_header(keyring), body, key)
        await refused(keyring, settings, token)
