"""The two bases of every wire shape, and decoding request bodies into them with one error per
bad field.

Every Struct the service decodes from a client derives from :class:`RequestShape`, every one it
encodes for a client from :class:`ResponseShape`; the member names are each class's own
(``rename="camel"`` for JSON:API attributes, the field names for OAuth's snake_case).

msgspec stops at the first problem; a client fixing a form wants all of them at once. When the
fast decode fails, :func:`field_errors` walks the Struct's fields against the generic JSON value
and reports each missing, unknown or ill-typed member with a JSON pointer (RFC 6901).
"""

from __future__ import annotations

import re
import types
import typing
import unicodedata
from typing import Annotated, Any, TypeVar

import msgspec

from service.errors import ApiError, ErrorItem

T = TypeVar("T")


class RequestShape(msgspec.Struct, forbid_unknown_fields=True):
    """Base of what a client sends: request bodies and every object nested in them.

    A member the shape does not name is an error (``Unknown field``, with its pointer), so a
    misspelt optional member is reported instead of silently dropped. Member names are the
    field names; a JSON:API attributes object adds ``rename="camel"``, a relationship names its
    members itself (``msgspec.field(name="auth/roles")``). The OAuth 2.0 forms are the
    exception: RFC 6749 (3.2) has a server ignore parameters it does not know, so the token and
    revocation forms add ``forbid_unknown_fields=False``.
    """


class ResponseShape(msgspec.Struct):
    """Base of what the service answers: response documents and every object nested in them.

    Encoded as declared: every field, ``None`` as ``null``. An object whose optional members
    are left out when unset (links, error members, the OAuth error body) adds
    ``omit_defaults=True``; JSON:API attributes add ``rename="camel"``; OAuth and discovery
    answers keep their snake_case field names. Decoding one (the tests do) ignores members it
    does not name.
    """


def char_class(codes: list[int]) -> str:
    """A regular-expression character class body for ``codes`` (sorted), as ``\\uXXXX``
    ranges, read alike by Python and by ECMA-262 (the OpenAPI document's dialect)."""
    parts: list[str] = []
    start = previous = codes[0]
    for code in [*codes[1:], -1]:
        if code == previous + 1:
            previous = code
            continue
        parts.append(f"\\u{start:04x}" + (f"-\\u{previous:04x}" if previous > start else ""))
        start = previous = code
    return "".join(parts)


