"""The listing's query string: filters, time bounds and the keyset cursor.

``filter[since]`` (inclusive) and ``filter[until]`` (exclusive) take Unix seconds (``1735689600``
or with a fraction, ``1735689600.25``) or an RFC 3339 date-time with its offset
(``2025-01-01T00:00:00Z``, ``2025-01-01T01:00:00.5+01:00``). Every bad value is a 400
``validation_error`` whose ``source.parameter`` names the parameter.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from service import jsonapi
from service.audit.repo import Filters
from service.errors import ApiError
from service.ids import parse_uuid

FILTERS: tuple[str, ...] = ("actor", "action", "resourceType", "resourceId", "since", "until")

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)
_UNIX = re.compile(r"^[0-9]{1,11}(\.[0-9]{1,6})?$")
_RFC3339 = re.compile(
    r"^([0-9]{4}-[0-9]{2}-[0-9]{2})[Tt ]([0-9]{2}:[0-9]{2}:[0-9]{2})(\.[0-9]+)?"
    r"([Zz]|[+-][0-9]{2}:[0-9]{2})$"
)
MAX_TEXT = 200


def parse_filters(query: Mapping[str, str]) -> Filters:
    raw = jsonapi.parse_filters(query, FILTERS)
    for name, value in raw.items():
        if not value or len(value) > MAX_TEXT:
            raise _bad(name, f"filter[{name}] must be 1 to {MAX_TEXT} characters.")
    actor = None
    if "actor" in raw:
        actor = parse_uuid(raw["actor"])
        if actor is None:
            raise _bad("actor", "filter[actor] must be a user id.")
    return Filters(
        actor_user_id=actor,
        action=raw.get("action"),
        resource_type=raw.get("resourceType"),
        resource_id=raw.get("resourceId"),
        since=_instant(raw, "since"),
        until=_instant(raw, "until"),
    )


def parse_instant(text: str) -> datetime | None:
    """Unix seconds or an RFC 3339 date-time, as an aware datetime; None when it is neither."""
    if _UNIX.match(text):
        seconds, _, fraction = text.partition(".")
        micros = int(seconds) * 1_000_000 + int((fraction or "0").ljust(6, "0"))
        return from_micros(micros)
    match = _RFC3339.match(text)
    if match is None:
        return None
    day, clock, fraction, offset = match.groups()
    fraction = (fraction or ".0")[:7]
    offset = "+00:00" if offset in ("Z", "z") else offset
    try:
        return datetime.fromisoformat(f"{day}T{clock}{fraction.ljust(7, '0')}{offset}")
    except ValueError:  # 2025-02-30, 25:00:00, an offset of +24:00 ...
        return None


def to_micros(instant: datetime) -> int:
    return (instant - EPOCH) // MICROSECOND


def from_micros(micros: int) -> datetime:
    return EPOCH + micros * MICROSECOND


def cursor_of(created_at: datetime, event_id: UUID) -> str:
    return jsonapi.encode_cursor((to_micros(created_at), str(event_id)))


def parse_cursor(after: tuple[Any, ...] | None) -> tuple[datetime, UUID] | None:
    """The (created_at, id) a ``page[after]`` cursor points after."""
    if after is None:
        return None
    if len(after) == 2 and isinstance(after[0], int) and isinstance(after[1], str):
        event_id = parse_uuid(after[1])
        if event_id is not None and abs(after[0]) < 2**53:
            return from_micros(after[0]), event_id
    raise ApiError("validation_error", "The page cursor is not valid.", parameter="page[after]")


def _instant(raw: Mapping[str, str], name: str) -> datetime | None:
    if name not in raw:
        return None
    instant = parse_instant(raw[name])
    if instant is None:
        raise _bad(name, f"filter[{name}] must be Unix seconds or an RFC 3339 date-time.")
    return instant


def _bad(name: str, detail: str) -> ApiError:
    return ApiError("validation_error", detail, parameter=f"filter[{name}]")
