"""``/health/live`` answers while the process runs; ``/health/ready`` while it can serve."""

from __future__ import annotations

import asyncio
from typing import Any

import msgspec
from litestar import Response, get
from litestar.datastructures import State
from litestar.openapi import ResponseSpec

from service.db import migrations
from service.db.tx import UNAVAILABLE

PROBE = {"response_types": ("application/json",), "security": []}


class Check(msgspec.Struct):
    name: str
    ok: bool
    detail: str = ""


class Health(msgspec.Struct):
    status: str
    checks: list[Check] = msgspec.field(default_factory=list)


@get("/health/live", opt=PROBE, tags=["health"], summary="Liveness", cache=False)
async def live() -> Health:
    return Health(status="ok")


@get(
    "/health/ready",
    opt=PROBE,
    tags=["health"],
    summary="Readiness: database reachable and migrations current",
    responses={503: ResponseSpec(data_container=Health, description="Not ready")},
)
async def ready(state: State) -> Response[Health]:
    checks = [await _database(state)]
    ok = all(c.ok for c in checks)
    return Response(
        Health(status="ok" if ok else "unavailable", checks=checks),
        status_code=200 if ok else 503,
        headers={} if ok else {"Retry-After": "5"},
    )


async def _database(state: State) -> Check:
    expected: list[migrations.Migration] = state.migrations
    try:
        async with asyncio.timeout(3), state.pool.acquire(timeout=2) as conn:
            done = await conn.fetch("SELECT version, checksum FROM schema_migrations", timeout=2)
    except UNAVAILABLE as exc:
        return Check("database", False, f"unreachable ({type(exc).__name__})")
    problems = migrations.problems(expected, {r["version"]: r["checksum"] for r in done})
    if problems:
        return Check("database", False, "; ".join(problems))
    return Check("database", True)


ROUTES: list[Any] = [live, ready]
