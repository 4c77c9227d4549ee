"""An ASGI layer that times every HTTP request and labels it with its route template.

Litestar's router writes the matched template (``/auth/users/{user_id}``) into the scope;
requests that match no route are labelled ``unmatched``, so neither ids, tokens nor probing
for random paths ever become label values. The layer also binds the app's metrics to the
request's context, for :mod:`service.metrics.events`.
"""

from __future__ import annotations

import time

from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from service.metrics import events
from service.metrics.registry import Metrics


class RequestMetrics:
    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_noting_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        bound = events.bind(self.metrics)
        try:
            await self.app(scope, receive, send_noting_status)
        finally:
            events.unbind(bound)
            self.metrics.observe_request(
                str(scope.get("method", "")),
                scope.get("path_template") or None,
                status,
                time.perf_counter() - started,
            )
