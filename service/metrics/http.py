"""``GET /metrics``: the Prometheus text format (version 0.0.4), left out of the OpenAPI."""

from __future__ import annotations

import hmac
from typing import Any

import asyncpg
from litestar import Request, Response, get
from litestar.di import NamedDependency
from litestar.params import SkipValidation
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4

from service.config import Settings
from service.errors import ApiError
from service.metrics import outbox
from service.metrics.registry import Metrics

PLAIN = {"response_types": ("text/plain",)}


@get("/metrics", include_in_schema=False, opt=PLAIN, cache=False)
async def scrape(
    request: Request[Any, Any, Any],
    settings: NamedDependency[SkipValidation[Settings]],
    metrics: NamedDependency[SkipValidation[Metrics]],
    pool: NamedDependency[SkipValidation[asyncpg.Pool]],
) -> Response[bytes]:
    """Counters since start-up, the pool now, and the outbox as one bounded query sees it.
    With ``METRICS_TOKEN`` set, a scrape must present it as a bearer token."""
    expected = settings.metrics_token
    if expected is not None:
        given = request.headers.get("authorization", "")
        if not hmac.compare_digest(given.encode(), f"Bearer {expected}".encode()):
            raise ApiError("unauthorized", "This needs the metrics token.")
    body = metrics.render(pool, await outbox.read(pool))
    return Response(body, media_type=CONTENT_TYPE_PLAIN_0_0_4)


ROUTES: list[Any] = [scrape]
