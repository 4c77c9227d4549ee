"""Reset decisions. Requesting tells nothing about the address; confirming is single use.

Setting a password through a mailed link proves the address, so it also marks the address
verified, kills every other outstanding link of the account and ends all its sessions: an
unverified squatter keeps no password, link or token.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

import asyncpg

from service.accounts import repo as users
from service.app_clients import service as app_clients
from service.audit.recorder import record
from service.db.tx import set_tenant, transaction
from service.db.undone import kept_if
from service.errors import ApiError, ErrorItem
from service.fields import normalize_email
from service.links import repo as links
from service.mail.mailer import Mailer
from service.metrics import events
from service.organizations import repo as organizations
from service.recovery.schemas import ResetConfirm
from service.security.password_policy import check_password
from service.throttle.gate import guarded, invalid_token, limited
from service.tokens import repo as tokens
from service.visitor import Visitor

RESET_PURPOSES = (links.PASSWORD_RESET, links.SET_PASSWORD)
ALL_PURPOSES = (links.VERIFY_EMAIL, links.PASSWORD_RESET, links.SET_PASSWORD)
INVALID = "This link is invalid, used or expired."


@dataclass(frozen=True, slots=True)
class ResetTarget:
    user_id: UUID
    email: str
    name: str
    organization_name: str
    client_id: str | None = None
    sign_in_url: str | None = None  # where the app of client_id signs people in


async def _organization_name(conn: asyncpg.Connection, user: users.User, org: UUID | None) -> str:
    org_id = org or user.last_organization_id
    if org_id is None:
        memberships = await users.active_memberships(conn, user.id)
        org_id = memberships[0].organization_id if memberships else None
    if org_id is None:
        return ""
    await set_tenant(conn, org_id=None, user_id=user.id)
    return await organizations.name_of(conn, org_id) or ""


async def request_reset(conn: asyncpg.Connection, email: str, *, mailer: Mailer) -> None:
    """A link for an account that may use one; for any other address the same work is done
    for a stand-in account and rolled back, so neither the answer nor its timing tells."""
    user = await users.by_email(conn, normalize_email(email))
    real = user is not None and user.disabled_at is None
    async with kept_if(conn, real):
        target = user if user is not None and real else await users.insert_unkept(conn, name="")
        await links.expire_unused(conn, target.id, (links.PASSWORD_RESET,))
        token = await links.issue(
            conn, user_id=target.id, purpose=links.PASSWORD_RESET, email=target.email
        )
        organization_name = await _organization_name(conn, target, None)
        await mailer.password_reset(
            conn,
            to=target.email,
            name=target.name,
            organization_name=organization_name,
            token=token,
        )


async def target_of(conn: asyncpg.Connection, token: str) -> ResetTarget:
    """Who a live reset link belongs to, without using it up."""
    redeemed = await links.peek(conn, token, RESET_PURPOSES)
    user = await users.by_id(conn, redeemed.user_id) if redeemed else None
    if redeemed is None or user is None or user.email.lower() != redeemed.email.lower():
        raise ApiError("invalid_token", INVALID, pointer="/token")
    cid = redeemed.client_id
    home = await app_clients.home_of(conn, cid) if cid else None  # still the anonymous context
    name = await _organization_name(conn, user, redeemed.organization_id)
    return ResetTarget(user.id, user.email, user.name, name, cid, home)


def password_problems(target: ResetTarget, password: str, *, pointer: str, min_length: int) -> None:
    problems = check_password(
        password,
        min_length=min_length,
        email=target.email,
        organization_name=target.organization_name or None,
        names=tuple(target.name.split()),
    )
    if problems:
        raise ApiError.many([ErrorItem("validation_error", p, pointer) for p in problems])


async def ask_for_link(visitor: Visitor, email: str) -> None:
    """Counted against the client's address first; then, in one anonymous transaction,
    :func:`request_reset`."""
    await limited(visitor.throttle, visitor.throttle.policy.reset_request(visitor.address))
    async with transaction(visitor.pool, anonymous=True) as conn:
        await request_reset(conn, email, mailer=visitor.mailer)


async def confirm_link(
    visitor: Visitor, body: ResetConfirm, *, found_out: list[ResetTarget]
) -> ResetTarget:
    """The whole reset, throttled by the client's address: over the limit the answer is a
    dead link's, and only a dead link counts as a failed guess. ``found_out`` receives the
    account found, for the page that shows the form again."""
    return await guarded(
        visitor.throttle,
        visitor.throttle.policy.reset_confirm(visitor.address),
        lambda: _reset(visitor, body.token, body.password, found_out=found_out),
        refusal=lambda: ApiError("invalid_token", INVALID, pointer="/token"),
        counts=invalid_token,
    )


async def _reset(
    visitor: Visitor, token: str, password: str, *, found_out: list[ResetTarget]
) -> ResetTarget:
    """Find the link's account, check the new password, hash it outside any transaction,
    then use the link."""
    async with transaction(visitor.pool, anonymous=True) as conn:
        found = await target_of(conn, token)
    found_out.append(found)
    min_length = visitor.settings.password_min_length
    await visitor.hasher.judge(
        lambda: password_problems(found, password, pointer="/password", min_length=min_length)
    )
    password_hash = await visitor.hasher.hash(password)
    async with transaction(visitor.pool, anonymous=True) as conn:
        await confirm(conn, token, found, password_hash, mailer=visitor.mailer)
    return found


async def confirm(
    conn: asyncpg.Connection, token: str, target: ResetTarget, password_hash: str, *, mailer: Mailer
) -> None:
    redeemed = await links.consume(conn, token, RESET_PURPOSES)
    if redeemed is None or redeemed.user_id != target.user_id:
        raise ApiError("invalid_token", INVALID, pointer="/token")
    await users.set_password(conn, target.user_id, password_hash)
    await links.expire_unused(conn, target.user_id, ALL_PURPOSES)
    await set_tenant(conn, org_id=None, user_id=target.user_id)
    await tokens.revoke_user(conn, target.user_id, "password_reset")
    for membership in await users.active_memberships(conn, target.user_id):
        await set_tenant(conn, org_id=membership.organization_id, user_id=target.user_id)
        await record(
            conn,
            organization_id=membership.organization_id,
            action="auth.password_reset",
            resource_id=target.user_id,
            actor_user_id=target.user_id,
        )
    await mailer.password_changed(
        conn, to=target.email, name=target.name, organization_name=target.organization_name
    )
    events.password_reset(user_id=target.user_id)
