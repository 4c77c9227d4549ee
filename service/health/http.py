"""``/health/live`` answers while the process runs; ``/health/ready`` while it can serve."""

from __future__ import annotations

import asyncio

import asyncpg
import msgspec
from litestar import Response, Router, get
from litestar.openapi import ResponseSpec

from service.db.migrations import Migration
from service.db.migrations import problems as check_migrations
from service.db.tx import UNAVAILABLE
from service.routing import Injected, options
from service.wire import ResponseShape


class Check(ResponseShape):
    name: str
    ok: bool
    detail: str = ""


class Health(ResponseShape):
    status: str
    checks: list[Check] = msgspec.field(default_factory=list)


@get("/live", summary="Liveness", cache=False)
async def live() -> Health:
    return Health(status="ok")


@get(
    "/ready",
    summary="Readiness: database reachable and migrations current",
    responses={503: ResponseSpec(data_container=Health, description="Not ready")},
)
async def ready(
    pool: Injected[asyncpg.Pool], migrations: Injected[list[Migration]]
) -> Response[Health]:
    checks = [await _database(pool, migrations)]
    ok = all(c.ok for c in checks)
    return Response(
        Health(status="ok" if ok else "unavailable", checks=checks),
        status_code=200 if ok else 503,
        headers={} if ok else {"Retry-After": "5"},
    )


async def _database(pool: asyncpg.Pool, expected: list[Migration]) -> Check:
    try:
        async with asyncio.timeout(3), pool.acquire(timeout=2) as conn:
            done = await conn.fetch("SELECT version, checksum FROM schema_migrations", timeout=2)
    except UNAVAILABLE as exc:
        return Check("database", False, f"unreachable ({type(exc).__name__})")
    problems = check_migrations(expected, {r["version"]: r["checksum"] for r in done})
    if problems:
        return Check("database", False, "; ".join(problems))
    return Check("database", True)


ROUTER = Router(
    "/health",
    route_handlers=[live, ready],
    tags=["health"],
    opt=options(answers=("application/json",)),
)
