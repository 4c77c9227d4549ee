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
from datetime import UTC, datetime
from uuid import UUID

import asyncpg

from service.accounts import repo as users
from service.authorize.request import Authorization
from service.db.tx import transaction
from service.tokens import codes, refresh
from service.tokens import repo as tokens
from service.tokens.issue import Issuer
from service.tokens.service import password_login


@dataclass(frozen=True, slots=True)
class Signed:
    code: str
    session_cookie: str


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
) -> str | None:
    """A code for the person the browser is signed in as, with the session's ``auth_time``
    (when they typed the password, never now); None when they are not a live member of the
    client's organization (they must sign in as someone else)."""
    org = auth.client.organization_id
    async with transaction(issuer.pool, org_id=org, user_id=session.user_id) as conn:
        if await users.membership(conn, org, session.user_id) is None:
            return None
        return await _mint(conn, auth, session.user_id, session.auth_time)


async def sign_in(
    issuer: Issuer, auth: Authorization, *, email: str, password: str, address: str
) -> Signed:
    """Raises the password grant's ``OAuthError`` (one answer for every failure) or a busy
    ``ApiError``; else the code and the new browser session."""
    org = auth.client.organization_id
    done = await password_login(
        issuer, username=email, password=password, organization_id=org, address=address
    )
    async with transaction(issuer.pool, org_id=org, user_id=done.user.id) as conn:
        await tokens.make_browser_session(conn, refresh.digest(done.refresh_token), done.user.id)
        code = await _mint(conn, auth, done.user.id, datetime.now(UTC))
    return Signed(code, done.refresh_token)


async def _mint(
    conn: asyncpg.Connection, auth: Authorization, user_id: UUID, auth_time: datetime
) -> str:
    return await codes.mint(
        conn,
        org_id=auth.client.organization_id,
        client=auth.client.id,
        user_id=user_id,
        redirect_uri=auth.redirect_uri,
        challenge=auth.code_challenge,
        scope=auth.scope_text,
        nonce=auth.nonce,
        auth_time=auth_time,
    )
