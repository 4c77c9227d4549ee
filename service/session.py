"""The HTTP session dependency: authenticating a request and opening its transaction inside
the caller's organization.

The bearer token names the user and the organization; the membership is then checked live,
inside a transaction whose tenant is that organization, so a member who was removed or
deactivated is refused at once even though their token has not expired, and so is a token
issued before the account's sessions last ended (a password reset). The permission a
route needs is named once, in its options (``opt=options("users.read")``, see
:mod:`service.routing`), and checked here against the live role, not against the
token's copy.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg
from litestar import Request
from litestar.di import Provide

from service.accounts import repo as users
from service.config import Settings
from service.db.tx import alone, transaction
from service.errors import ApiError
from service.routing import Injected
from service.security.clients import address_of
from service.security.jwt import (
    CHALLENGE,
    DEFAULT_CLIENT_ID,
    NO_TOKEN_CHALLENGE,
    UNAUTHORIZED_DETAIL,
    AccessClaims,
    verify_access_token,
)
from service.security.keys import KeyRing
from service.security.principal import Principal

CLOCK_TOLERANCE_SECONDS = 5
NOT_A_PERSON = "An app client's token names no person; this endpoint is for people."
BEARER_SECURITY: list[dict[str, list[str]]] = [{"BearerToken": []}]


@dataclass(frozen=True, slots=True)
class Caller:
    """The authenticated caller, for a handler that needs nothing else from the database.

    ``member`` is the caller as the API shows a member, as read when the request began.
    """

    principal: Principal
    member: users.MemberView


@dataclass(frozen=True, slots=True)
class Session:
    """The authenticated caller and the request's transaction, tenant set. ``member`` is None
    for an app client acting as itself."""

    principal: Principal
    conn: asyncpg.Connection
    member: users.MemberView | None


def bearer_token(request: Request[Any, Any, Any]) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if not header.strip():
        raise ApiError("unauthorized", UNAUTHORIZED_DETAIL, headers=NO_TOKEN_CHALLENGE)
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError("unauthorized", UNAUTHORIZED_DETAIL, headers=CHALLENGE)
    return token.strip()


async def provide_caller(
    request: Request[Any, Any, Any],
    pool: Injected[asyncpg.Pool],
    settings: Injected[Settings],
    keyring: Injected[KeyRing],
) -> Caller:
    """One statement, which sets the tenant and reads the caller (migration 023), on a
    connection given back before the handler runs. A person's: an app client's token is
    refused here with 403."""
    claims = await verify_access_token(keyring, settings, bearer_token(request))
    if claims.kind == "app_client":
        raise ApiError("forbidden", NOT_A_PERSON)
    if claims.client_id != DEFAULT_CLIENT_ID:  # issued through an app client
        async with transaction(pool, org_id=claims.org_id, user_id=claims.user_id) as conn:
            found = await users.session_caller(conn, claims.org_id, claims.user_id)
            await client_still_stands(conn, claims)
        return _admitted(request, settings, claims, found)
    async with alone(pool) as conn:
        found = await users.session_caller(conn, claims.org_id, claims.user_id)
    return _admitted(request, settings, claims, found)


async def provide_session(
    request: Request[Any, Any, Any],
    pool: Injected[asyncpg.Pool],
    settings: Injected[Settings],
    keyring: Injected[KeyRing],
) -> AsyncIterator[Session]:
    claims = await verify_access_token(keyring, settings, bearer_token(request))
    if claims.kind == "app_client":
        async with transaction(pool, org_id=claims.org_id) as conn:
            client = await users.session_client(conn, claims.org_id, claims.user_id)
            principal = _client_admitted(request, settings, claims, client)
            yield Session(principal, conn, None)
        return
    async with transaction(pool, org_id=claims.org_id, user_id=claims.user_id) as conn:
        found = await users.session_caller(conn, claims.org_id, claims.user_id)
        if claims.client_id != DEFAULT_CLIENT_ID:
            await client_still_stands(conn, claims)
        caller = _admitted(request, settings, claims, found)
        yield Session(caller.principal, conn, caller.member)


async def client_still_stands(conn: asyncpg.Connection, claims: AccessClaims) -> None:
    if not await client_stands(conn, claims):
        raise ApiError("unauthorized", UNAUTHORIZED_DETAIL, headers=CHALLENGE)


# The live checks, shared with introspection (``service.tokens.introspection``), which must
# call a token live exactly when a request carrying it would be admitted here.


def member_admits(claims: AccessClaims, caller: users.SessionCaller) -> bool:
    """The live membership admits a person's token: active, accepted, the account enabled,
    the token of this membership and of the account's current sessions epoch."""
    return not (
        caller.disabled_at is not None
        or not caller.view.active
        or not caller.accepted
        or _before(claims.issued_at, caller.sessions_since)
        or claims.sessions_epoch != caller.sessions_epoch
    )


