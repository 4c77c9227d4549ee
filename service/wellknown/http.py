"""``/.well-known/jwks.json`` and the discovery document (OpenID Connect Discovery 1.0, RFC 8414).

Anyone may read them: services that trust our access tokens fetch the JWK Set to verify them,
and OpenID Connect and OAuth 2.0 clients configure themselves from the discovery document. It
is one document, served under OpenID Connect's path and under RFC 8414's own. Every endpoint
in it is an absolute URL under the issuer (``PUBLIC_BASE_URL``), and it claims only what the
server does:

- the authorization code flow alone (``response_type=code``, answered in the query), with
  PKCE ``S256``, the scopes :mod:`service.authorize.request` accepts, no request objects and
  no ``claims`` parameter;
- ID tokens signed with the algorithms of the key ring's published keys (``RS256`` unless an
  operator rotated to another algorithm: OpenID Connect requires RS256 to be among them);
- client authentication as :mod:`service.tokens.client_auth` does it, with the assertion
  algorithms :mod:`service.security.client_assertion` accepts; a public client (``none``)
  may revoke its own tokens but not introspect any.
"""

from __future__ import annotations

from typing import Any

from litestar import Response, Router, get

from service.authorize.request import SCOPES
from service.config import Settings
from service.routing import Injected, options
from service.security import client_assertion
from service.security.key_store import JWKS_MAX_AGE
from service.security.keys import KeyRing
from service.security.sign_in import ACR_VALUES
from service.tokens.schemas import MFA_GRANT
from service.wire import ResponseShape

# A rotation switches signing to the new key at once: verifiers that cache the set see it
# within this minute, or at once if they re-fetch on a kid they do not know.
METADATA_MAX_AGE = 3600

GRANT_TYPES = ["authorization_code", "refresh_token", "client_credentials", "password", MFA_GRANT]
SECRET_AND_KEY_METHODS = ["client_secret_basic", "client_secret_post", "private_key_jwt"]
CLAIMS = [
    "sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "amr", "acr",
    "email", "email_verified", "name", "fhirUser", "org",
]  # fmt: skip


class JwkSet(ResponseShape):
    """RFC 7517 JWK Set; each key carries ``kid``, ``alg`` and ``use`` (``sig``)."""

    keys: list[dict[str, Any]]


class ServerMetadata(ResponseShape):
    """OpenID Provider metadata (Discovery 1.0 section 3), which RFC 8414 extends with the
    revocation and introspection endpoints and PKCE."""

    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    userinfo_endpoint: str
    jwks_uri: str
    end_session_endpoint: str
    revocation_endpoint: str
    introspection_endpoint: str
    response_types_supported: list[str]
    response_modes_supported: list[str]
    grant_types_supported: list[str]
    subject_types_supported: list[str]
    id_token_signing_alg_values_supported: list[str]
    code_challenge_methods_supported: list[str]
    token_endpoint_auth_methods_supported: list[str]
    token_endpoint_auth_signing_alg_values_supported: list[str]
    revocation_endpoint_auth_methods_supported: list[str]
    revocation_endpoint_auth_signing_alg_values_supported: list[str]
    introspection_endpoint_auth_methods_supported: list[str]
    introspection_endpoint_auth_signing_alg_values_supported: list[str]
    scopes_supported: list[str]
    claims_supported: list[str]
    acr_values_supported: list[str]
    request_parameter_supported: bool
    request_uri_parameter_supported: bool
    claims_parameter_supported: bool


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


def metadata(settings: Settings, keyring: KeyRing) -> ServerMetadata:
    """The discovery document for the issuer ``settings.public_base_url``."""
    base = settings.public_base_url
    assertion_algorithms = list(client_assertion.ALGORITHMS)
    return ServerMetadata(
        issuer=base,
        authorization_endpoint=f"{base}/auth/authorize",
        token_endpoint=f"{base}/auth/token",
        userinfo_endpoint=f"{base}/auth/userinfo",
        jwks_uri=f"{base}/.well-known/jwks.json",
        end_session_endpoint=f"{base}/auth/logout",
        revocation_endpoint=f"{base}/auth/revoke",
        introspection_endpoint=f"{base}/auth/introspect",
        response_types_supported=["code"],
        response_modes_supported=["query"],
        grant_types_supported=GRANT_TYPES,
        subject_types_supported=["public"],
        id_token_signing_alg_values_supported=signing_algorithms(keyring),
        code_challenge_methods_supported=["S256"],
        token_endpoint_auth_methods_supported=[*SECRET_AND_KEY_METHODS, "none"],
        token_endpoint_auth_signing_alg_values_supported=assertion_algorithms,
        revocation_endpoint_auth_methods_supported=[*SECRET_AND_KEY_METHODS, "none"],
        revocation_endpoint_auth_signing_alg_values_supported=assertion_algorithms,
        introspection_endpoint_auth_methods_supported=SECRET_AND_KEY_METHODS,
        introspection_endpoint_auth_signing_alg_values_supported=assertion_algorithms,
        scopes_supported=list(SCOPES),
        claims_supported=CLAIMS,
        acr_values_supported=list(ACR_VALUES),
        request_parameter_supported=False,
        request_uri_parameter_supported=False,
        claims_parameter_supported=False,
    )


def signing_algorithms(keyring: KeyRing) -> list[str]:
    """The algorithms of the keys the ring publishes: an ID token is signed by one of them."""
    return sorted({key["alg"] for key in keyring.public_jwks()["keys"]})


async def _metadata(
    settings: Injected[Settings], keyring: Injected[KeyRing]
) -> Response[ServerMetadata]:
    return Response(
        metadata(settings, keyring),
        headers={"Cache-Control": f"public, max-age={METADATA_MAX_AGE}"},
    )


openid_configuration = get(
    "/openid-configuration",
    summary="OpenID Provider metadata (OpenID Connect Discovery)",
    media_type="application/json",
    name="openid-configuration",
)(_metadata)

oauth_authorization_server = get(
    "/oauth-authorization-server",
    summary="The same metadata at RFC 8414's own well-known path",
    media_type="application/json",
    name="oauth-authorization-server",
)(_metadata)

ROUTER = Router(
    "/.well-known",
    route_handlers=[jwks, openid_configuration, oauth_authorization_server],
    tags=["discovery"],
    opt=options(answers=("application/json",)),
)
