"""SQL for refresh tokens and the user's sessions epoch. Lookups run with app.user_id set to
the token's user.

Every function that revokes locks the user's row first, in a statement of its own, as every
grant does before it issues: the revoking UPDATE then starts after any grant that got there
first has committed, and so sees (and revokes) what that grant issued.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from uuid import UUID

import asyncpg

from service.accounts import repo as users
from service.audit.recorder import Stamp
from service.db.queries import load
from service.fields import normalize_email
from service.ids import uuid7
from service.security.sign_in import SignIn

q = load(__file__)


@dataclass(frozen=True, slots=True)
class StoredRefresh:
    id: UUID
    family_id: UUID
    user_id: UUID
    organization_id: UUID
    expired: bool
    rotated_at: object
    since_rotation: timedelta | None
    revoked_at: object
    sessions_epoch: int
    app_client_id: UUID | None = None
    browser: bool = False
    amr: list[str] = field(default_factory=lambda: ["pwd"])
    auth_time: datetime | None = None
    mfa_at: datetime | None = None

    @property
    def signed_in(self) -> SignIn:
        return SignIn(tuple(self.amr), self.auth_time or datetime.now(UTC))


@dataclass(frozen=True, slots=True)
class Sessions:
    """The user's sessions as seen under their row lock."""

    epoch: int
    disabled: bool


async def lock_sessions(conn: asyncpg.Connection, user_id: UUID) -> Sessions | None:
    """Lock the user's row until the transaction ends; None when there is no such user."""
    row = await conn.fetchrow(q.lock_sessions, user_id)
    return Sessions(row["sessions_epoch"], row["disabled"]) if row else None


async def sessions_epoch(conn: asyncpg.Connection, user_id: UUID | None) -> int | None:
    """The user's sessions epoch now, without a lock (None for no user)."""
    epoch: int | None = await conn.fetchval(q.sessions_epoch, user_id)
    return epoch


async def insert(
    conn: asyncpg.Connection,
    *,
    family_id: UUID,
    user_id: UUID,
    org_id: UUID,
    token_hash: bytes,
    parent_id: UUID | None,
    ttl: int,
    epoch: int,
    app_client_id: UUID | None = None,
    signed_in: SignIn | None = None,
    mfa_at: datetime | None = None,
) -> None:
    how = signed_in or SignIn.password_now()
    await conn.execute(
        q.insert_refresh_token,
        uuid7(),
        family_id,
        user_id,
        org_id,
        token_hash,
        parent_id,
        float(ttl),
        epoch,
        app_client_id,
        list(how.amr),
        how.auth_time,
        mfa_at,
    )


async def lock(conn: asyncpg.Connection, token_hash: bytes, user_id: UUID) -> StoredRefresh | None:
    row = await conn.fetchrow(q.lock_refresh_token, token_hash, user_id)
    return StoredRefresh(**dict(row)) if row else None


async def mark_rotated(conn: asyncpg.Connection, token_id: UUID) -> None:
    await conn.execute(q.mark_rotated, token_id)


async def revoke_family(
    conn: asyncpg.Connection, family_id: UUID, user_id: UUID, reason: str
) -> None:
    await conn.execute(q.lock_sessions, user_id)
    await conn.execute(q.revoke_family, family_id, reason)


async def revoke_user(conn: asyncpg.Connection, user_id: UUID, reason: str) -> None:
    """Every session of the user, access tokens included: the epoch goes up (run with
    app.user_id set to them)."""
    await conn.execute(q.end_sessions, user_id)
    await conn.execute(q.revoke_user, user_id, reason)


async def revoke_member(conn: asyncpg.Connection, org_id: UUID, user_id: UUID, reason: str) -> None:
    """The user's sessions in one organization (run inside that organization's tenant)."""
    await conn.execute(q.lock_sessions, user_id)
    await conn.execute(q.revoke_member, org_id, user_id, reason)


async def family_of(
    conn: asyncpg.Connection, token_hash: bytes, user_id: UUID
) -> tuple[UUID, UUID] | None:
    """(family, organization) of a refresh token."""
    row = await conn.fetchrow(q.family_of, token_hash, user_id)
    return (row["family_id"], row["organization_id"]) if row else None


