"""The ``auth/audit-events`` resource."""

from __future__ import annotations

from typing import Any, Literal

import msgspec

from service import jsonapi
from service.audit.repo import Event


class AuditChange(msgspec.Struct):
    """One changed field: its value before and after (null when it did not exist)."""

    before: Any
    after: Any


class ActorIdentifier(msgspec.Struct):
    type: Literal["auth/users"]
    id: str


class ActorLinkage(msgspec.Struct):
    data: ActorIdentifier | None


class AuditEventRelationships(msgspec.Struct):
    actor: ActorLinkage = msgspec.field(name="auth/users")


class AuditEventAttributes(msgspec.Struct, rename="camel"):
    action: str
    actor_kind: str
    resource_type: str
    resource_id: str
    changes: dict[str, AuditChange]
    request_id: str | None
    client_request_id: str | None
    address: str | None
    created_at: int


class AuditEventLinks(msgspec.Struct):
    self: str


class AuditEventResource(msgspec.Struct):
    type: Literal["auth/audit-events"]
    id: str
    attributes: AuditEventAttributes
    relationships: AuditEventRelationships
    links: AuditEventLinks


class AuditEventDocument(msgspec.Struct):
    data: AuditEventResource


class AuditEventListDocument(msgspec.Struct):
    data: list[AuditEventResource]
    links: jsonapi.Links


def event_resource(event: Event) -> AuditEventResource:
    actor = ActorIdentifier("auth/users", str(event.actor_user_id)) if event.actor_user_id else None
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
        relationships=AuditEventRelationships(ActorLinkage(actor)),
        links=AuditEventLinks(self=f"/auth/audit-events/{event.id}"),
    )
