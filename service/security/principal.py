"""Who is acting: the authenticated member as the services see it (no request, no database)."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID


@dataclass(frozen=True, slots=True)
class Principal:
    user_id: UUID
    org_id: UUID
    email: str
    role: str
    permissions: frozenset[str]
    practitioner_id: str | None
    address: str | None = None
