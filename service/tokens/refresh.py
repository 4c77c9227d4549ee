"""Refresh-token values: 256 random bits behind the user id they belong to.

The user id is no secret (it is the access token's ``sub``); carrying it lets the service
set ``app.user_id`` before the lookup, so that row-level security scopes even that query.
Only the SHA-256 of the whole value is stored.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import secrets
from uuid import UUID

PREFIX = "rt_"


def mint(user_id: UUID) -> tuple[str, bytes]:
    raw = PREFIX + base64.urlsafe_b64encode(
        user_id.bytes + secrets.token_bytes(32)
    ).decode().rstrip("=")
    return raw, digest(raw)


def digest(raw: str) -> bytes:
    return hashlib.sha256(raw.encode()).digest()


def user_of(raw: str) -> UUID | None:
    """The user id inside a well-formed value; None for anything else."""
    if not raw.startswith(PREFIX) or len(raw) != len(PREFIX) + 64:
        return None
    try:
        data = base64.urlsafe_b64decode(raw[len(PREFIX) :] + "==")
    except (binascii.Error, ValueError):
        return None
    return UUID(bytes=data[:16]) if len(data) == 48 else None
