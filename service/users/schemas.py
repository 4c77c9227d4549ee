"""The ``auth/users`` resource, shaped like the Zus Auth Service's."""

from __future__ import annotations

from typing import Literal

import msgspec

from service.accounts.repo import MemberView


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


class ListLinks(msgspec.Struct, omit_defaults=True):
    self: str
    next: str | None = None


class UserListDocument(msgspec.Struct):
    data: list[UserResource]
    links: ListLinks


# --- requests ---------------------------------------------------------------------------


class RoleRef(msgspec.Struct, forbid_unknown_fields=True):
    type: Literal["auth/roles"]
    id: str


class RoleRelationship(msgspec.Struct, forbid_unknown_fields=True):
    data: RoleRef


class PractitionerRef(msgspec.Struct, forbid_unknown_fields=True):
    type: Literal["fhir/practitioner"]
    id: str


class PractitionerRelationship(msgspec.Struct, forbid_unknown_fields=True):
    data: PractitionerRef | None


class NewUserAttributes(msgspec.Struct, forbid_unknown_fields=True, rename="camel"):
    """The Zus seed's attributes; ``sendPasswordResetEmail`` defaults to true."""

    email: str
    name: str
    user_type: str
    client_id: str | None = None
    send_password_reset_email: bool = True


class NewUserRelationships(msgspec.Struct, forbid_unknown_fields=True):
    roles: RoleRelationship = msgspec.field(name="auth/roles")
    practitioner: PractitionerRelationship | None = msgspec.field(
        default=None, name="fhir/practitioner"
    )


class NewUser(msgspec.Struct, forbid_unknown_fields=True):
    type: Literal["auth/users"]
    attributes: NewUserAttributes
    relationships: NewUserRelationships
    id: str | None = None  # refused: the service assigns ids


class NewUserDocument(msgspec.Struct, forbid_unknown_fields=True):
    data: NewUser


class UserChangesAttributes(msgspec.Struct, forbid_unknown_fields=True, rename="camel"):
    name: str | msgspec.UnsetType = msgspec.UNSET
    active: bool | msgspec.UnsetType = msgspec.UNSET


class UserChangesRelationships(msgspec.Struct, forbid_unknown_fields=True):
    roles: RoleRelationship | msgspec.UnsetType = msgspec.field(
        default=msgspec.UNSET, name="auth/roles"
    )
    practitioner: PractitionerRelationship | msgspec.UnsetType = msgspec.field(
        default=msgspec.UNSET, name="fhir/practitioner"
    )


class UserChanges(msgspec.Struct, forbid_unknown_fields=True):
    type: Literal["auth/users"]
    id: str
    attributes: UserChangesAttributes = msgspec.field(default_factory=UserChangesAttributes)
    relationships: UserChangesRelationships = msgspec.field(
        default_factory=UserChangesRelationships
    )


class UserChangesDocument(msgspec.Struct, forbid_unknown_fields=True):
    data: UserChanges
