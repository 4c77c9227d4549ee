"""Inviting, revoking and resending. An invitation is a resource, not a disguised reset link.

Inviting an address that already has a pending invitation here replaces it: the old link
stops working. Only someone who may grant the role may invite to it, revoke such an
invitation or send it again.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

import asyncpg

from service.accounts import members
from service.accounts import repo as users
from service.audit.actions import Action
from service.audit.recorder import record
from service.db.tx import set_tenant
from service.errors import ApiError
from service.fields import email_problem, normalize_email
from service.invitations import repo, sending
from service.jsonapi import Page, after_id, cut
from service.mail.mailer import Mailer
from service.organizations import repo as organizations
from service.security.principal import Principal
from service.throttle.counters import Throttle
from service.throttle.gate import limited_in


@dataclass(frozen=True, slots=True)
class Context:
    principal: Principal
    mailer: Mailer
    throttle: Throttle


async def _audit(
    conn: asyncpg.Connection,
    ctx: Context,
    action: Action,
    invitation_id: UUID,
    before: dict[str, object] | None,
    after: dict[str, object] | None,
) -> None:
    await record(
        conn,
        organization_id=ctx.principal.org_id,
        action=action,
        resource_id=invitation_id,
        actor=ctx.principal.actor,
        before=before,
        after=after,
        address=ctx.principal.address,
    )


def not_found() -> ApiError:
    return ApiError("invitation_not_found", "No such invitation in this organization.")


async def invite(
    conn: asyncpg.Connection, ctx: Context, *, email: str, role_code: str, prefix: str
) -> UUID:
    """Counts towards the organization's invitations of the hour (only if it commits)."""
    org_id = ctx.principal.org_id
    await limited_in(conn, ctx.throttle.policy.invite(org_id))
    address = normalize_email(email)
    problem = email_problem(address)
    if problem:
        raise ApiError("validation_error", problem, pointer=f"{prefix}/email")
    role = await members.role_by_code(conn, org_id, role_code)
    if role is None:
        raise ApiError("role_not_found", "No role with this code here.", pointer=f"{prefix}/role")
    _within_reach(ctx, role.permissions, "Inviting to")
    await _refuse_members(conn, ctx, address, prefix)
    inviter = await users.by_id(conn, ctx.principal.user_id)
    invitation_id = await sending.send(
        conn,
        ctx.mailer,
        org_id=org_id,
        email=address,
        role=role,
        invited_by=ctx.principal.person_id,
        inviter_name=inviter.name if inviter and inviter.name else ctx.principal.label,
    )
    await _audit(
        conn,
        ctx,
        "invitation.create",
        invitation_id,
        None,
        {"email": address, "role": role.code, "status": "pending"},
    )
    return invitation_id


async def list_invitations(
    conn: asyncpg.Connection, org_id: UUID, *, email: str | None, status: str | None, page: Page
) -> tuple[list[repo.Invitation], str | None]:
    """One page of the organization's invitations by id, and the cursor of the next (None:
    last)."""
    rows = await repo.page(
        conn, org_id, after=after_id(page), size=page.size + 1, email=email, status=status
    )
    return cut(rows, page.size)


def _within_reach(ctx: Context, permissions: list[str], doing: str) -> None:
    missing = sorted(set(permissions) - ctx.principal.permissions)
    if missing:
        raise ApiError("forbidden", f"{doing} this role needs permissions you lack: {missing}.")


async def _locked_within_reach(
    conn: asyncpg.Connection, ctx: Context, invitation_id: UUID, doing: str
) -> str:
    """The invitation's status, locked; 404 if absent, 403 if its role holds a permission
    the actor lacks."""
    org_id = ctx.principal.org_id
    status = await repo.lock_status(conn, org_id, invitation_id)
    if status is None:
        raise not_found()
    current = await repo.view(conn, org_id, invitation_id)
    role = (
        await members.role(conn, org_id, current.role_id) if current and current.role_id else None
    )
    if role is not None:
        _within_reach(ctx, role.permissions, doing)
    return status


async def _refuse_members(
    conn: asyncpg.Connection, ctx: Context, address: str, prefix: str
) -> None:
    await set_tenant(conn, org_id=None, user_id=None, anonymous=True)
    try:
        existing = await users.by_email(conn, address)
    finally:
        await set_tenant(conn, org_id=ctx.principal.org_id, user_id=ctx.principal.user_id)
    if existing and await members.current(conn, ctx.principal.org_id, existing.id):
        raise ApiError(
            "conflict", "This person is already a member here.", pointer=f"{prefix}/email"
        )


async def _mail(
    conn: asyncpg.Connection, ctx: Context, address: str, role_name: str, raw: str
) -> None:
    org_id = ctx.principal.org_id
    inviter = await users.by_id(conn, ctx.principal.user_id)
    await ctx.mailer.invitation(
        conn,
        to=address,
        organization_name=await organizations.name_of(conn, org_id) or "",
        inviter_name=inviter.name if inviter and inviter.name else ctx.principal.label,
        role_name=role_name,
        token=raw,
        expires_days=repo.EXPIRES_DAYS,
    )


async def revoke(conn: asyncpg.Connection, ctx: Context, invitation_id: UUID) -> bool:
    """Revoke a pending invitation; True when something changed. Accepted ones stay."""
    status = await _locked_within_reach(conn, ctx, invitation_id, "Revoking an invitation to")
    if status == "accepted":
        raise ApiError("conflict", "This invitation was already accepted.")
    if status == "revoked":
        return False
    await repo.revoke(conn, ctx.principal.org_id, invitation_id)
    await _audit(
        conn, ctx, "invitation.revoke", invitation_id, {"status": "pending"}, {"status": "revoked"}
    )
    return True


async def resend(conn: asyncpg.Connection, ctx: Context, invitation_id: UUID) -> None:
    """A new link and a new week; the old link stops working. Counts towards the
    organization's invitations of the hour, as an invitation does."""
    org_id = ctx.principal.org_id
    await limited_in(conn, ctx.throttle.policy.invite(org_id))
    status = await _locked_within_reach(conn, ctx, invitation_id, "Resending an invitation to")
    if status != "pending":
        raise ApiError("conflict", f"This invitation is {status}; invite again instead.")
    current = await repo.view(conn, org_id, invitation_id)
    assert current is not None
    assert current.role_id is not None
    role = await members.role(conn, org_id, current.role_id)
    raw, hashed = repo.mint(org_id)
    await repo.renew(conn, org_id, invitation_id, hashed)
    await _mail(conn, ctx, current.email, role.name if role else "", raw)
    renewed = await repo.view(conn, org_id, invitation_id)
    await _audit(
        conn,
        ctx,
        "invitation.resend",
        invitation_id,
        {"expiresAt": current.expires_at},
        {"expiresAt": renewed.expires_at if renewed else None},
    )
