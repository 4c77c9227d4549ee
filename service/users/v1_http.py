"""Seed 002's members: ``/v1/organizations/{id}/members``, an adapter over the member service
(:mod:`service.users.service`) and the upsert decision (:mod:`service.users.enrolment`).

The organization is the one the request acts in (:mod:`service.v1.context`); any other id in
the path is 404 ``organization_not_found`` before anything is read.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, Router, delete, get, post
from litestar.di import Provide
from litestar.params import FromPath

from service.config import Settings
from service.errors import ApiError
from service.fhir.practitioners import PractitionerDirectory
from service.ids import parse_uuid
from service.jsonapi import Page
from service.mail.mailer import Mailer
from service.routing import Injected, options
from service.security.permissions import ServicePermission
from service.session import BEARER_SECURITY
from service.throttle.counters import Throttle
from service.users import enrolment, service
from service.users.v1_schemas import EnrolledV1, MemberUpsertV1, MemberV1, enrolled_v1, member_v1
from service.v1 import envelope
from service.v1.context import CONTEXT, Context
from service.v1.envelope import JSON, Data

LISTED = 1000  # the most members one answer lists (in id order); the seed has no paging
MANAGE: ServicePermission = "organizations.manage_members"


def provide_acting(
    context: Injected[Context],
    settings: Injected[Settings],
    mailer: Injected[Mailer],
    fhir: Injected[PractitionerDirectory],
) -> service.Context:
    """The member service's view of the caller: the selected organization's principal."""
    return service.Context(context.principal, settings, mailer, fhir)


@get("/{org_id:str}/members", summary="The organization's members", opt=options(MANAGE))
async def list_members(
    org_id: FromPath[str], context: Injected[Context]
) -> Response[Data[list[MemberV1]]]:
    """Every member (pending and deactivated ones too), in id order, at most 1000.
    `joined_at` is when the membership was created here."""
    rows, _ = await service.list_members(
        context.conn,
        context.organization(org_id),
        email=None,
        name=None,
        role=None,
        page=Page(size=LISTED, after=None),
    )
    return envelope.ok([member_v1(row) for row in rows])


@post(
    "/{org_id:str}/members",
    summary="Enrol an existing account, or change a member's role",
    status_code=200,
    opt=options(MANAGE, bodies={JSON: MemberUpsertV1}),
)
async def upsert_member(
    org_id: FromPath[str],
    request: Request[Any, Any, Any],
    context: Injected[Context],
    acting: Injected[service.Context],
    throttle: Injected[Throttle],
) -> Response[Data[EnrolledV1]]:
    """`role` is a role code of this organization (400 `role_not_found`); granting a role
    holding permissions the caller lacks is 403. A member gets the role (the last owner stays
    an owner: 409 `last_owner`). Anyone else joins, active at once, only when the caller is a
    platform operator or the address's domain is verified here; otherwise 404
    `user_not_found`, exactly as for an unknown address: invite them instead."""
    org = context.organization(org_id)
    body = await envelope.body(request, MemberUpsertV1)
    limits = throttle.policy.members(org)
    view = await enrolment.upsert(context.conn, acting, body.email, body.role, limits)
    return envelope.ok(enrolled_v1(view))


@delete("/{org_id:str}/members/{principal_id:str}", summary="Remove a member", opt=options(MANAGE))
async def remove_member(
    org_id: FromPath[str],
    principal_id: FromPath[str],
    context: Injected[Context],
    acting: Injected[service.Context],
) -> None:
    """Idempotent: 204 whether or not they were a member. Their sessions here end at once;
    their account and other memberships stay. 409 `last_owner` for the last owner."""
    context.organization(org_id)
    user_id = parse_uuid(principal_id)
    if user_id is None:
        raise ApiError("invalid_id", "The principal id is not a valid UUID.")
    await service.remove(context.conn, acting, user_id)


ROUTER = Router(
    "/v1/organizations",
    route_handlers=[list_members, upsert_member, remove_member],
    tags=["v1"],
    dependencies={**CONTEXT, "acting": Provide(provide_acting, sync_to_thread=False)},
    security=BEARER_SECURITY,
    exception_handlers=envelope.EXCEPTION_HANDLERS,
    opt=options(accepts=(JSON,), answers=(JSON,)),
)
