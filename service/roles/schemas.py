"""Wire types of ``auth/roles`` and ``auth/permissions``, shaped like the Zus Auth Service's."""

from __future__ import annotations

from typing import Literal

import msgspec
from msgspec import UNSET, UnsetType

from service.jsonapi import Links
from service.roles.repo import Role

ROLE: Literal["auth/roles"] = "auth/roles"
PERMISSION: Literal["auth/permissions"] = "auth/permissions"

Kind = Literal["service", "fhir"]


class RoleAttributes(msgspec.Struct, rename="camel"):
    name: str
    code: str
    description: str
    is_managed: bool
    permissions: list[str]
    created_at: int
    updated_at: int


class ResourceLinks(msgspec.Struct):
    self: str


class RoleResource(msgspec.Struct):
    type: Literal["auth/roles"]
    id: str
    attributes: RoleAttributes
    links: ResourceLinks


class RoleDocument(msgspec.Struct):
    data: RoleResource


class RoleListDocument(msgspec.Struct):
    data: list[RoleResource]
    links: Links


def role_path(role_id: object) -> str:
    return f"/auth/roles/{role_id}"


def role_resource(role: Role) -> RoleResource:
    return RoleResource(
        type=ROLE,
        id=str(role.id),
        attributes=RoleAttributes(
            name=role.name,
            code=role.code,
            description=role.description,
            is_managed=role.is_managed,
            permissions=list(role.permissions),
            created_at=int(role.created_at.timestamp()),
            updated_at=int(role.updated_at.timestamp()),
        ),
        links=ResourceLinks(self=role_path(role.id)),
    )


# --- request bodies ----------------------------------------------------------------------


class NewRoleAttributes(msgspec.Struct, forbid_unknown_fields=True, rename="camel"):
    """What a client may set on a new role; ``isManaged`` and timestamps are the service's."""

    name: str
    permissions: list[str]
    code: str | UnsetType = UNSET
    description: str | UnsetType = UNSET


class NewRole(msgspec.Struct, forbid_unknown_fields=True):
    type: Literal["auth/roles"]
    attributes: NewRoleAttributes
    id: str | UnsetType = UNSET  # the service assigns ids; one sent by the client is refused


class NewRoleDocument(msgspec.Struct, forbid_unknown_fields=True):
    data: NewRole


class RoleChanges(msgspec.Struct, forbid_unknown_fields=True, rename="camel"):
    """Any subset of the changeable attributes. ``code`` is named only to refuse it clearly."""

    name: str | UnsetType = UNSET
    description: str | UnsetType = UNSET
    permissions: list[str] | UnsetType = UNSET
    code: str | UnsetType = UNSET


class RolePatch(msgspec.Struct, forbid_unknown_fields=True):
    type: Literal["auth/roles"]
    id: str | UnsetType = UNSET
    attributes: RoleChanges = msgspec.field(default_factory=RoleChanges)


class RolePatchDocument(msgspec.Struct, forbid_unknown_fields=True):
    data: RolePatch


# --- the permission catalogue ------------------------------------------------------------


class PermissionAttributes(msgspec.Struct):
    description: str
    kind: Kind


class PermissionResource(msgspec.Struct):
    type: Literal["auth/permissions"]
    id: str
    attributes: PermissionAttributes


class PermissionListDocument(msgspec.Struct):
    data: list[PermissionResource]
    links: Links
