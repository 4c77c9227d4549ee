"""``GET /metrics``: the Prometheus text format (version 0.0.4), left out of the OpenAPI."""

from __future__ import annotations

import hmac
from typing import Any

from litestar import Request, Response, get
from litestar.datastructures import State
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4

from service.errors import ApiError
from service.metrics import outbox
from service.metrics.registry import Metrics

PLAIN = {"response_types": ("text/plain",), "security": []}


@get("/metrics", include_in_schema=False, opt=PLAIN, cache=False)
async def metrics(request: Request[Any, Any, Any], state: State) -> Response[bytes]:
    """Counters since start-up, the pool now, and the outbox as one bounded query sees it.
    With ``METRICS_TOKEN`` set, a scrape must present it as a bearer token."""
    expected = state.settings.metrics_token
    if expected is not None:
        given = request.headers.get("authorization", "")
        if not hmac.compare_digest(given.encode(), f"Bearer {expected}".encode()):
            raise ApiError("unauthorized", "This needs the metrics token.")
    registry: Metrics = state.metrics
    pool = getattr(state, "pool", None)
    body = registry.render(pool, await outbox.read(pool))
    return Response(body, media_type=CONTENT_TYPE_PLAIN_0_0_4)


ROUTES: list[Any] = [metrics]
