"""``POST /auth/introspect`` (RFC 7662): a resource server asks whether an access token is live.

Mounted beside the token router, under ``/auth``, with the same options and exception
handlers, so every error is in RFC 6749's shape.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, Router, post

from service import jsonapi
from service.config import Settings
from service.routing import Injected, options
from service.tokens import forms, introspection
from service.tokens.errors import NO_STORE, OAUTH_EXCEPTION_HANDLERS
from service.tokens.introspection import Introspection
from service.tokens.issue import Issuer
from service.tokens.schemas import FormText
from service.wire import RequestShape


class IntrospectionRequest(RequestShape, forbid_unknown_fields=False):
    """RFC 7662 2.1: the token; ``token_type_hint`` is accepted and not needed (every token is
    looked at the same way). The client authenticates as at the token endpoint: HTTP Basic,
    ``client_id`` and ``client_secret``, or a ``client_assertion``."""

    token: FormText
    token_type_hint: str = ""
    client_id: str = ""
    client_secret: str = ""
    client_assertion_type: str = ""
    client_assertion: str = ""


@post(
    "/introspect",
    summary="Whether an access token is live, and whose (RFC 7662)",
    status_code=200,
    opt=options(bodies={jsonapi.FORM: IntrospectionRequest}),
    responses={},
)
async def introspect(
    request: Request[Any, Any, Any], settings: Injected[Settings], issuer: Injected[Issuer]
) -> Response[Introspection]:
    """For a confidential app client (`client_secret_basic`, `client_secret_post` or
    `private_key_jwt`; anything else is 401 `invalid_client`). `{"active": false}` for any
    token that is not a live access token of the client's own organization; otherwise its
    `sub`, `client_id`, `username` (a person's address), `scope` and `permissions` (live),
    `role`, `org`, `principal_type`, `exp`, `iat`, `iss`, `aud`, `jti`."""
    fields = await forms.read(request)
    claims = await introspection.claims_of(issuer, fields.get("token", ""))
    ahead = introspection.Prefetch.fits(claims)
    caller = introspection.confidential(
        await forms.client_of(request, issuer, settings, fields, ahead)
    )
    forms.shaped(fields, IntrospectionRequest)
    answer = await introspection.introspect(issuer, caller, claims, ahead)
    return Response(answer, media_type=jsonapi.JSON, headers=NO_STORE)


ROUTER = Router(
    "/auth",
    route_handlers=[introspect],
    tags=["tokens"],
    opt=options(accepts=(jsonapi.FORM,), answers=(jsonapi.JSON,)),
    exception_handlers=OAUTH_EXCEPTION_HANDLERS,
)
