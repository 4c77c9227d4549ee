"""``/.well-known/jwks.json`` and the RFC 8414 authorization server metadata.

Anyone may read both: services that trust our access tokens fetch the JWK Set to verify them.
The metadata is served under the OpenID Connect discovery path the contract names and under
RFC 8414's own path; it is the same document, and this server is no OpenID provider.
"""

from __future__ import annotations

from typing import Any

from litestar import Response, Router, get

from service.config import Settings
from service.routing import Injected, options
from service.security.key_store import JWKS_MAX_AGE
from service.security.keys import KeyRing
from service.wire import ResponseShape

# A rotation switches signing to the new key at once: verifiers that cache the set see it
# within this minute, or at once if they re-fetch on a kid they do not know.
METADATA_MAX_AGE = 3600


class JwkSet(ResponseShape):
    """RFC 7517 JWK Set; each key carries ``kid``, ``alg`` and ``use`` (``sig``)."""

    keys: list[dict[str, Any]]


class ServerMetadata(ResponseShape):
    """RFC 8414 authorization server metadata."""

    issuer: str
    token_endpoint: str
    revocation_endpoint: str
    jwks_uri: str
    grant_types_supported: list[str]
    token_endpoint_auth_methods_supported: list[str]
    revocation_endpoint_auth_methods_supported: list[str]
    response_types_supported: list[str]


@get(
    "/jwks.json",
    summary="Public keys that verify access tokens (JWK Set)",
    media_type="application/json",
)
async def jwks(keyring: Injected[KeyRing]) -> Response[JwkSet]:
    """Every key that signs, or signed tokens that have not expired yet; public halves only."""
    return Response(
        JwkSet(keys=keyring.public_jwks()["keys"]),
        headers={"Cache-Control": f"public, max-age={JWKS_MAX_AGE}"},
    )


def metadata(settings: Settings) -> ServerMetadata:
    base = settings.public_base_url
    return ServerMetadata(
        issuer=base,
        token_endpoint=f"{base}/auth/token",
        revocation_endpoint=f"{base}/auth/revoke",
        jwks_uri=f"{base}/.well-known/jwks.json",
        grant_types_supported=["password", "refresh_token"],
        token_endpoint_auth_methods_supported=["none"],
        revocation_endpoint_auth_methods_supported=["none"],
        # RFC 8414 requires this member, but neither grant uses an authorization endpoint:
        # "none" is the registered response type that returns nothing from one.
        response_types_supported=["none"],
    )


async def _metadata(settings: Injected[Settings]) -> Response[ServerMetadata]:
    return Response(
        metadata(settings),
        headers={"Cache-Control": f"public, max-age={METADATA_MAX_AGE}"},
    )


openid_configuration = get(
    "/openid-configuration",
    summary="Authorization server metadata (RFC 8414)",
    media_type="application/json",
    name="openid-configuration",
)(_metadata)

oauth_authorization_server = get(
    "/oauth-authorization-server",
    summary="Authorization server metadata (RFC 8414), at its own well-known path",
    media_type="application/json",
    name="oauth-authorization-server",
)(_metadata)

ROUTER = Router(
    "/.well-known",
    route_handlers=[jwks, openid_configuration, oauth_authorization_server],
    tags=["discovery"],
    opt=options(answers=("application/json",)),
)
