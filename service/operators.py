"""The platform operator's command line.

``python -m service grant-operator --email …`` makes an account a platform operator (or
takes the role back with ``--revoke``): through the owner role's connection, since the app
role cannot write that table, so no request can ever grant it.

``python -m service create-organization``: a platform operator opens an organization.

The organization is created with its managed roles and no members; its first owner is
invited by mail (the invitation carries the ``owner`` role), so nobody holds an account or a
session before they have chosen their own password.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import asyncpg

from service.accounts import members, operators
from service.audit.recorder import record
from service.config import Settings
from service.db.pool import create_pool
from service.db.tx import transaction
from service.errors import ApiError
from service.fields import email_problem, normalize_email, text_problem
from service.invitations import sending
from service.mail.mailer import Mailer
from service.organizations import service as organizations
from service.security.permissions import OWNER

OPERATOR = "The platform operator"


@dataclass(frozen=True, slots=True)
class Provisioned:
    organization_id: UUID
    invitation_id: UUID


async def provision(settings: Settings, *, name: str, owner_email: str) -> Provisioned:
    address = normalize_email(owner_email)
    problem = text_problem(name, maximum=200, label="The name") or email_problem(address)
    if problem:
        raise ValueError(problem)
    assert settings.database_url is not None
    pool = await create_pool(settings.database_url, settings)
    try:
        async with transaction(pool) as conn:
            org_id = await organizations.create(conn, name=name.strip(), owner_id=None)
            owner = await members.role_by_code(conn, org_id, OWNER)
            if owner is None:
                raise ApiError("internal_error", "The owner role was not created.")
            await record(
                conn,
                organization_id=org_id,
                action="organization.create",
                resource_id=org_id,
                actor_kind="system",
                after={"name": name.strip(), "ownerInvited": address},
            )
            invitation_id = await sending.send(
                conn,
                Mailer(settings),
                org_id=org_id,
                email=address,
                role=owner,
                invited_by=None,
                inviter_name=OPERATOR,
            )
    finally:
        await pool.close()
    return Provisioned(org_id, invitation_id)


log = logging.getLogger(__name__)


async def grant_operator(settings: Settings, email: str, *, revoke: bool = False) -> dict[str, Any]:
    """Grant (or revoke) the platform operator role of the account with ``email``."""
    address = normalize_email(email)
    problem = email_problem(address)
    if problem:
        raise ValueError(problem)
    if settings.migration_database_url is None:
        raise ValueError("MIGRATION_DATABASE_URL (the owner role) is needed to change operators.")
    conn = await asyncpg.connect(settings.migration_database_url)
    try:
        await operators.command_line(conn)
        if revoke:
            changed = await operators.revoke(conn, address)
            log.warning("platform.operator_revoked", extra={"fields": {"email": address}})
            return {"email": address, "operator": False, "changed": changed}
        user_id = await operators.grant(conn, address, "command line")
    finally:
        await conn.close()
    if user_id is None:
        raise ValueError(f"no account has the address {address}")
    log.warning("platform.operator_granted", extra={"fields": {"userId": str(user_id)}})
    return {"email": address, "userId": str(user_id), "operator": True}
