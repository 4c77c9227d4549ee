"""Hand-made tokens: any header, any claims, any signature, to show what verification refuses."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from joserfc import jws
from joserfc.jwk import Key, RSAKey

from service.config import Settings


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def part(value: Any) -> str:
    return b64(json.dumps(value, separators=(",", ":")).encode())


def claims(settings: Settings, **changes: Any) -> dict[str, Any]:
    """Claims exactly like the service issues; ``name=None`` drops a claim."""
    now = int(time.time())
    body: dict[str, Any] = {
        "iss": settings.public_base_url,
        "sub": str(uuid.uuid4()),
        "aud": settings.jwt_audience,
        "exp": now + 600,
        "iat": now,
        "jti": str(uuid.uuid4()),
        "client_id": "health-auth",
        "org": str(uuid.uuid4()),
        "role": "member",
        "permissions": ["users.read"],
        "email": "nurse@example.org",
    }
    body.update(changes)
    return {k: v for k, v in body.items() if v is not None}


def signed(header: dict[str, Any], body: dict[str, Any], key: Key) -> str:
    """A properly signed token with exactly this header (joserfc does the signing)."""
    return jws.serialize_compact(header, json.dumps(body).encode(), key, algorithms=[header["alg"]])


def rs256(header: dict[str, Any], body: dict[str, Any] | bytes, key: RSAKey) -> str:
    """RS256 by hand, so that the header can hold anything at all."""
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    signing_input = f"{part(header)}.{b64(raw)}"
    private = key.private_key
    assert isinstance(private, rsa.RSAPrivateKey)
    signature = private.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
    return f"{signing_input}.{b64(signature)}"


def unsigned(header: dict[str, Any], body: dict[str, Any], signature: bytes = b"") -> str:
    return f"{part(header)}.{part(body)}.{b64(signature)}"


def hmac_signed(header: dict[str, Any], body: dict[str, Any], secret: bytes) -> str:
    """HS256 over the token with ``secret`` (the classic public-key-as-HMAC-secret forgery)."""
    signing_input = f"{part(header)}.{part(body)}"
    mac = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64(mac)}"


def payload(token: str) -> dict[str, Any]:
    segment = token.split(".")[1]
    decoded: dict[str, Any] = json.loads(
        base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
    )
    return decoded


def header(token: str) -> dict[str, Any]:
    segment = token.split(".")[0]
    decoded: dict[str, Any] = json.loads(
        base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
    )
    return decoded
