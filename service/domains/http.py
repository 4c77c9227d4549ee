"""Seed 002's custom domains: ``/v1/organizations/{id}/domains`` (``organizations.manage_domains``,
so the verification token is shown only to those who may publish it)."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, Router, delete, get, post
from litestar.params import FromPath

from service.config import Settings
from service.domains import service
from service.domains.repo import Domain, listed
from service.domains.schemas import AddedDomain, Challenge, DomainV1, NewDomain
from service.routing import Injected, options
from service.session import BEARER_SECURITY
from service.v1 import envelope
from service.v1.context import CONTEXT, Context
from service.v1.envelope import JSON, Data

MANAGE = options("organizations.manage_domains")


def wire(found: Domain) -> DomainV1:
    values = {name: getattr(found, name) for name in DomainV1.__struct_fields__}
    return DomainV1(
        **{**values, "id": str(found.id), "organization_id": str(found.organization_id)}
    )


@get("/{org_id:str}/domains", summary="An organization's custom domains", opt=MANAGE)
async def list_domains(
    org_id: FromPath[str], context: Injected[Context]
) -> Response[Data[list[DomainV1]]]:
    """Each with its `status` (`pending` or `verified`) and `verification_token`."""
    found = await listed(context.conn, context.organization(org_id))
    return envelope.ok([wire(d) for d in found])


@post(
    "/{org_id:str}/domains",
    summary="Add a custom domain",
    status_code=201,
    opt=options("organizations.manage_domains", bodies={JSON: NewDomain}),
)
async def add_domain(
    org_id: FromPath[str],
    request: Request[Any, Any, Any],
    context: Injected[Context],
    settings: Injected[Settings],
) -> Response[AddedDomain]:
    """`domain` (a hostname strictly below a public suffix, not this service's own) and
    `domain_type` (`clinic` or `portal`). The answer names the TXT record to publish before
    `verify`: `verification.txt_host` and `verification.txt_value`."""
    context.organization(org_id)
    body = await envelope.body(request, NewDomain)
    added = await service.add(
        context.conn, context.principal, settings, body.domain, body.domain_type
    )
    challenge = Challenge(service.txt_host(settings, added.domain), added.verification_token)
    return Response(AddedDomain(wire(added), challenge), status_code=201, media_type=JSON)


@post(
    "/{org_id:str}/domains/{domain_id:str}/verify",
    summary="Look up a custom domain's TXT record",
    status_code=200,
    opt=MANAGE,
)
async def verify_domain(
    org_id: FromPath[str],
    domain_id: FromPath[str],
    context: Injected[Context],
    settings: Injected[Settings],
) -> Response[Data[DomainV1]]:
    """On a match the domain is `verified` and resolves; otherwise it stays (or goes back to)
    `pending` with `last_check_at` set. 409 `conflict` when another organization has it
    verified."""
    context.organization(org_id)
    checked = await service.verify(context.conn, context.principal, settings, domain_id)
    return envelope.ok(wire(checked))


@delete("/{org_id:str}/domains/{domain_id:str}", summary="Remove a custom domain", opt=MANAGE)
async def delete_domain(
    org_id: FromPath[str], domain_id: FromPath[str], context: Injected[Context]
) -> None:
    """It stops resolving at once."""
    context.organization(org_id)
    await service.remove(context.conn, context.principal, domain_id)


ROUTER = Router(
    "/v1/organizations",
    route_handlers=[list_domains, add_domain, verify_domain, delete_domain],
    tags=["v1"],
    dependencies=CONTEXT,
    security=BEARER_SECURITY,
    exception_handlers=envelope.EXCEPTION_HANDLERS,
    opt=options(accepts=(JSON,), answers=(JSON,)),
)
