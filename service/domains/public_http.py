"""``GET /v1/public/organizations/resolve`` (seed 002): the organization behind a slug or a
verified custom domain, for the proxy in front of the apps. No authentication; one indexed
read; cacheable for a minute; ``RESOLVE_PER_MINUTE`` requests a minute per client address,
so slugs cannot be enumerated quickly (429 ``rate_limited`` with ``Retry-After``)."""

from __future__ import annotations

from typing import Annotated, Any

import asyncpg
from litestar import Request, Response, Router, get
from litestar.params import Parameter

from service.config import Settings
from service.db.tx import alone
from service.domains import repo, rules
from service.domains.schemas import PublicOrganization
from service.errors import ApiError
from service.routing import Injected, options
from service.security.clients import address_of
from service.throttle.counters import Throttle
from service.throttle.gate import limited
from service.throttle.policy import Limit, Rule
from service.v1 import envelope
from service.v1.envelope import JSON, Data

CACHE = {"Cache-Control": "public, max-age=60"}
MOST_SLUG, MOST_DOMAIN = 63, 253  # the longest slug and hostname the tables accept


def _asked(request: Request[Any, Any, Any]) -> tuple[str | None, str | None]:
    slug, domain = (
        request.query_params.getall("slug", []),
        request.query_params.getall("domain", []),
    )
    if len(slug) + len(domain) != 1 or not (slug or domain)[0].strip():
        raise ApiError("validation_error", "Give exactly one of slug and domain.", parameter="slug")
    if slug:
        return slug[0].strip().lower(), None
    try:
        return None, rules.normalized(domain[0])
    except ApiError:
        raise ApiError(
            "validation_error", "This is not a valid hostname.", parameter="domain"
        ) from None


async def _card(pool: asyncpg.Pool, slug: str | None, domain: str | None) -> repo.Card | None:
    """None for a name longer than any slug or hostname (nothing stored is), unread."""
    if len(slug or "") > MOST_SLUG or len(domain or "") > MOST_DOMAIN:
        return None
    async with alone(pool) as conn:
        return await repo.resolve(conn, slug=slug, domain=domain)


@get("/resolve", summary="The organization behind a slug or a verified custom domain")
async def resolve(
    request: Request[Any, Any, Any],
    pool: Injected[asyncpg.Pool],
    settings: Injected[Settings],
    throttle: Injected[Throttle],
    slug: Annotated[str | None, Parameter(description="The organization's slug.")] = None,
    domain: Annotated[str | None, Parameter(description="A verified custom hostname.")] = None,
) -> Response[Data[PublicOrganization]]:
    """Exactly one of `slug` and `domain` (400 `validation_error` otherwise); 404
    `organization_not_found` when nothing matches, and for a domain that is not verified."""
    slug, domain = _asked(request)  # read again as sent: each may come once, only one
    address = address_of(request, settings)
    await limited(throttle, [Rule(f"resolve:{address}", Limit(settings.resolve_per_minute, 60))])
    found = await _card(pool, slug, domain)
    if found is None:
        raise ApiError("organization_not_found", "No organization has this slug or domain.")
    values = {name: getattr(found, name) for name in PublicOrganization.__struct_fields__}
    card = PublicOrganization(**{**values, "id": str(found.id)})
    return envelope.ok(card, headers=CACHE)


ROUTER = Router(
    "/v1/public/organizations",
    route_handlers=[resolve],
    tags=["v1"],
    exception_handlers=envelope.EXCEPTION_HANDLERS,
    opt=options(accepts=(JSON,), answers=(JSON,)),
)
