"""The service's own TOTP (RFC 6238) against the RFC's test vectors and an independent
implementation (pyotp), and the recovery codes' and sealing's edges."""

from __future__ import annotations

import base64

import pyotp
import pytest
from cryptography.exceptions import InvalidTag
from hypothesis import given
from hypothesis import strategies as st

from service.security import recovery_codes, totp
from service.security.sealing import Sealer

RFC_SECRET = b"12345678901234567890"  # RFC 6238 appendix B, SHA-1


@pytest.mark.parametrize(
    ("moment", "eight_digits"),
    [
        (59, "94287082"),
        (1111111109, "07081804"),
        (1111111111, "14050471"),
        (1234567890, "89005924"),
        (2000000000, "69279037"),
        (20000000000, "65353130"),
    ],
)
def test_the_rfc_6238_vectors(moment: int, eight_digits: str) -> None:
    # The RFC prints eight digits; six are the same number modulo 10^6.
    assert totp.code_at(RFC_SECRET, totp.step_at(moment)) == eight_digits[-6:]


@given(st.binary(min_size=20, max_size=40), st.integers(min_value=0, max_value=250_000_000_000))
def test_codes_agree_with_pyotp(secret: bytes, moment: int) -> None:
    other = pyotp.TOTP(base64.b32encode(secret).decode())
    assert totp.code_at(secret, totp.step_at(moment)) == other.at(moment)


def test_one_step_either_side_and_never_a_step_twice() -> None:
    secret = totp.new_secret()
    now = 1_700_000_015.0
    step = totp.step_at(now)
    for offset in (-1, 0, 1):
        code = totp.code_at(secret, step + offset)
        assert totp.matching_step(secret, code, after=None, moment=now) == step + offset
    assert (
        totp.matching_step(secret, totp.code_at(secret, step + 2), after=None, moment=now) is None
    )
    assert totp.matching_step(secret, totp.code_at(secret, step), after=step, moment=now) is None
    assert totp.matching_step(secret, "12345", after=None, moment=now) is None
    assert totp.matching_step(secret, "12345a", after=None, moment=now) is None
    wide = "".join(chr(0xFF10 + int(d)) for d in totp.code_at(secret, step))  # full-width digits
    assert totp.matching_step(secret, wide, after=None, moment=now) is None


def test_the_uri_is_what_authenticator_apps_read() -> None:
    secret = totp.new_secret()
    parsed = pyotp.parse_uri(totp.uri(secret, account="a+b@clinic.org", issuer="Health Auth"))
    assert parsed.secret == totp.base32(secret)
    assert parsed.name == "a+b@clinic.org"
    assert parsed.issuer == "Health Auth"


def test_recovery_codes_are_ten_distinct_and_typed_loosely() -> None:
    codes = recovery_codes.new_set()
    assert len(set(codes)) == 10
    code = codes[0]
    assert recovery_codes.digest(code) == recovery_codes.digest(code.lower().replace("-", " "))
    assert recovery_codes.digest(code[:-1]) is None
    assert recovery_codes.digest(code.replace(code[0], "0")) is None  # 0 is not in the alphabet
    assert recovery_codes.digest("") is None


def test_a_sealed_secret_opens_only_on_its_own_row_and_key() -> None:
    key = Sealer(b"k" * 32)
    sealed = key.seal(b"secret", b"row-1")
    assert b"secret" not in sealed
    assert key.open(sealed, b"row-1") == b"secret"
    with pytest.raises(InvalidTag):
        key.open(sealed, b"row-2")
    with pytest.raises(InvalidTag):
        Sealer(b"x" * 32).open(sealed, b"row-1")
