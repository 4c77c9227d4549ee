"""Wire types of password reset."""

from __future__ import annotations

import msgspec


class ResetRequest(msgspec.Struct, forbid_unknown_fields=True):
    email: str


class ResetConfirm(msgspec.Struct, forbid_unknown_fields=True):
    token: str
    password: str
