"""Opaque tokens: random, URL-safe, stored only as their digest."""

from __future__ import annotations

import hashlib

from service.security import opaque


def test_new_tokens_are_256_random_bits_in_base64url() -> None:
    tokens = [opaque.new_token() for _ in range(200)]
    raws = {raw for raw, _ in tokens}
    assert len(raws) == 200
    for raw, digest in tokens:
        assert len(raw) == 43
        assert "=" not in raw
        assert digest == hashlib.sha256(raw.encode()).digest() == opaque.digest(raw)
        assert raw.encode() not in digest


def test_digest_matches_only_the_issued_token() -> None:
    raw, stored = opaque.new_token()
    assert opaque.digest(raw) == stored
    assert opaque.digest(raw[:-1] + ("A" if raw[-1] != "A" else "B")) != stored
