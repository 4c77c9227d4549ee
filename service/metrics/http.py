"""``GET /metrics``: the Prometheus text format (version 0.0.4), left out of the OpenAPI."""

from __future__ import annotations

from typing import Any

from litestar import Response, get
from litestar.datastructures import State
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4

from service.metrics import outbox
from service.metrics.registry import Metrics

PLAIN = {"response_types": ("text/plain",), "security": []}


@get("/metrics", include_in_schema=False, opt=PLAIN, cache=False)
async def metrics(state: State) -> Response[bytes]:
    """Counters since start-up, the pool now, and the outbox as one bounded query sees it."""
    registry: Metrics = state.metrics
    pool = getattr(state, "pool", None)
    body = registry.render(pool, await outbox.read(pool))
    return Response(body, media_type=CONTENT_TYPE_PLAIN_0_0_4)


ROUTES: list[Any] = [metrics]
