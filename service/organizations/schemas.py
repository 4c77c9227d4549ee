"""The ``auth/organizations`` resource, with the profile fields of the seed's Organizations API."""

from __future__ import annotations

from typing import Literal

import msgspec

from service.wire import RequestShape, ResponseShape

PROFILE_FIELDS = (
    "name",
    "tagline",
    "description",
    "email",
    "phone",
    "website",
    "location",
    "logo_url",
    "icon_url",
    "language_code",
)


class OrganizationAttributes(ResponseShape, rename="camel"):
    name: str
    slug: str
    tagline: str | None
    description: str | None
    email: str | None
    phone: str | None
    website: str | None
    location: str | None
    logo_url: str | None
    icon_url: str | None
    language_code: str | None
    created_at: int
    updated_at: int


class RoleIdentifier(ResponseShape):
    type: Literal["auth/roles"]
    id: str


class RoleLinkage(ResponseShape):
    data: RoleIdentifier


class OrganizationRelationships(ResponseShape):
    role: RoleLinkage = msgspec.field(name="auth/roles")


class OrganizationMeta(ResponseShape):
    """The caller's place in the organization."""

    role: str
    current: bool


class Links(ResponseShape):
    self: str


class OrganizationResource(ResponseShape):
    type: Literal["auth/organizations"]
    id: str
    attributes: OrganizationAttributes
    relationships: OrganizationRelationships
    meta: OrganizationMeta
    links: Links


class OrganizationDocument(ResponseShape):
    data: OrganizationResource


class OrganizationListDocument(ResponseShape):
    data: list[OrganizationResource]


class ProfileChanges(RequestShape, rename="camel"):
    name: str | msgspec.UnsetType = msgspec.UNSET
    slug: str | msgspec.UnsetType = msgspec.UNSET  # refused: slugs are immutable
    tagline: str | msgspec.UnsetType | None = msgspec.UNSET
    description: str | msgspec.UnsetType | None = msgspec.UNSET
    email: str | msgspec.UnsetType | None = msgspec.UNSET
    phone: str | msgspec.UnsetType | None = msgspec.UNSET
    website: str | msgspec.UnsetType | None = msgspec.UNSET
    location: str | msgspec.UnsetType | None = msgspec.UNSET
    logo_url: str | msgspec.UnsetType | None = msgspec.UNSET
    icon_url: str | msgspec.UnsetType | None = msgspec.UNSET
    language_code: str | msgspec.UnsetType | None = msgspec.UNSET


class OrganizationChanges(RequestShape):
    type: Literal["auth/organizations"]
    id: str
    attributes: ProfileChanges


class OrganizationChangesDocument(RequestShape):
    data: OrganizationChanges
