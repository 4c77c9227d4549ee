"""Role decisions: reading, creating, changing and deleting the organization's roles.

Managed roles are read-only. Nobody grants a permission they do not hold: a role created or
changed here may hold only permissions the acting member holds, and a role that already holds
one the acting member lacks is beyond their reach (neither changed nor deleted). Each
mutation returns the role's attributes before and after, the record the audit trail keeps.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

import asyncpg
from msgspec import UNSET

from service.audit import recorder as audit
from service.audit.actions import Action
from service.errors import ApiError, ErrorItem
from service.ids import parse_uuid, uuid7
from service.jsonapi import Page, after_id, cut
from service.roles import repo, rules
from service.roles.repo import Role
from service.roles.schemas import Kind, NewRole, RolePatch
from service.security.permissions import CATALOGUE
from service.security.principal import Principal

ATTRIBUTES = rules.ATTRIBUTES
NOT_FOUND = "No role with this id exists in this organization."
MANAGED = "Managed roles are read-only."


@dataclass(frozen=True, slots=True)
class _PathNotFound(ErrorItem):
    """``role_not_found`` for a role named by the path: 404 as the API contract says; the
    catalogue's 400 is for a role named inside a body."""

    @property
    def status(self) -> int:
        return 404


def not_found() -> ApiError:
    return ApiError.many([_PathNotFound("role_not_found", NOT_FOUND)])


@dataclass(frozen=True, slots=True)
class Change:
    """A mutation's outcome: the role as it now is (as it was, for a deletion), and the
    snapshots recorded in the audit trail; both are equal when nothing changed (and nothing
    was recorded)."""

    role: Role
    before: dict[str, Any] | None
    after: dict[str, Any] | None


def snapshot(role: Role) -> dict[str, Any]:
    """The role's attributes as the audit trail keeps them (roles hold no secrets)."""
    return {
        "name": role.name,
        "code": role.code,
        "description": role.description,
        "isManaged": role.is_managed,
        "permissions": list(role.permissions),
    }


async def get(conn: asyncpg.Connection, org_id: UUID, role_id: UUID) -> Role:
    role = await repo.role_by_id(conn, org_id, role_id)
    if role is None:
        raise not_found()
    return role


async def list_roles(
    conn: asyncpg.Connection,
    org_id: UUID,
    *,
    name: str | None,
    code: str | None,
    is_managed: bool | None,
    page: Page,
) -> tuple[list[Role], str | None]:
    """One page of the organization's roles by id, and the cursor of the next (None: last)."""
    roles = await repo.page(
        conn,
        org_id,
        name=name,
        code=code,
        is_managed=is_managed,
        after=after_id(page),
        limit=page.size + 1,
    )
    return cut(roles, page.size)


async def create(conn: asyncpg.Connection, actor: Principal, resource: NewRole) -> Change:
    if resource.id is not UNSET:
        raise ApiError(
            "forbidden", "Role ids are assigned by the service; send none.", pointer="/data/id"
        )
    attrs = resource.attributes
    name = attrs.name.strip()
    description = "" if attrs.description is UNSET else attrs.description.strip()
    problems = rules.name_problems(name) + rules.description_problems(description)
    if attrs.code is not UNSET:
        problems += rules.code_problems(attrs.code)
    problems += rules.permission_problems(attrs.permissions)
    rules.refuse(problems)
    permissions = rules.canonical(attrs.permissions)
    rules.no_escalation(actor.permissions, permissions, sent=True)
    if attrs.code is UNSET:
        code = await _free_code(conn, actor.org_id, rules.code_from_name(name))
    else:
        code = attrs.code
    await _no_clash(conn, actor.org_id, name=name, code=code)
    role = await repo.insert(
        conn,
        role_id=uuid7(),
        org_id=actor.org_id,
        code=code,
        name=name,
        description=description,
        permissions=permissions,
    )
    after = snapshot(role)
    await _audit(conn, actor, "role.create", role.id, None, after)
    return Change(role, None, after)


