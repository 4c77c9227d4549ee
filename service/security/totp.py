"""Time-based one-time passwords (RFC 6238 over RFC 4226): HMAC-SHA-1, 30-second steps, six
digits, the authenticator apps' common ground. A code is accepted for the current step and
one step either side (clock drift), and only for a step later than the last one accepted, so
a code seen over someone's shoulder is worth nothing once used."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import struct
import time
from urllib.parse import quote, urlencode

PERIOD = 30
DIGITS = 6
SECRET_BYTES = 20  # 160 bits, as RFC 4226 recommends for HMAC-SHA-1
DRIFT = 1


def new_secret() -> bytes:
    return secrets.token_bytes(SECRET_BYTES)


def base32(secret: bytes) -> str:
    """The secret as authenticator apps take it: base32 without padding."""
    return base64.b32encode(secret).decode().rstrip("=")


def uri(secret: bytes, *, account: str, issuer: str) -> str:
    """The ``otpauth://totp/`` URI an authenticator app reads from the QR code."""
    label = quote(f"{issuer}:{account}", safe="@:")
    query = urlencode(
        {
            "secret": base32(secret),
            "issuer": issuer,
            "algorithm": "SHA1",
            "digits": DIGITS,
            "period": PERIOD,
        }
    )
    return f"otpauth://totp/{label}?{query}"


def step_at(moment: float | None = None) -> int:
    return int((time.time() if moment is None else moment) // PERIOD)


def code_at(secret: bytes, step: int) -> str:
    """RFC 4226's HOTP value for ``step``, as six digits."""
    mac = hmac.new(secret, struct.pack(">Q", step), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    number = struct.unpack(">I", mac[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(number % 10**DIGITS).zfill(DIGITS)


def is_code(text: str) -> bool:
    return len(text) == DIGITS and text.isascii() and text.isdigit()


def matching_step(
    secret: bytes, code: str, *, after: int | None, moment: float | None = None
) -> int | None:
    """The step within the drift window whose code is ``code`` and which comes after
    ``after`` (the last step accepted), else None. Every candidate is compared, in constant
    time, whatever matched first."""
    if not is_code(code):
        return None
    now = step_at(moment)
    found = None
    for step in range(now - DRIFT, now + DRIFT + 1):
        if hmac.compare_digest(code_at(secret, step), code) and (after is None or step > after):
            found = step if found is None else found
    return found
