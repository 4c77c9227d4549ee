"""Seed 002's roles: ``GET /v1/organizations/{id}/roles``, for role pickers, over the role
service (:func:`service.roles.service.list_roles`)."""

from __future__ import annotations

from litestar import Response, Router, get
from litestar.params import FromPath

from service.jsonapi import Page
from service.roles import service
from service.roles.v1_schemas import RoleV1, role_v1
from service.routing import Injected, options
from service.session import BEARER_SECURITY
from service.v1 import envelope
from service.v1.context import CONTEXT, Context
from service.v1.envelope import JSON, Data

LISTED = 1000  # the most roles one answer lists (in id order: the managed ones first)


@get(
    "/{org_id:str}/roles",
    summary="The organization's roles",
    opt=options("organizations.manage_members"),
)
async def list_roles(
    org_id: FromPath[str], context: Injected[Context]
) -> Response[Data[list[RoleV1]]]:
    """The managed roles (`is_system`: owner, admin, member, permissionless) and the
    organization's own, in id order, at most 1000; `role` in POST .../members takes a `code`."""
    roles, _ = await service.list_roles(
        context.conn,
        context.organization(org_id),
        name=None,
        code=None,
        is_managed=None,
        page=Page(size=LISTED, after=None),
    )
    return envelope.ok([role_v1(role) for role in roles])


ROUTER = Router(
    "/v1/organizations",
    route_handlers=[list_roles],
    tags=["v1"],
    dependencies=CONTEXT,
    security=BEARER_SECURITY,
    exception_handlers=envelope.EXCEPTION_HANDLERS,
    opt=options(accepts=(JSON,), answers=(JSON,)),
)
