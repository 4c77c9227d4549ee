"""Client assertions: RFC 7523 JWTs that authenticate a client at the token endpoint.

OAuth ``private_key_jwt`` (OpenID Connect Core section 9): the client signs a short-lived JWT
with a private key whose public half it registered as a JWK Set. An assertion is accepted
only when:

- it is a compact JWS of at most 8192 characters whose header holds ``alg``, ``kid`` and
  optionally ``typ`` and nothing else (``jwk``, ``jku``, ``x5u``, ``x5c``, ``crit``, ... would
  let the sender choose the key or the rules), and ``alg`` is in ``ALGORITHMS``: never
  ``none``, never an HMAC whose "secret" could be the public key itself;
- ``kid`` selects exactly one key of the client's set, a usable public key (the rules of
  ``public_jwks_problem``) of the type ``alg`` needs (RSA for RS*, EC P-256 for ES256, EC
  P-384 for ES384) whose own ``alg``, when stated, is the header's; the signature verifies;
- ``iss`` and ``sub`` are the client's id, ``aud`` names this server (token endpoint or
  issuer), ``exp`` has not passed and lies at most ``MAX_LIFETIME_SECONDS`` ahead, ``iat`` and
  ``nbf`` (when present) are not in the future and ``iat`` is not stale (all give or take
  ``LEEWAY_SECONDS``), and ``jti`` is 1 to 200 printable characters. Other claims are ignored.

``AssertionRefused`` names the failed rule for the log; the client hears only
``invalid_client``. Replay is NOT checked here: the caller stores ``jti`` with ``expires_at``
in a database table and refuses a ``jti`` it already holds for that client.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass
from typing import Any

import msgspec
from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import ECKey, RSAKey

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
ALGORITHMS: tuple[str, ...] = ("RS256", "RS384", "ES256", "ES384")
MAX_LIFETIME_SECONDS = 3600  # exp - now (and exp - iat when iat is present) at most this:
# an hour, what common client libraries (authlib) sign by default; the jti replay table keeps
# each assertion id until then.
LEEWAY_SECONDS = 30
MAX_ASSERTION_LENGTH = 8192
MAX_JTI_LENGTH = 200
MAX_KEYS = 10
MIN_RSA_BITS = 2048
_HEADER_NAMES = frozenset({"alg", "kid", "typ"})
_TYPES = frozenset({"jwt", "client-authentication+jwt"})  # latter: draft-ietf-oauth-rfc7523bis
_SEGMENT = re.compile(r"^[A-Za-z0-9_-]+$")
_PRIVATE_MEMBERS = ("d", "p", "q", "dp", "dq", "qi", "k")
_CURVE_ALGORITHM = {"P-256": "ES256", "P-384": "ES384"}


class AssertionRefused(Exception):
    """Why an assertion was refused (for the log only)."""


@dataclass(frozen=True, slots=True)
class VerifiedAssertion:
    client_id: str
    jti: str
    expires_at: int


class _Claims(msgspec.Struct, frozen=True):
    iss: str
    sub: str
    aud: str | list[str]
    exp: int
    jti: str
    iat: int | None = None
    nbf: int | None = None


class _Subject(msgspec.Struct, frozen=True):
    iss: str
    sub: str


_decode_claims = msgspec.json.Decoder(_Claims).decode
_decode_subject = msgspec.json.Decoder(_Subject).decode


class _Unusable(Exception):
    """Why one JWK cannot verify assertions."""


def claimed_client(assertion: str) -> str | None:
    """The `iss` of an assertion WITHOUT verifying it (to find which client's keys to use), or
    None when the string is not a compact JWS with a string `iss` equal to its `sub`. Bounded:
    refuse anything longer than 8192 characters."""
    try:
        subject = _decode_subject(_segment(assertion, 1))
    except (AssertionRefused, msgspec.ValidationError, msgspec.DecodeError):
        return None
    return subject.iss if subject.iss and subject.iss == subject.sub else None


def header_kid(assertion: str) -> str | None:
    """The ``kid`` of an assertion's header, unverified (to know whether a cached key set
    could hold it)."""
    try:
        header = msgspec.json.decode(_segment(assertion, 0))
    except (AssertionRefused, msgspec.DecodeError):
        return None
    kid = header.get("kid") if isinstance(header, dict) else None
    return kid if isinstance(kid, str) else None


def verify_assertion(
    assertion: str,
    *,
    client_id: str,
    jwks: dict[str, Any],
    audiences: frozenset[str],
    now: float,
) -> VerifiedAssertion:
    """Raise AssertionRefused unless every rule of this module's docstring holds."""
    try:
        header = json.loads(_segment(assertion, 0))
    except (ValueError, RecursionError):
        raise AssertionRefused("header is not JSON") from None
    if not isinstance(header, dict) or set(header) - _HEADER_NAMES:
        raise AssertionRefused("header parameters")  # jwk, jku, x5u, x5c, crit, ...
    alg, kid, typ = header.get("alg"), header.get("kid"), header.get("typ", "JWT")
    if not isinstance(alg, str) or alg not in ALGORITHMS:
        raise AssertionRefused("alg not allowed")
    if not isinstance(typ, str) or typ.lower().removeprefix("application/") not in _TYPES:
        raise AssertionRefused("typ not allowed")
    if not isinstance(kid, str) or not kid:
        raise AssertionRefused("kid missing")
    keys = jwks.get("keys") if isinstance(jwks, dict) else None
    if not isinstance(keys, list):
        raise AssertionRefused("client key set malformed")
    found = [k for k in keys if isinstance(k, dict) and k.get("kid") == kid]
    if len(found) != 1:
        raise AssertionRefused(f"kid selects {len(found)} keys")
    try:
        key = _public_key(found[0])
    except _Unusable as unusable:
        raise AssertionRefused(f"key {unusable}") from None
    if not _fits(alg, found[0]):
        raise AssertionRefused("key type does not fit alg")
    if found[0].get("alg", alg) != alg:
        raise AssertionRefused("key states another alg")
    try:
        signed = jws.deserialize_compact(assertion, key, algorithms=[alg])
        claims = _decode_claims(signed.payload or b"")
    except (JoseError, msgspec.ValidationError, msgspec.DecodeError) as exc:
        raise AssertionRefused(f"signature or payload: {type(exc).__name__}") from None
    _check(claims, client_id, audiences, now)
    return VerifiedAssertion(client_id=client_id, jti=claims.jti, expires_at=claims.exp)


