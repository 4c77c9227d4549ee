"""The organization a ``/v1`` request acts in, as seed 002 resolves it: the
``X-Organization-ID`` header first, then the access token's organization.

The header is meant to be set by a trusted proxy (from the hostname it resolved), but nothing
here trusts it: it only selects among the organizations where the caller holds a live
membership (active, accepted). Naming any other organization is 403 ``forbidden`` before
anything of it is read, whether it exists or not. The token itself must still be admitted by
its own membership exactly as on every other route (:mod:`service.session`); the
permissions are those of the live role in the selected organization, and the request's
transaction has that organization as its tenant, so row-level security scopes every query
to it. A path's organization id that is not the selected organization answers 404
``organization_not_found``, as the seed's row-level security would.

People only: an app client's token is refused with 403, as on the JSON:API routes for people.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import asyncpg
from litestar import Request
from litestar.di import Provide

from service.accounts import operators
from service.accounts import repo as users
from service.config import Settings
from service.db.tx import transaction
from service.errors import ApiError
from service.ids import parse_uuid
from service.routing import Injected
from service.security.jwt import (
    CHALLENGE,
    DEFAULT_CLIENT_ID,
    UNAUTHORIZED_DETAIL,
    verify_access_token,
)
from service.security.keys import KeyRing
from service.security.principal import Principal
from service.session import (
    NOT_A_PERSON,
    bearer_token,
    client_still_stands,
    member_admits,
    permitted,
    person,
)

HEADER = "x-organization-id"
NOT_YOURS = "You are not a member of that organization."


@dataclass(frozen=True, slots=True)
class Context:
    """The caller in the selected organization, and the request's transaction (its tenant)."""

    principal: Principal
    conn: asyncpg.Connection

    @property
    def org_id(self) -> UUID:
        return self.principal.org_id

    async def is_operator(self) -> bool:
        return await operators.is_operator(self.conn, self.principal.user_id)

    def organization(self, raw: str) -> UUID:
        """The path's organization id: 400 ``invalid_id`` when it is no UUID, 404 when it is
        not the selected organization."""
        org_id = parse_uuid(raw)
        if org_id is None:
            raise ApiError("invalid_id", "The organization id is not a valid UUID.")
        if org_id != self.org_id:
            raise not_found()
        return org_id


def not_found() -> ApiError:
    return ApiError("organization_not_found", "No such organization.")


def selected(request: Request[Any, Any, Any], token_org: UUID) -> UUID:
    raw = request.headers.get(HEADER)
    if raw is None or not raw.strip():
        return token_org
    org_id = parse_uuid(raw.strip())
    if org_id is None:
        raise ApiError("invalid_id", "X-Organization-ID is not a valid UUID.", parameter=HEADER)
    return org_id


async def provide_context(
    request: Request[Any, Any, Any],
    pool: Injected[asyncpg.Pool],
    settings: Injected[Settings],
    keyring: Injected[KeyRing],
) -> AsyncIterator[Context]:
    claims = await verify_access_token(keyring, settings, bearer_token(request))
    if claims.kind == "app_client":
        raise ApiError("forbidden", NOT_A_PERSON)
    org_id = selected(request, claims.org_id)
    async with transaction(pool, org_id=claims.org_id, user_id=claims.user_id) as conn:
        own = await users.session_caller(conn, claims.org_id, claims.user_id)
        if own is None or not member_admits(claims, own):
            raise ApiError("unauthorized", UNAUTHORIZED_DETAIL, headers=CHALLENGE)
        if claims.client_id != DEFAULT_CLIENT_ID:
            await client_still_stands(conn, claims)
        caller: users.SessionCaller | None = own
        if org_id != claims.org_id:  # sets the tenant to the selected organization
            caller = await users.session_caller(conn, org_id, claims.user_id)
        if caller is None or not _live(caller):
            raise ApiError("forbidden", NOT_YOURS)
        principal = person(request, settings, claims, caller)
        permitted(request, principal)
        yield Context(principal, conn)


def _live(caller: users.SessionCaller) -> bool:
    return caller.view.active and caller.accepted and caller.disabled_at is None


CONTEXT = {"context": Provide(provide_context)}
