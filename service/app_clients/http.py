"""``/auth/app-clients``: an organization's applications, JSON:API, shaped like Zus's."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, Router, delete, get, patch, post
from litestar.params import FromPath

from service import bodies, jsonapi, wire
from service.app_clients import service
from service.app_clients.schemas import (
    CLIENT_TYPES,
    STATUSES,
    ClientChangesDocument,
    ClientDocument,
    ClientListDocument,
    NewClientDocument,
    RotateDocument,
    SecretDocument,
    SecretMeta,
    client_path,
    client_resource,
)
from service.config import Settings
from service.errors import ApiError
from service.ids import parse_uuid, path_id
from service.routing import Injected, options
from service.security.client_secrets import SecretHasher
from service.session import BEARER_SECURITY, SESSION, Session

NO_STORE = {"Cache-Control": "no-store"}
FILTERS = ("type", "status", "role")


def _filters(query: Any) -> tuple[str | None, str | None, Any]:
    found = jsonapi.parse_filters(query, FILTERS)
    for name, allowed in (("type", CLIENT_TYPES), ("status", STATUSES)):
        if name in found and found[name] not in allowed:
            raise ApiError(
                "validation_error",
                f"filter[{name}] is one of {', '.join(allowed)}.",
                parameter=f"filter[{name}]",
            )
    role = None
    if "role" in found:
        role = parse_uuid(found["role"])
        if role is None:
            raise ApiError(
                "validation_error", "filter[role] is a role id.", parameter="filter[role]"
            )
    return found.get("type"), found.get("status"), role


@get(
    "/app-clients",
    summary="The organization's app clients",
    media_type=jsonapi.JSONAPI,
    opt=options("app_clients.read"),
)
async def list_clients(
    request: Request[Any, Any, Any], session: Injected[Session]
) -> Response[ClientListDocument]:
    """Filters: `filter[type]`, `filter[status]` (`active`, `disabled`), `filter[role]` (a
    role id). Ordered by id; `page[size]` (default 50, at most 200), `page[after]` from
    `links.next`. Secrets are never listed."""
    query = request.query_params
    kind, status, role = _filters(query)
    rows, cursor = await service.list_clients(
        session.conn,
        session.principal.org_id,
        type=kind,
        status=status,
        role_id=role,
        page=jsonapi.parse_page(query),
    )
    links = jsonapi.Links(
        self=jsonapi.self_link(request.url.path, request.url.query),
        next=jsonapi.next_link(request.url.path, query, cursor),
    )
    document = ClientListDocument([client_resource(row) for row in rows], links)
    return Response(document, media_type=jsonapi.JSONAPI)


@get(
    "/app-clients/{client_id:str}",
    summary="One app client",
    media_type=jsonapi.JSONAPI,
    opt=options("app_clients.read"),
)
async def get_client(
    client_id: FromPath[str], session: Injected[Session]
) -> Response[ClientDocument]:
    found = await service.get(session.conn, session.principal.org_id, path_id(client_id))
    return Response(ClientDocument(client_resource(found)), media_type=jsonapi.JSONAPI)


@post(
    "/app-clients",
    summary="Register an app client",
    status_code=201,
    media_type=jsonapi.JSONAPI,
    opt=options("app_clients.write", bodies={jsonapi.JSONAPI: NewClientDocument}),
)
async def create_client(
    request: Request[Any, Any, Any],
    session: Injected[Session],
    secrets: Injected[SecretHasher],
    settings: Injected[Settings],
) -> Response[ClientDocument]:
    """Zus's body: `type`, `name`, `userType` and the `auth/roles` relationship (a role whose
    permissions the caller holds). The answer holds `clientId` and, for a client that
    authenticates with a secret, `clientSecret`: shown this once, stored only as a keyed
    hash. 409 `conflict` once the organization holds `APP_CLIENTS_PER_ORGANIZATION`."""
    body = await bodies.read_json(request, NewClientDocument)
    limit = settings.app_clients_per_organization
    issued = await service.create(session.conn, session.principal, secrets, body.data, limit=limit)
    return Response(
        ClientDocument(client_resource(issued.client, secret=issued.secret)),
        status_code=201,
        media_type=jsonapi.JSONAPI,
        headers={"Location": client_path(issued.client.id), **NO_STORE},
    )


@patch(
    "/app-clients/{client_id:str}",
    summary="Change an app client",
    media_type=jsonapi.JSONAPI,
    opt=options("app_clients.write", bodies={jsonapi.JSONAPI: ClientChangesDocument}),
)
async def update_client(
    client_id: FromPath[str], request: Request[Any, Any, Any], session: Injected[Session]
) -> Response[ClientDocument]:
    """Any of the settable attributes and the role; `type` and `clientId` never change.
    `status: disabled` refuses every token the client holds at once."""
    parsed = path_id(client_id)
    stored = client_resource(await service.get(session.conn, session.principal.org_id, parsed))
    body = await bodies.read_update(request, ClientChangesDocument, stored)
    updated = await service.update(session.conn, session.principal, parsed, body.data)
    return Response(ClientDocument(client_resource(updated)), media_type=jsonapi.JSONAPI)


@delete(
    "/app-clients/{client_id:str}",
    summary="Delete an app client",
    status_code=204,
    media_type=jsonapi.JSONAPI,
    opt=options("app_clients.write"),
)
async def delete_client(client_id: FromPath[str], session: Injected[Session]) -> None:
    """Its secrets go with it; its live tokens are refused from now on."""
    await service.delete(session.conn, session.principal, path_id(client_id))


@post(
    "/app-clients/{client_id:str}/rotate-secret",
    summary="Give an app client a new secret",
    status_code=200,
    media_type=jsonapi.JSONAPI,
    opt=options("app_clients.write", bodies={jsonapi.JSONAPI: RotateDocument}),
)
async def rotate_secret(
    client_id: FromPath[str],
    request: Request[Any, Any, Any],
    session: Injected[Session],
    secrets: Injected[SecretHasher],
) -> Response[SecretDocument]:
    """A new `clientSecret`, shown once. The previous one keeps working for
    `meta.gracePeriodSeconds` (optional body; default 86400, `0` for a leaked secret), so a
    deployment can roll over without downtime."""
    raw = await request.body()
    body = wire.decode(raw, RotateDocument) if raw.strip() else RotateDocument()
    issued = await service.rotate(
        session.conn,
        session.principal,
        secrets,
        path_id(client_id),
        grace_seconds=int(body.meta.grace_period_seconds),
    )
    previous = issued.previous_expires_at
    document = SecretDocument(
        client_resource(issued.client, secret=issued.secret),
        SecretMeta(int(previous.timestamp()) if previous else None),
    )
    return Response(document, media_type=jsonapi.JSONAPI, headers=NO_STORE)


ROUTER = Router(
    "/auth",
    route_handlers=[
        list_clients,
        get_client,
        create_client,
        update_client,
        delete_client,
        rotate_secret,
    ],
    tags=["app clients"],
    dependencies=SESSION,
    security=BEARER_SECURITY,
)
