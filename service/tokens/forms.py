"""The forms of the OAuth endpoints (token, revocation, introspection): read as sent, the
client authenticated from them, then checked against their shape; every problem in RFC 6749's
shape (``invalid_request``, ``invalid_client``)."""

from __future__ import annotations

from typing import Any

from litestar import Request

from service import bodies, wire
from service.app_clients.repo import Client
from service.config import Settings
from service.errors import ApiError
from service.tokens import client_auth
from service.tokens.errors import OAuthError
from service.tokens.issue import Issuer


def described(error: ApiError) -> str:
    """An error's first problem in one line, naming the field (OAuth errors have no pointer)."""
    item = error.items[0]
    field = (item.pointer or "/").lstrip("/")
    return f"{field}: {item.detail}" if field else item.detail


def audiences(settings: Settings, path: str) -> frozenset[str]:
    """What a client assertion may name as its audience at ``path``: the issuer, the token
    endpoint (RFC 7523's audience) or the endpoint it is sent to."""
    base = settings.public_base_url
    return frozenset({base, f"{base}/auth/token", f"{base}{path}"})


async def read(request: Request[Any, Any, Any]) -> dict[str, str]:
    """The form as sent (client authentication reads it before its shape is checked)."""
    try:
        return await bodies.read_form(request, dict[str, str])
    except ApiError as error:
        raise OAuthError("invalid_request", described(error)) from None


def shaped(fields: dict[str, str], shape: Any) -> Any:
    try:
        return wire.convert(fields, shape)
    except ApiError as error:
        raise OAuthError("invalid_request", described(error)) from None


async def with_client(
    request: Request[Any, Any, Any], issuer: Issuer, settings: Settings
) -> tuple[dict[str, str], Client | None]:
    """The form, and the app client it authenticates (None: it names none)."""
    fields = await read(request)
    return fields, await client_of(request, issuer, settings, fields)


async def client_of(
    request: Request[Any, Any, Any],
    issuer: Issuer,
    settings: Settings,
    fields: dict[str, str],
    lookup: client_auth.Lookup | None = None,
) -> Client | None:
    """The app client ``fields`` (the form as read) and the request's headers authenticate
    (None: they name none); ``lookup`` as :func:`client_auth.authenticate` takes it."""
    return await client_auth.authenticate(
        issuer.pool,
        issuer.secrets,
        authorization=request.headers.get("authorization", ""),
        form=fields,
        audiences=audiences(settings, request.url.path),
        remote=issuer.remote_keys,
        lookup=lookup,
    )
