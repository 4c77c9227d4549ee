"""The discovery document as standard OpenID Connect and OAuth 2.0 client libraries read it:
authlib's validators, pyoidc's provider configuration, and every endpoint it names served."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from authlib.oauth2.rfc8414 import AuthorizationServerMetadata
from authlib.oidc import rpinitiated
from authlib.oidc.discovery import OpenIDProviderMetadata
from oic.oic.message import ProviderConfigurationResponse

from service.app import ROUTES
from service.authorize.request import SCOPES
from service.config import Settings
from service.security import client_assertion
from service.security.key_store import rotate_keys
from service.tokens.grants import GRANTS
from service.tokens.introspection_http import ROUTER as INTROSPECTION_ROUTER
from tests.support.server import serve
from tests.tokens.server import serve_app

ISSUER = "https://auth.example.org"
PATHS = ("/.well-known/openid-configuration", "/.well-known/oauth-authorization-server")


@pytest.fixture
def public(settings: Settings) -> Settings:
    return dataclasses.replace(settings, public_base_url=ISSUER)


@pytest.fixture
async def served(public: Settings) -> AsyncIterator[str]:
    mounted = [] if INTROSPECTION_ROUTER in ROUTES else [INTROSPECTION_ROUTER]
    async with serve(public, extra_routes=mounted) as url:
        yield url


async def documents(url: str) -> list[dict[str, Any]]:
    async with httpx.AsyncClient(base_url=url) as http:
        answers = [await http.get(path) for path in PATHS]
    for answer in answers:
        assert answer.status_code == 200, answer.text
        assert answer.headers["content-type"].startswith("application/json")
    return [answer.json() for answer in answers]


async def test_authlib_and_pyoidc_accept_both_documents(served: str) -> None:
    openid, oauth = await documents(served)
    assert openid == oauth
    OpenIDProviderMetadata(openid).validate(metadata_classes=[rpinitiated.OpenIDProviderMetadata])
    AuthorizationServerMetadata(oauth).validate()
    assert ProviderConfigurationResponse(**openid).verify()
    assert openid["issuer"] == ISSUER
    assert openid["id_token_signing_alg_values_supported"] == ["RS256"]
    assert openid["response_types_supported"] == ["code"]
    assert openid["code_challenge_methods_supported"] == ["S256"]
    assert openid["subject_types_supported"] == ["public"]
    assert openid["introspection_endpoint_auth_methods_supported"] == [
        "client_secret_basic",
        "client_secret_post",
        "private_key_jwt",
    ]
    assert "none" in openid["revocation_endpoint_auth_methods_supported"]
    assert (openid["request_parameter_supported"], openid["claims_parameter_supported"]) == (
        False,
        False,
    )


async def test_the_document_claims_what_the_code_does(served: str) -> None:
    [document, _] = await documents(served)
    assert set(document["grant_types_supported"]) == set(GRANTS)
    assert document["scopes_supported"] == list(SCOPES)
    for endpoint in ("token", "revocation", "introspection"):
        algorithms = document[f"{endpoint}_endpoint_auth_signing_alg_values_supported"]
        assert algorithms == list(client_assertion.ALGORITHMS)
    assert {"sub", "iss", "aud", "nonce", "auth_time", "fhirUser", "org"} <= set(
        document["claims_supported"]
    )


async def test_every_endpoint_is_under_the_issuer_and_served(served: str) -> None:
    [document, _] = await documents(served)
    endpoints = {k: v for k, v in document.items() if k.endswith(("_endpoint", "_uri"))}
    assert set(endpoints) == {
        "authorization_endpoint",
        "token_endpoint",
        "userinfo_endpoint",
        "jwks_uri",
        "end_session_endpoint",
        "revocation_endpoint",
        "introspection_endpoint",
    }
    for url in endpoints.values():
        assert url.startswith(document["issuer"] + "/"), url
    # Each one is routed here (the method its clients use; no 404, no 405).
    posted = {"token_endpoint", "revocation_endpoint", "introspection_endpoint"}
    async with httpx.AsyncClient(base_url=served) as http:
        for name, url in endpoints.items():
            path = url.removeprefix(document["issuer"])
            answer = await http.request("POST" if name in posted else "GET", path)
            assert answer.status_code not in (404, 405), (name, answer.status_code)


async def test_id_token_algorithms_follow_the_key_ring(public: Settings) -> None:
    async with serve_app(public) as server, httpx.AsyncClient(base_url=server.url) as http:
        await rotate_keys(server.app.state.pool, public, algorithm="ES256", at_once=True)
        await server.keys.refresh()  # what the periodic reload does every few seconds
        document = (await http.get(PATHS[0])).json()
    assert document["id_token_signing_alg_values_supported"] == ["ES256", "RS256"]
    OpenIDProviderMetadata(document).validate()
