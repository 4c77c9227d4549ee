"""The ``auth/audit-events`` resource."""

from __future__ import annotations

from typing import Any, Literal

import msgspec

from service import jsonapi
from service.audit.repo import Event
from service.wire import ResponseShape


class AuditChange(ResponseShape):
    """One changed field: its value before and after (null when it did not exist)."""

    before: Any
    after: Any


class ActorIdentifier(ResponseShape):
    type: Literal["auth/users"]
    id: str


class ActorLinkage(ResponseShape):
    data: ActorIdentifier | None


class ClientIdentifier(ResponseShape):
    type: Literal["auth/app-clients"]
    id: str


class ClientLinkage(ResponseShape):
    data: ClientIdentifier | None


class AuditEventRelationships(ResponseShape):
    """Who acted: a person (``auth/users``) or an app client (``auth/app-clients``)."""

    actor: ActorLinkage = msgspec.field(name="auth/users")
    client: ClientLinkage = msgspec.field(name="auth/app-clients")


class AuditEventAttributes(ResponseShape, rename="camel"):
    action: str
    actor_kind: str
    resource_type: str
    resource_id: str
    changes: dict[str, AuditChange]
    request_id: str | None
    client_request_id: str | None
    address: str | None
    created_at: int


class AuditEventLinks(ResponseShape):
    self: str


class AuditEventResource(ResponseShape):
    type: Literal["auth/audit-events"]
    id: str
    attributes: AuditEventAttributes
    relationships: AuditEventRelationships
    links: AuditEventLinks


class AuditEventDocument(ResponseShape):
    data: AuditEventResource


class AuditEventListDocument(ResponseShape):
    data: list[AuditEventResource]
    links: jsonapi.Links


def event_resource(event: Event) -> AuditEventResource:
    actor = ActorIdentifier("auth/users", str(event.actor_user_id)) if event.actor_user_id else None
    client = (
        ClientIdentifier("auth/app-clients", str(event.actor_client_id))
        if event.actor_client_id
        else None
    )
    return AuditEventResource(
        type="auth/audit-events",
        id=str(event.id),
        attributes=AuditEventAttributes(
            action=event.action,
            actor_kind=event.actor_kind,
            resource_type=event.resource_type,
            resource_id=event.resource_id,
            changes=msgspec.json.decode(event.changes, type=dict[str, AuditChange]),
            request_id=event.request_id,
            client_request_id=event.client_request_id,
            address=event.address,
            created_at=int(event.created_at.timestamp()),
        ),
        relationships=AuditEventRelationships(ActorLinkage(actor), ClientLinkage(client)),
        links=AuditEventLinks(self=f"/auth/audit-events/{event.id}"),
    )
