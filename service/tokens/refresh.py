"""Refresh-token values: 256 random bits behind the id of the user they belong to."""

from __future__ import annotations

from uuid import UUID

from service.security import scoped

PREFIX = "rt_"
digest = scoped.digest


def mint(user_id: UUID) -> tuple[str, bytes]:
    return scoped.mint(PREFIX, user_id)


def user_of(raw: str) -> UUID | None:
    return scoped.scope_of(PREFIX, raw)
