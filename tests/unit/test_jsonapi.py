"""Media types, keyset cursors, paging and filter parsing."""

from __future__ import annotations

from typing import Any

import msgspec
import pytest

from service import jsonapi, wire
from service.errors import ApiError


@pytest.mark.parametrize(
    ("accept", "ok"),
    [
        (None, True),
        ("*/*", True),
        ("application/*", True),
        ("application/json", True),
        (jsonapi.JSONAPI, True),
        (f'{jsonapi.JSONAPI}; ext="https://example.org/ext"', False),  # no extension here
        (f'{jsonapi.JSONAPI}; profile="https://example.org/p"', False),
        (f'{jsonapi.JSONAPI}; ext="https://example.org/ext", {jsonapi.JSONAPI}', True),
        (f'{jsonapi.JSONAPI}; ext=""', True),
        (f"{jsonapi.JSONAPI}; charset=utf-8", False),
        ("text/html", False),
        ("application/json;q=0, text/html", False),
        ("text/html, application/json;q=0.5", True),
    ],
)
def test_accepts(accept: str | None, ok: bool) -> None:
    assert jsonapi.accepts(accept, (jsonapi.JSONAPI, jsonapi.JSON)) is ok


def test_cursor_round_trip() -> None:
    values = (1700000000, "0190af3b-1c2e-7c00-8a4f-b2d9c4e5f100")
    assert jsonapi.decode_cursor(jsonapi.encode_cursor(values)) == values


@pytest.mark.parametrize("cursor", ["%%%", "bm90IGpzb24", "W10"])  # junk, 'not json', '[]'
def test_bad_cursor_points_at_the_parameter(cursor: str) -> None:
    with pytest.raises(ApiError) as caught:
        jsonapi.decode_cursor(cursor)
    assert caught.value.items[0].parameter == "page[after]"


def test_page_defaults_and_bounds() -> None:
    assert jsonapi.parse_page({}).size == jsonapi.DEFAULT_PAGE_SIZE
    assert jsonapi.parse_page({"page[size]": "200"}).size == 200
    for bad in ("0", "201", "-1", "ten"):
        with pytest.raises(ApiError):
            jsonapi.parse_page({"page[size]": bad})


def test_filters() -> None:
    query = {"filter[name]": "Care Team User", "page[size]": "5"}
    assert jsonapi.parse_filters(query, ("name", "code")) == {"name": "Care Team User"}
    with pytest.raises(ApiError) as caught:
        jsonapi.parse_filters({"filter[password]": "x"}, ("name",))
    assert caught.value.items[0].parameter == "filter[password]"


def test_next_link_replaces_the_cursor() -> None:
    link = jsonapi.next_link("/auth/users", {"filter[name]": "a b", "page[after]": "old"}, "new")
    assert link == "/auth/users?filter%5Bname%5D=a+b&page%5Bafter%5D=new"
    assert jsonapi.next_link("/auth/users", {}, None) is None


class _Attributes(wire.RequestShape, rename="camel"):
    name: str | msgspec.UnsetType = msgspec.UNSET


class _Resource(wire.RequestShape):
    type: str
    attributes: _Attributes = msgspec.field(default_factory=_Attributes)


class _Document(wire.RequestShape):
    data: _Resource


class _StoredAttributes(wire.ResponseShape, rename="camel"):
    name: str
    created_at: int
    verified: bool


class _Stored(wire.ResponseShape):
    type: str
    attributes: _StoredAttributes
    relationships: dict[str, Any]
    links: dict[str, str]


STORED = _Stored(
    "things",
    _StoredAttributes("Ann", 17, True),
    {"owner": {"data": {"type": "people", "id": "1"}}},
    {"self": "/things/1"},
)


def test_echoed_members_are_taken_out() -> None:
    sent = msgspec.to_builtins(STORED)
    sent["attributes"]["name"] = "Bea"
    sent["meta"] = {"any": 1}
    sent["relationships"]["owner"]["links"] = {"related": "/people/1"}
    document = {"data": sent, "links": {"self": "/things/1"}, "meta": {}}
    cleaned = jsonapi.without_echoes(document, _Document, STORED)
    assert cleaned == {"data": {"type": "things", "attributes": {"name": "Bea"}}}
    assert wire.convert(cleaned, _Document, strict=True).data.attributes.name == "Bea"


@pytest.mark.parametrize(
    ("member", "name", "value", "pointer"),
    [
        ("attributes", "createdAt", 18, "/data/attributes/createdAt"),
        ("attributes", "createdAt", 17.0, "/data/attributes/createdAt"),
        ("attributes", "verified", 1, "/data/attributes/verified"),
        ("relationships", "owner", {"data": None}, "/data/relationships/owner"),
    ],
)
def test_a_changed_read_only_member_is_refused(
    member: str, name: str, value: Any, pointer: str
) -> None:
    sent = msgspec.to_builtins(STORED)
    sent[member][name] = value
    with pytest.raises(ApiError) as caught:
        jsonapi.without_echoes({"data": sent}, _Document, STORED)
    assert [item.pointer for item in caught.value.items] == [pointer]


def test_unknown_members_are_left_for_the_shape() -> None:
    document = {"data": {"type": "things", "attributes": {"nickname": "A"}, "extra": 1}}
    assert jsonapi.without_echoes(document, _Document, STORED) == document
