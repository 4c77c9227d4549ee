"""UUIDv7 identifiers: time-ordered, so new rows append to indexes and ids sort by creation."""

from __future__ import annotations

import os
import threading
import time
import uuid

_lock = threading.Lock()
_last = [0, 0]  # last millisecond, last 12-bit counter


def uuid7() -> uuid.UUID:
    """A UUID version 7 (RFC 9562) with a monotonic counter within one millisecond."""
    with _lock:
        millis = time.time_ns() // 1_000_000
        if millis <= _last[0]:
            millis = _last[0]
            counter = _last[1] + 1
            if counter > 0xFFF:
                millis += 1
                counter = 0
        else:
            counter = int.from_bytes(os.urandom(2), "big") & 0x7FF
        _last[0], _last[1] = millis, counter
    rand = int.from_bytes(os.urandom(8), "big") & ((1 << 62) - 1)
    value = (millis & ((1 << 48) - 1)) << 80
    value |= 0x7 << 76
    value |= counter << 64
    value |= 0b10 << 62
    value |= rand
    return uuid.UUID(int=value)


def parse_uuid(value: str) -> uuid.UUID | None:
    """The UUID in canonical 36-character form, or None for anything else."""
    if len(value) != 36:
        return None
    try:
        parsed = uuid.UUID(value)
    except ValueError:
        return None
    return parsed if str(parsed) == value.lower() else None


def path_id(value: str) -> uuid.UUID:
    """The id in a request path; a malformed one is a 400 ``invalid_id``."""
    from service.errors import ApiError

    parsed = parse_uuid(value)
    if parsed is None:
        raise ApiError("invalid_id", "The id in the path is not a valid id.", parameter="id")
    return parsed
