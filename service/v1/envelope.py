"""The seed 002 envelope: ``{"data": ...}`` for answers and ``{"error": {"code", "message"}}``
for errors, with a ``fields`` map (field name to message) for validation errors.

The error codes and statuses are the service's own catalogue (:mod:`service.errors`), which
seed 002's codes were taken from; only the shape differs from the JSON:API surface. Bodies are
plain JSON in snake_case, decoded with the same field checks as everywhere else
(:func:`service.wire.decode`), so a bad field is named in ``fields`` by its path
(``name``, ``settings.colour``).
"""

from __future__ import annotations

from typing import Any, Generic, TypeVar

import msgspec
from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException

from service import http, wire
from service.errors import ApiError, ErrorItem
from service.logs import request_id_var

T = TypeVar("T")
JSON = "application/json"


class Data(msgspec.Struct, Generic[T]):
    """Every successful answer with a body."""

    data: T


class SeedError(msgspec.Struct, omit_defaults=True):
    """``fields`` names each bad field of a validation error; ``request_id`` the request."""

    code: str
    message: str
    fields: dict[str, str] | None = None
    request_id: str | None = None


class SeedErrorDocument(msgspec.Struct):
    """Every error of the /v1 surface."""

    error: SeedError


class Shape(msgspec.Struct, forbid_unknown_fields=True):
    """A request body of this surface: snake_case, nothing the shape does not name."""


def ok(value: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response[Any]:
    return Response(Data(value), status_code=status, media_type=JSON, headers=headers or {})


async def body(request: Request[Any, Any, Any], shape: type[T]) -> T:
    """The request's JSON body as ``shape``: 400 ``invalid_body`` when it is not JSON, 400
    ``validation_error`` naming each bad field."""
    return wire.decode(await request.body(), shape)


def _field(item: ErrorItem) -> str | None:
    if item.pointer:
        return ".".join(
            part.replace("~1", "/").replace("~0", "~")
            for part in item.pointer.strip("/").split("/")
        )
    return item.parameter


def error_response(
    items: tuple[ErrorItem, ...], headers: dict[str, str] | None = None
) -> Response[Any]:
    first = items[0]
    fields = {name: item.detail for item in items if (name := _field(item))}
    message = first.detail if len(items) == 1 else "Some fields are not valid."
    document = SeedErrorDocument(
        SeedError(
            code=first.code,
            message=message,
            fields=fields or None,
            request_id=request_id_var.get() or None,
        )
    )
    return Response(document, status_code=first.status, media_type=JSON, headers=headers or {})


def _from_json_api(response: Response[Any]) -> Response[Any]:
    """A response the JSON:API handlers built, in this surface's shape."""
    content = response.content
    raw = content if isinstance(content, dict) else msgspec.to_builtins(content)
    errors = raw.get("errors") or [{}]
    items = tuple(
        ErrorItem(
            e.get("code", "internal_error"),
            e.get("detail", "Something went wrong on our side."),
            (e.get("source") or {}).get("pointer"),
            (e.get("source") or {}).get("parameter"),
        )
        for e in errors
    )
    kept = {k: v for k, v in response.headers.items() if k.lower() in ("allow", "retry-after")}
    return error_response(items, kept)


def handle_api_error(_: Request[Any, Any, Any], exc: ApiError) -> Response[Any]:
    return error_response(exc.items, exc.headers)


def handle_validation(request: Request[Any, Any, Any], exc: ValidationException) -> Response[Any]:
    return _from_json_api(http.handle_validation(request, exc))


def handle_http_exception(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    return _from_json_api(http.handle_http_exception(request, exc))


def handle_unexpected(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """Whatever the JSON:API surface would answer (a constraint's error, 503, or a 500 that
    leaks nothing), in this surface's shape."""
    if isinstance(exc, ExceptionGroup):
        return _from_json_api(http.handle_unexpected(request, exc))
    return handle_api_error(request, http.unexpected(exc))


EXCEPTION_HANDLERS: dict[Any, Any] = {
    ApiError: handle_api_error,
    ValidationException: handle_validation,
    HTTPException: handle_http_exception,
    Exception: handle_unexpected,
}

PREFIX = "/v1/"
