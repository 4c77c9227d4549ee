"""Request context and exception handling: every failure becomes a JSON:API ``errors`` document.

The request-context middleware sits outside Litestar's router so that every response, a 404
for an unknown path included, carries a request id and is logged once, with secrets redacted.
"""

from __future__ import annotations

import logging
import re
import time
from typing import Any

import asyncpg
from litestar import Litestar, Request, Response
from litestar.enums import ScopeType
from litestar.exceptions import HTTPException, ValidationException
from litestar.routes import HTTPRoute
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from service import jsonapi, wire
from service.db.constraints import error_for_constraint
from service.db.tx import is_unavailable
from service.errors import CATALOGUE, ApiError, ErrorCode, ErrorItem
from service.ids import uuid7
from service.logs import client_request_id_var, redact_query, request_id_var

log = logging.getLogger("service.http")

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
_BY_STATUS: dict[int, ErrorCode] = {
    400: "invalid_body",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    429: "rate_limited",
    503: "service_unavailable",
}
# Answers are data, not documents to render: a response that sets no policy of its own (the
# pages and the API docs do) may load nothing and be framed by nobody.
_DEFAULT_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"cache-control", b"no-store"),
    (b"content-security-policy", b"default-src 'none'; frame-ancestors 'none'"),
]


class RequestContext:
    """Outermost ASGI layer: request id, default security headers and one access-log line.

    Every request gets a new id from the service, answered in ``X-Request-ID`` and written to
    the logs and the audit trail. A well-formed ``X-Request-ID`` from the client is kept
    beside it as the client's own reference, never in its place.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        incoming = _header(scope, b"x-request-id")
        request_id = str(uuid7())
        token = request_id_var.set(request_id)
        client_token = client_request_id_var.set(
            incoming if incoming and _REQUEST_ID.match(incoming) else None
        )
        started = time.perf_counter()
        status = 500

        async def send_with_headers(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers.append((b"x-request-id", request_id.encode()))
                headers.extend(h for h in _DEFAULT_HEADERS if h[0] not in present)
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        finally:
            query = scope.get("query_string", b"").decode("latin-1")
            target = scope.get("path", "") + (f"?{query}" if query else "")
            log.info(
                "http.request",
                extra={
                    "fields": {
                        "method": scope.get("method"),
                        "target": redact_query(target),
                        "status": status,
                        "durationMs": round((time.perf_counter() - started) * 1000, 2),
                    }
                },
            )
            request_id_var.reset(token)
            client_request_id_var.reset(client_token)


class HeadAsGet:
    """``HEAD`` on every ``GET`` route (RFC 9110 section 9.3.2): the request runs as a
    ``GET`` and its answer goes out with the same status and headers, ``Content-Length``
    included, and no body. GET handlers change nothing, so running one for a HEAD is safe."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP or scope.get("method") != "HEAD":
            await self.app(scope, receive, send)
            return

        async def headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                if not message.get("more_body", False):
                    await send({"type": "http.response.body", "body": b"", "more_body": False})
                return
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, headers_only)


def answer_options_for_every_method(app: Litestar) -> None:
    """Make the automatic OPTIONS answer list every method of its path.

    Litestar 2 builds the OPTIONS handler with the first handler registered on a path and
    keeps it when more handlers join the path, so its ``Allow`` named only the first
    (litestar#4169, fixed in Litestar 3). Point each such handler at the path's final route.
    """
    for route in app.routes:
        if not isinstance(route, HTTPRoute) or "OPTIONS" not in route.route_handler_map:
            continue
        handler, _ = route.route_handler_map["OPTIONS"]
        for cell in getattr(handler.fn, "__closure__", None) or ():
            if isinstance(cell.cell_contents, HTTPRoute) and cell.cell_contents is not route:
                cell.cell_contents = route


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return str(value.decode("latin-1"))
    return None


def error_response(
    items: tuple[ErrorItem, ...], headers: dict[str, str] | None = None
) -> Response[Any]:
    document = jsonapi.error_document(items, request_id_var.get())
    return Response(
        content=document,
        status_code=items[0].status,
        media_type=jsonapi.JSONAPI,
        headers=headers or {},
    )


def handle_api_error(_: Request[Any, Any, Any], exc: ApiError) -> Response[Any]:
    return error_response(exc.items, exc.headers)


