"""``/auth/organizations``: the caller's organizations, and the current one's profile."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Response, get, patch
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from service import jsonapi
from service.audit.recorder import record
from service.db.tx import set_tenant
from service.errors import ApiError
from service.ids import path_id
from service.organizations import profile, repo
from service.organizations.schemas import (
    OrganizationChangesDocument,
    OrganizationDocument,
    OrganizationListDocument,
)
from service.security.permissions import requires
from service.session import BEARER_SECURITY, SESSION, Session

COMMON: dict[str, Any] = {
    "dependencies": SESSION,
    "security": BEARER_SECURITY,
    "media_type": jsonapi.JSONAPI,
    "tags": ["organizations"],
}


def _not_found() -> ApiError:
    return ApiError("organization_not_found", "No such organization here.")


def _current(session: Session, raw: str) -> UUID:
    """Only the token's organization is reachable by id; any other id is not found."""
    org_id = path_id(raw)
    if org_id != session.principal.org_id:
        raise _not_found()
    return org_id


async def _document(session: Session, org_id: UUID) -> OrganizationDocument:
    found = await repo.profile(session.conn, org_id, session.principal.user_id)
    if found is None:
        raise _not_found()
    return OrganizationDocument(profile.resource(found, session.principal.org_id))


@get("/auth/organizations", summary="The organizations the caller belongs to", **COMMON)
async def my_organizations(session: NamedDependency[Session]) -> Response[OrganizationListDocument]:
    """Each with the caller's role there (`meta.role`) and whether the token acts in it
    (`meta.current`). Switch with the refresh grant's `organization_id`."""
    principal = session.principal
    await set_tenant(session.conn, org_id=None, user_id=principal.user_id)
    try:
        rows = await repo.mine(session.conn, principal.user_id)
    finally:
        await set_tenant(session.conn, org_id=principal.org_id, user_id=principal.user_id)
    document = OrganizationListDocument([profile.resource(r, principal.org_id) for r in rows])
    return Response(document, media_type=jsonapi.JSONAPI)


@get("/auth/organizations/{org_id:str}", summary="The current organization", **COMMON)
async def get_organization(
    org_id: FromPath[str], session: NamedDependency[Session]
) -> Response[OrganizationDocument]:
    document = await _document(session, _current(session, org_id))
    return Response(document, media_type=jsonapi.JSONAPI)


@patch(
    "/auth/organizations/{org_id:str}",
    summary="Change the current organization's profile",
    opt=requires("organization.update"),
    **COMMON,
)
async def update_organization(
    org_id: FromPath[str],
    data: JSONBody[OrganizationChangesDocument],
    session: NamedDependency[Session],
) -> Response[OrganizationDocument]:
    """`name` and the optional profile fields; `slug` is immutable."""
    target = _current(session, org_id)
    if data.data.id != str(target):
        raise ApiError(
            "conflict", "The id in the body is not the id in the path.", pointer="/data/id"
        )
    current = await repo.profile(session.conn, target, session.principal.user_id)
    if current is None:
        raise _not_found()
    before, after = profile.changes(current, data.data.attributes)
    if before != after:
        await profile.update(session.conn, target, after)
        await record(
            session.conn,
            organization_id=target,
            action="organization.update",
            resource_id=target,
            actor_user_id=session.principal.user_id,
            before=before,
            after=after,
            address=session.principal.address,
        )
    return Response(await _document(session, target), media_type=jsonapi.JSONAPI)


ROUTES = [my_organizations, get_organization, update_organization]
