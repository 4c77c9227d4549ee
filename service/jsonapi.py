"""The JSON:API envelope: media types, error documents, links, keyset paging and filters.

Resource types follow the Zus convention with a slash (``auth/users``); JSON:API 1.1 reserves
``/`` in member names, and the service departs from it on purpose so that existing Zus clients
work unchanged. Features declare their own concrete resource and document Structs (generic
Structs give unreadable OpenAPI names); this module owns the shared pieces.
"""

from __future__ import annotations

import base64
import binascii
import typing
from collections.abc import Mapping
from typing import Any, TypeVar
from uuid import UUID

import msgspec

from service.errors import ApiError, ErrorItem
from service.wire import ResponseShape, pointer_token, struct_of

JSONAPI = "application/vnd.api+json"
JSON = "application/json"
FORM = "application/x-www-form-urlencoded"
HTML = "text/html"

R = TypeVar("R")

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200


class ErrorSource(ResponseShape, omit_defaults=True):
    pointer: str | None = None
    parameter: str | None = None


class ErrorObject(ResponseShape, omit_defaults=True):
    status: str
    code: str
    title: str
    detail: str
    source: ErrorSource | None = None


class ErrorMeta(ResponseShape, rename="camel"):
    request_id: str


class ErrorDocument(ResponseShape):
    errors: list[ErrorObject]
    meta: ErrorMeta


class Links(ResponseShape, omit_defaults=True):
    self: str | None = None
    next: str | None = None


def error_document(
    items: tuple[ErrorItem, ...] | list[ErrorItem], request_id: str
) -> ErrorDocument:
    objects = []
    for item in items:
        source = None
        if item.pointer is not None or item.parameter is not None:
            source = ErrorSource(pointer=item.pointer, parameter=item.parameter)
        objects.append(
            ErrorObject(
                status=str(item.status),
                code=item.code,
                title=item.title,
                detail=item.detail,
                source=source,
            )
        )
    return ErrorDocument(errors=objects, meta=ErrorMeta(request_id=request_id))


# --- media types -------------------------------------------------------------------------


def media_type(header: str | None) -> tuple[str, dict[str, str]]:
    """Split a Content-Type or one Accept entry into its type and parameters."""
    if not header:
        return "", {}
    main, *rest = header.split(";")
    params: dict[str, str] = {}
    for part in rest:
        key, _, value = part.partition("=")
        if key.strip():
            params[key.strip().lower()] = value.strip().strip('"')
    return main.strip().lower(), params


SUPPORTED_EXTENSIONS: frozenset[str] = frozenset()
SUPPORTED_PROFILES: frozenset[str] = frozenset()


def parameters_supported(params: Mapping[str, str]) -> bool:
    """Whether the parameters of a JSON:API media type are ones this service honours: no
    parameter but ``ext`` and ``profile`` (JSON:API 1.1, Content Negotiation), and those
    naming only extensions and profiles it supports, which today are none. A client that
    asks for an extension must hear that it is not applied rather than have it ignored."""
    if set(params) - {"ext", "profile"}:
        return False
    extensions = set(params.get("ext", "").split())
    profiles = set(params.get("profile", "").split())
    return extensions <= SUPPORTED_EXTENSIONS and profiles <= SUPPORTED_PROFILES


def accepts(accept_header: str | None, offered: tuple[str, ...]) -> bool:
    """Whether an Accept header admits any of the offered media types.

    A JSON:API entry whose parameters the service does not honour (see
    :func:`parameters_supported`) does not count, as the JSON:API specification requires; an
    entry with ``q=0`` refuses that type.
    """
    if not accept_header or not accept_header.strip():
        return True
    for entry in accept_header.split(","):
        kind, params = media_type(entry)
        if params.get("q", "").strip() in ("0", "0.0", "0.00", "0.000"):
            continue
        params.pop("q", None)
        if kind == JSONAPI and not parameters_supported(params):
            continue
        if kind == "*/*":
            return True
        for offer in offered:
            major = offer.split("/")[0]
            if kind in (offer, f"{major}/*"):
                return True
    return False


# --- read-modify-write ---------------------------------------------------------------------

ECHOED = ("links", "meta")
"""Members a client may send back as it received them; the server sets them, so they are
dropped from an update whatever they hold."""


def without_echoes(document: Any, shape: type[Any], stored: msgspec.Struct) -> Any:
    """An update document with what a read-modify-write client sends back unchanged taken out.

    A client that GETs a resource, changes one attribute and PATCHes the whole resource back
    sends ``links``, ``meta`` and the read-only attributes and relationships too. ``links``
    and ``meta`` (top level, resource level and in relationship objects) are dropped; an
    attribute or relationship that the update ``shape`` does not take but ``stored`` (the
    resource as a GET answers it now) has is dropped when its value is the stored one and
    refused, with its pointer, when it differs. Anything else is left for the shape's own
    decoding to take or refuse (an unknown member stays an unknown member).
    """
    if not isinstance(document, dict) or not isinstance(document.get("data"), dict):
        return document
    resource = {k: v for k, v in document["data"].items() if k not in ECHOED}
    current = msgspec.to_builtins(stored)
    resource_shape = struct_of(_hint(shape, "data"))
    items: list[ErrorItem] = []
    for member in ("attributes", "relationships"):
        sent = resource.get(member)
        if not isinstance(sent, dict):
            continue
        takes = struct_of(_hint(resource_shape, member)) if resource_shape else None
        kept, refused = _split(member, sent, takes, current.get(member) or {})
        items += refused
        if kept or takes is not None:
            resource[member] = kept
        else:
            del resource[member]
    if items:
        raise ApiError.many(items)
    return {**{k: v for k, v in document.items() if k not in ECHOED}, "data": resource}


