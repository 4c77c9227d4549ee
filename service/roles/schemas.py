"""Wire types of ``auth/roles`` and ``auth/permissions``, shaped like the Zus Auth Service's."""

from __future__ import annotations

import unicodedata
from typing import Annotated, Literal

import msgspec
from msgspec import UNSET, UnsetType

from service.jsonapi import Links
from service.roles.repo import Role
from service.security.permissions import CATALOGUE
from service.wire import RequestShape, ResponseShape, char_class, visible

RoleName = Annotated[str, visible(100)]
Permission = Annotated[
    str,
    msgspec.Meta(
        extra_json_schema={"enum": list(CATALOGUE)},
        description="A permission of the catalogue (GET /auth/permissions).",
    ),
]
RoleCode = Annotated[
    str,
    msgspec.Meta(
        pattern=r"^[a-z][a-z0-9_-]{0,62}$",
        description="1 to 63 characters of a-z, 0-9, '_' and '-', starting with a letter; "
        "not the code of a managed role.",
    ),
]
_FORMATS = [
    code
    for code in range(0x10000)
    if not 0xD800 <= code < 0xE000
    and chr(code) not in "\t\n\r"
    and unicodedata.category(chr(code)) in ("Cc", "Cf")
]
Description = Annotated[
    str,
    msgspec.Meta(
        max_length=1000,
        pattern=f"^[^{char_class(_FORMATS)}]*$",
        description="At most 1000 characters; line breaks and tabs but no other control "
        "characters.",
    ),
]

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


class NewRoleAttributes(RequestShape, rename="camel", kw_only=True):
    """What a client may set on a new role; ``isManaged`` and timestamps are the service's."""

    name: RoleName
    description: Description | UnsetType = UNSET
    code: RoleCode | UnsetType = UNSET
    permissions: list[Permission]


class NewRole(RequestShape):
    type: Literal["auth/roles"]
    attributes: NewRoleAttributes
    id: str | UnsetType = UNSET  # the service assigns ids; one sent by the client is refused


class NewRoleDocument(RequestShape):
    data: NewRole


class RoleChanges(RequestShape, rename="camel"):
    """Any subset of the changeable attributes; ``code``, ``isManaged`` and the timestamps
    are read-only (sent back unchanged they are taken, see :func:`jsonapi.without_echoes`)."""

    name: RoleName | UnsetType = UNSET
    description: Description | UnsetType = UNSET
    permissions: list[Permission] | UnsetType = UNSET


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
