"""Issuing a session: the refresh token of a family and an access token, under the user's row
lock, which every revocation of the user's sessions takes too."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

import asyncpg

from service.accounts import repo as users
from service.app_clients.repo import Client
from service.audit.actions import Action, ActorKind
from service.audit.recorder import record
from service.config import Settings
from service.db.tx import set_tenant
from service.ids import uuid7
from service.mail.mailer import Mailer
from service.mfa.service import Kit
from service.security.client_secrets import SecretHasher
from service.security.jwt import DEFAULT_CLIENT_ID, issue_access_token
from service.security.keys import KeyRing
from service.security.passwords import PasswordHasher
from service.security.remote_jwks import RemoteKeySets
from service.security.sealing import Sealer
from service.security.sign_in import SignIn
from service.throttle.counters import Throttle
from service.tokens import refresh
from service.tokens import repo as tokens
from service.tokens.schemas import TokenResponse


class SessionsEnded(Exception):
    """The user's sessions ended (or the account was disabled) after the grant was decided."""


@dataclass(frozen=True, slots=True)
class Issuer:
    """What issuing tokens needs, passed explicitly."""

    pool: asyncpg.Pool
    settings: Settings
    keys: KeyRing
    hasher: PasswordHasher
    throttle: Throttle
    secrets: SecretHasher
    sealer: Sealer
    mailer: Mailer
    remote_keys: RemoteKeySets = field(default_factory=RemoteKeySets)

    @property
    def mfa(self) -> Kit:
        return Kit(self.pool, self.sealer, self.throttle, self.settings, self.mailer)


async def issue_tokens(
    conn: asyncpg.Connection,
    issuer: Issuer,
    user: users.User,
    membership: users.Membership,
    *,
    family_id: UUID,
    parent_id: UUID | None,
    epoch: int | None = None,
    client: Client | None = None,
    scope: str | None = None,
    signed_in: SignIn | None = None,
    mfa_at: datetime | None = None,
) -> TokenResponse:
    """Mint a refresh token of the family and an access token for the membership's
    organization, which becomes the user's last used one (no write when it already is).

    Locks the user's row first; raises :class:`SessionsEnded` when the account is disabled or
    its sessions epoch is no longer ``epoch`` (when given), the one the grant relied on.
    ``signed_in`` (a password just now, when not given) and ``mfa_at`` (when a second factor
    was last given) are the family's, carried through every rotation."""
    org_id = membership.organization_id
    await set_tenant(conn, org_id=org_id, user_id=user.id)
    sessions = await tokens.lock_sessions(conn, user.id)
    if sessions is None or sessions.disabled or epoch not in (None, sessions.epoch):
        raise SessionsEnded
    raw, hashed = refresh.mint(user.id)
    await tokens.insert(
        conn,
        family_id=family_id,
        user_id=user.id,
        org_id=org_id,
        token_hash=hashed,
        parent_id=parent_id,
        ttl=issuer.settings.refresh_token_ttl,
        epoch=sessions.epoch,
        app_client_id=client.id if client else None,
        signed_in=signed_in,
        mfa_at=mfa_at,
    )
    if user.last_organization_id != org_id:
        await users.set_last_organization(conn, user.id, org_id)
    grant = tokens.Grant(
        org_id,
        membership.role_code,
        membership.permissions,
        membership.practitioner_id,
        sessions.epoch,
    )
    how = signed_in or SignIn.password_now()
    return signed(issuer, user, grant, refresh_token=raw, client=client, scope=scope, signed_in=how)


async def open_family(
    conn: asyncpg.Connection,
    issuer: Issuer,
    org_id: UUID,
    user_id: UUID,
    *,
    epoch: int | None,
    signed_in: SignIn,
    client: Client | None = None,
) -> TokenResponse | None:
    """A new refresh family, and its tokens, for a person who just signed in ``signed_in``
    after a second step (their second factor, or a passkey alone); None unless they are a
    live, enabled, verified member of ``org_id`` whose sessions have not ended since
    ``epoch``. The tenant must be ``org_id`` with the person as the user."""
    user = await users.by_id(conn, user_id)
    membership = await users.membership(conn, org_id, user_id)
    if user is None or membership is None or user.disabled_at is not None:
        return None
    if user.email_verified_at is None:
        return None
    try:
        return await issue_tokens(
            conn,
            issuer,
            user,
            membership,
            family_id=uuid7(),
            parent_id=None,
            epoch=epoch,
            client=client,
            signed_in=signed_in,
            mfa_at=signed_in.auth_time,
        )
    except SessionsEnded:
        return None


def signed(
    issuer: Issuer,
    user: users.User,
    grant: tokens.Grant,
    *,
    refresh_token: str | None,
    client: Client | None = None,
    scope: str | None = None,
    signed_in: SignIn | None = None,
) -> TokenResponse:
    """The token response: an access token signed now for the organization and role, beside
    the refresh token already stored (if any); for an app client, naming it; saying how the
    person signed in (``signed_in``)."""
    access, expires_in = issue_access_token(
        issuer.keys,
        issuer.settings,
        user_id=user.id,
        org_id=grant.organization_id,
        role=grant.role_code,
        permissions=list(grant.permissions),
        email=user.email,
        practitioner_id=grant.practitioner_id,
        sessions_epoch=grant.sessions_epoch,
        client_id=client.client_id if client else DEFAULT_CLIENT_ID,
        scope=scope,
        signed_in=signed_in,
    )
    answer = TokenResponse(access, "Bearer", expires_in)
    if refresh_token is not None:
        answer.refresh_token = refresh_token
    if scope is not None:
        answer.scope = scope
    return answer


async def auth_event(
    conn: asyncpg.Connection,
    org_id: UUID,
    user_id: UUID,
    action: Action,
    address: str | None,
    *,
    actor_kind: ActorKind = "user",
) -> None:
    """An authentication event in the organization's trail (the tenant must be ``org_id``)."""
    await record(
        conn,
        organization_id=org_id,
        action=action,
        resource_id=user_id,
        actor_user_id=user_id if actor_kind == "user" else None,
        actor_kind=actor_kind,
        address=address,
    )
