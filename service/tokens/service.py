"""Grant decisions: who gets tokens, for which organization, and when a family dies.

Password checks happen outside any transaction (argon2 takes tens of milliseconds and must
not hold a pooled connection); lookups and writes are short statements or transactions
around it. Tokens
are issued under the user's row lock, which every revocation takes too, and only for the
sessions epoch the grant was decided under: a reset that commits while a grant is in flight
either sees what the grant issued or makes the grant fail.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from uuid import UUID

import asyncpg

from service.accounts import repo as users
from service.app_clients.repo import Client
from service.audit.recorder import stamp
from service.db.tx import alone, set_tenant, transaction
from service.errors import ApiError
from service.metrics import events
from service.organizations import repo as organizations
from service.security.sign_in import SignIn, has_second_factor
from service.throttle.counters import keys
from service.throttle.policy import Rule, known_client_key
from service.tokens import refresh
from service.tokens import repo as tokens
from service.tokens.errors import OAuthError, login_failed
from service.tokens.issue import Issuer as Issuer
from service.tokens.issue import auth_event, signed
from service.tokens.issue import issue_tokens as issue_tokens
from service.tokens.schemas import TokenResponse
from service.tokens.second_step import Pending, open_step

REUSE_GRACE = timedelta(seconds=10)
INVALID_REFRESH = "The refresh token is invalid, expired or revoked."


@dataclass(frozen=True, slots=True)
class SignedIn:
    """A person whose password was right: the grant decided for them and the refresh token
    of the family their sign-in opened."""

    user: users.User
    grant: tokens.Grant
    refresh_token: str
    signed_in: SignIn


async def password_grant(
    issuer: Issuer, *, username: str, password: str, organization_id: UUID | None, address: str
) -> TokenResponse:
    """The password grant: :func:`password_login`, then its tokens, or the second step."""
    done = await password_login(
        issuer,
        username=username,
        password=password,
        organization_id=organization_id,
        address=address,
    )
    if isinstance(done, Pending):
        raise await second_step_needed(issuer, done, None)
    return signed(
        issuer, done.user, done.grant, refresh_token=done.refresh_token, signed_in=done.signed_in
    )


async def second_step_needed(issuer: Issuer, pending: Pending, client: Client | None) -> OAuthError:
    """``mfa_required`` (401) with the second step's token, issued only after a right
    password: the client completes with the ``MFA_GRANT`` grant type."""
    raw = await open_step(issuer, pending, purpose="grant", client_id=client.id if client else None)
    if pending.enrol:
        description = (
            "The organization requires a second factor: enrol one with the mfa_token, then"
            " complete the sign-in with it."
        )
    else:
        description = "A second factor is required: send the mfa_token with otp or recovery_code."
    return OAuthError("mfa_required", description, 401, mfa_token=raw, enrol=pending.enrol)


async def bind_to_client(issuer: Issuer, done: SignedIn, client: Client) -> None:
    """The family a sign-in through ``client`` opened refreshes for that client only."""
    async with transaction(issuer.pool, user_id=done.user.id) as conn:
        await tokens.bind_to_client(
            conn, refresh.digest(done.refresh_token), done.user.id, client.id
        )


async def password_login(
    issuer: Issuer, *, username: str, password: str, organization_id: UUID | None, address: str
) -> SignedIn | Pending:
    """Every refusal is the same answer, whether the account is unknown, the password wrong,
    the address unverified, the account disabled or the attempt throttled; each costs one
    argon2 verification, except a throttled one, reserved before anything is checked, which
    checks nothing and takes as long. A right password for a sign-in that needs a second
    factor (the person has one, or the organization requires one) issues nothing yet: it is
    :class:`Pending`.

    A success costs two statements (migration 023): one reserves the attempt and finds the
    account before the check, one settles the throttle and issues after it."""
    rules = issuer.throttle.policy.login(username, address)
    known = known_client_key(username, address)
    async with alone(issuer.pool) as conn:
        start = await tokens.login_begin(
            conn, username.strip(), issuer.throttle.reservation(rules, known=known)
        )
    user = start.user
    if (await issuer.throttle.reserved(rules, start.retry_after)).blocked:
        events.login("throttled", user_id=user.id if user else None, address=address)
        await issuer.hasher.idle_like_verify()
        raise login_failed()
    try:
        result = await issuer.hasher.verify(user.password_hash if user else None, password)
    except ApiError:  # too busy to check: the attempt checked nothing
        await issuer.throttle.refund(rules)
        raise
    if user is None or not result.ok or user.email_verified_at is None or user.disabled_at:
        events.login(
            "failure",
            user_id=user.id if user else None,
            address=address,
            reason=_why(user, result.ok),
        )
        if user is not None:
            await _login_failed(issuer, user, address)
        raise login_failed()
    rehash = None
    if result.needs_rehash and user.password_hash:
        rehash = (await issuer.hasher.hash(password), user.password_hash)
    return await _issue(
        issuer,
        user,
        start,
        organization_id=organization_id,
        throttled=(rules, known),
        rehash=rehash,
        address=address,
    )


async def _issue(
    issuer: Issuer,
    user: users.User,
    start: tokens.LoginStart,
    *,
    organization_id: UUID | None,
    throttled: tuple[list[Rule], str],
    rehash: tuple[str, str] | None,
    address: str,
) -> SignedIn | Pending:
    """The password was right: give the reservations back, forget this client's failures on
    the account and remember the client (whom the account-wide and address-wide limits then
    spare), and issue for the organization asked for or the usual one."""
    rules, known = throttled
    raw, hashed = refresh.mint(user.id)
    async with alone(issuer.pool) as conn:
        done = await tokens.login_complete(
            conn,
            user_id=user.id,
            requested_org=organization_id,
            epoch=start.sessions_epoch,
            settlement=issuer.throttle.settlement(keys(rules), keys(rules[:1]), known),
            rehash=rehash,
            token_hash=hashed,
            ttl=issuer.settings.refresh_token_ttl,
            stamp=stamp("auth.login", actor_user_id=user.id, address=address),
        )
    if done.grant is None:  # no live membership, or a reset committed meanwhile
        events.login("failure", user_id=user.id, address=address, reason=done.outcome)
        raise login_failed()
    org_id = done.grant.organization_id
    if done.outcome != "issued":
        enrol = done.outcome == "mfa_enrol"
        return Pending(user.id, org_id, done.grant.sessions_epoch, enrol)
    events.login("success", user_id=user.id, org_id=org_id, address=address)
    return SignedIn(user, done.grant, raw, SignIn.password_now())


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


async def refresh_grant(
    issuer: Issuer, *, raw: str, organization_id: UUID | None, client: Client | None = None
) -> TokenResponse:
    """Rotate: the presented token is spent and a child of the same family issued, for the
    same organization or the one asked for. Revocations commit even when the grant fails.
    A family issued to an app client refreshes only for that client, in its organization."""
    user_id = refresh.user_of(raw)
    if user_id is None:
        raise OAuthError("invalid_grant", INVALID_REFRESH)
    if client is not None and organization_id not in (None, client.organization_id):
        raise OAuthError("invalid_grant", INVALID_REFRESH)
    async with transaction(issuer.pool, user_id=user_id) as conn:
        outcome = await _rotate(conn, issuer, raw, user_id, organization_id, client)
    if outcome is None:
        raise OAuthError("invalid_grant", INVALID_REFRESH)
    return outcome


async def _rotate(
    conn: asyncpg.Connection,
    issuer: Issuer,
    raw: str,
    user_id: UUID,
    organization_id: UUID | None,
    client: Client | None,
) -> TokenResponse | None:
    sessions = await tokens.lock_sessions(conn, user_id)  # before the token's own lock
    stored = await tokens.lock(conn, refresh.digest(raw), user_id)
    if sessions is None or stored is None or stored.revoked_at is not None or stored.expired:
        return None
    if stored.browser or stored.app_client_id != (client.id if client else None):
        return None  # a browser's cookie, or a family issued to another client
    if stored.rotated_at is not None:
        # Concurrent refreshes of one token within the grace period lose quietly; later, a
        # rotated token coming back means someone holds a copy: the family dies.
        if stored.since_rotation is not None and stored.since_rotation > REUSE_GRACE:
            await tokens.revoke_family(conn, stored.family_id, user_id, "reuse")
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
    if stored.sessions_epoch != sessions.epoch:  # a family from before the sessions ended
        return None
    user = await users.by_id(conn, user_id)
    if user is None or user.disabled_at is not None:
        await tokens.revoke_family(conn, stored.family_id, user_id, "deactivated")
        return None
    target = organization_id or stored.organization_id
    await set_tenant(conn, org_id=target, user_id=user_id)
    membership = await users.membership(conn, target, user_id)
    if membership is None:
        if target == stored.organization_id:
            await tokens.revoke_family(conn, stored.family_id, user_id, "left")
        return None
    if not await _second_factor_holds(conn, target, stored):
        return None
    await tokens.mark_rotated(conn, stored.id)
    return await issue_tokens(
        conn,
        issuer,
        user,
        membership,
        family_id=stored.family_id,
        parent_id=stored.id,
        epoch=sessions.epoch,
        client=client,
        signed_in=stored.signed_in,
        mfa_at=stored.mfa_at,
    )


async def _second_factor_holds(
    conn: asyncpg.Connection, org_id: UUID, stored: tokens.StoredRefresh
) -> bool:
    """An organization that requires a second factor gets no token from a family whose
    sign-in gave none: one opened before the policy was turned on, or in another
    organization (a switch). The person signs in again, and enrols if they must."""
    if has_second_factor(stored.amr):
        return True  # nothing to read: no policy asks more
    policy = await organizations.mfa_policy(conn, org_id)
    return policy is None or not policy.required


async def revoke(pool: asyncpg.Pool, raw: str) -> None:
    """RFC 7009: end the session the refresh token belongs to; unknown tokens are fine."""
    user_id = refresh.user_of(raw)
    if user_id is None:
        return
    async with transaction(pool, user_id=user_id) as conn:
        found = await tokens.family_of(conn, refresh.digest(raw), user_id)
        if found is not None:
            family, org_id = found
            await tokens.revoke_family(conn, family, user_id, "logout")
            await set_tenant(conn, org_id=org_id, user_id=user_id)
            await auth_event(conn, org_id, user_id, "auth.logout", None)
