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
    NO_TOKEN_CHALLENGE,
    UNAUTHORIZED_DETAIL,
    AccessClaims,
    verify_access_token,
)
from service.security.keys import KeyRing
from service.security.principal import Principal

CLOCK_TOLERANCE_SECONDS = 5
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
    """The authenticated caller and the request's transaction, tenant set."""

    principal: Principal
    conn: asyncpg.Connection
    member: users.MemberView


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
    connection given back before the handler runs."""
    claims = await verify_access_token(keyring, settings, bearer_token(request))
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
    async with transaction(pool, org_id=claims.org_id, user_id=claims.user_id) as conn:
        found = await users.session_caller(conn, claims.org_id, claims.user_id)
        caller = _admitted(request, settings, claims, found)
        yield Session(caller.principal, conn, caller.member)


def _admitted(
    request: Request[Any, Any, Any],
    settings: Settings,
    claims: AccessClaims,
    caller: users.SessionCaller | None,
) -> Caller:
    """The caller as the rest of the request knows them, once the live membership admits the
    token and holds the permission the route names."""
    if (
        caller is None
        or caller.disabled_at is not None
        or not caller.view.active
        or not caller.accepted
        or _before(claims.issued_at, caller.sessions_since)
        or claims.sessions_epoch != caller.sessions_epoch
    ):
        raise ApiError("unauthorized", UNAUTHORIZED_DETAIL, headers=CHALLENGE)
    principal = Principal(
        user_id=caller.view.id,
        org_id=claims.org_id,
        email=caller.view.email,
        role=caller.view.role_code,
        permissions=frozenset(caller.permissions),
        practitioner_id=caller.view.practitioner_id,
        address=address_of(request, settings),
    )
    needed: str | None = request.route_handler.opt.get("permission")
    if needed is not None and needed not in principal.permissions:
        raise ApiError("forbidden", f"This needs the permission {needed!r}.")
    return Caller(principal, caller.view)


def _before(issued_at: int, member_since: datetime | None) -> bool:
    """Issued before this membership began: a token of an earlier membership of the same
    person, ended by removal, must not come back when they join again. The database's clock
    stamps the membership and ours the token, so they may differ by a little."""
    if member_since is None:
        return False
    return issued_at + CLOCK_TOLERANCE_SECONDS < member_since.timestamp()


SESSION = {"session": Provide(provide_session), "caller": Provide(provide_caller)}
