"""Sending an invitation link: the one place that mints, stores and mails one.

Used by members inviting (``service.invite``), by member creation for an address that already
has an account (the link that asks the person to accept), and by the operator who opens an
organization and invites its first owner.
"""

from __future__ import annotations

from uuid import UUID

import asyncpg

from service.accounts.members import Role
from service.ids import uuid7
from service.invitations import repo
from service.mail.mailer import Mailer
from service.organizations import repo as organizations


async def send(
    conn: asyncpg.Connection,
    mailer: Mailer,
    *,
    org_id: UUID,
    email: str,
    role: Role,
    invited_by: UUID | None,
    inviter_name: str,
    membership_request: bool = False,
) -> UUID:
    """Store a pending invitation (replacing any pending one to the same address here) and
    queue its mail; the invitation's id. Runs inside the organization's tenant."""
    await repo.revoke_pending_for(conn, org_id, email)
    invitation_id = uuid7()
    raw, hashed = repo.mint(org_id)
    await repo.insert(
        conn,
        invitation_id=invitation_id,
        org_id=org_id,
        email=email,
        role_id=role.id,
        invited_by=invited_by,
        token_hash=hashed,
        membership_request=membership_request,
    )
    await mailer.invitation(
        conn,
        to=email,
        organization_name=await organizations.name_of(conn, org_id) or "",
        inviter_name=inviter_name,
        role_name=role.name,
        token=raw,
        expires_days=repo.EXPIRES_DAYS,
    )
    return invitation_id
