"""Client credentials as a client library nobody here wrote does it: authlib's OAuth 2.0
client (httpx), with ``client_secret_basic`` and with ``private_key_jwt`` (RFC 7523)."""

from __future__ import annotations

import asyncio

import asyncpg
import httpx
import pytest
from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.httpx_client import AsyncOAuth2Client
from authlib.oauth2.rfc7523 import PrivateKeyJWT
from joserfc.jwk import ECKey, RSAKey

from service.config import Settings
from tests.app_clients.clients import bearer, claims, registered, role_id
from tests.roles.people import owner
from tests.support.flows import Mailbox


async def test_authlib_client_secret_basic(
    client: httpx.AsyncClient, base_url: str, mailbox: Mailbox, admin_conn: asyncpg.Connection
) -> None:
    me = await owner(client, mailbox, admin_conn, "authlib@clinic.org")
    made = await registered(client, me, await role_id(admin_conn, me.org_id, "admin"))
    attributes = made["attributes"]
    async with AsyncOAuth2Client(
        attributes["clientId"],
        attributes["clientSecret"],
        token_endpoint_auth_method="client_secret_basic",
        scope="users.read",
    ) as oauth:
        token = await oauth.fetch_token(f"{base_url}/auth/token", grant_type="client_credentials")
    assert token["token_type"] == "Bearer"
    assert token["scope"] == "users.read"
    assert claims(token["access_token"])["permissions"] == ["users.read"]
    members = await client.get("/auth/users", headers=bearer(token["access_token"]))
    assert members.status_code == 200


async def test_authlib_private_key_jwt_and_no_replay(
    client: httpx.AsyncClient,
    base_url: str,
    settings: Settings,
    mailbox: Mailbox,
    admin_conn: asyncpg.Connection,
) -> None:
    me = await owner(client, mailbox, admin_conn, "keys@clinic.org")
    rsa = RSAKey.generate_key(2048, parameters={"kid": "rsa-1", "use": "sig"})
    ec = ECKey.generate_key("P-256", parameters={"kid": "ec-1", "use": "sig"})
    jwks = {"keys": [rsa.as_dict(private=False), ec.as_dict(private=False)]}
    made = await registered(
        client,
        me,
        await role_id(admin_conn, me.org_id, "member"),
        tokenEndpointAuthMethod="private_key_jwt",
        jwks=jwks,
    )
    assert "clientSecret" not in made["attributes"]
    client_id = made["attributes"]["clientId"]
    audience = f"{settings.public_base_url}/auth/token"
    for key, alg in ((rsa, "RS256"), (ec, "ES256")):
        auth = PrivateKeyJWT(audience, headers={"kid": key.kid}, alg=alg)
        async with AsyncOAuth2Client(client_id, key, token_endpoint_auth_method=auth) as oauth:
            token = await oauth.fetch_token(
                f"{base_url}/auth/token", grant_type="client_credentials"
            )
        assert claims(token["access_token"])["client_id"] == client_id
    # The same signed assertion, sent twice: the second is a replay.
    assertion = PrivateKeyJWT(audience, headers={"kid": "rsa-1"}).sign(
        type("Auth", (), {"client_id": client_id, "client_secret": rsa})(), audience
    )
    form = {
        "grant_type": "client_credentials",
        "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        "client_assertion": assertion,
    }
    # Twenty copies at once: one token, nineteen refusals.
    answers = await asyncio.gather(*(client.post("/auth/token", data=form) for _ in range(20)))
    assert sorted(a.status_code for a in answers) == [200] + [401] * 19
    again = await client.post("/auth/token", data=form)
    assert again.status_code == 401
    assert again.json()["error"] == "invalid_client"
    # A key the client did not register signs nothing for it.
    stranger = RSAKey.generate_key(2048, parameters={"kid": "rsa-1"})
    auth = PrivateKeyJWT(audience, headers={"kid": "rsa-1"})
    async with AsyncOAuth2Client(client_id, stranger, token_endpoint_auth_method=auth) as oauth:
        with pytest.raises(OAuthError) as refused:
            await oauth.fetch_token(f"{base_url}/auth/token", grant_type="client_credentials")
    assert refused.value.error == "invalid_client"
