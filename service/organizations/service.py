"""Creating an organization: a unique slug, the managed roles, and its first owner.

The roles repo writes the roles and the accounts' members repo the owner's membership; this
module only writes the organization itself."""

from __future__ import annotations

import re
import secrets
import unicodedata
from uuid import UUID

import asyncpg

from service.accounts import members
from service.db.tx import set_tenant
from service.ids import uuid7
from service.organizations import repo
from service.roles import repo as roles_repo
from service.security.permissions import OWNER

_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def slugify(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = _NOT_SLUG.sub("-", ascii_name.lower()).strip("-")[:48].strip("-")
    return slug or "org"


async def create(
    conn: asyncpg.Connection, *, name: str, owner_id: UUID | None, owner_name: str = ""
) -> UUID:
    """Create the organization inside the caller's transaction; leaves the tenant set to it.

    With ``owner_id`` the user becomes its owner. The caller's transaction sees the new
    organization as its tenant afterwards.
    """
    org_id = uuid7()
    await set_tenant(conn, org_id=org_id, user_id=owner_id)
    base = slugify(name)
    slug = base
    while not await repo.insert(conn, org_id, name, slug):
        slug = f"{base[:42]}-{secrets.token_hex(3)}"
    roles = await roles_repo.insert_managed(conn, org_id)
    if owner_id is not None:
        await members.add(conn, org_id, owner_id, roles[OWNER], None, name=owner_name)
    return org_id


async def create_named(conn: asyncpg.Connection, *, name: str, slug: str) -> UUID | None:
    """Create an organization with exactly this slug and its managed roles, and no members
    (a platform operator opens it; its owner is invited); None when the slug is taken.
    Leaves the transaction's tenant set to the new organization."""
    org_id = uuid7()
    await set_tenant(conn, org_id=org_id, user_id=None)
    if not await repo.insert(conn, org_id, name, slug):
        return None
    await roles_repo.insert_managed(conn, org_id)
    return org_id
