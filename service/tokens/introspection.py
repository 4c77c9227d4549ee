"""What an authenticated app client may learn about a token (RFC 7662), and which tokens it
may revoke (RFC 7009 2.1).

Introspection answers for a confidential client only (``client_secret_basic``,
``client_secret_post`` or ``private_key_jwt``): a resource server of the client's
organization asking whether an access token is live now. Anything that is not is the same
``{"active": false}``, whatever the reason:

- not an access token of ours: malformed, a bad signature, expired, a withdrawn key;
- a token of another organization than the asking client's, decided before the database is
  asked, so that a client learns nothing about another organization's tokens (the answer
  takes as long as a bad signature's);
- a person whose membership is gone, deactivated or not yet accepted, whose account is
  disabled, or whose sessions ended after the token was issued; a person's token issued
  through an app client that is disabled or deleted since;
- an app client's own token once the client is disabled (since the token) or deleted.

These are the live checks of :mod:`service.session`, read with the same statements
(``app_session_caller``, ``app_client_caller``), one statement for the live check (two for a
person's token issued through an app client). An active answer carries the live role and its
permissions (narrowed to the token's scope for an app client), as the API would apply them.

Refresh tokens (``rt_...``) are always inactive here: only this server's token endpoint ever
takes one, so a resource server has nothing to ask about them, and the refresh token store
reads a token only under its row lock, which an introspection must not take.
"""

from __future__ import annotations

import asyncpg
from msgspec import UNSET, UnsetType

from service.accounts import repo as accounts
from service.app_clients import repo as clients
from service.app_clients.repo import UNREAD, Client, Unread
from service.db.tx import alone, transaction
from service.errors import ApiError
from service.security.jwt import DEFAULT_CLIENT_ID, AccessClaims, verify_access_token
from service.session import client_admits, client_permissions, client_stands, member_admits
from service.tokens import refresh
from service.tokens import repo as tokens
from service.tokens.client_auth import FAILED, Found
from service.tokens.errors import OAuthError
from service.tokens.issue import Issuer
from service.wire import ResponseShape

BASIC_CHALLENGE = {"WWW-Authenticate": 'Basic realm="token", charset="UTF-8"'}


class Introspection(ResponseShape, omit_defaults=True):
    """RFC 7662 section 2.2; an inactive token is ``{"active": false}`` and nothing else."""

    active: bool
    scope: str | UnsetType = UNSET
    client_id: str | UnsetType = UNSET
    username: str | UnsetType = UNSET
    token_type: str | UnsetType = UNSET
    exp: int | UnsetType = UNSET
    iat: int | UnsetType = UNSET
    sub: str | UnsetType = UNSET
    aud: str | UnsetType = UNSET
    iss: str | UnsetType = UNSET
    jti: str | UnsetType = UNSET
    org: str | UnsetType = UNSET
    role: str | UnsetType = UNSET
    permissions: list[str] | UnsetType = UNSET
    principal_type: str | UnsetType = UNSET


INACTIVE = Introspection(active=False)


def confidential(client: Client | None) -> Client:
    """The introspecting client: authenticated, and not a public client (``none``)."""
    if client is None or client.token_endpoint_auth_method == "none":  # noqa: S105
        raise OAuthError("invalid_client", FAILED, 401, BASIC_CHALLENGE)
    return client


async def claims_of(issuer: Issuer, token: str) -> AccessClaims | None:
    """The claims of ``token`` when it is an access token of ours (signature, expiry, key),
    else None: checked before the client is, so that :class:`Prefetch` knows whom to read."""
    try:
        return await verify_access_token(issuer.keys, issuer.settings, token)
    except ApiError:
        return None  # a refresh token too: it is no JWT


