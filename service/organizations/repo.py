"""SQL for organizations; callers hold the transaction and have set its tenant."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

import asyncpg

from service.db.queries import load

q = load(__file__)


async def insert(conn: asyncpg.Connection, org_id: UUID, name: str, slug: str) -> bool:
    """Insert unless the slug is taken; True when inserted."""
    return await conn.fetchrow(q.insert_organization, org_id, name, slug) is not None


async def name_of(conn: asyncpg.Connection, org_id: UUID) -> str | None:
    name: str | None = await conn.fetchval(q.organization_name, org_id)
    return name


@dataclass(frozen=True, slots=True)
class Card:
    """An organization's profile, without anyone's membership in it."""

    id: UUID
    name: str
    slug: str
    tagline: str | None
    description: str | None
    email: str | None
    phone: str | None
    website: str | None
    location: str | None
    logo_url: str | None
    icon_url: str | None
    language_code: str | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class Profile(Card):
    """An organization's profile and multi-factor policy, with the reader's membership in it
    (the /auth surface's resource; /v1 shows the profile alone)."""

    mfa_required: bool
    mfa_reprompt_hours: int
    role_id: UUID
    role_code: str
    active: bool


@dataclass(frozen=True, slots=True)
class MfaPolicy:
    """Whether an organization's members must give a second factor, and for how many hours a
    browser session's second factor counts before it is asked for again."""

    required: bool
    reprompt_hours: int


async def mine(conn: asyncpg.Connection, user_id: UUID) -> list[Profile]:
    return [Profile(**dict(r)) for r in await conn.fetch(q.my_organizations, user_id)]


async def profile(conn: asyncpg.Connection, org_id: UUID, user_id: UUID) -> Profile | None:
    row = await conn.fetchrow(q.organization_by_id, org_id, user_id)
    return Profile(**dict(row)) if row else None


async def update_profile(
    conn: asyncpg.Connection, org_id: UUID, values: dict[str, str | None]
) -> None:
    await conn.execute(
        q.update_profile,
        org_id,
        values["name"],
        values["tagline"],
        values["description"],
        values["email"],
        values["phone"],
        values["website"],
        values["location"],
        values["logo_url"],
        values["icon_url"],
        values["language_code"],
    )


async def update_mfa_policy(
    conn: asyncpg.Connection, org_id: UUID, required: bool, reprompt_hours: int
) -> None:
    await conn.execute(q.update_mfa_policy, org_id, required, reprompt_hours)


async def mfa_policy(conn: asyncpg.Connection, org_id: UUID) -> MfaPolicy | None:
    """The policy of ``org_id``; None when there is no such organization or the transaction's
    tenant may not see it (row-level security: its own organization, or any for an operator)."""
    row = await conn.fetchrow(q.mfa_policy, org_id)
    if row is None:
        return None
    return MfaPolicy(required=row["mfa_required"], reprompt_hours=row["mfa_reprompt_hours"])


async def card(conn: asyncpg.Connection, org_id: UUID) -> Card | None:
    row = await conn.fetchrow(q.organization_card, org_id)
    return Card(**dict(row)) if row else None


async def every(conn: asyncpg.Connection, limit: int) -> list[Card]:
    """Every organization the transaction may see (a platform operator: all), up to ``limit``."""
    return [Card(**dict(r)) for r in await conn.fetch(q.all_organizations, limit)]
