"""Grant decisions: who gets tokens, for which organization, and when a family dies.

Password checks happen outside any transaction (argon2 takes tens of milliseconds and must
not hold a pooled connection); lookups and writes are short transactions around it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from uuid import UUID

import asyncpg

from service.audit.recorder import record
from service.config import Settings
from service.db.tx import set_tenant, transaction
from service.ids import uuid7
from service.metrics import events
from service.security.jwt import issue_access_token
from service.security.keys import KeyRing
from service.security.passwords import PasswordHasher
from service.throttle.counters import Throttle, keys
from service.throttle.policy import LOGIN, account_key
from service.tokens import refresh
from service.tokens import repo as tokens
from service.tokens.errors import OAuthError, login_failed
from service.tokens.schemas import TokenResponse
from service.users import repo as users

REUSE_GRACE = timedelta(seconds=10)
INVALID_REFRESH = "The refresh token is invalid, expired or revoked."


@dataclass(frozen=True, slots=True)
class Issuer:
    """What issuing tokens needs, passed explicitly."""

    pool: asyncpg.Pool
    settings: Settings
    keys: KeyRing
    hasher: PasswordHasher
    throttle: Throttle


def choose_organization(
    memberships: list[users.Membership], requested: UUID | None, last: UUID | None
) -> users.Membership | None:
    by_org = {m.organization_id: m for m in memberships}
    if requested is not None:
        return by_org.get(requested)
    if last is not None and last in by_org:
        return by_org[last]
    return memberships[0] if memberships else None


async def issue_tokens(
    conn: asyncpg.Connection,
    issuer: Issuer,
    user: users.User,
    membership: users.Membership,
    *,
    family_id: UUID,
    parent_id: UUID | None,
) -> TokenResponse:
    """Mint a refresh token of the family and an access token for the membership's
    organization, which becomes the user's last used one (no write when it already is)."""
    org_id = membership.organization_id
    await set_tenant(conn, org_id=org_id, user_id=user.id)
    raw, hashed = refresh.mint(user.id)
    await tokens.insert(
        conn,
        family_id=family_id,
        user_id=user.id,
        org_id=org_id,
        token_hash=hashed,
        parent_id=parent_id,
        ttl=issuer.settings.refresh_token_ttl,
    )
    if user.last_organization_id != org_id:
        await users.set_last_organization(conn, user.id, org_id)
    access, expires_in = issue_access_token(
        issuer.keys,
        issuer.settings,
        user_id=user.id,
        org_id=org_id,
        role=membership.role_code,
        permissions=list(membership.permissions),
        email=user.email,
        practitioner_id=membership.practitioner_id,
    )
    return TokenResponse(access, "Bearer", expires_in, raw)


async def password_grant(
    issuer: Issuer, *, username: str, password: str, organization_id: UUID | None, address: str
) -> TokenResponse:
    """Every refusal is the same answer after exactly one argon2 verification, whether the
    account is unknown, the password wrong, the address unverified, the account disabled or
    the attempt throttled."""
    rules = issuer.throttle.policy.login(username, address)
    decision = await issuer.throttle.check(keys(rules))
    blocked = decision.blocked
    async with transaction(issuer.pool) as conn:
        user = await users.by_email(conn, username.strip())
    result = await issuer.hasher.verify(user.password_hash if user else None, password)
    if blocked:
        events.login("throttled", user_id=user.id if user else None, address=address)
        raise login_failed()
    if user is None or not result.ok or user.email_verified_at is None or user.disabled_at:
        await issuer.throttle.record_failures(rules)
        events.login(
            "failure",
            user_id=user.id if user else None,
            address=address,
            reason=_why(user, result.ok),
        )
        if user is not None:
            await _login_failed(issuer, user, address)
        raise login_failed()
    account = account_key(LOGIN, username)
    if account in decision.counted:  # a success forgets the account's earlier failures
        await issuer.throttle.reset(account)
    if result.needs_rehash and user.password_hash:
        new_hash = await issuer.hasher.hash(password)
    else:
        new_hash = None
    async with transaction(issuer.pool, user_id=user.id) as conn:
        memberships = await users.active_memberships(conn, user.id)
        membership = choose_organization(memberships, organization_id, user.last_organization_id)
        if membership is None:
            events.login("failure", user_id=user.id, address=address, reason="no_membership")
            raise login_failed()
        if new_hash and user.password_hash:
            await users.rehash(conn, user.id, new_hash, user.password_hash)
        issued = await issue_tokens(
            conn, issuer, user, membership, family_id=uuid7(), parent_id=None
        )
        await auth_event(conn, membership.organization_id, user.id, "auth.login", address)
    events.login("success", user_id=user.id, org_id=membership.organization_id, address=address)
    return issued


