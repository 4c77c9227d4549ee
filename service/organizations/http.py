"""``/auth/organizations``: the caller's organizations, and the current one's profile."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Request, Response, Router, get, patch
from litestar.params import FromPath

from service import bodies, jsonapi
from service.db.tx import set_tenant
from service.ids import path_id
from service.organizations import profile, repo
from service.organizations.schemas import (
    OrganizationChangesDocument,
    OrganizationDocument,
    OrganizationListDocument,
)
from service.routing import Injected, options
from service.session import BEARER_SECURITY, SESSION, Session


def _current(session: Session, raw: str) -> UUID:
    """Only the token's organization is reachable by id; any other id is not found."""
    org_id = path_id(raw)
    if org_id != session.principal.org_id:
        raise profile.not_found()
    return org_id


async def _document(session: Session, org_id: UUID) -> OrganizationDocument:
    found = await repo.profile(session.conn, org_id, session.principal.user_id)
    if found is None:
        raise profile.not_found()
    return OrganizationDocument(profile.resource(found, session.principal.org_id))


@get("/", summary="The organizations the caller belongs to", media_type=jsonapi.JSONAPI)
async def my_organizations(session: Injected[Session]) -> Response[OrganizationListDocument]:
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


@get("/{org_id:str}", summary="The current organization", media_type=jsonapi.JSONAPI)
async def get_organization(
    org_id: FromPath[str], session: Injected[Session]
) -> Response[OrganizationDocument]:
    document = await _document(session, _current(session, org_id))
    return Response(document, media_type=jsonapi.JSONAPI)


@patch(
    "/{org_id:str}",
    summary="Change the current organization's profile and multi-factor policy",
    opt=options(
        "organization.update",
        bodies={
            jsonapi.JSONAPI: OrganizationChangesDocument,
            jsonapi.JSON: OrganizationChangesDocument,
        },
    ),
    media_type=jsonapi.JSONAPI,
)
async def update_organization(
    org_id: FromPath[str], request: Request[Any, Any, Any], session: Injected[Session]
) -> Response[OrganizationDocument]:
    """`name`, the optional profile fields, and the multi-factor policy: `mfaRequired` (a
    boolean) and `mfaRepromptHours` (0 to 2160); only the fields sent change, and one audit
    event (`organization.update`) records what did. The whole resource as GET answers it may be
    sent back: `links`, `meta` and the read-only `slug`, `createdAt`, `updatedAt` and
    `auth/roles` are taken when unchanged and refused (400, with their pointer) when changed."""
    target = _current(session, org_id)
    stored = await _document(session, target)
    body = await bodies.read_update(request, OrganizationChangesDocument, stored.data)
    await profile.update(session.conn, session.principal, target, body.data)
    return Response(await _document(session, target), media_type=jsonapi.JSONAPI)


ROUTER = Router(
    "/auth/organizations",
    route_handlers=[my_organizations, get_organization, update_organization],
    tags=["organizations"],
    dependencies=SESSION,
    security=BEARER_SECURITY,
)
