"""``GET /auth/me``; the member routes join this module as they are built."""

from __future__ import annotations

from litestar import Response, get
from litestar.di import NamedDependency

from service import jsonapi
from service.errors import ApiError
from service.security.auth import BEARER_SECURITY, SESSION, Session
from service.users import repo
from service.users.schemas import UserDocument, user_resource


@get(
    "/auth/me",
    tags=["users"],
    summary="The caller, as a member of the token's organization",
    dependencies=SESSION,
    security=BEARER_SECURITY,
    media_type=jsonapi.JSONAPI,
)
async def me(session: NamedDependency[Session]) -> Response[UserDocument]:
    principal = session.principal
    member = await repo.member_view(session.conn, principal.org_id, principal.user_id)
    if member is None:  # the session dependency has just checked; a race with a removal
        raise ApiError("unauthorized", "The membership ended.")
    return Response(UserDocument(user_resource(member)), media_type=jsonapi.JSONAPI)


ROUTES = [me]
