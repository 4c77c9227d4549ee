"""``/auth/me`` and the Zus-style member routes ``/auth/users``."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Request, Response, delete, get, patch, post
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from service import jsonapi
from service.accounts import members, repo
from service.errors import ApiError
from service.fields import normalize_email
from service.ids import parse_uuid, path_id
from service.security.permissions import requires
from service.session import BEARER_SECURITY, SESSION, Session
from service.throttle.gate import limited_in
from service.users import service
from service.users.schemas import (
    ListLinks,
    NewUserDocument,
    UserChangesDocument,
    UserDocument,
    UserListDocument,
    user_resource,
)

COMMON: dict[str, Any] = {
    "dependencies": SESSION,
    "security": BEARER_SECURITY,
    "media_type": jsonapi.JSONAPI,
    "tags": ["users"],
}
FILTERS = ("email", "name", "role")


def _context(session: Session, state: State) -> service.Context:
    return service.Context(session.principal, state.settings, state.mailer, state.fhir)


async def _document(session: Session, user_id: UUID) -> UserDocument:
    member = await repo.member_view(session.conn, session.principal.org_id, user_id)
    if member is None:
        raise ApiError("user_not_found", "No such member in this organization.")
    return UserDocument(user_resource(member))


@get("/auth/me", summary="The caller, as a member of the token's organization", **COMMON)
async def me(session: NamedDependency[Session]) -> Response[UserDocument]:
    """The caller as authentication read them at the start of this request."""
    return Response(UserDocument(user_resource(session.member)), media_type=jsonapi.JSONAPI)


@post(
    "/auth/users",
    summary="Create a user (or add a known one) with a role",
    status_code=201,
    opt=requires("users.write"),
    **COMMON,
)
async def create_user(
    data: JSONBody[NewUserDocument], session: NamedDependency[Session], state: State
) -> Response[UserDocument]:
    """The Zus request: attributes `email`, `name`, `userType` (`builder`), optional
    `clientId` and `sendPasswordResetEmail` (default true); relationships `auth/roles`
    (required) and `fhir/practitioner` (optional). A person already known elsewhere becomes a
    member here without any change to their password or other memberships. An organization
    creates at most 100 members an hour (429 with `Retry-After` beyond)."""
    await limited_in(session.conn, state.throttle.policy.members(session.principal.org_id))
    user_id = await service.create(session.conn, _context(session, state), data.data)
    document = await _document(session, user_id)
    return Response(
        document,
        status_code=201,
        media_type=jsonapi.JSONAPI,
        headers={"Location": document.data.links.self},
    )


@get("/auth/users", summary="The organization's members", opt=requires("users.read"), **COMMON)
async def list_users(
    request: Request[Any, Any, Any], session: NamedDependency[Session]
) -> Response[UserListDocument]:
    """Filters: `filter[email]` (exact), `filter[name]` (contains), `filter[role]` (a role id
    or code). Keyset pages: `page[size]` (up to 200) and `page[after]` from `links.next`."""
    query = dict(request.query_params)
    filters = jsonapi.parse_filters(query, FILTERS)
    page = jsonapi.parse_page(query)
    org_id = session.principal.org_id
    role_id = None
    if "role" in filters:
        role_id = parse_uuid(filters["role"])
        if role_id is None:
            found = await members.role_by_code(session.conn, org_id, filters["role"])
            role_id = found.id if found else UUID(int=0)
    after = jsonapi.after_id(page)
    rows = await members.page(
        session.conn,
        org_id,
        after=after,
        size=page.size + 1,
        email=normalize_email(filters["email"]) if "email" in filters else None,
        name=filters.get("name"),
        role_id=role_id,
    )
    rows, cursor = jsonapi.cut(rows, page.size)
    links = ListLinks(
        self=str(request.url.path) + (f"?{request.url.query}" if request.url.query else ""),
        next=jsonapi.next_link(request.url.path, query, cursor),
    )
    return Response(
        UserListDocument([user_resource(r) for r in rows], links), media_type=jsonapi.JSONAPI
    )


@get("/auth/users/{user_id:str}", summary="One member", opt=requires("users.read"), **COMMON)
async def get_user(
    user_id: FromPath[str], session: NamedDependency[Session]
) -> Response[UserDocument]:
    document = await _document(session, path_id(user_id))
    return Response(document, media_type=jsonapi.JSONAPI)


@patch(
    "/auth/users/{user_id:str}",
    summary="Change a member's name, active flag, role or Practitioner link",
    opt=requires("users.write"),
    **COMMON,
)
async def update_user(
    user_id: FromPath[str],
    data: JSONBody[UserChangesDocument],
    session: NamedDependency[Session],
    state: State,
) -> Response[UserDocument]:
    """Attributes `name` and `active`; relationships `auth/roles` and `fhir/practitioner`
    (`data: null` unlinks). Deactivation ends the member's sessions here at once."""
    target = path_id(user_id)
    await service.update(session.conn, _context(session, state), target, data.data)
    return Response(await _document(session, target), media_type=jsonapi.JSONAPI)


@delete(
    "/auth/users/{user_id:str}",
    summary="Remove a member from this organization",
    opt=requires("users.write"),
    status_code=204,
    **COMMON,
)
async def remove_user(
    user_id: FromPath[str], session: NamedDependency[Session], state: State
) -> None:
    """Idempotent. The person's account and other memberships stay; their sessions in this
    organization end."""
    await service.remove(session.conn, _context(session, state), path_id(user_id))


ROUTES = [me, create_user, list_users, get_user, update_user, remove_user]