def public_jwks_problem(jwks: object) -> str | None:
    """For registering a client: None when `jwks` is a JWK Set of 1..10 public keys usable with
    ALGORITHMS (RSA >= 2048 bits, EC P-256/P-384), each with a unique non-empty `kid`, no
    private members (d, p, q, dp, dq, qi, k) and no symmetric (oct) keys; otherwise a short
    human-readable problem, e.g. "keys[1] is a private key."."""
    keys = jwks.get("keys") if isinstance(jwks, dict) else None
    if not isinstance(keys, list):
        return 'The key set must be a JSON object with a "keys" list.'
    if not 1 <= len(keys) <= MAX_KEYS:
        return f"The key set must hold 1 to {MAX_KEYS} keys."
    seen: set[str] = set()
    for index, data in enumerate(keys):
        try:
            _public_key(data)
        except _Unusable as unusable:
            return f"keys[{index}] {unusable}."
        if data["kid"] in seen:
            return f"keys[{index}] repeats the kid of an earlier key."
        seen.add(data["kid"])
    return None


def _segment(assertion: object, index: int) -> bytes:
    """One decoded segment of a bounded compact JWS (0: header, 1: payload)."""
    if not isinstance(assertion, str) or len(assertion) > MAX_ASSERTION_LENGTH:
        raise AssertionRefused("not an assertion")
    parts = assertion.split(".")
    if len(parts) != 3 or not all(_SEGMENT.match(part) for part in parts):
        raise AssertionRefused("not a compact JWS")
    try:
        return base64.urlsafe_b64decode(parts[index] + "=" * (-len(parts[index]) % 4))
    except (binascii.Error, ValueError):
        raise AssertionRefused("not base64url") from None


