"""``/.well-known/jwks.json`` and the RFC 8414 authorization server metadata.

Anyone may read both: services that trust our access tokens fetch the JWK Set to verify them.
The metadata is served under the OpenID Connect discovery path the contract names and under
RFC 8414's own path; it is the same document, and this server is no OpenID provider.
"""

from __future__ import annotations

from typing import Any

from litestar import Response, get
from litestar.datastructures import State

from service.config import Settings
from service.security.keys import KeyRing

WELL_KNOWN = {"response_types": ("application/json",), "security": []}
# Short enough that verifiers caching the set pick up a rotation quickly; they also re-fetch
# when a token names a key they do not have.
JWKS_MAX_AGE = 300
METADATA_MAX_AGE = 3600


@get(
    "/.well-known/jwks.json",
    opt=WELL_KNOWN,
    tags=["discovery"],
    summary="Public keys that verify access tokens (JWK Set)",
    media_type="application/json",
)
async def jwks(state: State) -> Response[dict[str, Any]]:
    """Every key that signs, or signed tokens that have not expired yet; public halves only."""
    keys: KeyRing = state.keyring
    return Response(
        keys.public_jwks(), headers={"Cache-Control": f"public, max-age={JWKS_MAX_AGE}"}
    )


def metadata(settings: Settings) -> dict[str, Any]:
    base = settings.public_base_url
    return {
        "issuer": base,
        "token_endpoint": f"{base}/auth/token",
        "revocation_endpoint": f"{base}/auth/revoke",
        "jwks_uri": f"{base}/.well-known/jwks.json",
        "grant_types_supported": ["password", "refresh_token"],
        "token_endpoint_auth_methods_supported": ["none"],
        "revocation_endpoint_auth_methods_supported": ["none"],
        # RFC 8414 requires this member, but neither grant uses an authorization endpoint:
        # "none" is the registered response type that returns nothing from one.
        "response_types_supported": ["none"],
    }


async def _metadata(state: State) -> Response[dict[str, Any]]:
    return Response(
        metadata(state.settings),
        headers={"Cache-Control": f"public, max-age={METADATA_MAX_AGE}"},
    )


openid_configuration = get(
    "/.well-known/openid-configuration",
    opt=WELL_KNOWN,
    tags=["discovery"],
    summary="Authorization server metadata (RFC 8414)",
    media_type="application/json",
    name="openid-configuration",
)(_metadata)

oauth_authorization_server = get(
    "/.well-known/oauth-authorization-server",
    opt=WELL_KNOWN,
    tags=["discovery"],
    summary="Authorization server metadata (RFC 8414), at its own well-known path",
    media_type="application/json",
    name="oauth-authorization-server",
)(_metadata)

ROUTES: list[Any] = [jwks, openid_configuration, oauth_authorization_server]