def handle_validation(request: Request[Any, Any, Any], exc: ValidationException) -> Response[Any]:
    """Litestar's own validation: rebuild body errors with full pointers, one per field."""
    extra = exc.extra if isinstance(exc.extra, list) else []
    sources = {e.get("source") for e in extra if isinstance(e, dict)}
    if "body" in sources or not extra:
        field = request.route_handler.parsed_data_field
        raw = request._connection_state.body  # cached by Litestar when it read the body
        if field is not None and isinstance(raw, bytes):
            try:
                wire.decode(raw, field.annotation)
            except ApiError as error:
                return error_response(error.items)
        return error_response((ErrorItem("invalid_body", "The request body is not valid."),))
    items = []
    for entry in extra:
        name = str(entry.get("key", ""))
        message = str(entry.get("message", "is not valid"))
        items.append(ErrorItem("validation_error", f"{name}: {message}.", parameter=name or None))
    return error_response(tuple(items))


def handle_http_exception(_: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    code: ErrorCode = _BY_STATUS.get(
        exc.status_code, "internal_error" if exc.status_code >= 500 else "invalid_body"
    )
    detail = {
        "not_found": "Nothing is served at this path.",
        "method_not_allowed": "This path does not accept that method.",
        "payload_too_large": "The request body is larger than this service accepts.",
        "internal_error": "Something went wrong on our side; the request id identifies it.",
    }.get(code, str(exc.detail) if exc.detail else CATALOGUE[code][1])
    headers = {
        k: v for k, v in (exc.headers or {}).items() if k.lower() in ("allow", "retry-after")
    }
    return error_response((ErrorItem(code, detail),), headers)


def handle_unexpected(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    if isinstance(exc, ExceptionGroup):
        return _handle_group(request, exc)
    return handle_api_error(request, unexpected(exc))


def unexpected(exc: Exception) -> ApiError:
    """What an exception no handler named means for the client (logged here): a constraint
    the database refused, a NUL in text, the database away (503), or a 500 that says no more
    than its request id."""
    if isinstance(exc, asyncpg.IntegrityConstraintViolationError):
        item = error_for_constraint(exc)
        if item is not None:
            return ApiError.many([item])
    if isinstance(exc, asyncpg.CharacterNotInRepertoireError):
        # Text with a NUL character (from a query, header or body) cannot be stored.
        return ApiError("validation_error", "Text in this request must not contain NUL (U+0000).")
    if is_unavailable(exc):
        log.warning("database.unavailable", extra={"fields": {"error": type(exc).__name__}})
        return ApiError(
            "service_unavailable",
            "The database is not reachable right now.",
            headers={"Retry-After": "5"},
        )
    log.error("http.unhandled", exc_info=exc)
    return ApiError(
        "internal_error", "Something went wrong on our side; the request id identifies it."
    )


def _handle_group(
    request: Request[Any, Any, Any], group: ExceptionGroup[Exception]
) -> Response[Any]:
    """Litestar groups what a generator dependency (the request's transaction) raised while
    cleaning up after the handler failed, with the handler's exception as the cause: answer
    for that one (a database that went away mid-request is a 503, not a 500)."""
    inner: Exception = group
    while isinstance(inner, ExceptionGroup):
        cause = inner.__cause__
        inner = cause if isinstance(cause, Exception) else inner.exceptions[0]
    handlers = request.app.exception_handlers
    for kind in type(inner).__mro__:
        handler = handlers.get(kind)
        if handler is not None:
            response: Response[Any] = handler(request, inner)
            return response
    return handle_unexpected(request, inner)


EXCEPTION_HANDLERS: dict[Any, Any] = {
    ApiError: handle_api_error,
    ValidationException: handle_validation,
    HTTPException: handle_http_exception,
    Exception: handle_unexpected,
}


async def check_media_types(request: Request[Any, Any, Any]) -> None:
    """415 for a body of a type the route does not take; 406 for an Accept it cannot meet."""
    opt = request.route_handler.opt
    offered: tuple[str, ...] = opt.get("response_types", (jsonapi.JSONAPI, jsonapi.JSON))
    if not jsonapi.accepts(request.headers.get("accept"), offered):
        raise ApiError(
            "not_acceptable",
            f"This endpoint answers with {' or '.join(offered)}; the Accept header allows neither.",
        )
    has_body = request.headers.get("content-length", "0") not in ("", "0") or (
        "transfer-encoding" in request.headers
    )
    if not has_body:
        return
    allowed: tuple[str, ...] = opt.get("request_types", (jsonapi.JSONAPI, jsonapi.JSON))
    kind, params = jsonapi.media_type(request.headers.get("content-type"))
    if kind not in allowed or (
        kind == jsonapi.JSONAPI and not jsonapi.parameters_supported(params)
    ):
        raise ApiError(
            "unsupported_media_type",
            f"Send the body as {' or '.join(allowed)}.",
            headers={"Accept-Post": ", ".join(allowed)},
        )
