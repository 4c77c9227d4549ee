"""Seed 002 routes (filled in by this feature)."""

from __future__ import annotations

from litestar import Router

from service.session import BEARER_SECURITY
from service.v1.context import CONTEXT
from service.v1.envelope import EXCEPTION_HANDLERS

ROUTER = Router(
    "/v1/organizations",
    route_handlers=[],
    tags=["v1"],
    dependencies=CONTEXT,
    security=BEARER_SECURITY,
    exception_handlers=EXCEPTION_HANDLERS,
)
