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
        assert opaque.looks_valid(raw)
        assert "=" not in raw
        assert digest == hashlib.sha256(raw.encode()).digest() == opaque.digest(raw)
        assert raw.encode() not in digest


def test_digest_and_compare() -> None:
    raw, stored = opaque.new_token()
    assert opaque.same(opaque.digest(raw), stored)
    assert not opaque.same(opaque.digest(raw[:-1] + ("A" if raw[-1] != "A" else "B")), stored)


def test_shapes_that_are_not_tokens() -> None:
    raw, _ = opaque.new_token()
    for bad in ("", raw[:-1], raw + "A", raw[:-1] + "=", raw[:-1] + "é", None, 42):
        assert not opaque.looks_valid(bad)
