"""Body decoding reports every bad field with an RFC 6901 pointer."""

from __future__ import annotations

from typing import Annotated

import msgspec
import pytest

from service.errors import ApiError
from service.wire import RequestShape, decode, pointer_token


class Inner(RequestShape):
    id: str


class Body(RequestShape, rename="camel"):
    first_name: Annotated[str, msgspec.Meta(min_length=1)]
    tags: list[int] = []
    link: Inner | None = msgspec.field(default=None, name="fhir/practitioner")


def _pointers(raw: bytes) -> list[tuple[str, str]]:
    with pytest.raises(ApiError) as caught:
        decode(raw, Body)
    return [(i.code, i.pointer or "") for i in caught.value.items]


def test_valid() -> None:
    assert decode(b'{"firstName": "Ann", "tags": [1]}', Body).first_name == "Ann"


def test_every_problem_is_listed() -> None:
    raw = b'{"tags": [1, "two"], "fhir/practitioner": {"id": 3}, "role": "owner"}'
    assert sorted(_pointers(raw)) == [
        ("validation_error", "/fhir~1practitioner/id"),
        ("validation_error", "/firstName"),
        ("validation_error", "/role"),
        ("validation_error", "/tags/1"),
    ]


def test_constraint_violation_points_at_the_field() -> None:
    assert _pointers(b'{"firstName": ""}') == [("validation_error", "/firstName")]


@pytest.mark.parametrize("raw", [b"", b"   ", b"{", b"not json", b'{"a": }'])
def test_unparseable_is_invalid_body(raw: bytes) -> None:
    assert _pointers(raw) == [("invalid_body", "")]


def test_top_level_must_be_an_object() -> None:
    assert _pointers(b"[1, 2]") == [("validation_error", "/")]


def test_pointer_escaping() -> None:
    assert pointer_token("auth/roles") == "auth~1roles"
    assert pointer_token("a~b") == "a~0b"