def _hint(struct: Any, name: str) -> Any:
    return typing.get_type_hints(struct).get(name) if struct is not None else None


def _split(
    member: str, sent: dict[str, Any], takes: Any, stored: dict[str, Any]
) -> tuple[dict[str, Any], list[ErrorItem]]:
    writable = set(takes.__struct_encode_fields__) if takes is not None else set()
    kept: dict[str, Any] = {}
    refused: list[ErrorItem] = []
    for name, value in sent.items():
        if member == "relationships" and isinstance(value, dict):
            value = {k: v for k, v in value.items() if k not in ECHOED}
        if name in writable or name not in stored:
            kept[name] = value
        elif not _unchanged(member, value, stored[name]):
            refused.append(
                ErrorItem(
                    "validation_error",
                    f"{name} is read-only: send it as it is or leave it out.",
                    f"/data/{member}/{pointer_token(name)}",
                )
            )
    return kept, refused


def _unchanged(member: str, sent: Any, stored: Any) -> bool:
    if member == "relationships" and isinstance(sent, dict):
        if "data" not in sent:  # links or meta only: nothing asked of the linkage
            return not sent
        sent, stored = sent["data"], stored.get("data")
        if isinstance(sent, dict):
            sent = {k: v for k, v in sent.items() if k != "meta"}
    return _same(sent, stored)


def _same(a: Any, b: Any) -> bool:
    """Equal as JSON values: ``true`` is not ``1`` and ``1.0`` is not ``1``."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


# --- paging ------------------------------------------------------------------------------


class Page(msgspec.Struct, frozen=True):
    """A keyset page request: at most ``size`` rows after the cursor ``after``."""

    size: int
    after: tuple[Any, ...] | None


def encode_cursor(values: tuple[Any, ...]) -> str:
    raw = msgspec.json.encode(list(values))
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def decode_cursor(cursor: str) -> tuple[Any, ...]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = msgspec.json.decode(base64.urlsafe_b64decode(padded.encode()))
    except (binascii.Error, msgspec.DecodeError, ValueError):
        raise ApiError(
            "validation_error", "The page cursor is not valid.", parameter="page[after]"
        ) from None
    if not isinstance(values, list) or not values:
        raise ApiError("validation_error", "The page cursor is not valid.", parameter="page[after]")
    return tuple(values)


def parse_page(query: Mapping[str, str]) -> Page:
    raw_size = query.get("page[size]")
    size = DEFAULT_PAGE_SIZE
    if raw_size is not None:
        if not raw_size.isdigit() or not 1 <= int(raw_size) <= MAX_PAGE_SIZE:
            raise ApiError(
                "validation_error",
                f"page[size] must be a whole number from 1 to {MAX_PAGE_SIZE}.",
                parameter="page[size]",
            )
        size = int(raw_size)
    raw_after = query.get("page[after]")
    return Page(size=size, after=decode_cursor(raw_after) if raw_after else None)


def parse_filters(query: Mapping[str, str], allowed: tuple[str, ...]) -> dict[str, str]:
    """Collect ``filter[name]=value`` parameters; an unknown filter is a 400."""
    filters: dict[str, str] = {}
    for key, value in query.items():
        if not key.startswith("filter["):
            continue
        if not key.endswith("]"):
            raise ApiError("validation_error", f"{key} is not a filter.", parameter=key)
        name = key[len("filter[") : -1]
        if name not in allowed:
            raise ApiError(
                "validation_error",
                f"Unknown filter {name!r}; filters here are: {', '.join(allowed) or 'none'}.",
                parameter=key,
            )
        filters[name] = value
    return filters


def self_link(path: str, query: str) -> str:
    """A listing's ``links.self``: its path and the query string as the client sent it."""
    return f"{path}?{query}" if query else path


def next_link(path: str, query: Mapping[str, str], cursor: str | None) -> str | None:
    """The ``links.next`` URL: the same query with ``page[after]`` replaced."""
    if cursor is None:
        return None
    from urllib.parse import urlencode

    params = [(k, v) for k, v in query.items() if k != "page[after]"]
    params.append(("page[after]", cursor))
    return f"{path}?{urlencode(params)}"


def after_id(page: Page) -> UUID | None:
    """The id a page of id-ordered rows starts after (None for the first page)."""
    from service.ids import parse_uuid

    if page.after is None:
        return None
    after = parse_uuid(str(page.after[0])) if len(page.after) == 1 else None
    if after is None:
        raise ApiError("validation_error", "The page cursor is not valid.", parameter="page[after]")
    return after


def cut(rows: list[R], size: int) -> tuple[list[R], str | None]:
    """Rows fetched with ``LIMIT size + 1`` → the page and the cursor of the next (None: last)."""
    if len(rows) <= size:
        return rows, None
    rows = rows[:size]
    return rows, encode_cursor((str(getattr(rows[-1], "id")),))  # noqa: B009
