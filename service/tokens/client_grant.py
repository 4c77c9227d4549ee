"""``grant_type=client_credentials`` (RFC 6749 4.4): an app client acting as itself.

Only a ``machine_to_machine`` client gets it. The token carries the client's live role and
its permissions, narrowed to ``scope`` when the client asks for less (each scope value one of
its role's permissions; anything else is ``invalid_scope``). No refresh token: the client asks
again. Each client has a budget of tokens an hour (``APP_CLIENT_TOKENS_PER_HOUR``).
"""

from __future__ import annotations

import asyncpg

from service.app_clients import repo as clients
from service.app_clients.repo import Client, TokenGrant
from service.db.tx import alone
from service.security.jwt import issue_access_token
from service.throttle.gate import too_many
from service.throttle.policy import HOUR, Limit, Rule
from service.tokens import client_auth
from service.tokens.errors import OAuthError
from service.tokens.issue import Issuer
from service.tokens.schemas import TokenResponse

MACHINE = "machine_to_machine"


BUDGET = "client_tokens:"  # the budget's key is this and the client's id


def budget(issuer: Issuer, client: Client) -> Rule:
    return Rule(f"{BUDGET}{client.id}", Limit(issuer.settings.app_client_tokens_per_hour, HOUR))


class Prefetch:
    """Client authentication for a ``client_credentials`` request that, in the same statement,
    counts the token on the client's budget and reads its live role (migration 030): one
    round trip where two would do. The budget is counted only once the presented secret is
    known to be one of the client's, so a stranger naming the client spends none of it."""

    def __init__(self, issuer: Issuer) -> None:
        self._limit = issuer.settings.app_client_tokens_per_hour
        self.grant: TokenGrant | None = None

    async def __call__(
        self, conn: asyncpg.Connection, client_id: str, presented: bytes
    ) -> client_auth.Found | None:
        spend = (BUDGET, self._limit, HOUR)
        found = await clients.with_secrets_and_token(conn, client_id, presented, spend)
        if found is None:
            return None
        client, hashes, self.grant = found
        return client, hashes


async def client_credentials(
    issuer: Issuer, client: Client | None, scope: str, prefetched: TokenGrant | None = None
) -> TokenResponse:
    """A token for ``client`` acting as itself; ``prefetched`` is what :class:`Prefetch` read
    while authenticating it (None: read it now)."""
    if client is None:
        raise OAuthError("invalid_client", "client_credentials needs client authentication.", 401)
    if client.type != MACHINE:
        raise OAuthError("unauthorized_client", "Only a machine_to_machine client acts as itself.")
    rule = budget(issuer, client)
    live = prefetched
    if live is None:
        spend = (rule.key, rule.limit.failures, rule.limit.window_seconds)
        async with alone(issuer.pool) as conn:
            live = await clients.for_token(conn, client.organization_id, client.id, spend)
    decision = await issuer.throttle.reserved([rule], live.retry_after)
    if decision.blocked:
        raise too_many(decision.retry_after)
    if live.status != "active":
        raise OAuthError("invalid_client", "Client authentication failed.", 401)
    role_code, permissions = live.role_code, list(live.permissions)
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
