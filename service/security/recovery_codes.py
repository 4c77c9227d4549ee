"""Recovery codes: ten a set, each 80 random bits written as four groups of four letters and
digits (``7KQD-M2XA-9PLE-W4TB``), from an alphabet without look-alikes. A person types them,
so they are compared without case, dashes or spaces; only their SHA-256 is stored (80 bits
leave nothing to gain from a slow hash)."""

from __future__ import annotations

import hashlib
import secrets

COUNT = 10
ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # 32 symbols, 5 bits each: no 0/O, 1/I
LENGTH = 16


def new_set() -> list[str]:
    return [_one() for _ in range(COUNT)]


def _one() -> str:
    text = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    return "-".join(text[i : i + 4] for i in range(0, LENGTH, 4))


def normalized(typed: str) -> str | None:
    """The code as stored, or None when the text cannot be one."""
    text = "".join(typed.split()).replace("-", "").upper()
    if len(text) != LENGTH or any(ch not in ALPHABET for ch in text):
        return None
    return text


def digest(typed: str) -> bytes | None:
    text = normalized(typed)
    return hashlib.sha256(text.encode()).digest() if text is not None else None