async def auth_event(
    conn: asyncpg.Connection,
    org_id: UUID,
    user_id: UUID,
    action: str,
    address: str | None,
    *,
    actor_kind: str = "user",
) -> None:
    """An authentication event in the organization's trail (the tenant must be ``org_id``)."""
    await record(
        conn,
        organization_id=org_id,
        action=action,
        resource_type="auth/users",
        resource_id=user_id,
        actor_user_id=user_id if actor_kind == "user" else None,
        actor_kind=actor_kind,
        address=address,
    )


def _why(user: users.User | None, password_ok: bool) -> str:
    """Why a login failed, for the operator's log only (the client never learns it)."""
    if user is None:
        return "unknown_account"
    if not password_ok:
        return "wrong_password"
    return "unverified" if user.email_verified_at is None else "disabled"


async def _login_failed(issuer: Issuer, user: users.User, address: str) -> None:
    """A failed login on a known account goes into the trail of its last organization."""
    org_id = user.last_organization_id
    if org_id is None:
        return
    async with transaction(issuer.pool, org_id=org_id, user_id=user.id) as conn:
        if await users.membership(conn, org_id, user.id) is not None:
            await auth_event(
                conn, org_id, user.id, "auth.login_failed", address, actor_kind="anonymous"
            )


async def refresh_grant(issuer: Issuer, *, raw: str, organization_id: UUID | None) -> TokenResponse:
    """Rotate: the presented token is spent and a child of the same family issued, for the
    same organization or the one asked for. Revocations commit even when the grant fails."""
    user_id = refresh.user_of(raw)
    if user_id is None:
        raise OAuthError("invalid_grant", INVALID_REFRESH)
    async with transaction(issuer.pool, user_id=user_id) as conn:
        outcome = await _rotate(conn, issuer, raw, user_id, organization_id)
    if outcome is None:
        raise OAuthError("invalid_grant", INVALID_REFRESH)
    return outcome


async def _rotate(
    conn: asyncpg.Connection,
    issuer: Issuer,
    raw: str,
    user_id: UUID,
    organization_id: UUID | None,
) -> TokenResponse | None:
    stored = await tokens.lock(conn, refresh.digest(raw), user_id)
    if stored is None or stored.revoked_at is not None or stored.expired:
        return None
    if stored.rotated_at is not None:
        # Concurrent refreshes of one token within the grace period lose quietly; later, a
        # rotated token coming back means someone holds a copy: the family dies.
        if stored.since_rotation is not None and stored.since_rotation > REUSE_GRACE:
            await tokens.revoke_family(conn, stored.family_id, "reuse")
            await set_tenant(conn, org_id=stored.organization_id, user_id=user_id)
            await auth_event(
                conn,
                stored.organization_id,
                user_id,
                "auth.refresh_reuse",
                None,
                actor_kind="anonymous",
            )
            events.refresh_reuse(
                user_id=user_id, org_id=stored.organization_id, family_id=stored.family_id
            )
        return None
    user = await users.by_id(conn, user_id)
    if user is None or user.disabled_at is not None:
        await tokens.revoke_family(conn, stored.family_id, "deactivated")
        return None
    target = organization_id or stored.organization_id
    await set_tenant(conn, org_id=target, user_id=user_id)
    membership = await users.membership(conn, target, user_id)
    if membership is None:
        if target == stored.organization_id:
            await tokens.revoke_family(conn, stored.family_id, "left")
        return None
    await tokens.mark_rotated(conn, stored.id)
    return await issue_tokens(
        conn, issuer, user, membership, family_id=stored.family_id, parent_id=stored.id
    )


async def revoke(pool: asyncpg.Pool, raw: str) -> None:
    """RFC 7009: end the session the refresh token belongs to; unknown tokens are fine."""
    user_id = refresh.user_of(raw)
    if user_id is None:
        return
    async with transaction(pool, user_id=user_id) as conn:
        found = await tokens.family_of(conn, refresh.digest(raw), user_id)
        if found is not None:
            family, org_id = found
            await tokens.revoke_family(conn, family, "logout")
            await set_tenant(conn, org_id=org_id, user_id=user_id)
            await auth_event(conn, org_id, user_id, "auth.logout", None)