def _fits(alg: object, data: dict[str, Any]) -> bool:
    """Whether a JWK's type (and curve) is the one the algorithm signs with."""
    if data.get("kty") == "RSA":
        return alg in ("RS256", "RS384")
    crv = data.get("crv")
    return data.get("kty") == "EC" and isinstance(crv, str) and _CURVE_ALGORITHM.get(crv) == alg


def _public_key(data: object) -> RSAKey | ECKey:
    """The key a JWK describes, or _Unusable when it is no public RSA or EC signing key."""
    if not isinstance(data, dict):
        raise _Unusable("is not a JSON object")
    kid = data.get("kid")
    if not isinstance(kid, str) or not kid:
        raise _Unusable("has no kid")
    if data.get("kty") == "oct":
        raise _Unusable("is a symmetric (oct) key")
    if data.get("kty") not in ("RSA", "EC"):
        raise _Unusable("is neither an RSA nor an EC key")
    if any(name in data for name in _PRIVATE_MEMBERS):
        raise _Unusable("is a private key")
    if data.get("kty") == "EC" and data.get("crv") not in ("P-256", "P-384"):
        raise _Unusable("uses a curve other than P-256 and P-384")
    if "alg" in data and not _fits(data["alg"], data):
        raise _Unusable("states an alg it cannot be used with")
    if data.get("use", "sig") != "sig":
        raise _Unusable("is not a signing key")
    if data.get("kty") == "RSA" and _bits(data.get("n")) < MIN_RSA_BITS:
        raise _Unusable(f"is an RSA key shorter than {MIN_RSA_BITS} bits")
    key_class: type[RSAKey] | type[ECKey] = RSAKey if data["kty"] == "RSA" else ECKey
    try:
        return key_class.import_key(data)
    except (JoseError, ValueError, TypeError, KeyError):
        raise _Unusable("is not a valid key") from None


def _bits(modulus: object) -> int:
    if not isinstance(modulus, str) or not _SEGMENT.match(modulus):
        return 0
    try:
        raw = base64.urlsafe_b64decode(modulus + "=" * (-len(modulus) % 4))
    except (binascii.Error, ValueError):
        return 0
    return int.from_bytes(raw, "big").bit_length()


def _check(claims: _Claims, client_id: str, audiences: frozenset[str], now: float) -> None:
    """The claims' rules. A stale ``iat`` also implies an expired ``exp`` (``exp - iat`` is
    bounded); it is checked first all the same, so the log names the more telling reason."""
    if claims.iss != client_id or claims.sub != client_id:
        raise AssertionRefused("iss or sub is not the client")
    if audiences.isdisjoint([claims.aud] if isinstance(claims.aud, str) else claims.aud):
        raise AssertionRefused("aud names another server")
    if claims.iat is not None and claims.iat > now + LEEWAY_SECONDS:
        raise AssertionRefused("iat in the future")
    if claims.iat is not None and claims.iat < now - MAX_LIFETIME_SECONDS - LEEWAY_SECONDS:
        raise AssertionRefused("iat too old")
    if claims.nbf is not None and claims.nbf > now + LEEWAY_SECONDS:
        raise AssertionRefused("not yet valid")
    if claims.exp <= now - LEEWAY_SECONDS:
        raise AssertionRefused("expired")
    if claims.exp > now + MAX_LIFETIME_SECONDS:
        raise AssertionRefused("lives too long")
    if claims.iat is not None and claims.exp - claims.iat > MAX_LIFETIME_SECONDS:
        raise AssertionRefused("exp too far after iat")
    if not 0 < len(claims.jti) <= MAX_JTI_LENGTH or not claims.jti.isprintable():
        raise AssertionRefused("jti missing, too long or not printable")
