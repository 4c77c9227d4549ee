"""Reading bodies whose shape depends on their Content-Type.

The seed endpoints take plain JSON or a JSON:API document; link pages post HTML forms. Each
handler names the Struct for each type it takes; field errors point into whichever shape the
client sent.
"""

from __future__ import annotations

from typing import Any, TypeVar
from urllib.parse import parse_qsl

import msgspec
from litestar import Request

from service import jsonapi, wire
from service.errors import ApiError

T = TypeVar("T")


def kind_of(request: Request[Any, Any, Any]) -> str:
    kind, _ = jsonapi.media_type(request.headers.get("content-type"))
    return kind


async def read_json(request: Request[Any, Any, Any], shape: type[T]) -> T:
    return wire.decode(await request.body(), shape)


async def read_form(request: Request[Any, Any, Any], shape: type[T]) -> T:
    """An urlencoded body; a field sent twice is refused (RFC 6749 section 3.2)."""
    raw = await request.body()
    try:
        pairs = parse_qsl(raw.decode("utf-8"), keep_blank_values=True, strict_parsing=bool(raw))
    except (UnicodeDecodeError, ValueError):
        raise ApiError("invalid_body", "The form body is not valid.") from None
    values: dict[str, str] = {}
    for key, value in pairs:
        if key in values:
            raise ApiError("validation_error", f"{key} is sent twice.", pointer=f"/{key}")
        if "\x00" in key or "\x00" in value:  # PostgreSQL text cannot hold NUL
            raise ApiError(
                "validation_error", "A form field must not contain NUL (U+0000).", pointer="/"
            )
        values[key] = value
    return wire.convert(values, shape)


async def read_update(request: Request[Any, Any, Any], shape: type[T], stored: msgspec.Struct) -> T:
    """A JSON:API update document of ``shape`` for the resource that a GET answers now as
    ``stored``: what a read-modify-write client echoes back unchanged (``links``, ``meta``,
    read-only members) is taken out first, a changed read-only member refused with its
    pointer (see :func:`service.jsonapi.without_echoes`)."""
    document = jsonapi.without_echoes(wire.parse(await request.body()), shape, stored)
    return wire.convert(document, shape, strict=True)


def prefix_for(kind: str) -> str:
    """Where attributes live in the body the client sent."""
    return "/data/attributes" if kind == jsonapi.JSONAPI else ""


async def read_any(request: Request[Any, Any, Any], shape: type[T]) -> T:
    """The same fields as a JSON body or as an HTML form post (link pages post forms)."""
    if kind_of(request) == jsonapi.FORM:
        return await read_form(request, shape)
    return await read_json(request, shape)
