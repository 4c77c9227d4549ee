"""An administrator removes a member's second factors (the member lost their phone and their
recovery codes): only someone holding every permission of the member's role, never on
themselves (their own factors are removed with a fresh second factor, at
``/auth/me/mfa-factors``). Every session of the person ends, the person is mailed, and the
trail says who did it. The factors are the person's, so this reaches every
organization they sign in to; row-level security allows it only for a member of the caller's
organization."""

from __future__ import annotations

from uuid import UUID

import asyncpg

from service.accounts import members
from service.accounts import repo as users
from service.audit.recorder import record
from service.db.tx import set_tenant
from service.errors import ApiError, not_found
from service.metrics import events
from service.mfa import repo as factors
from service.organizations import repo as organizations
from service.tokens import repo as tokens
from service.users.service import Context, guard_target


async def reset(conn: asyncpg.Connection, ctx: Context, user_id: UUID) -> None:
    principal = ctx.principal
    org_id = principal.org_id
    if user_id == principal.user_id:
        raise ApiError(
            "forbidden", "Remove your own factors with a fresh second factor, not by a reset."
        )
    current = await members.current(conn, org_id, user_id)
    view = await users.member_view(conn, org_id, user_id)
    if current is None or view is None:
        raise not_found("user_not_found", "There is no such member of this organization.")
    guard_target(ctx, current.permissions)
    removed = await factors.delete_member_factors(conn, user_id)
    # Every session of the person ends, in every organization: the factors that guarded them
    # are gone, and whoever took the phone may hold one (the epoch is the person's own row).
    await set_tenant(conn, org_id=org_id, user_id=user_id)
    await tokens.revoke_user(conn, user_id, "mfa_reset")
    await set_tenant(conn, org_id=org_id, user_id=principal.user_id)
    await record(
        conn,
        organization_id=org_id,
        action="mfa_factor.reset",
        resource_id=user_id,
        actor=principal.actor,
        before={"factors": removed},
        after={"factors": 0},
        address=principal.address,
    )
    name = await organizations.name_of(conn, org_id) or ""
    await ctx.mailer.mfa_reset(conn, to=view.email, name=view.name, organization_name=name)
    events.mfa("reset", kind="all", user_id=user_id, org_id=org_id)
