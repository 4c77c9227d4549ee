"""The diff rules, pure: only what changed, JSON-safe values, and never a secret."""

from __future__ import annotations

import datetime as dt
import enum
import ipaddress
import uuid
from decimal import Decimal

import msgspec
import pytest

from service.audit.diff import diff, is_secret_key, json_safe

ROLE = uuid.UUID("018f0000-0000-7000-8000-000000000001")


def test_create_lists_every_field_with_a_null_before() -> None:
    assert diff(None, {"name": "Nurse", "code": "nurse", "description": None}) == {
        "name": {"before": None, "after": "Nurse"},
        "code": {"before": None, "after": "nurse"},
        "description": {"before": None, "after": None},
    }


def test_delete_lists_every_field_with_a_null_after() -> None:
    assert diff({"name": "Nurse", "active": True}, None) == {
        "name": {"before": "Nurse", "after": None},
        "active": {"before": True, "after": None},
    }


def test_update_keeps_only_changed_fields() -> None:
    before = {"name": "Ann", "active": True, "role": ROLE, "email": "a@example.org"}
    after = {"name": "Ann B", "active": True, "role": ROLE, "email": "a@example.org"}
    assert diff(before, after) == {"name": {"before": "Ann", "after": "Ann B"}}


def test_an_unchanged_update_is_empty_and_nothing_at_all_is_empty() -> None:
    same = {"name": "Ann", "tags": ["a", "b"], "meta": {"x": 1, "y": 2}}
    assert diff(same, {"meta": {"y": 2, "x": 1}, "tags": ["a", "b"], "name": "Ann"}) == {}
    assert diff(None, None) == {}


def test_a_field_on_one_side_only_counts_as_null_on_the_other() -> None:
    assert diff({"a": 1}, {"b": 2}) == {
        "a": {"before": 1, "after": None},
        "b": {"before": None, "after": 2},
    }
    assert diff({"a": None}, {}) == {}


def test_one_and_true_are_different_values() -> None:
    assert diff({"flag": 1}, {"flag": True}) == {"flag": {"before": 1, "after": True}}


@pytest.mark.parametrize(
    "key",
    [
        "password",
        "password_hash",
        "passwordHash",
        "newPassword",
        "token",
        "token_hash",
        "tokenHash",
        "refresh_token",
        "accessToken",
        "secret",
        "clientSecret",
        "private_key",
        "privateKey",
        "api_key",
        "APIKey",
        "salt",
        "otp",
        "Authorization",
        "PASSWORD",
    ],
)
def test_secret_looking_keys_are_recognised(key: str) -> None:
    assert is_secret_key(key)


@pytest.mark.parametrize("key", ["name", "email", "active", "code", "permissions", "slug", "kid"])
def test_ordinary_keys_are_not_secret(key: str) -> None:
    assert not is_secret_key(key)


def test_secrets_never_appear_in_any_diff_even_nested() -> None:
    before = {
        "name": "Ann",
        "password_hash": "$argon2id$old",
        "profile": {"city": "Oslo", "apiKey": "k-old", "inner": [{"token": "t-old"}]},
    }
    after = {
        "name": "Ann",
        "password_hash": "$argon2id$new",
        "profile": {"city": "Bergen", "apiKey": "k-new", "inner": [{"token": "t-new"}]},
    }
    for result in (diff(before, after), diff(None, after), diff(before, None)):
        text = msgspec.json.encode(result).decode()
        for leaked in ("argon2id", "k-old", "k-new", "t-old", "t-new", "password", "apiKey"):
            assert leaked not in text
        assert "profile" in result
    assert diff(before, after)["profile"] == {
        "before": {"city": "Oslo", "inner": [{}]},
        "after": {"city": "Bergen", "inner": [{}]},
    }


def test_a_changed_secret_alone_leaves_no_trace() -> None:
    assert diff({"name": "A", "password": "one"}, {"name": "A", "password": "two"}) == {}


class Colour(enum.Enum):
    RED = "red"


def test_values_become_json_safe() -> None:
    when = dt.datetime(2025, 1, 2, 3, 4, 5, 900_000, tzinfo=dt.UTC)
    assert json_safe(when) == 1735787045  # integer Unix seconds, like the wire
    assert json_safe(when.replace(tzinfo=None)) == 1735787045  # naive reads as UTC
    assert json_safe(dt.date(2025, 1, 2)) == "2025-01-02"
    assert json_safe(ROLE) == str(ROLE)
    assert json_safe(Decimal("1.50")) == "1.50"
    assert json_safe(ipaddress.ip_address("10.0.0.1")) == "10.0.0.1"
    assert json_safe(Colour.RED) == "red"
    assert json_safe((1, "a")) == [1, "a"]
    assert json_safe({"b", "a"}) == ["a", "b"]
    assert json_safe(float("nan")) == "nan"
    assert diff(None, {"at": when})["at"]["after"] == 1735787045


def test_instants_within_one_second_are_unchanged() -> None:
    early = dt.datetime(2025, 1, 1, 0, 0, 0, 100, tzinfo=dt.UTC)
    assert diff({"at": early}, {"at": early.replace(microsecond=999_000)}) == {}


@pytest.mark.parametrize("value", [b"\x00\x01", bytearray(b"x"), object()])
def test_binary_and_unknown_values_are_refused(value: object) -> None:
    with pytest.raises(TypeError):
        diff(None, {"field": value})
