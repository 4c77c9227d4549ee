"""``GET /v1/public/organizations/resolve`` (seed 002; filled in by this feature)."""

from __future__ import annotations

from litestar import Router

from service.v1.envelope import EXCEPTION_HANDLERS

ROUTER = Router(
    "/v1/public/organizations",
    route_handlers=[],
    tags=["v1"],
    exception_handlers=EXCEPTION_HANDLERS,
)
