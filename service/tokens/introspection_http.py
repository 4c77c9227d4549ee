"""``POST /auth/introspect`` (RFC 7662): a resource server asks whether an access token is live.

Mounted beside the token router, under ``/auth``, with the same options and exception
handlers, so every error is in RFC 6749's shape.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, Router, post

from service import bodies, jsonapi, wire
from service.config import Settings
from service.errors import ApiError
from service.routing import Injected, options
from service.tokens import client_auth, grants, introspection
from service.tokens.errors import NO_STORE, OAUTH_EXCEPTION_HANDLERS, OAuthError
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
        raise OAuthError("invalid_request", grants.described(error)) from None


def shaped(fields: dict[str, str], shape: Any) -> Any:
    try:
        return wire.convert(fields, shape)
    except ApiError as error:
        raise OAuthError("invalid_request", grants.described(error)) from None


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
    fields = await read(request)
    client = await client_auth.authenticate(
        issuer.pool,
        issuer.secrets,
        authorization=request.headers.get("authorization", ""),
        form=fields,
        audiences=audiences(settings, "/auth/introspect"),
        remote=issuer.remote_keys,
    )
    caller = introspection.confidential(client)
    form: IntrospectionRequest = shaped(fields, IntrospectionRequest)
    answer = await introspection.introspect(issuer, caller, form.token)
    return Response(answer, media_type=jsonapi.JSON, headers=NO_STORE)


ROUTER = Router(
    "/auth",
    route_handlers=[introspect],
    tags=["tokens"],
    opt=options(accepts=(jsonapi.FORM,), answers=(jsonapi.JSON,)),
    exception_handlers=OAUTH_EXCEPTION_HANDLERS,
)
