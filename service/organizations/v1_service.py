"""Seed 002's organization operations over the JSON:API surface's rules.

Profiles are checked and audited by :mod:`service.organizations.profile`, exactly as the
JSON:API surface does; only the field names of errors differ (``logo_url``, not
``/data/attributes/logoUrl``). Opening an organization is for platform operators alone: its
managed roles are created with it and it has no members (its owner is invited, as
``python -m service create-organization`` does).
"""

from __future__ import annotations

from typing import Any

from service.audit.recorder import record
from service.db.tx import set_tenant
from service.errors import ApiError
from service.organizations import profile, repo, service
from service.organizations.repo import Card
from service.organizations.v1_schemas import OrganizationV1
from service.v1.context import Context, not_found

OPERATORS_ONLY = "Only a platform operator opens organizations."
LISTED = 1000  # the most organizations one answer lists


def v1_pointer(field: str) -> str:
    return f"/{field}"


def wire(card: Card) -> OrganizationV1:
    return OrganizationV1(
        id=str(card.id),
        **{name: getattr(card, name) for name in OrganizationV1.__struct_fields__ if name != "id"},
    )


async def listed(ctx: Context) -> list[OrganizationV1]:
    """The caller's live memberships' organizations; every organization for an operator."""
    conn, principal = ctx.conn, ctx.principal
    operator = await ctx.is_operator()
    await set_tenant(conn, org_id=None, user_id=principal.user_id)
    try:
        if operator:
            return [wire(c) for c in await repo.every(conn, LISTED)]
        return [wire(p) for p in await repo.mine(conn, principal.user_id)]  # live ones only
    finally:
        await set_tenant(conn, org_id=principal.org_id, user_id=principal.user_id)


async def shown(ctx: Context, raw_id: str) -> OrganizationV1:
    found = await repo.card(ctx.conn, ctx.organization(raw_id))
    if found is None:
        raise not_found()
    return wire(found)


async def changed(ctx: Context, raw_id: str, body: Any) -> OrganizationV1:
    org_id = ctx.organization(raw_id)
    current = await repo.profile(ctx.conn, org_id, ctx.principal.user_id)
    if current is None:
        raise not_found()
    await profile.change(ctx.conn, ctx.principal, current, body, v1_pointer)
    return await shown(ctx, raw_id)


async def opened(ctx: Context, body: Any) -> OrganizationV1:
    if not await ctx.is_operator():
        raise ApiError("forbidden", OPERATORS_ONLY)
    _, values = profile.changes(None, body, v1_pointer)
    conn, actor = ctx.conn, ctx.principal
    org_id = await service.create_named(conn, name=values["name"], slug=body.slug)
    if org_id is None:
        raise ApiError("conflict", "This slug is taken.", pointer="/slug")
    await repo.update_profile(conn, org_id, values)
    await record(
        conn,
        organization_id=org_id,
        action="organization.create",
        resource_id=org_id,
        actor=actor.actor,
        after={**values, "slug": body.slug},
        address=actor.address,
    )
    found = await repo.card(conn, org_id)
    assert found is not None  # just written, in this transaction
    return wire(found)
