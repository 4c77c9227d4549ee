"""Media types, keyset cursors, paging and filter parsing."""

from __future__ import annotations

import pytest

from service import jsonapi
from service.errors import ApiError


@pytest.mark.parametrize(
    ("accept", "ok"),
    [
        (None, True),
        ("*/*", True),
        ("application/*", True),
        ("application/json", True),
        (jsonapi.JSONAPI, True),
        (f'{jsonapi.JSONAPI}; ext="https://example.org/ext"', True),
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
