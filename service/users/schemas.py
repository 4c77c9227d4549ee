"""The ``auth/users`` resource, shaped like the Zus Auth Service's."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec

from service.accounts.repo import MemberView
from service.wire import Email, NonEmpty, RequestShape, ResponseShape, visible

Name = Annotated[str, visible(200)]


class RoleIdentifier(ResponseShape):
    type: Literal["auth/roles"]
    id: str


class RoleLinkage(ResponseShape):
    data: RoleIdentifier


class PractitionerIdentifier(ResponseShape):
    type: Literal["fhir/practitioner"]
    id: str


class PractitionerLinkage(ResponseShape):
    data: PractitionerIdentifier | None


class OrganizationIdentifier(ResponseShape):
    type: Literal["auth/organizations"]
    id: str


class OrganizationLinkage(ResponseShape):
    data: OrganizationIdentifier


class UserRelationships(ResponseShape):
    roles: RoleLinkage = msgspec.field(name="auth/roles")
    practitioner: PractitionerLinkage = msgspec.field(name="fhir/practitioner")
    organization: OrganizationLinkage = msgspec.field(name="auth/organizations")


class UserAttributes(ResponseShape, rename="camel"):
    email: str
    name: str
    user_type: str
    active: bool
    email_verified: bool
    created_at: int
    updated_at: int


class ResourceLinks(ResponseShape):
    self: str


class UserResource(ResponseShape):
    type: Literal["auth/users"]
    id: str
    attributes: UserAttributes
    relationships: UserRelationships
    links: ResourceLinks


class UserDocument(ResponseShape):
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


class ListLinks(ResponseShape, omit_defaults=True):
    self: str
    next: str | None = None


class UserListDocument(ResponseShape):
    data: list[UserResource]
    links: ListLinks


# --- requests ---------------------------------------------------------------------------


class RoleRef(RequestShape):
    type: Literal["auth/roles"]
    id: NonEmpty


class RoleRelationship(RequestShape):
    data: RoleRef


class PractitionerRef(RequestShape):
    type: Literal["fhir/practitioner"]
    id: NonEmpty


class PractitionerRelationship(RequestShape):
    data: PractitionerRef | None


class NewUserAttributes(RequestShape, rename="camel"):
    """The Zus seed's attributes; ``sendPasswordResetEmail`` defaults to true."""

    email: Email
    name: Name
    user_type: Literal["builder"]
    client_id: NonEmpty | None = None
    send_password_reset_email: bool = True


class NewUserRelationships(RequestShape):
    roles: RoleRelationship = msgspec.field(name="auth/roles")
    practitioner: PractitionerRelationship | None = msgspec.field(
        default=None, name="fhir/practitioner"
    )


class NewUser(RequestShape):
    type: Literal["auth/users"]
    attributes: NewUserAttributes
    relationships: NewUserRelationships
    id: str | None = None  # refused: the service assigns ids


class NewUserDocument(RequestShape):
    data: NewUser


class UserChangesAttributes(RequestShape, rename="camel"):
    name: Name | msgspec.UnsetType = msgspec.UNSET
    active: bool | msgspec.UnsetType = msgspec.UNSET


class UserChangesRelationships(RequestShape):
    roles: RoleRelationship | msgspec.UnsetType = msgspec.field(
        default=msgspec.UNSET, name="auth/roles"
    )
    practitioner: PractitionerRelationship | msgspec.UnsetType = msgspec.field(
        default=msgspec.UNSET, name="fhir/practitioner"
    )


class UserChanges(RequestShape):
    type: Literal["auth/users"]
    id: str
    attributes: UserChangesAttributes = msgspec.field(default_factory=UserChangesAttributes)
    relationships: UserChangesRelationships = msgspec.field(
        default_factory=UserChangesRelationships
    )


class UserChangesDocument(RequestShape):
    data: UserChanges
