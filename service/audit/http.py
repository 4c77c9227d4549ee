"""``GET /auth/audit-events`` and ``GET /auth/audit-events/{id}``, in the caller's organization."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, Router, get
from litestar.params import FromPath

from service import jsonapi
from service.audit import query, service
from service.audit.schemas import AuditEventDocument, AuditEventListDocument, event_resource
from service.errors import ApiError
from service.ids import path_id
from service.routing import Injected, options
from service.session import BEARER_SECURITY, SESSION, Session


@get("/", summary="The organization's audit trail, newest first", media_type=jsonapi.JSONAPI)
async def list_audit_events(
    request: Request[Any, Any, Any], session: Injected[Session]
) -> Response[AuditEventListDocument]:
    """Filters: `filter[actor]` (a user id), `filter[action]` (e.g. `user.update`),
    `filter[resourceType]` (e.g. `auth/users`), `filter[resourceId]`, `filter[since]`
    (inclusive) and `filter[until]` (exclusive), each either Unix seconds or an RFC 3339
    date-time. Keyset pages: `page[size]` (up to 200) and `page[after]` from `links.next`."""
    params = dict(request.query_params)
    page = jsonapi.parse_page(params)
    filters = query.parse_filters(params)
    events, cursor = await service.list_events(
        session.conn,
        session.principal.org_id,
        filters,
        after=query.parse_cursor(page.after),
        size=page.size,
    )
    path = request.url.path
    links = jsonapi.Links(
        self=jsonapi.self_link(path, request.url.query),
        next=jsonapi.next_link(path, params, cursor),
    )
    document = AuditEventListDocument([event_resource(e) for e in events], links)
    return Response(document, media_type=jsonapi.JSONAPI)


@get("/{event_id:str}", summary="One audit event", media_type=jsonapi.JSONAPI)
async def get_audit_event(
    event_id: FromPath[str], session: Injected[Session]
) -> Response[AuditEventDocument]:
    """Another organization's event answers 404 `not_found`, exactly like a missing one."""
    event = await service.get_event(session.conn, session.principal.org_id, path_id(event_id))
    if event is None:
        raise ApiError("not_found", "No audit event with this id exists in this organization.")
    return Response(AuditEventDocument(event_resource(event)), media_type=jsonapi.JSONAPI)


ROUTER = Router(
    "/auth/audit-events",
    route_handlers=[list_audit_events, get_audit_event],
    tags=["audit"],
    dependencies=SESSION,
    security=BEARER_SECURITY,
    opt=options("audit.read"),
)