_BMP = [chr(code) for code in range(0xD800)] + [chr(code) for code in range(0xE000, 0x10000)]
CONTROLS = char_class(
    [ord(ch) for ch in _BMP if unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp")]
)
"""Control and format characters, line and paragraph separators (of the BMP): refused in
names, as :func:`service.fields.text_problem` does."""
SPACES = char_class([ord(ch) for ch in _BMP if ch.isspace()])
"""What ``str.strip`` takes away."""

VISIBLE_TEXT = f"^[^{CONTROLS}]*[^{CONTROLS}{SPACES}][^{CONTROLS}]*$"
"""At least one character that is not a space, and no control character."""


def visible(maximum: int, description: str = "") -> msgspec.Meta:
    """A name-like string's constraints: at most ``maximum`` characters, one of them not a
    space, no control characters or line breaks (:func:`service.fields.text_problem`). Use
    as ``Annotated[str, visible(200)]``."""
    return msgspec.Meta(
        min_length=1,
        max_length=maximum,
        pattern=VISIBLE_TEXT,
        description=description
        or f"At most {maximum} characters, not all spaces, no control characters.",
    )


_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
EMAIL_PATTERN = (
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@"
    rf"(?:{_LABEL}\.)+[A-Za-z](?:[A-Za-z0-9-]{{0,61}}[A-Za-z0-9])?$"
)
"""The addresses the service takes and mails to: the HTML standard's valid e-mail address
(what a browser's ``type=email`` field takes: ASCII, no quoted or commented forms), with a
local part of at most 64 characters and a dotted domain whose last label starts with a letter.
Mail goes out only to addresses that match it (:func:`service.mail.message.check_address`), so
an address the API took can always be mailed."""

EMAIL = msgspec.Meta(
    min_length=3,
    max_length=254,
    pattern=EMAIL_PATTERN,
    description="An e-mail address (local@domain.tld); compared without regard to case.",
)
Email = Annotated[str, EMAIL]

NonEmpty = Annotated[
    str,
    msgspec.Meta(
        min_length=1,
        pattern=f"^[^{CONTROLS}]+$",
        description="Not empty, no control characters.",
    ),
]
"""A token or an identifier: not empty, no control characters."""


def optional(maximum: int) -> msgspec.Meta:
    """An optional profile field's constraints: at most ``maximum`` characters, no control
    characters; empty (or only spaces) clears it. Use as ``Annotated[str, optional(200)]``."""
    return msgspec.Meta(
        max_length=maximum,
        pattern=f"^[^{CONTROLS}]*$",
        description=f"At most {maximum} characters, no control characters; empty clears it.",
    )


def stated(meta: msgspec.Meta) -> msgspec.Meta:
    """``meta``'s constraints written into the OpenAPI document but not checked when decoding:
    for fields whose rules a flow checks itself, so that every problem (the password policy's
    included) is reported at once, each in its own words."""
    schema: dict[str, Any] = {}
    for key, value in (
        ("minLength", meta.min_length),
        ("maxLength", meta.max_length),
        ("pattern", meta.pattern),
    ):
        if value is not None:
            schema[key] = value
    return msgspec.Meta(description=meta.description, extra_json_schema=schema)


PASSWORD_MIN = 8
"""The least ``PASSWORD_MIN_LENGTH`` may be set to."""
PASSWORD_MAX = 128

Password = Annotated[
    str,
    stated(
        msgspec.Meta(
            min_length=PASSWORD_MIN,
            max_length=PASSWORD_MAX,
            description=(
                f"A new password: at least PASSWORD_MIN_LENGTH (12 unless configured, never "
                f"under {PASSWORD_MIN}) and at most {PASSWORD_MAX} characters, not a common "
                "or easily guessed one (zxcvbn score 3 or more), not the address, a name or "
                "the organization's name."
            ),
        )
    ),
]
"""A password being chosen; the policy (``service.security.password_policy``) checks it."""


_PATH = re.compile(r" - at `\$(.*)`$")
_SEGMENT = re.compile(r"\.([^.\[]+)|\[(\d+)\]|\[\.\.\.\]")


def decode(raw: bytes, kind: type[T]) -> T:
    """Decode a JSON body into ``kind``; raise an ApiError listing every bad field."""
    _not_empty(raw)
    try:
        return msgspec.json.decode(raw, type=kind)
    except msgspec.ValidationError as exc:
        first = str(exc)
    except msgspec.DecodeError:
        raise ApiError("invalid_body", "The request body is not valid JSON.") from None
    try:
        value = msgspec.json.decode(raw)
    except msgspec.DecodeError:  # typed decoding can fail on a field before the syntax error
        raise ApiError("invalid_body", "The request body is not valid JSON.") from None
    items = field_errors(value, kind, "")
    if not items:
        items = [_from_message(first, "")]
    raise ApiError.many(items)


def _not_empty(raw: bytes) -> None:
    if not raw.strip():
        raise ApiError("invalid_body", "The request body is empty; a JSON document is expected.")


def parse(raw: bytes) -> Any:
    """A JSON body as generic values (dicts, lists, strings, numbers)."""
    _not_empty(raw)
    try:
        return msgspec.json.decode(raw)
    except msgspec.DecodeError:
        raise ApiError("invalid_body", "The request body is not valid JSON.") from None


def convert(value: Any, kind: type[T], pointer: str = "", *, strict: bool = False) -> T:
    """Like :func:`decode` for an already-parsed value: a form body (``strict=False``: text
    becomes numbers and flags), or a JSON value (``strict=True``: types as JSON has them)."""
    try:
        return msgspec.convert(value, kind, strict=strict)
    except msgspec.ValidationError as exc:
        items = field_errors(value, kind, pointer) or [_from_message(str(exc), pointer)]
        raise ApiError.many(items) from None


def pointer_token(name: str) -> str:
    return name.replace("~", "~0").replace("/", "~1")


def field_errors(value: Any, kind: Any, pointer: str) -> list[ErrorItem]:
    """Every problem of ``value`` against ``kind``; empty when the value converts."""
    struct = _struct_arm(kind, value)
    if struct is None:
        try:
            msgspec.convert(value, kind, strict=True)
        except msgspec.ValidationError as exc:
            return [_leaf_error(str(exc), kind, pointer)]
        return []
    if not isinstance(value, dict):
        return [ErrorItem("validation_error", "Expected an object.", pointer or "/")]
    hints = typing.get_type_hints(struct, include_extras=True)
    names = struct.__struct_fields__
    wire_names = struct.__struct_encode_fields__
    required = {f.name for f in msgspec.structs.fields(struct) if f.required}
    config = struct.__struct_config__
    items: list[ErrorItem] = []
    if config.forbid_unknown_fields:
        for key in value:
            if key not in wire_names and key != config.tag_field:
                items.append(
                    ErrorItem(
                        "validation_error",
                        f"Unknown field {key!r}.",
                        f"{pointer}/{pointer_token(str(key))}",
                    )
                )
    for name, wire in zip(names, wire_names, strict=True):
        child = f"{pointer}/{pointer_token(wire)}"
        if wire not in value:
            if name in required:
                items.append(ErrorItem("validation_error", "This field is required.", child))
            continue
        items.extend(field_errors(value[wire], hints[name], child))
    return items


def struct_of(kind: Any) -> type[msgspec.Struct] | None:
    """The Struct that a field's type names, alone or beside ``None`` or ``UNSET``."""
    origin = typing.get_origin(kind)
    if origin is typing.Annotated:
        return struct_of(typing.get_args(kind)[0])
    if isinstance(kind, type) and issubclass(kind, msgspec.Struct):
        return kind
    if origin in (typing.Union, types.UnionType):
        structs = [struct_of(arm) for arm in typing.get_args(kind)]
        found = [s for s in structs if s is not None]
        return found[0] if len(found) == 1 else None
    return None


def _struct_arm(kind: Any, value: Any) -> type[msgspec.Struct] | None:
    """The Struct type to descend into, if ``kind`` is (or optionally is) a Struct."""
    origin = typing.get_origin(kind)
    if origin is typing.Annotated:
        return _struct_arm(typing.get_args(kind)[0], value)
    if isinstance(kind, type) and issubclass(kind, msgspec.Struct):
        return kind
    if origin in (typing.Union, types.UnionType) and isinstance(value, dict):
        arms = [a for a in typing.get_args(kind) if isinstance(a, type)]
        structs = [a for a in arms if issubclass(a, msgspec.Struct)]
        if len(structs) == 1:
            return structs[0]
    return None


def _leaf_error(message: str, kind: Any, pointer: str) -> ErrorItem:
    """A value of the right type outside its constraints is told what they are in words (the
    field's ``Meta`` description), not as the regular expression that states them."""
    if " - at `" not in message and ("regex" in message or "length" in message):
        for meta in _metas(kind):
            if meta.description:
                return ErrorItem("validation_error", meta.description, pointer or "/")
    return _from_message(message, pointer)


def _metas(kind: Any) -> list[msgspec.Meta]:
    origin = typing.get_origin(kind)
    if origin is typing.Annotated:
        return [arm for arm in typing.get_args(kind)[1:] if isinstance(arm, msgspec.Meta)]
    if origin in (typing.Union, types.UnionType):
        return [meta for arm in typing.get_args(kind) for meta in _metas(arm)]
    return []


def _from_message(message: str, pointer: str) -> ErrorItem:
    match = _PATH.search(message)
    detail = message[: match.start()] if match else message
    if match:
        for name, index in _SEGMENT.findall(match.group(1)):
            pointer += f"/{pointer_token(name) if name else index}"
    detail = detail.replace("`", "'")
    if not detail.endswith("."):
        detail += "."
    return ErrorItem("validation_error", detail[0].upper() + detail[1:], pointer or "/")
