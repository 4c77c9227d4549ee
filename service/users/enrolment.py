"""Seed 002's member upsert (``POST /v1/organizations/{id}/members``): an address and a role
code, decided by the member rules of :mod:`service.users.service`, never rules of its own.

- The role is found by code among the organization's roles (400 ``role_not_found``), then
  held to the rule of every grant (:func:`~service.users.service.assignable_role`: nobody
  grants a role holding a permission they lack, 403), before anything of the address is read.
- A member already: the role changes through :func:`~service.users.service.update` (a member
  holding more than the caller is beyond reach, the last owner stays an owner, the change and
  its ``user.update`` event share the transaction); the same role changes and records nothing.
- Not a member: enrolled at once (active and accepted; nothing revoked, nothing mailed) only
  when the caller is a platform operator or the address's domain is one this organization
  has verified, and only an account whose owner proved the address and that is not disabled.
  Every other outsider gets the very 404 ``user_not_found`` an unknown address gets, after
  the very same statements: the answer tells nothing of accounts this organization lacks.
"""

from __future__ import annotations

from uuid import UUID

import asyncpg

from service.accounts import members, operators
from service.accounts import repo as users
from service.audit.recorder import record
from service.db.tx import set_tenant
from service.domains.repo import verified_domain
from service.errors import ApiError
from service.fields import normalize_email
from service.throttle.gate import limited_in
from service.throttle.policy import Rule
from service.users import service
from service.users.schemas import RoleRef, RoleRelationship, UserChanges, UserChangesRelationships

NOBODY = UUID(int=0)  # the account an unknown address lacks, so its path runs the same reads
NOT_HERE = "No account with this address can be added here; invite the person instead."
NO_ROLE = "No role with this code exists in this organization."


def not_found() -> ApiError:
    return ApiError("user_not_found", NOT_HERE)


async def upsert(
    conn: asyncpg.Connection, ctx: service.Context, email: str, code: str, limits: list[Rule]
) -> users.MemberView:
    """The member ``email`` names, holding the role ``code`` names; ``limits`` count the
    enrolments (as the JSON:API surface counts the members it adds)."""
    org_id = ctx.principal.org_id
    role = await _grantable(conn, ctx, code)
    address = normalize_email(email)
    account = await _account(conn, ctx, address)
    current = await members.current(conn, org_id, account.id if account else NOBODY)
    if account is not None and current is not None:
        if current.role_id != role.id:
            await service.update(conn, ctx, account.id, _role_change(account.id, role))
    else:
        enrollable = await _may_enrol(conn, ctx, address)  # read for every outsider alike
        if account is None or not enrollable or not _proven(account):
            raise not_found()
        await _enrol(conn, ctx, account.id, role, limits)
    view = await users.member_view(conn, org_id, account.id)
    assert view is not None  # a member, in this transaction
    return view


async def _grantable(conn: asyncpg.Connection, ctx: service.Context, code: str) -> members.Role:
    found = await members.role_by_code(conn, ctx.principal.org_id, code)
    if found is None:
        raise ApiError("role_not_found", NO_ROLE)
    return await service.assignable_role(conn, ctx, str(found.id))


async def _account(
    conn: asyncpg.Connection, ctx: service.Context, address: str
) -> users.User | None:
    """The account at ``address``, looked up outside the tenant, then back in it."""
    principal = ctx.principal
    await set_tenant(conn, org_id=None, user_id=None, anonymous=True)
    try:
        return await users.by_email(conn, address)
    finally:
        await set_tenant(conn, org_id=principal.org_id, user_id=principal.user_id)


async def _may_enrol(conn: asyncpg.Connection, ctx: service.Context, address: str) -> bool:
    """A platform operator, or an address at a domain this organization verified. Both are
    read every time, so neither answer shortens the path."""
    operator = await operators.is_operator(conn, ctx.principal.user_id)
    domain = address.rpartition("@")[2].lower()
    verified = await verified_domain(conn, ctx.principal.org_id, domain)
    return operator or verified


def _proven(account: users.User) -> bool:
    """An account whose owner proved the address, not disabled: never a pending registration
    (its password is a stranger's until the address owner verifies)."""
    return account.email_verified_at is not None and account.disabled_at is None


def _role_change(user_id: UUID, role: members.Role) -> UserChanges:
    roles = RoleRelationship(RoleRef(type="auth/roles", id=str(role.id)))
    return UserChanges(
        type="auth/users", id=str(user_id), relationships=UserChangesRelationships(roles=roles)
    )


async def _enrol(
    conn: asyncpg.Connection,
    ctx: service.Context,
    user_id: UUID,
    role: members.Role,
    limits: list[Rule],
) -> None:
    """Active and accepted at once; the organization's name for the person stays empty (it
    reads nothing another organization or the account shows)."""
    principal = ctx.principal
    await limited_in(conn, limits)
    await members.add(conn, principal.org_id, user_id, role.id, None, name="", accepted=True)
    after = await users.member_view(conn, principal.org_id, user_id)
    await record(
        conn,
        organization_id=principal.org_id,
        action="user.create",
        resource_id=user_id,
        actor=principal.actor,
        after=service.snapshot(after),
        address=principal.address,
    )
