"""``grant_type=client_credentials`` (RFC 6749 4.4): an app client acting as itself.

Only a ``machine_to_machine`` client gets it. The token carries the client's live role and
its permissions, narrowed to ``scope`` when the client asks for less (each scope value one of
its role's permissions; anything else is ``invalid_scope``). No refresh token: the client asks
again. Each client has a budget of tokens an hour (``APP_CLIENT_TOKENS_PER_HOUR``).
"""

from __future__ import annotations

from service.app_clients import repo as clients
from service.app_clients.repo import Client
from service.db.tx import alone
from service.security.jwt import issue_access_token
from service.throttle.gate import limited
from service.throttle.policy import HOUR, Limit, Rule
from service.tokens.errors import OAuthError
from service.tokens.issue import Issuer
from service.tokens.schemas import TokenResponse

MACHINE = "machine_to_machine"


def budget(issuer: Issuer, client: Client) -> Rule:
    return Rule(
        f"client_tokens:{client.id}", Limit(issuer.settings.app_client_tokens_per_hour, HOUR)
    )


async def client_credentials(issuer: Issuer, client: Client | None, scope: str) -> TokenResponse:
    if client is None:
        raise OAuthError("invalid_client", "client_credentials needs client authentication.", 401)
    if client.type != MACHINE:
        raise OAuthError("unauthorized_client", "Only a machine_to_machine client acts as itself.")
    await limited(issuer.throttle, [budget(issuer, client)])
    async with alone(issuer.pool) as conn:
        live = await clients.for_token(conn, client.organization_id, client.id)
    if live is None or live[0] != "active":
        raise OAuthError("invalid_client", "Client authentication failed.", 401)
    _, role_code, permissions = live
    asked = scope.split()
    if asked:
        beyond = [value for value in asked if value not in permissions]
        if beyond:
            raise OAuthError(
                "invalid_scope", f"Not among this client's permissions: {' '.join(beyond)}."
            )
        permissions = sorted(set(asked))
    granted = " ".join(permissions) if asked else None
    access, expires_in = issue_access_token(
        issuer.keys,
        issuer.settings,
        user_id=client.id,
        org_id=client.organization_id,
        role=role_code,
        permissions=permissions,
        email="",
        client_id=client.client_id,
        kind="app_client",
        scope=granted,
    )
    if granted is None:
        return TokenResponse(access, "Bearer", expires_in)
    return TokenResponse(access, "Bearer", expires_in, scope=granted)