class Prefetch:
    """Client authentication that, in the same statement, reads the person a first-party
    access token names, when the presented secret is the client's and the token is of the
    client's organization (migration 030): one round trip where two would do."""

    def __init__(self, claims: AccessClaims) -> None:
        self._claims = claims
        self.caller: accounts.SessionCaller | Unread | None = UNREAD

    @classmethod
    def fits(cls, claims: AccessClaims | None) -> Prefetch | None:
        """A prefetch for a person's first-party token (the others need more than one read)."""
        if claims is None or claims.kind != "user" or claims.client_id != DEFAULT_CLIENT_ID:
            return None
        return cls(claims)

    async def __call__(
        self, conn: asyncpg.Connection, client_id: str, presented: bytes
    ) -> Found | None:
        claims = self._claims
        found = await clients.with_secrets_and_caller(
            conn, client_id, presented, claims.org_id, claims.user_id
        )
        if found is None:
            return None
        client, hashes, self.caller = found
        return client, hashes


async def introspect(
    issuer: Issuer,
    client: Client,
    claims: AccessClaims | None,
    prefetched: Prefetch | None = None,
) -> Introspection:
    """Whether the token whose ``claims`` these are (None: not an access token of ours) is a
    live access token of ``client``'s organization, and whose."""
    if claims is None or claims.org_id != client.organization_id:
        return INACTIVE
    if claims.kind == "app_client":
        return await _app_client(issuer, claims)
    return await _person(issuer, claims, prefetched)


async def _app_client(issuer: Issuer, claims: AccessClaims) -> Introspection:
    async with alone(issuer.pool) as conn:
        live = await accounts.session_client(conn, claims.org_id, claims.user_id)
    if live is None or not client_admits(claims, live):
        return INACTIVE
    permissions = client_permissions(claims, live)
    return _active(issuer, claims, role=live.role_code, permissions=permissions, username=UNSET)


async def _person(
    issuer: Issuer, claims: AccessClaims, prefetched: Prefetch | None
) -> Introspection:
    stands = True
    if claims.client_id == DEFAULT_CLIENT_ID:
        caller = prefetched.caller if prefetched is not None else UNREAD
        if caller is UNREAD:
            async with alone(issuer.pool) as conn:
                caller = await accounts.session_caller(conn, claims.org_id, claims.user_id)
    else:  # issued through an app client, which must still stand behind it
        async with transaction(issuer.pool, org_id=claims.org_id, user_id=claims.user_id) as conn:
            caller = await accounts.session_caller(conn, claims.org_id, claims.user_id)
            stands = await client_stands(conn, claims)
    if not stands or caller is None or not member_admits(claims, caller):
        return INACTIVE
    return _active(
        issuer,
        claims,
        role=caller.view.role_code,
        permissions=frozenset(caller.permissions),
        username=caller.view.email,
    )


def _active(
    issuer: Issuer,
    claims: AccessClaims,
    *,
    role: str,
    permissions: frozenset[str],
    username: str | UnsetType,
) -> Introspection:
    granted = sorted(permissions)
    # RFC 7662's scope is the token's: a person's token from the code flow carries the OpenID
    # scopes it was granted; otherwise the permissions it may use are its scope.
    scope = claims.scope if claims.kind == "user" and claims.scope else " ".join(granted)
    return Introspection(
        active=True,
        scope=scope,
        client_id=claims.client_id,
        username=username,
        token_type="Bearer",  # noqa: S106
        exp=claims.expires_at,
        iat=claims.issued_at,
        sub=str(claims.user_id),
        aud=issuer.settings.jwt_audience,
        iss=issuer.settings.public_base_url,
        jti=claims.token_id,
        org=str(claims.org_id),
        role=role,
        permissions=granted,
        principal_type=claims.kind,
    )


async def may_revoke(pool: asyncpg.Pool, client: Client, raw: str) -> None:
    """RFC 7009 2.1: an authenticated client revokes only refresh tokens issued to it.
    ``unauthorized_client`` for one issued to another client (or to the first-party client,
    or a browser's session); nothing to check for an unknown token or an access token, which
    the revocation answers the same way as ever."""
    user_id = refresh.user_of(raw)
    if user_id is None:
        return
    async with transaction(pool, user_id=user_id) as conn:
        stored = await tokens.lock(conn, refresh.digest(raw), user_id)
    if stored is not None and (stored.browser or stored.app_client_id != client.id):
        raise OAuthError("unauthorized_client", "This token was not issued to this client.")
