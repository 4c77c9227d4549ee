"""The decisions of the hosted sign-in: a code for a person already signed in here (at once,
or after they chose to continue as themselves in the account chooser), or for one who just
typed a right password.

Signing in costs what a password grant costs, with the same throttles and the same single
answer for every failure (``service.tokens.service.password_login``): an unknown address, a
wrong password, an unverified or disabled account, a person who is not a live member of the
client's organization. The family it opens becomes the browser's session (its cookie).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from uuid import UUID

import asyncpg

from service.accounts import repo as users
from service.authorize.request import Authorization
from service.db.tx import transaction
from service.mfa.check import has_factor
from service.organizations import repo as organizations
from service.organizations.repo import MfaPolicy
from service.security.sign_in import SignIn
from service.tokens import codes, refresh
from service.tokens import repo as tokens
from service.tokens.issue import Issuer
from service.tokens.second_step import Pending
from service.tokens.service import password_login

DEFAULT_REPROMPT_HOURS = 72


@dataclass(frozen=True, slots=True)
class Signed:
    code: str
    session_cookie: str | None  # a new browser session; None when the old one goes on


@dataclass(frozen=True, slots=True)
class StepUp:
    """The browser's session may give a code only after a second factor (again): its person
    has one and it was not given within the organization's re-prompt interval, or the
    organization requires one and the person has none yet (``enrol``)."""

    enrol: bool


def second_factor_due(
    policy: MfaPolicy | None, has_factor: bool, mfa_at: datetime | None
) -> StepUp | None:
    """Whether a session whose second factor was last given at ``mfa_at`` may give a code
    for an organization with ``policy`` now."""
    required = policy is not None and policy.required
    if not has_factor:
        return StepUp(enrol=True) if required else None
    hours = policy.reprompt_hours if policy is not None else DEFAULT_REPROMPT_HOURS
    if mfa_at is None or datetime.now(UTC) - mfa_at > timedelta(hours=hours):
        return StepUp(enrol=False)
    return None


def fresh_enough(auth: Authorization, auth_time: datetime) -> bool:
    """Whether a sign-in at ``auth_time`` gives a code without a page (``max_age``,
    ``prompt``): ``prompt=select_account`` asks the person first, ``prompt=login`` for the
    password again."""
    if auth.prompt in ("login", "select_account"):
        return False
    return young_enough(auth, auth_time)


def young_enough(auth: Authorization, auth_time: datetime) -> bool:
    """Whether a sign-in at ``auth_time`` is recent enough for the request's ``max_age``."""
    if auth.max_age is None:
        return True
    return (datetime.now(UTC) - auth_time).total_seconds() <= auth.max_age


def may_continue(auth: Authorization, auth_time: datetime) -> bool:
    """Whether the account chooser may offer, and honour, continuing with a sign-in at
    ``auth_time``: not when the request wants a fresh sign-in (``prompt=login``) or the
    sign-in is older than ``max_age``."""
    return auth.prompt != "login" and young_enough(auth, auth_time)


async def member_email(
    issuer: Issuer, auth: Authorization, session: tokens.BrowserSession
) -> str | None:
    """The address of the person the browser is signed in as, when they are a live member
    of the client's organization (the account chooser offers it); None otherwise."""
    org = auth.client.organization_id
    async with transaction(issuer.pool, org_id=org, user_id=session.user_id) as conn:
        if await users.membership(conn, org, session.user_id) is None:
            return None
        user = await users.by_id(conn, session.user_id)
    return user.email if user is not None else None


async def code_for_session(
    issuer: Issuer, auth: Authorization, session: tokens.BrowserSession
) -> str | StepUp | None:
    """A code for the person the browser is signed in as, with the session's ``auth_time``
    (when they last authenticated, never now) and methods; :class:`StepUp` when a second
    factor is due first; None when they are not a live member of the client's organization
    (they must sign in as someone else)."""
    org = auth.client.organization_id
    async with transaction(issuer.pool, org_id=org, user_id=session.user_id) as conn:
        if await users.membership(conn, org, session.user_id) is None:
            return None
        policy = await organizations.mfa_policy(conn, org)
        due = second_factor_due(policy, await has_factor(conn, session.user_id), session.mfa_at)
        if due is not None:
            return due
        return await mint(conn, auth, session.user_id, session.signed_in)


async def sign_in(
    issuer: Issuer, auth: Authorization, *, email: str, password: str, address: str
) -> Signed | Pending:
    """Raises the password grant's ``OAuthError`` (one answer for every failure) or a busy
    ``ApiError``; else the code and the new browser session, or :class:`Pending` when a
    second factor comes first."""
    org = auth.client.organization_id
    done = await password_login(
        issuer, username=email, password=password, organization_id=org, address=address
    )
    if isinstance(done, Pending):
        return done
    async with transaction(issuer.pool, org_id=org, user_id=done.user.id) as conn:
        await tokens.make_browser_session(conn, refresh.digest(done.refresh_token), done.user.id)
        code = await mint(conn, auth, done.user.id, done.signed_in)
    return Signed(code, done.refresh_token)


async def mint(
    conn: asyncpg.Connection, auth: Authorization, user_id: UUID, signed_in: SignIn
) -> str:
    """A code for ``auth``'s client (the transaction's tenant is its organization)."""
    return await codes.mint(
        conn,
        org_id=auth.client.organization_id,
        client=auth.client.id,
        user_id=user_id,
        redirect_uri=auth.redirect_uri,
        challenge=auth.code_challenge,
        scope=auth.scope_text,
        nonce=auth.nonce,
        signed_in=signed_in,
    )
