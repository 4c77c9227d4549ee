"""``/auth/roles`` (the organization's roles) and ``/auth/permissions`` (the catalogue)."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, Router, delete, get, patch, post
from litestar.params import FromPath

from service import bodies, jsonapi
from service.errors import ApiError
from service.ids import path_id
from service.roles import service
from service.roles.repo import Role
from service.roles.schemas import (
    PERMISSION,
    NewRoleDocument,
    PermissionAttributes,
    PermissionListDocument,
    PermissionResource,
    RoleDocument,
    RoleListDocument,
    RolePatchDocument,
    role_path,
    role_resource,
)
from service.routing import Injected, options
from service.session import BEARER_SECURITY, SESSION, Session

FLAGS = {"true": True, "false": False}
KINDS = ("service", "fhir")


def _is_managed(filters: dict[str, str]) -> bool | None:
    value = filters.get("isManaged")
    if value is None:
        return None
    if value not in FLAGS:
        raise ApiError(
            "validation_error",
            "filter[isManaged] is true or false.",
            parameter="filter[isManaged]",
        )
    return FLAGS[value]


def _document(role: Role) -> RoleDocument:
    return RoleDocument(role_resource(role))


@get(
    "/roles",
    summary="The organization's roles",
    media_type=jsonapi.JSONAPI,
    opt=options("roles.read"),
)
async def list_roles(
    request: Request[Any, Any, Any], session: Injected[Session]
) -> Response[RoleListDocument]:
    """Filters: `filter[name]` (exact, any case), `filter[code]`, `filter[isManaged]`
    (`true`/`false`). Ordered by id; `page[size]` (default 50, at most 200) and
    `page[after]` from `links.next`."""
    query = request.query_params
    filters = jsonapi.parse_filters(query, ("name", "code", "isManaged"))
    roles, cursor = await service.list_roles(
        session.conn,
        session.principal.org_id,
        name=filters.get("name"),
        code=filters.get("code"),
        is_managed=_is_managed(filters),
        page=jsonapi.parse_page(query),
    )
    links = jsonapi.Links(
        self=jsonapi.self_link(request.url.path, request.url.query),
        next=jsonapi.next_link(request.url.path, query, cursor),
    )
    document = RoleListDocument([role_resource(role) for role in roles], links)
    return Response(document, media_type=jsonapi.JSONAPI)


@get(
    "/roles/{role_id:str}",
    summary="One role",
    media_type=jsonapi.JSONAPI,
    opt=options("roles.read"),
)
async def get_role(role_id: FromPath[str], session: Injected[Session]) -> Response[RoleDocument]:
    role = await service.get(session.conn, session.principal.org_id, path_id(role_id))
    return Response(_document(role), media_type=jsonapi.JSONAPI)


@post(
    "/roles",
    summary="Create a custom role",
    status_code=201,
    media_type=jsonapi.JSONAPI,
    opt=options("roles.write", bodies={jsonapi.JSONAPI: NewRoleDocument}),
)
async def create_role(
    request: Request[Any, Any, Any], session: Injected[Session]
) -> Response[RoleDocument]:
    """`code` is derived from the name when absent. The role may hold only permissions the
    caller holds."""
    body = await bodies.read_json(request, NewRoleDocument)
    change = await service.create(session.conn, session.principal, body.data)
    return Response(
        _document(change.role),
        status_code=201,
        media_type=jsonapi.JSONAPI,
        headers={"Location": role_path(change.role.id)},
    )


@patch(
    "/roles/{role_id:str}",
    summary="Change a custom role",
    media_type=jsonapi.JSONAPI,
    opt=options("roles.write", bodies={jsonapi.JSONAPI: RolePatchDocument}),
)
async def update_role(
    role_id: FromPath[str], request: Request[Any, Any, Any], session: Injected[Session]
) -> Response[RoleDocument]:
    """Any of `name`, `description`, `permissions`; `code` never changes. Managed roles are
    read-only. The whole resource as GET answers it may be sent back: `links`, `meta` and the
    read-only attributes are taken when unchanged and refused (400) when changed."""
    parsed = path_id(role_id)
    stored = role_resource(await service.get(session.conn, session.principal.org_id, parsed))
    body = await bodies.read_update(request, RolePatchDocument, stored)
    change = await service.update(session.conn, session.principal, parsed, body.data)
    return Response(_document(change.role), media_type=jsonapi.JSONAPI)


@delete(
    "/roles/{role_id:str}",
    summary="Delete a custom role",
    status_code=204,
    media_type=jsonapi.JSONAPI,
    opt=options("roles.write"),
)
async def delete_role(role_id: FromPath[str], session: Injected[Session]) -> None:
    """409 `role_in_use` while a member holds the role. Managed roles cannot be deleted."""
    await service.delete(session.conn, session.principal, path_id(role_id))


@get(
    "/permissions",
    summary="The permission catalogue",
    media_type=jsonapi.JSONAPI,
    opt=options("roles.read"),
)
async def list_permissions(
    request: Request[Any, Any, Any], session: Injected[Session]
) -> Response[PermissionListDocument]:
    """The service's own permissions and the FHIR ones carried in tokens; `filter[kind]` is
    `service` or `fhir`."""
    kind = jsonapi.parse_filters(request.query_params, ("kind",)).get("kind")
    if kind is not None and kind not in KINDS:
        raise ApiError(
            "validation_error", "filter[kind] is service or fhir.", parameter="filter[kind]"
        )
    data = [
        PermissionResource(PERMISSION, name, PermissionAttributes(description, entry_kind))
        for name, description, entry_kind in service.catalogue(kind)
    ]
    links = jsonapi.Links(self=jsonapi.self_link(request.url.path, request.url.query))
    return Response(PermissionListDocument(data, links), media_type=jsonapi.JSONAPI)


ROUTER = Router(
    "/auth",
    route_handlers=[list_roles, get_role, create_role, update_role, delete_role, list_permissions],
    tags=["roles"],
    dependencies=SESSION,
    security=BEARER_SECURITY,
)
