"""Wire types of ``auth/roles`` and ``auth/permissions``, shaped like the Zus Auth Service's."""

from __future__ import annotations

from typing import Literal

import msgspec
from msgspec import UNSET, UnsetType

from service.jsonapi import Links
from service.roles.repo import Role
from service.wire import RequestShape, ResponseShape

ROLE: Literal["auth/roles"] = "auth/roles"
PERMISSION: Literal["auth/permissions"] = "auth/permissions"

Kind = Literal["service", "fhir"]


class RoleAttributes(ResponseShape, rename="camel"):
    name: str
    code: str
    description: str
    is_managed: bool
    permissions: list[str]
    created_at: int
    updated_at: int


class ResourceLinks(ResponseShape):
    self: str


class RoleResource(ResponseShape):
    type: Literal["auth/roles"]
    id: str
    attributes: RoleAttributes
    links: ResourceLinks


class RoleDocument(ResponseShape):
    data: RoleResource


class RoleListDocument(ResponseShape):
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


class NewRoleAttributes(RequestShape, rename="camel"):
    """What a client may set on a new role; ``isManaged`` and timestamps are the service's."""

    name: str
    permissions: list[str]
    code: str | UnsetType = UNSET
    description: str | UnsetType = UNSET


class NewRole(RequestShape):
    type: Literal["auth/roles"]
    attributes: NewRoleAttributes
    id: str | UnsetType = UNSET  # the service assigns ids; one sent by the client is refused


class NewRoleDocument(RequestShape):
    data: NewRole


class RoleChanges(RequestShape, rename="camel"):
    """Any subset of the changeable attributes. ``code`` is named only to refuse it clearly."""

    name: str | UnsetType = UNSET
    description: str | UnsetType = UNSET
    permissions: list[str] | UnsetType = UNSET
    code: str | UnsetType = UNSET


class RolePatch(RequestShape):
    type: Literal["auth/roles"]
    id: str | UnsetType = UNSET
    attributes: RoleChanges = msgspec.field(default_factory=RoleChanges)


class RolePatchDocument(RequestShape):
    data: RolePatch


# --- the permission catalogue ------------------------------------------------------------


class PermissionAttributes(ResponseShape):
    description: str
    kind: Kind


class PermissionResource(ResponseShape):
    type: Literal["auth/permissions"]
    id: str
    attributes: PermissionAttributes


class PermissionListDocument(ResponseShape):
    data: list[PermissionResource]
    links: Links
