"""Wire types of invitations: the ESUS seed's plain shapes and the JSON:API resource."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec

from service.invitations.repo import Invitation
from service.wire import (
    EMAIL,
    Email,
    NonEmpty,
    Password,
    RequestShape,
    ResponseShape,
    stated,
    visible,
)

SENT = "Invitation sent."


class InviteBody(RequestShape):
    """The seed's body: ``role`` is a role code of this organization (``member``, say)."""

    email: Email
    role: NonEmpty


class InviteResource(RequestShape):
    type: Literal["auth/invitations"]
    attributes: InviteBody


class InviteDocument(RequestShape):
    data: InviteResource


class InviteAnswer(ResponseShape, rename="camel"):
    message: str
    invitation_id: str


class Joined(ResponseShape):
    """The answer to an accepted invitation that carries no tokens: sign in as usual."""

    message: str


class AcceptBody(RequestShape, rename="camel"):
    token: NonEmpty
    first_name: Annotated[str, stated(visible(100))] | None = None
    last_name: Annotated[str, stated(visible(100))] | None = None
    password: Password | None = None
    email: Annotated[str, stated(EMAIL)] | None = None


class RoleIdentifier(ResponseShape):
    type: Literal["auth/roles"]
    id: str


class RoleLinkage(ResponseShape):
    data: RoleIdentifier | None


class UserIdentifier(ResponseShape):
    type: Literal["auth/users"]
    id: str


class UserLinkage(ResponseShape):
    data: UserIdentifier | None


class InvitationRelationships(ResponseShape):
    role: RoleLinkage = msgspec.field(name="auth/roles")
    invited_by: UserLinkage = msgspec.field(name="invitedBy")
    accepted_by: UserLinkage = msgspec.field(name="acceptedBy")


class InvitationAttributes(ResponseShape, rename="camel"):
    email: str
    status: Literal["pending", "accepted", "revoked", "expired"]
    expires_at: int
    created_at: int
    updated_at: int
    accepted_at: int | None
    revoked_at: int | None


class Links(ResponseShape, omit_defaults=True):
    self: str
    next: str | None = None


class InvitationResource(ResponseShape):
    type: Literal["auth/invitations"]
    id: str
    attributes: InvitationAttributes
    relationships: InvitationRelationships
    links: Links


class InvitationDocument(ResponseShape):
    data: InvitationResource


class InvitationListDocument(ResponseShape):
    data: list[InvitationResource]
    links: Links


def _seconds(value: object) -> int | None:
    return int(value.timestamp()) if value is not None else None  # type: ignore[attr-defined]


def _user(user_id: object) -> UserLinkage:
    return UserLinkage(UserIdentifier("auth/users", str(user_id)) if user_id else None)


def resource(invitation: Invitation) -> InvitationResource:
    role = RoleIdentifier("auth/roles", str(invitation.role_id)) if invitation.role_id else None
    return InvitationResource(
        type="auth/invitations",
        id=str(invitation.id),
        attributes=InvitationAttributes(
            email=invitation.email,
            status=invitation.state,  # type: ignore[arg-type]
            expires_at=int(invitation.expires_at.timestamp()),
            created_at=int(invitation.created_at.timestamp()),
            updated_at=int(invitation.updated_at.timestamp()),
            accepted_at=_seconds(invitation.accepted_at),
            revoked_at=_seconds(invitation.revoked_at),
        ),
        relationships=InvitationRelationships(
            role=RoleLinkage(role),
            invited_by=_user(invitation.invited_by),
            accepted_by=_user(invitation.accepted_user_id),
        ),
        links=Links(self=f"/auth/invitations/{invitation.id}"),
    )
