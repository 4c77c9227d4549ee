"""Opaque tokens: 256 random bits for the holder, only their SHA-256 digest for the database.

The single-use links of :mod:`service.links` (e-mail verification, password reset, first
password) carry tokens of this kind; refresh and invitation tokens, which also name the scope
they are looked up in, are made by :mod:`service.security.scoped`. A database leak reveals
digests, which cannot be turned back into working tokens.
"""

from __future__ import annotations

import base64
import hashlib
import secrets

TOKEN_BYTES = 32


def new_token() -> tuple[str, bytes]:
    """A fresh token: (base64url text for the client, SHA-256 digest to store)."""
    raw = base64.urlsafe_b64encode(secrets.token_bytes(TOKEN_BYTES)).rstrip(b"=").decode()
    return raw, digest(raw)


def digest(raw: str) -> bytes:
    """The stored form of a token as the client presents it."""
    return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).digest()
