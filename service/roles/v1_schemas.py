"""Seed 002's role shape: ``is_system`` is true for the managed roles (read-only, the same in
every organization), false for the organization's own."""

from __future__ import annotations

from uuid import UUID

import msgspec

from service.roles.repo import Role


class RoleV1(msgspec.Struct):
    id: UUID
    organization_id: UUID
    code: str
    name: str
    description: str
    is_system: bool


def role_v1(role: Role) -> RoleV1:
    return RoleV1(
        id=role.id,
        organization_id=role.organization_id,
        code=role.code,
        name=role.name,
        description=role.description,
        is_system=role.is_managed,
    )
