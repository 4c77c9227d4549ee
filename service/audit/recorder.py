"""Recording an audit event in the transaction of the change it describes.

``record`` runs one INSERT on the caller's connection, inside the caller's transaction: when
the change commits, so does its event; when the insert fails (a too-large diff, a tenant that
is not set), the error propagates and the whole transaction rolls back, so a change is never
kept without its event.

The transaction's tenant (``app.org_id``) must already be ``organization_id``: row-level
security checks the new row against it (a request's ``session.conn`` has it set to the
caller's organization; elsewhere open the transaction with
``service.db.tx.transaction(pool, org_id=...)`` or call ``service.db.tx.set_tenant``).

What is recorded beside the caller's arguments: a new UUIDv7 id, the id the service gave the
request being served (``service.logs.request_id_var``; none outside a request), apart from
it the ``X-Request-ID`` the client sent, if any (``service.logs.client_request_id_var``: the
client's word, never taken for the service's), and the database's transaction time as
``created_at``. The diff is computed here, from ``before`` and
``after``, by :func:`service.audit.diff.diff`, which drops every secret-looking field.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import asyncpg
import msgspec

from service.audit import repo
from service.audit.actions import ACTIONS, ACTOR_KINDS, Action, ActorKind, ResourceType
from service.audit.diff import diff
from service.ids import uuid7
from service.logs import client_request_id_var, request_id_var
from service.security.clients import UNKNOWN
from service.security.principal import Actor

NO_REQUEST = "-"  # what request_id_var holds outside any request (its default)


async def record(
    conn: asyncpg.Connection,
    *,
    organization_id: UUID,
    action: Action,
    resource_id: str | UUID,
    actor_user_id: UUID | None = None,
    actor_kind: ActorKind = "user",
    actor: Actor | None = None,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    address: str | None = None,
) -> None:
    """Append one event to ``organization_id``'s trail, in the caller's transaction.

    ``action`` is one of :data:`service.audit.actions.ACTIONS`, which gives the event's
    resource type. ``actor_kind`` is ``user`` (then ``actor_user_id`` is required), ``system``
    or ``anonymous`` (then it must be None). ``before``/``after`` are snapshots of the
    resource: ``before=None`` for a creation, ``after=None`` for a deletion. A mistake in these
    arguments is a programming error: ``ValueError``, nothing written.
    """
    client_id = None
    if actor is not None:  # the acting principal: a person or an app client
        actor_kind, actor_user_id, client_id = actor.kind, actor.user_id, actor.client_id
    if (actor_kind == "app_client") != (client_id is not None):
        raise ValueError("an app_client actor is given as actor=principal.actor")
    context = stamp(action, actor_kind=actor_kind, actor_user_id=actor_user_id, address=address)
    await repo.insert(
        conn,
        event_id=context.event_id,
        organization_id=organization_id,
        actor_user_id=actor_user_id,
        actor_kind=actor_kind,
        action=action,
        resource_type=context.resource_type,
        resource_id=str(resource_id),
        changes_json=msgspec.json.encode(diff(before, after)).decode(),
        request_id=context.request_id,
        client_request_id=context.client_request_id,
        address=context.address,
        actor_client_id=client_id,
    )


@dataclass(frozen=True, slots=True)
class Stamp:
    """What an event records beside its organization, resource and changes: its id, the
    action's resource type, the request ids and the client's address (or None)."""

    event_id: UUID
    resource_type: ResourceType
    request_id: str | None
    client_request_id: str | None
    address: str | None


def stamp(
    action: Action,
    *,
    actor_kind: ActorKind = "user",
    actor_user_id: UUID | None = None,
    address: str | None = None,
) -> Stamp:
    """The stamp of an event about to be written, by :func:`record` or by a statement that
    writes its row along with other work (a password grant's, migration 023)."""
    request_id = request_id_var.get()
    return Stamp(
        event_id=uuid7(),
        resource_type=_check(action, actor_kind, actor_user_id),
        request_id=None if request_id == NO_REQUEST else request_id,
        client_request_id=client_request_id_var.get(),
        address=None if address in (None, "", UNKNOWN) else address,
    )


def _check(action: Action, actor_kind: ActorKind, actor_user_id: UUID | None) -> ResourceType:
    """The resource type of ``action``, once the arguments are known to be consistent."""
    resource_type = ACTIONS.get(action)
    if resource_type is None:
        raise ValueError(f"unknown audit action {action!r}; see service.audit.actions")
    if actor_kind not in ACTOR_KINDS:
        raise ValueError(f"actor_kind must be one of {sorted(ACTOR_KINDS)}")
    if (actor_kind == "user") != (actor_user_id is not None):
        raise ValueError("a user actor needs actor_user_id; system and anonymous ones have none")
    return resource_type
