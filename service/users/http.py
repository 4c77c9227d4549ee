"""``/auth/me`` and the Zus-style member routes ``/auth/users``."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Request, Response, Router, delete, get, patch, post
from litestar.di import Provide
from litestar.params import FromPath, JSONBody

from service import bodies, jsonapi
from service.accounts import repo
from service.config import Settings
from service.errors import ApiError
from service.fhir.practitioners import PractitionerDirectory
from service.ids import path_id
from service.mail.mailer import Mailer
from service.routing import Injected, options
from service.session import BEARER_SECURITY, SESSION, Caller, Session
from service.throttle.counters import Throttle
from service.throttle.gate import limited_in
from service.users import mfa_reset, service
from service.users.schemas import (
    ListLinks,
    NewUserDocument,
    UserChangesDocument,
    UserDocument,
    UserListDocument,
    user_resource,
)

FILTERS = ("email", "name", "role")


def provide_context(
    session: Injected[Session],
    settings: Injected[Settings],
    mailer: Injected[Mailer],
    fhir: Injected[PractitionerDirectory],
) -> service.Context:
    """What the member service needs beside the connection: the caller and the outside."""
    return service.Context(session.principal, settings, mailer, fhir)


async def _document(session: Session, user_id: UUID) -> UserDocument:
    member = await repo.member_view(session.conn, session.principal.org_id, user_id)
    if member is None:
        raise ApiError("user_not_found", "No such member in this organization.")
    return UserDocument(user_resource(member))


@get(
    "/me", summary="The caller, as a member of the token's organization", media_type=jsonapi.JSONAPI
)
async def me(caller: Injected[Caller]) -> Response[UserDocument]:
    """The caller as authentication read them at the start of this request."""
    return Response(UserDocument(user_resource(caller.member)), media_type=jsonapi.JSONAPI)


@post(
    "/users",
    summary="Create a user (or add a known one) with a role",
    status_code=201,
    opt=options("users.write"),
    media_type=jsonapi.JSONAPI,
)
async def create_user(
    data: JSONBody[NewUserDocument],
    session: Injected[Session],
    context: Injected[service.Context],
    throttle: Injected[Throttle],
) -> Response[UserDocument]:
    """The Zus request: attributes `email`, `name`, `userType` (`builder`), optional
    `clientId` and `sendPasswordResetEmail` (default true); relationships `auth/roles`
    (required) and `fhir/practitioner` (optional). A person already known elsewhere becomes a
    member here without any change to their password or other memberships. An organization
    creates at most 100 members an hour (429 with `Retry-After` beyond)."""
    await limited_in(session.conn, throttle.policy.members(session.principal.org_id))
    user_id = await service.create(session.conn, context, data.data)
    document = await _document(session, user_id)
    return Response(
        document,
        status_code=201,
        media_type=jsonapi.JSONAPI,
        headers={"Location": document.data.links.self},
    )


@get(
    "/users",
    summary="The organization's members",
    opt=options("users.read"),
    media_type=jsonapi.JSONAPI,
)
async def list_users(
    request: Request[Any, Any, Any], session: Injected[Session]
) -> Response[UserListDocument]:
    """Filters: `filter[email]` (exact), `filter[name]` (contains), `filter[role]` (a role id
    or code). Keyset pages: `page[size]` (up to 200) and `page[after]` from `links.next`."""
    query = dict(request.query_params)
    filters = jsonapi.parse_filters(query, FILTERS)
    rows, cursor = await service.list_members(
        session.conn,
        session.principal.org_id,
        email=filters.get("email"),
        name=filters.get("name"),
        role=filters.get("role"),
        page=jsonapi.parse_page(query),
    )
    links = ListLinks(
        self=jsonapi.self_link(request.url.path, request.url.query),
        next=jsonapi.next_link(request.url.path, query, cursor),
    )
    return Response(
        UserListDocument([user_resource(r) for r in rows], links), media_type=jsonapi.JSONAPI
    )


@get(
    "/users/{user_id:str}",
    summary="One member",
    opt=options("users.read"),
    media_type=jsonapi.JSONAPI,
)
async def get_user(user_id: FromPath[str], session: Injected[Session]) -> Response[UserDocument]:
    document = await _document(session, path_id(user_id))
    return Response(document, media_type=jsonapi.JSONAPI)


@patch(
    "/users/{user_id:str}",
    summary="Change a member's name, active flag, role or Practitioner link",
    opt=options(
        "users.write",
        bodies={jsonapi.JSONAPI: UserChangesDocument, jsonapi.JSON: UserChangesDocument},
    ),
    media_type=jsonapi.JSONAPI,
)
async def update_user(
    user_id: FromPath[str],
    request: Request[Any, Any, Any],
    session: Injected[Session],
    context: Injected[service.Context],
) -> Response[UserDocument]:
    """Attributes `name` and `active`; relationships `auth/roles` and `fhir/practitioner`
    (`data: null` unlinks). Deactivation ends the member's sessions here at once. The whole
    resource as GET answers it may be sent back: `links`, `meta` and read-only members
    (`email`, `userType`, `emailVerified`, `createdAt`, `updatedAt`, `auth/organizations`)
    are taken when unchanged and refused (400, with their pointer) when changed."""
    target = path_id(user_id)
    stored = await _document(session, target)
    body = await bodies.read_update(request, UserChangesDocument, stored.data)
    await service.update(session.conn, context, target, body.data)
    return Response(await _document(session, target), media_type=jsonapi.JSONAPI)


@delete(
    "/users/{user_id:str}",
    summary="Remove a member from this organization",
    opt=options("users.write"),
    status_code=204,
    media_type=jsonapi.JSONAPI,
)
async def remove_user(
    user_id: FromPath[str],
    session: Injected[Session],
    context: Injected[service.Context],
) -> None:
    """Idempotent. The person's account and other memberships stay; their sessions in this
    organization end."""
    await service.remove(session.conn, context, path_id(user_id))


@delete(
    "/users/{user_id:str}/mfa-factors",
    summary="Remove a member's second factors (they lost them)",
    opt=options("users.write"),
    status_code=204,
    media_type=jsonapi.JSONAPI,
)
async def reset_factors(
    user_id: FromPath[str],
    session: Injected[Session],
    context: Injected[service.Context],
) -> None:
    """Every authenticator app, passkey and recovery code of the member, for someone who
    lost them: only by a caller holding every permission of the member's role (403
    otherwise), never on oneself (403). The member's sessions here end, they are mailed, and
    the trail records `mfa_factor.reset`. They enrol again at their next sign-in."""
    await mfa_reset.reset(session.conn, context, path_id(user_id))


ROUTER = Router(
    "/auth",
    route_handlers=[me, create_user, list_users, get_user, update_user, remove_user, reset_factors],
    tags=["users"],
    dependencies={**SESSION, "context": Provide(provide_context, sync_to_thread=False)},
    security=BEARER_SECURITY,
)
