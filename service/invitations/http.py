"""``POST /auth/invite`` (the ESUS seed) and the ``/auth/invitations`` resource routes."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Request, Response, Router, delete, get, post
from litestar.di import Provide
from litestar.params import FromPath

from service import bodies, jsonapi
from service.errors import ApiError
from service.ids import path_id
from service.invitations import repo, service
from service.invitations.schemas import (
    SENT,
    InvitationDocument,
    InvitationListDocument,
    InviteAnswer,
    InviteBody,
    InviteDocument,
    Links,
    resource,
)
from service.mail.mailer import Mailer
from service.routing import Injected, options
from service.session import BEARER_SECURITY, SESSION, Session
from service.throttle.counters import Throttle

STATUSES = ("pending", "accepted", "revoked", "expired")


def provide_context(
    session: Injected[Session], mailer: Injected[Mailer], throttle: Injected[Throttle]
) -> service.Context:
    return service.Context(session.principal, mailer, throttle)


async def _document(session: Session, invitation_id: UUID) -> InvitationDocument:
    found = await repo.view(session.conn, session.principal.org_id, invitation_id)
    if found is None:
        raise service.not_found()
    return InvitationDocument(resource(found))


@post(
    "/invite",
    summary="Invite someone by e-mail address with a role code",
    status_code=201,
    opt=options(
        bodies={jsonapi.JSON: InviteBody, jsonapi.JSONAPI: InviteDocument},
        replies={jsonapi.JSON: InviteAnswer, jsonapi.JSONAPI: InvitationDocument},
    ),
)
async def invite(
    request: Request[Any, Any, Any],
    session: Injected[Session],
    context: Injected[service.Context],
) -> Response[Any]:
    """The seed's `{email, role}` (role is a role code, e.g. `member`) answers 201
    `{"message": "Invitation sent.", "invitationId": …}`; a JSON:API document answers with
    the `auth/invitations` resource. A pending invitation to the same address is replaced.
    Invitations and resends together: at most 100 an hour per organization (then 429)."""
    kind = bodies.kind_of(request)
    body = await _invite_body(request, kind)
    invitation_id = await service.invite(
        session.conn, context, email=body.email, role_code=body.role, prefix=bodies.prefix_for(kind)
    )
    return await _created(session, kind, invitation_id)


async def _invite_body(request: Request[Any, Any, Any], kind: str) -> InviteBody:
    """The seed's plain body, or the attributes of a JSON:API document."""
    if kind == jsonapi.JSONAPI:
        return (await bodies.read_json(request, InviteDocument)).data.attributes
    return await bodies.read_json(request, InviteBody)


async def _created(session: Session, kind: str, invitation_id: UUID) -> Response[Any]:
    """201 with the new invitation's location: the resource for JSON:API clients, the seed's
    message for plain JSON ones."""
    location = {"Location": f"/auth/invitations/{invitation_id}"}
    if kind == jsonapi.JSONAPI:
        document = await _document(session, invitation_id)
        return Response(document, status_code=201, media_type=jsonapi.JSONAPI, headers=location)
    answer = InviteAnswer(message=SENT, invitation_id=str(invitation_id))
    return Response(answer, status_code=201, media_type=jsonapi.JSON, headers=location)


@get("/invitations", summary="The organization's invitations", media_type=jsonapi.JSONAPI)
async def list_invitations(
    request: Request[Any, Any, Any], session: Injected[Session]
) -> Response[InvitationListDocument]:
    """Filters: `filter[status]` (pending, accepted, revoked, expired), `filter[email]`."""
    query = dict(request.query_params)
    filters = _filters(query)
    rows, cursor = await service.list_invitations(
        session.conn,
        session.principal.org_id,
        email=filters.get("email"),
        status=filters.get("status"),
        page=jsonapi.parse_page(query),
    )
    links = Links(self=str(request.url), next=jsonapi.next_link(request.url.path, query, cursor))
    return Response(
        InvitationListDocument([resource(r) for r in rows], links), media_type=jsonapi.JSONAPI
    )


def _filters(query: dict[str, str]) -> dict[str, str]:
    """`filter[status]` and `filter[email]`; a status that is none of :data:`STATUSES` is a
    400."""
    filters = jsonapi.parse_filters(query, ("status", "email"))
    if filters.get("status", "pending") not in STATUSES:
        raise ApiError(
            "validation_error",
            f"status is one of {', '.join(STATUSES)}.",
            parameter="filter[status]",
        )
    return filters


@get("/invitations/{invitation_id:str}", summary="One invitation", media_type=jsonapi.JSONAPI)
async def get_invitation(
    invitation_id: FromPath[str], session: Injected[Session]
) -> Response[InvitationDocument]:
    return Response(await _document(session, path_id(invitation_id)), media_type=jsonapi.JSONAPI)


@delete(
    "/invitations/{invitation_id:str}",
    summary="Revoke an invitation",
    status_code=204,
    media_type=jsonapi.JSONAPI,
)
async def revoke_invitation(
    invitation_id: FromPath[str],
    session: Injected[Session],
    context: Injected[service.Context],
) -> None:
    """Its link stops working at once. Revoking twice is fine; an accepted one is a 409."""
    await service.revoke(session.conn, context, path_id(invitation_id))


@post(
    "/invitations/{invitation_id:str}/resend",
    summary="Send a new link",
    status_code=200,
    media_type=jsonapi.JSONAPI,
)
async def resend_invitation(
    invitation_id: FromPath[str],
    session: Injected[Session],
    context: Injected[service.Context],
) -> Response[InvitationDocument]:
    """A new link valid for seven days; the old link stops working. Counts towards the
    organization's 100 invitations an hour."""
    target = path_id(invitation_id)
    await service.resend(session.conn, context, target)
    return Response(await _document(session, target), media_type=jsonapi.JSONAPI)


ROUTER = Router(
    "/auth",
    route_handlers=[invite, list_invitations, get_invitation, revoke_invitation, resend_invitation],
    tags=["invitations"],
    dependencies={**SESSION, "context": Provide(provide_context, sync_to_thread=False)},
    security=BEARER_SECURITY,
    opt=options("invitations.write"),
)
