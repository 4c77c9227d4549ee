"""Opaque tokens that name the row-level-security scope they are looked up in.

``<prefix><base64url(scope id ‖ 256 random bits)>``. The scope (a user or an organization) is
no secret; carrying it lets the service set ``app.user_id`` or ``app.org_id`` before the
lookup, so that row-level security scopes even that query. Only the SHA-256 of the whole
value is stored.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import secrets
from uuid import UUID

_ENCODED = 64  # characters for 48 bytes, unpadded


def mint(prefix: str, scope: UUID) -> tuple[str, bytes]:
    body = base64.urlsafe_b64encode(scope.bytes + secrets.token_bytes(32)).decode().rstrip("=")
    raw = prefix + body
    return raw, digest(raw)


def digest(raw: str) -> bytes:
    return hashlib.sha256(raw.encode()).digest()


def scope_of(prefix: str, raw: str) -> UUID | None:
    """The scope id inside a well-formed value; None for anything else."""
    if not raw.startswith(prefix) or len(raw) != len(prefix) + _ENCODED:
        return None
    try:
        data = base64.urlsafe_b64decode(raw[len(prefix) :] + "==")
    except (binascii.Error, ValueError):
        return None
    return UUID(bytes=data[:16]) if len(data) == 48 else None
