"""Field-level diffs for the audit trail, free of secrets and safe to store as JSON.

``diff(before, after)`` compares two flat snapshots of a resource (mappings of field name to
value) and keeps only what changed, as ``{"field": {"before": x, "after": y}}``:

- a creation (``before`` is None) lists every field of ``after``, each with ``before: null``;
- a deletion (``after`` is None) lists every field of ``before``, each with ``after: null``;
- otherwise a field appears only when its value differs; a field missing on one side counts
  as null there.

Values become JSON-safe first, and are compared in that form: UUIDs, dates, decimals and IP
addresses become strings; a ``datetime`` becomes integer Unix seconds, like every timestamp
on the wire (a naive one is read as UTC); enums become their value; mappings and sequences are
converted member by member, and sets become sorted lists. Binary values are refused (they are
usually hashes), and so is any other type, with a ``TypeError``.

A key whose name looks like a secret (``password``, ``password_hash``, ``token``,
``tokenHash``, ``secret``, ``private_key``, ``apiKey``, ``salt``, …) is dropped with its
value, at every depth, before anything is compared, so not even the fact that a secret
changed reaches the trail (a password change is an event of its own).
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import math
import re
import uuid
from collections.abc import Mapping
from decimal import Decimal
from enum import Enum
from typing import Any

import msgspec

# A key is secret when its letters contain one of these ...
SECRET_FRAGMENTS: tuple[str, ...] = (
    "password",
    "passwd",
    "passphrase",
    "secret",
    "token",
    "privatekey",
    "apikey",
    "credential",
    "signature",
)
# ... or when one of its words is one of these.
SECRET_WORDS: frozenset[str] = frozenset(
    {"pwd", "hash", "hashed", "salt", "otp", "pin", "jwt", "cookie", "authorization", "key"}
)

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")

Change = dict[str, Any]


def is_secret_key(key: str) -> bool:
    """Whether a field named ``key`` may hold a secret (any case, camel or snake)."""
    words = [w for w in _NOT_ALNUM.split(_CAMEL.sub("_", key).lower()) if w]
    compact = "".join(words)
    return any(f in compact for f in SECRET_FRAGMENTS) or any(w in SECRET_WORDS for w in words)


def json_safe(value: Any) -> Any:
    """``value`` as plain JSON data (see the module's notes), secret keys removed."""
    if isinstance(value, Enum):
        return json_safe(value.value)
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, dt.datetime):
        aware = value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)
        return math.floor(aware.timestamp())
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, uuid.UUID | Decimal | ipaddress.IPv4Address | ipaddress.IPv6Address):
        return str(value)
    if isinstance(value, bytes | bytearray | memoryview):
        raise TypeError("binary values are not recorded in the audit trail")
    if isinstance(value, Mapping):
        return _clean(value)
    if isinstance(value, list | tuple):
        return [json_safe(item) for item in value]
    if isinstance(value, set | frozenset):
        return sorted((json_safe(item) for item in value), key=_canonical)
    raise TypeError(f"{type(value).__name__} values are not recorded in the audit trail")


def diff(before: Mapping[str, Any] | None, after: Mapping[str, Any] | None) -> dict[str, Change]:
    """The changed fields between two snapshots, as ``{"field": {"before", "after"}}``."""
    old = _clean(before) if before is not None else {}
    new = _clean(after) if after is not None else {}
    changes: dict[str, Change] = {}
    for key in [*old, *(k for k in new if k not in old)]:
        was, now = old.get(key), new.get(key)
        if before is not None and after is not None and _canonical(was) == _canonical(now):
            continue
        changes[key] = {"before": was, "after": now}
    return changes


def _clean(mapping: Mapping[Any, Any]) -> dict[str, Any]:
    return {str(k): json_safe(v) for k, v in mapping.items() if not is_secret_key(str(k))}


def _canonical(value: Any) -> bytes:
    """One encoding per JSON value (keys sorted), so that ``1`` and ``True`` differ."""
    return msgspec.json.encode(value, order="sorted")
