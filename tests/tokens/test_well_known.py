"""The JWK Set and the discovery document over real HTTP, as a trusting service reads them."""

from __future__ import annotations

import dataclasses
import uuid

import httpx
import pytest
from authlib.oauth2.rfc8414 import AuthorizationServerMetadata
from joserfc import jwt
from joserfc.jwk import KeySet
from joserfc.jwt import JWTClaimsRegistry

from service.config import Settings
from service.security.jwt import issue_access_token
from service.security.key_store import rotate_keys
from tests.tokens.server import WellKnownServer, serve_app

PRIVATE_MEMBERS = {"d", "p", "q", "dp", "dq", "qi", "oth", "k"}
SECRET_OR_KEY = ["client_secret_basic", "client_secret_post", "private_key_jwt"]
ASSERTION_ALGORITHMS = ["RS256", "RS384", "ES256", "ES384"]


def a_token(server: WellKnownServer, settings: Settings, **extra: str) -> str:
    token, _ = issue_access_token(
        server.keys,
        settings,
        user_id=extra.get("user_id", str(uuid.uuid4())),
        org_id=str(uuid.uuid4()),
        role="member",
        permissions=["fhir:Patient.read"],
        email="nurse@example.org",
        practitioner_id="p-7",
    )
    return token


async def test_jwks_holds_public_keys_only_with_kid_alg_and_use(
    well_known: WellKnownServer,
) -> None:
    async with httpx.AsyncClient(base_url=well_known.url) as http:
        response = await http.get("/.well-known/jwks.json")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert response.headers["cache-control"] == "public, max-age=60"
    [key] = response.json()["keys"]
    assert key["kid"] == well_known.keys.signing_key.kid
    assert (key["kty"], key["alg"], key["use"]) == ("RSA", "RS256", "sig")
    assert not PRIVATE_MEMBERS & set(key)
    assert {"n", "e"} <= set(key)


async def test_a_verifier_that_knows_only_the_jwks_url_accepts_our_tokens(
    well_known: WellKnownServer, settings: Settings
) -> None:
    user_id = str(uuid.uuid4())
    token = a_token(well_known, settings, user_id=user_id)
    # What another service does, with no code of ours: fetch the set, verify, check claims.
    async with httpx.AsyncClient() as http:
        key_set = KeySet.import_key_set(
            (await http.get(f"{well_known.url}/.well-known/jwks.json")).json()
        )
    decoded = jwt.decode(token, key_set, algorithms=["RS256"])
    assert decoded.header["typ"] == "at+jwt"
    JWTClaimsRegistry(
        iss={"essential": True, "value": settings.public_base_url},
        aud={"essential": True, "value": settings.jwt_audience},
        sub={"essential": True, "value": user_id},
        exp={"essential": True},
        jti={"essential": True},
    ).validate(decoded.claims)
    assert decoded.claims["permissions"] == ["fhir:Patient.read"]
    assert decoded.claims["fhirUser"] == "Practitioner/p-7"
    assert decoded.claims["role"] == "member"
    assert decoded.claims["email"] == "nurse@example.org"


async def test_after_a_rotation_both_keys_are_served_and_old_tokens_verify(
    well_known: WellKnownServer, settings: Settings
) -> None:
    old_token = a_token(well_known, settings)
    new_kid = await rotate_keys(well_known.app.state.pool, settings, at_once=True)
    await well_known.keys.refresh()  # what the periodic reload does every few seconds
    new_token = a_token(well_known, settings)
    async with httpx.AsyncClient(base_url=well_known.url) as http:
        key_set = KeySet.import_key_set((await http.get("/.well-known/jwks.json")).json())
    assert len(key_set.keys) == 2
    assert jwt.decode(new_token, key_set, algorithms=["RS256"]).header["kid"] == new_kid
    assert jwt.decode(old_token, key_set, algorithms=["RS256"]).claims["role"] == "member"


@pytest.mark.parametrize(
    "path", ["/.well-known/openid-configuration", "/.well-known/oauth-authorization-server"]
)
async def test_discovery_metadata_is_the_whole_document_and_valid_rfc8414(
    settings: Settings, path: str
) -> None:
    public = dataclasses.replace(settings, public_base_url="https://auth.example.org")
    async with serve_app(public) as server, httpx.AsyncClient() as http:
        response = await http.get(server.url + path)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    document = response.json()
    AuthorizationServerMetadata(document).validate()
    assert document == {
        "issuer": "https://auth.example.org",
        "authorization_endpoint": "https://auth.example.org/auth/authorize",
        "token_endpoint": "https://auth.example.org/auth/token",
        "userinfo_endpoint": "https://auth.example.org/auth/userinfo",
        "jwks_uri": "https://auth.example.org/.well-known/jwks.json",
        "end_session_endpoint": "https://auth.example.org/auth/logout",
        "revocation_endpoint": "https://auth.example.org/auth/revoke",
        "introspection_endpoint": "https://auth.example.org/auth/introspect",
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": [
            "authorization_code",
            "refresh_token",
            "client_credentials",
            "password",
            "urn:health-auth:params:oauth:grant-type:mfa",
        ],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "code_challenge_methods_supported": ["S256"],
        "token_endpoint_auth_methods_supported": [*SECRET_OR_KEY, "none"],
        "token_endpoint_auth_signing_alg_values_supported": ASSERTION_ALGORITHMS,
        "revocation_endpoint_auth_methods_supported": [*SECRET_OR_KEY, "none"],
        "revocation_endpoint_auth_signing_alg_values_supported": ASSERTION_ALGORITHMS,
        "introspection_endpoint_auth_methods_supported": SECRET_OR_KEY,
        "introspection_endpoint_auth_signing_alg_values_supported": ASSERTION_ALGORITHMS,
        "scopes_supported": ["openid", "profile", "email", "offline_access", "fhirUser"],
        "claims_supported": [
            "sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "amr", "acr",
            "email", "email_verified", "name", "fhirUser", "org",
        ],
        "acr_values_supported": ["urn:health-auth:acr:pwd", "urn:health-auth:acr:mfa"],
        "request_parameter_supported": False,
        "request_uri_parameter_supported": False,
        "claims_parameter_supported": False,
    }  # fmt: skip
    assert response.headers["cache-control"] == "public, max-age=3600"


async def test_the_issuer_in_tokens_is_the_discovery_issuer(
    well_known: WellKnownServer, settings: Settings
) -> None:
    async with httpx.AsyncClient(base_url=well_known.url) as http:
        issuer = (await http.get("/.well-known/openid-configuration")).json()["issuer"]
    token = a_token(well_known, settings)
    key_set = KeySet.import_key_set(well_known.keys.public_jwks())  # type: ignore[arg-type]
    assert jwt.decode(token, key_set).claims["iss"] == issuer


async def test_asking_for_another_media_type_is_refused(well_known: WellKnownServer) -> None:
    async with httpx.AsyncClient(base_url=well_known.url) as http:
        response = await http.get(
            "/.well-known/jwks.json", headers={"Accept": "application/vnd.api+json"}
        )
    assert response.status_code == 406
    assert response.json()["errors"][0]["code"] == "not_acceptable"
