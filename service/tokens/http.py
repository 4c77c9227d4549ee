"""``POST /auth/token`` (RFC 6749) and ``POST /auth/revoke`` (RFC 7009)."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, Router, post
from litestar.exceptions import HTTPException

from service import http, jsonapi
from service.config import Settings
from service.routing import Injected, options
from service.security.clients import address_of
from service.tokens import forms, grants, introspection, service
from service.tokens.errors import (
    NO_STORE,
    OAUTH_EXCEPTION_HANDLERS,
    handle_http_exception_as_oauth,
)
from service.tokens.introspection_http import ROUTER as INTROSPECTION
from service.tokens.schemas import RevokeRequest, TokenRequest, TokenResponse
from service.tokens.service import Issuer


@post(
    "/token",
    summary="Issue tokens: password, refresh_token and client_credentials grants",
    status_code=200,
    opt=options(bodies={jsonapi.FORM: TokenRequest}),
    responses={},
)
async def token(
    request: Request[Any, Any, Any], settings: Injected[Settings], issuer: Injected[Issuer]
) -> Response[TokenResponse]:
    """`grant_type=password` with `username`, `password` and optionally `organization_id`;
    `grant_type=refresh_token` with `refresh_token` and optionally `organization_id` to switch
    organization; `grant_type=client_credentials` for a `machine_to_machine` app client,
    authenticated with HTTP Basic (`client_secret_basic`), `client_id` and `client_secret` in
    the form (`client_secret_post`) or a `client_assertion` (`private_key_jwt`, RFC 7523), with
    an optional `scope` of permissions narrowing its role's. Errors follow RFC 6749 section
    5.2."""
    fields = await forms.read(request)
    ahead = grants.prefetch(issuer, fields)
    client = await forms.client_of(request, issuer, settings, fields, ahead)
    form = grants.read(fields)
    address = address_of(request, settings)
    issued = await grants.grant(issuer, form, client=client, address=address, prefetched=ahead)
    return Response(issued, media_type=jsonapi.JSON, headers=NO_STORE)


@post(
    "/revoke",
    summary="Revoke a refresh token (sign out)",
    status_code=200,
    opt=options(bodies={jsonapi.FORM: RevokeRequest}),
)
async def revoke(
    request: Request[Any, Any, Any], settings: Injected[Settings], issuer: Injected[Issuer]
) -> Response[None]:
    """Ends the session the refresh token belongs to. Unknown or already revoked tokens are
    answered the same way, as RFC 7009 asks. A request that authenticates an app client (as
    at the token endpoint) revokes only a token issued to that client (400
    `unauthorized_client` otherwise), and failed authentication is 401 `invalid_client`."""
    fields, client = await forms.with_client(request, issuer, settings)
    form: RevokeRequest = forms.shaped(fields, RevokeRequest)
    if client is not None:
        await introspection.may_revoke(issuer.pool, client, form.token)
    await service.revoke(issuer.pool, form.token)
    return Response(None, status_code=200, headers=NO_STORE)


ROUTER = Router(
    "/auth",
    route_handlers=[token, revoke],
    tags=["tokens"],
    opt=options(accepts=(jsonapi.FORM,), answers=(jsonapi.JSON,)),
    exception_handlers=OAUTH_EXCEPTION_HANDLERS,
)

OAUTH_PATHS = frozenset(route.path for router in (ROUTER, INTROSPECTION) for route in router.routes)


def handle_http_exception(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    """The app's handler for HTTP errors. A wrong method (405) is refused before any route is
    chosen, so the token router's own handlers never see it: on the token and revocation
    paths it still answers in RFC 6749's shape, everywhere else as JSON:API."""
    if request.scope["path"] in OAUTH_PATHS:
        return handle_http_exception_as_oauth(request, exc)
    return http.handle_http_exception(request, exc)