async def update(
    conn: asyncpg.Connection, actor: Principal, role_id: UUID, resource: RolePatch
) -> Change:
    role = await _custom_role(conn, actor, role_id)
    if resource.id is not UNSET and parse_uuid(resource.id) != role_id:
        raise ApiError(
            "conflict", "The id in the body is not the id in the path.", pointer="/data/id"
        )
    changes = resource.attributes
    problems: rules.Problems = []
    name = role.name if changes.name is UNSET else changes.name.strip()
    if changes.name is not UNSET:
        problems += rules.name_problems(name)
    description = role.description
    if changes.description is not UNSET:
        description = changes.description.strip()
        problems += rules.description_problems(description)
    permissions = list(role.permissions)
    if changes.permissions is not UNSET:
        problems += rules.permission_problems(changes.permissions)
        permissions = changes.permissions
    rules.refuse(problems)
    permissions = rules.canonical(permissions)
    rules.no_escalation(actor.permissions, permissions, sent=changes.permissions is not UNSET)
    before = snapshot(role)
    if (name, description, permissions) == (role.name, role.description, role.permissions):
        return Change(role, before, before)
    await _no_clash(conn, actor.org_id, name=name, code=None, except_id=role.id)
    updated = await repo.update(
        conn, actor.org_id, role.id, name=name, description=description, permissions=permissions
    )
    if updated is None:  # locked above as a custom role of this organization
        raise not_found()
    after = snapshot(updated)
    await _audit(conn, actor, "role.update", role.id, before, after)
    return Change(updated, before, after)


async def delete(conn: asyncpg.Connection, actor: Principal, role_id: UUID) -> Change:
    role = await _custom_role(conn, actor, role_id)
    held_by = await repo.holders(conn, actor.org_id, role.id)
    if held_by:
        raise ApiError(
            "role_in_use",
            f"The role is still held ({', '.join(held_by)}); assign another role first.",
        )
    await repo.delete(conn, actor.org_id, role.id)
    before = snapshot(role)
    await _audit(conn, actor, "role.delete", role.id, before, None)
    return Change(role, before, None)


def catalogue(kind: str | None) -> list[tuple[str, str, Kind]]:
    """``(permission, description, kind)`` for every catalogue entry of the kind (or all)."""
    entries: list[tuple[str, str, Kind]] = [
        (name, description, "fhir" if name.startswith("fhir:") else "service")
        for name, description in CATALOGUE.items()
    ]
    return [entry for entry in entries if kind is None or entry[2] == kind]


async def _custom_role(conn: asyncpg.Connection, actor: Principal, role_id: UUID) -> Role:
    """The role, locked for the rest of the transaction; 404 if absent, 403 if managed or if
    it holds a permission the actor lacks."""
    role = await repo.role_by_id(conn, actor.org_id, role_id, lock=True)
    if role is None:
        raise not_found()
    if role.is_managed:
        raise ApiError("forbidden", MANAGED)
    rules.within_reach(actor.permissions, role.permissions)
    return role


async def _audit(
    conn: asyncpg.Connection,
    actor: Principal,
    action: Action,
    role_id: UUID,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> None:
    await audit.record(
        conn,
        organization_id=actor.org_id,
        action=action,
        resource_id=role_id,
        actor=actor.actor,
        before=before,
        after=after,
    )


async def _no_clash(
    conn: asyncpg.Connection,
    org_id: UUID,
    *,
    name: str,
    code: str | None,
    except_id: UUID | None = None,
) -> None:
    name_taken, code_taken = await repo.clashes(
        conn, org_id, name=name, code=code, except_id=except_id
    )
    items = []
    if name_taken:
        items.append(
            ErrorItem("conflict", "Another role here has this name.", f"{ATTRIBUTES}/name")
        )
    if code_taken:
        items.append(
            ErrorItem("conflict", "Another role here has this code.", f"{ATTRIBUTES}/code")
        )
    if items:
        raise ApiError.many(items)


async def _free_code(conn: asyncpg.Connection, org_id: UUID, base: str) -> str:
    """``base``, or the first of ``base-2``, ``base-3``, ... that no role here uses."""
    code, number = base, 1
    while await repo.role_by_code(conn, org_id, code) is not None:
        number += 1
        code = rules.numbered(base, number)
    return code
