"""Opaque tokens: 256 random bits for the holder, only their SHA-256 digest for the database.

Refresh, verification, reset and invitation tokens are all of this kind. A database leak
reveals digests, which cannot be turned back into working tokens.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

TOKEN_BYTES = 32
TOKEN_LENGTH = 43  # base64url of 32 bytes, unpadded


def new_token() -> tuple[str, bytes]:
    """A fresh token: (base64url text for the client, SHA-256 digest to store)."""
    raw = base64.urlsafe_b64encode(secrets.token_bytes(TOKEN_BYTES)).rstrip(b"=").decode()
    return raw, digest(raw)


def digest(raw: str) -> bytes:
    """The stored form of a token as the client presents it."""
    return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).digest()


def looks_valid(raw: object) -> bool:
    """Whether ``raw`` has the shape of a token this module issues (cheap pre-check)."""
    return (
        isinstance(raw, str)
        and len(raw) == TOKEN_LENGTH
        and all(c.isascii() and (c.isalnum() or c in "-_") for c in raw)
    )


def same(a: bytes, b: bytes) -> bool:
    """Constant-time comparison of two digests."""
    return hmac.compare_digest(a, b)
