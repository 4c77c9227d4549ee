"""Seed 002's ``/v1/organizations``: list, open (platform operators), read and change the
profile. The organization a request acts in is chosen by :mod:`service.v1.context`."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, Router, get, patch, post
from litestar.params import FromPath

from service.organizations import v1_service
from service.organizations.v1_schemas import (
    NewOrganizationV1,
    OrganizationChangesV1,
    OrganizationV1,
)
from service.routing import Injected, options
from service.session import BEARER_SECURITY
from service.v1 import envelope
from service.v1.context import CONTEXT, Context
from service.v1.envelope import JSON, Data


@get("/", summary="The caller's organizations (every one for a platform operator)")
async def list_organizations(context: Injected[Context]) -> Response[Data[list[OrganizationV1]]]:
    """Organizations where the caller holds a live membership; a platform operator sees all
    (up to 1000, in id order)."""
    return envelope.ok(await v1_service.listed(context))


@post(
    "/",
    summary="Open an organization (platform operators)",
    opt=options(bodies={JSON: NewOrganizationV1}),
    status_code=201,
)
async def create_organization(
    request: Request[Any, Any, Any], context: Injected[Context]
) -> Response[Data[OrganizationV1]]:
    """`name` and `slug` (`[a-z0-9]` words joined by single hyphens, at most 63 characters,
    unique: 409 `conflict`), the rest of the profile optional. Creates the managed roles and
    no members: invite its owner. 403 `forbidden` for anyone but a platform operator."""
    body = await envelope.body(request, NewOrganizationV1)
    return envelope.ok(await v1_service.opened(context, body), status=201)


@get("/{org_id:str}", summary="An organization")
async def get_organization(
    org_id: FromPath[str], context: Injected[Context]
) -> Response[Data[OrganizationV1]]:
    """The organization the request acts in (`X-Organization-ID`, else the token's); any other
    id is 404 `organization_not_found`, a malformed one 400 `invalid_id`."""
    return envelope.ok(await v1_service.shown(context, org_id))


@patch(
    "/{org_id:str}",
    summary="Change an organization's profile",
    opt=options("organizations.update", bodies={JSON: OrganizationChangesV1}),
)
async def update_organization(
    org_id: FromPath[str], request: Request[Any, Any, Any], context: Injected[Context]
) -> Response[Data[OrganizationV1]]:
    """Only the fields present change; `null` or `""` clears an optional one. `slug` never
    changes and is refused in the body (400 `validation_error`)."""
    body = await envelope.body(request, OrganizationChangesV1)
    return envelope.ok(await v1_service.changed(context, org_id, body))


ROUTER = Router(
    "/v1/organizations",
    route_handlers=[list_organizations, create_organization, get_organization, update_organization],
    tags=["v1"],
    dependencies=CONTEXT,
    security=BEARER_SECURITY,
    exception_handlers=envelope.EXCEPTION_HANDLERS,
    opt=options(accepts=(JSON,), answers=(JSON,)),
)
