"""The ``auth/users`` resource, shaped like the Zus Auth Service's."""

from __future__ import annotations

from typing import Literal

import msgspec

from service.users.repo import MemberView


class RoleIdentifier(msgspec.Struct):
    type: Literal["auth/roles"]
    id: str


class RoleLinkage(msgspec.Struct):
    data: RoleIdentifier


class PractitionerIdentifier(msgspec.Struct):
    type: Literal["fhir/practitioner"]
    id: str


class PractitionerLinkage(msgspec.Struct):
    data: PractitionerIdentifier | None


class OrganizationIdentifier(msgspec.Struct):
    type: Literal["auth/organizations"]
    id: str


class OrganizationLinkage(msgspec.Struct):
    data: OrganizationIdentifier


class UserRelationships(msgspec.Struct):
    roles: RoleLinkage = msgspec.field(name="auth/roles")
    practitioner: PractitionerLinkage = msgspec.field(name="fhir/practitioner")
    organization: OrganizationLinkage = msgspec.field(name="auth/organizations")


class UserAttributes(msgspec.Struct, rename="camel"):
    email: str
    name: str
    user_type: str
    active: bool
    email_verified: bool
    created_at: int
    updated_at: int


class ResourceLinks(msgspec.Struct):
    self: str


class UserResource(msgspec.Struct):
    type: Literal["auth/users"]
    id: str
    attributes: UserAttributes
    relationships: UserRelationships
    links: ResourceLinks


class UserDocument(msgspec.Struct):
    data: UserResource


def user_resource(member: MemberView) -> UserResource:
    practitioner = (
        PractitionerIdentifier("fhir/practitioner", member.practitioner_id)
        if member.practitioner_id
        else None
    )
    return UserResource(
        type="auth/users",
        id=str(member.id),
        attributes=UserAttributes(
            email=member.email,
            name=member.name,
            user_type="builder",
            active=member.active,
            email_verified=member.email_verified,
            created_at=int(member.created_at.timestamp()),
            updated_at=int(member.updated_at.timestamp()),
        ),
        relationships=UserRelationships(
            roles=RoleLinkage(RoleIdentifier("auth/roles", str(member.role_id))),
            practitioner=PractitionerLinkage(practitioner),
            organization=OrganizationLinkage(
                OrganizationIdentifier("auth/organizations", str(member.organization_id))
            ),
        ),
        links=ResourceLinks(self=f"/auth/users/{member.id}"),
    )