def client_admits(claims: AccessClaims, client: users.SessionClient) -> bool:
    """The live app client admits its own token: active, the same client, not disabled since."""
    return not (
        client.status != "active"
        or client.client_id != claims.client_id
        or _before(claims.issued_at, client.tokens_since)
    )


def client_permissions(claims: AccessClaims, client: users.SessionClient) -> frozenset[str]:
    """The client's live role's permissions, narrowed to the token's scope."""
    permissions = frozenset(client.permissions)
    if claims.scope is not None:
        permissions &= frozenset(claims.scope.split())
    return permissions


async def client_stands(conn: asyncpg.Connection, claims: AccessClaims) -> bool:
    """A person's token issued through an app client dies with the client: disabled (since
    the token was issued) or deleted. The transaction's tenant must be the token's."""
    found = await users.issuing_client(conn, claims.org_id, claims.client_id)
    return found is not None and found[0] == "active" and not _before(claims.issued_at, found[1])


def _client_admitted(
    request: Request[Any, Any, Any],
    settings: Settings,
    claims: AccessClaims,
    client: users.SessionClient | None,
) -> Principal:
    """An app client's token, once the live client admits it (it exists, is active, and was
    not disabled since the token was issued); its permissions are its live role's, narrowed
    to the token's scope when it asked for less."""
    if client is None or not client_admits(claims, client):
        raise ApiError("unauthorized", UNAUTHORIZED_DETAIL, headers=CHALLENGE)
    permissions = client_permissions(claims, client)
    principal = Principal(
        user_id=client.id,
        org_id=claims.org_id,
        email="",
        role=client.role_code,
        permissions=permissions,
        practitioner_id=None,
        address=address_of(request, settings),
        kind="app_client",
        name=client.name,
    )
    permitted(request, principal)
    return principal


def _admitted(
    request: Request[Any, Any, Any],
    settings: Settings,
    claims: AccessClaims,
    caller: users.SessionCaller | None,
) -> Caller:
    """The caller as the rest of the request knows them, once the live membership admits the
    token and holds the permission the route names."""
    if caller is None or not member_admits(claims, caller):
        raise ApiError("unauthorized", UNAUTHORIZED_DETAIL, headers=CHALLENGE)
    principal = person(request, settings, claims, caller)
    permitted(request, principal)
    return Caller(principal, caller.view)


def person(
    request: Request[Any, Any, Any],
    settings: Settings,
    claims: AccessClaims,
    caller: users.SessionCaller,
) -> Principal:
    """The person a token names, acting in the organization ``caller`` (their live
    membership there, already admitted) belongs to, with that membership's role."""
    return Principal(
        user_id=caller.view.id,
        org_id=caller.view.organization_id,
        email=caller.view.email,
        role=caller.view.role_code,
        permissions=frozenset(caller.permissions),
        practitioner_id=caller.view.practitioner_id,
        address=address_of(request, settings),
        scope=claims.scope,
        amr=claims.amr,
        auth_time=claims.auth_time,
    )


def permitted(request: Request[Any, Any, Any], principal: Principal) -> None:
    """403 unless the principal holds the permission the route names in its options."""
    needed: str | None = request.route_handler.opt.get("permission")
    if needed is not None and needed not in principal.permissions:
        raise ApiError("forbidden", f"This needs the permission {needed!r}.")


def _before(issued_at: int, member_since: datetime | None) -> bool:
    """Issued before this membership began: a token of an earlier membership of the same
    person, ended by removal, must not come back when they join again. The database's clock
    stamps the membership and ours the token, so they may differ by a little."""
    if member_since is None:
        return False
    return issued_at + CLOCK_TOLERANCE_SECONDS < member_since.timestamp()


SESSION = {"session": Provide(provide_session), "caller": Provide(provide_caller)}