@dataclass(frozen=True, slots=True)
class LoginStart:
    """A password grant before its check: the throttle's answer and the account, if any."""

    retry_after: int
    user: users.User | None
    sessions_epoch: int | None


async def login_begin(
    conn: asyncpg.Connection, email: str, reservation: tuple[object, ...]
) -> LoginStart:
    """Reserve the attempt (``reservation``: :meth:`Throttle.reservation`) and find the
    account by its address, in one statement that commits on its own (run it on a connection
    outside any transaction)."""
    row = await conn.fetchrow(q.login_begin, normalize_email(email), *reservation)
    fields = dict(row)
    retry_after, epoch = fields.pop("retry_after"), fields.pop("sessions_epoch")
    user = users.User(**fields) if fields["id"] is not None else None
    return LoginStart(retry_after, user, epoch)


@dataclass(frozen=True, slots=True)
class Grant:
    """What an access token is issued for."""

    organization_id: UUID
    role_code: str
    permissions: list[str]
    practitioner_id: str | None
    sessions_epoch: int


@dataclass(frozen=True, slots=True)
class Login:
    """What a password grant's last statement did: ``issued`` (then ``grant`` says for
    what), ``mfa_required`` or ``mfa_enrol`` (a second step first; ``grant`` says for what,
    nothing was issued), ``no_membership`` or ``sessions_ended``."""

    outcome: str
    grant: Grant | None


async def login_complete(
    conn: asyncpg.Connection,
    *,
    user_id: UUID,
    requested_org: UUID | None,
    epoch: int | None,
    settlement: tuple[list[str], list[str], str | None, int],
    rehash: tuple[str, str] | None,
    token_hash: bytes,
    ttl: int,
    stamp: Stamp,
) -> Login:
    """Settle the throttle, choose the organization, rehash when asked, and under the user's
    row lock open a refresh family and record ``auth.login`` (run it outside any
    transaction; it is one)."""
    new_hash, old_hash = rehash or (None, None)
    row = await conn.fetchrow(
        q.login_complete,
        user_id,
        requested_org,
        epoch,
        *settlement,
        new_hash,
        old_hash,
        uuid7(),
        uuid7(),
        token_hash,
        ttl,
        stamp.event_id,
        stamp.resource_type,
        stamp.request_id,
        stamp.client_request_id,
        stamp.address,
    )
    fields = dict(row)
    outcome = fields.pop("outcome")
    decided = outcome in ("issued", "mfa_required", "mfa_enrol")
    return Login(outcome, Grant(**fields) if decided else None)


async def bind_to_client(
    conn: asyncpg.Connection, token_hash: bytes, user_id: UUID, client: UUID
) -> None:
    await conn.execute(q.bind_to_client, token_hash, user_id, client)


async def make_browser_session(conn: asyncpg.Connection, token_hash: bytes, user_id: UUID) -> None:
    """The family a hosted sign-in opened is the browser's session, not a refresh token."""
    await conn.execute(q.make_browser_session, token_hash, user_id)


@dataclass(frozen=True, slots=True)
class BrowserSession:
    family_id: UUID
    user_id: UUID
    auth_time: datetime
    sessions_epoch: int
    amr: list[str]
    mfa_at: datetime | None
    organization_id: UUID

    @property
    def signed_in(self) -> SignIn:
        return SignIn(tuple(self.amr), self.auth_time)


async def browser_session(
    conn: asyncpg.Connection, token_hash: bytes, user_id: UUID
) -> BrowserSession | None:
    """The live browser session with this cookie (the user's context must be set)."""
    row = await conn.fetchrow(q.browser_session, token_hash, user_id)
    return BrowserSession(**dict(row)) if row else None


async def step_up_browser_session(
    conn: asyncpg.Connection, family_id: UUID, user_id: UUID, amr: tuple[str, ...]
) -> bool:
    """The browser session's person gave a second factor now; False when the session has
    ended meanwhile."""
    status: str = await conn.execute(q.step_up_browser_session, family_id, user_id, list(amr))
    return status != "UPDATE 0"
