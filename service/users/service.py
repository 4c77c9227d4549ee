"""Member decisions: who may add, change or remove whom, and with which role.

Two rules guard against privilege escalation: nobody assigns a role that holds a permission
they do not hold themselves, and nobody changes or removes a member whose role holds such a
permission (an administrator cannot demote an owner). The last active owner of an
organization can be neither removed, demoted nor deactivated; owner changes are serialized
by locking the owners' memberships.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

import asyncpg
from msgspec import UnsetType

from service.accounts import members
from service.accounts import repo as users
from service.app_clients import service as app_clients
from service.audit.actions import Action
from service.audit.recorder import record
from service.config import Settings
from service.db.tx import set_tenant
from service.errors import ApiError, ErrorItem
from service.fhir.practitioners import PractitionerDirectory
from service.fields import email_problem, normalize_email, text_problem
from service.ids import parse_uuid, uuid7
from service.invitations import repo as invitations
from service.invitations import sending
from service.jsonapi import Page, after_id, cut
from service.links import repo as links
from service.mail.mailer import Mailer
from service.metrics import events
from service.organizations import repo as organizations
from service.security.permissions import OWNER
from service.security.principal import Principal
from service.tokens import repo as tokens
from service.users.schemas import NewUser, PractitionerRelationship, UserChanges

ATTR = "/data/attributes"
ROLE_POINTER = "/data/relationships/auth~1roles/data/id"
PRACTITIONER_POINTER = "/data/relationships/fhir~1practitioner/data/id"


@dataclass(frozen=True, slots=True)
class Context:
    principal: Principal
    settings: Settings
    mailer: Mailer
    fhir: PractitionerDirectory


def snapshot(view: users.MemberView | None) -> dict[str, object] | None:
    """What the audit trail keeps of a member."""
    if view is None:
        return None
    return {
        "email": view.email,
        "name": view.name,
        "active": view.active,
        "role": view.role_code,
        "roleId": view.role_id,
        "practitionerId": view.practitioner_id,
    }


async def _audit(
    conn: asyncpg.Connection,
    ctx: Context,
    action: Action,
    user_id: UUID,
    before: users.MemberView | None,
    after: users.MemberView | None,
) -> None:
    await record(
        conn,
        organization_id=ctx.principal.org_id,
        action=action,
        resource_id=user_id,
        actor=ctx.principal.actor,
        before=snapshot(before),
        after=snapshot(after),
        address=ctx.principal.address,
    )


def _not_found() -> ApiError:
    return ApiError("user_not_found", "No such member in this organization.")


async def assignable_role(conn: asyncpg.Connection, ctx: Context, raw_id: str) -> members.Role:
    role_id = parse_uuid(raw_id)
    role = await members.role(conn, ctx.principal.org_id, role_id) if role_id else None
    if role is None:
        raise ApiError("role_not_found", "No such role in this organization.", pointer=ROLE_POINTER)
    missing = sorted(set(role.permissions) - ctx.principal.permissions)
    if missing:
        raise ApiError("forbidden", f"Granting this role needs permissions you lack: {missing}.")
    return role


def guard_target(ctx: Context, permissions: list[str]) -> None:
    if set(permissions) - ctx.principal.permissions:
        raise ApiError("forbidden", "This member holds permissions you do not hold.")


async def _practitioner(ctx: Context, relationship: PractitionerRelationship | None) -> str | None:
    if relationship is None or relationship.data is None:
        return None
    await ctx.fhir.require(relationship.data.id, pointer=PRACTITIONER_POINTER)
    return relationship.data.id


async def _user_by_email(conn: asyncpg.Connection, ctx: Context, email: str) -> users.User | None:
    """Look the address up among all users (outside the tenant), then return to the tenant."""
    await set_tenant(conn, org_id=None, user_id=None, anonymous=True)
    try:
        return await users.by_email(conn, email)
    finally:
        await set_tenant(conn, org_id=ctx.principal.org_id, user_id=ctx.principal.user_id)


async def list_members(
    conn: asyncpg.Connection,
    org_id: UUID,
    *,
    email: str | None,
    name: str | None,
    role: str | None,
    page: Page,
) -> tuple[list[users.MemberView], str | None]:
    """One page of the organization's members by id, and the cursor of the next (None: last).
    ``email`` matches exactly (normalized), ``name`` is contained, ``role`` is a role's id or
    code (an unknown code matches nobody)."""
    role_id = None
    if role is not None:
        role_id = parse_uuid(role)
        if role_id is None:
            found = await members.role_by_code(conn, org_id, role)
            role_id = found.id if found else UUID(int=0)
    rows = await members.page(
        conn,
        org_id,
        after=after_id(page),
        size=page.size + 1,
        email=normalize_email(email) if email is not None else None,
        name=name,
        role_id=role_id,
    )
    return cut(rows, page.size)


def _validate_new(ctx: Context, resource: NewUser, *, app_client: bool = False) -> str:
    if resource.id is not None:
        raise ApiError("forbidden", "Ids are assigned by the service.", pointer="/data/id")
    attrs = resource.attributes
    email = normalize_email(attrs.email)
    problems = [
        ("email", email_problem(email)),
        ("name", text_problem(attrs.name, maximum=200, label="A name")),
        (
            "clientId",
            None
            if attrs.client_id is None or app_client or ctx.settings.redirect_for(attrs.client_id)
            else "This clientId is neither an app client of this organization that signs people"
            " in (POST /auth/app-clients) nor configured in the service's CLIENT_REDIRECTS"
            " setting (clientId=https://target,…); leave clientId out to use none.",
        ),
    ]
    items = [ErrorItem("validation_error", d, f"{ATTR}/{f}") for f, d in problems if d]
    if items:
        raise ApiError.many(items)
    return email


async def create(conn: asyncpg.Connection, ctx: Context, resource: NewUser) -> UUID:
    user_id = await _create(conn, ctx, resource)
    after = await users.member_view(conn, ctx.principal.org_id, user_id)
    await _audit(conn, ctx, "user.create", user_id, None, after)
    return user_id


async def _create(conn: asyncpg.Connection, ctx: Context, resource: NewUser) -> UUID:
    """The same work and the same answer whether or not the address has an account elsewhere:
    what the organization sees comes from what it sent. An existing account joins only when
    the person accepts through the link mailed to them; until then the member is pending."""
    wanted = resource.attributes.client_id
    app = wanted is not None and await app_clients.home_of(conn, wanted) is not None
    email = _validate_new(ctx, resource, app_client=app)
    attrs = resource.attributes
    name = attrs.name.strip()
    role = await assignable_role(conn, ctx, resource.relationships.roles.data.id)
    practitioner_id = await _practitioner(ctx, resource.relationships.practitioner)
    org_id = ctx.principal.org_id
    organization_name = await organizations.name_of(conn, org_id) or ""
    existing = await _user_by_email(conn, ctx, email)
    if existing is not None and await members.current(conn, org_id, existing.id) is not None:
        raise ApiError("conflict", "This person is already a member here.", pointer=f"{ATTR}/email")
    await invitations.revoke_pending_for(conn, org_id, email)
    if existing is not None:
        await members.add(
            conn, org_id, existing.id, role.id, practitioner_id, name=name, accepted=False
        )
        await _ask_to_join(conn, ctx, email, role)
        return existing.id
    user_id = uuid7()
    await users.insert(
        conn,
        user_id=user_id,
        email=email,
        name=name,
        given_name=None,
        family_name=None,
        password_hash=None,
    )
    await members.add(conn, org_id, user_id, role.id, practitioner_id, name=name)
    if attrs.send_password_reset_email:
        token = await links.issue(
            conn,
            user_id=user_id,
            purpose=links.SET_PASSWORD,
            email=email,
            organization_id=org_id,
            client_id=attrs.client_id,
        )
        await ctx.mailer.set_password(
            conn, to=email, name=name, organization_name=organization_name, token=token
        )
    if ctx.settings.app_env == "sandbox":
        await ctx.mailer.welcome(conn, to=email, name=name, organization_name=organization_name)
    return user_id


async def _ask_to_join(
    conn: asyncpg.Connection, ctx: Context, email: str, role: members.Role
) -> None:
    """The link an existing account follows to accept the membership (the invitation page)."""
    await sending.send(
        conn,
        ctx.mailer,
        org_id=ctx.principal.org_id,
        email=email,
        role=role,
        invited_by=ctx.principal.person_id,
        inviter_name=ctx.principal.label,
        membership_request=True,
    )


async def _keep_an_owner(conn: asyncpg.Connection, org_id: UUID, user_id: UUID) -> None:
    owners = await members.lock_owners(conn, org_id)
    if owners == [user_id]:
        raise ApiError("last_owner", "The organization's last owner must stay an active owner.")


async def update(
    conn: asyncpg.Connection, ctx: Context, user_id: UUID, changes: UserChanges
) -> None:
    if changes.id != str(user_id):
        raise ApiError(
            "conflict", "The id in the body is not the id in the path.", pointer="/data/id"
        )
    org_id = ctx.principal.org_id
    current = await members.current(conn, org_id, user_id)
    if current is None:
        raise _not_found()
    guard_target(ctx, current.permissions)
    before = await users.member_view(conn, org_id, user_id)
    attrs, rels = changes.attributes, changes.relationships
    role_id, code = current.role_id, current.code
    if not isinstance(rels.roles, UnsetType):
        role = await assignable_role(conn, ctx, rels.roles.data.id)
        role_id, code = role.id, role.code
    active = current.active if isinstance(attrs.active, UnsetType) else attrs.active
    practitioner_id = current.practitioner_id
    if not isinstance(rels.practitioner, UnsetType):
        practitioner_id = await _practitioner(ctx, rels.practitioner)
    if current.code == OWNER and current.active and (code != OWNER or not active):
        await _keep_an_owner(conn, org_id, user_id)
    if not isinstance(attrs.name, UnsetType):
        problem = text_problem(attrs.name, maximum=200, label="A name")
        if problem:
            raise ApiError("validation_error", problem, pointer=f"{ATTR}/name")
        await members.rename(conn, org_id, user_id, attrs.name.strip())
    await members.update(
        conn, org_id, user_id, role_id=role_id, active=active, practitioner_id=practitioner_id
    )
    if current.active and not active:
        await tokens.revoke_member(conn, org_id, user_id, "deactivated")
        _member_event("user.deactivate", ctx, user_id)
    after = await users.member_view(conn, org_id, user_id)
    if snapshot(before) != snapshot(after):
        await _audit(conn, ctx, "user.update", user_id, before, after)


async def remove(conn: asyncpg.Connection, ctx: Context, user_id: UUID) -> bool:
    """Idempotent: False when there was no such member (and nothing happened)."""
    org_id = ctx.principal.org_id
    current = await members.current(conn, org_id, user_id)
    if current is None:
        return False
    guard_target(ctx, current.permissions)
    if current.code == OWNER and current.active:
        await _keep_an_owner(conn, org_id, user_id)
    before = await users.member_view(conn, org_id, user_id)
    await tokens.revoke_member(conn, org_id, user_id, "removed")
    await members.remove(conn, org_id, user_id)
    if before is not None:  # a pending member's link dies with the membership
        await invitations.revoke_pending_for(conn, org_id, before.email)
    await _audit(conn, ctx, "user.remove", user_id, before, None)
    _member_event("user.remove", ctx, user_id)
    return True


def _member_event(event: str, ctx: Context, user_id: UUID) -> None:
    principal = ctx.principal
    events.member_changed(
        event,
        user_id=user_id,
        org_id=principal.org_id,
        actor_id=principal.user_id,
        address=principal.address,
    )
