"""What a passed second step (or a passkey signing in alone) opens on the hosted sign-in: a
new browser session, or the browser session that was asked again, and a code for the client.
Both run in the transaction that spent the step, so one step opens one session."""

from __future__ import annotations

from uuid import UUID

import asyncpg

from service.accounts import repo as users
from service.authorize import service
from service.authorize.request import Authorization
from service.mfa.repo import Challenge
from service.security.sign_in import SignIn
from service.tokens import refresh
from service.tokens import repo as tokens
from service.tokens.issue import Issuer, auth_event, open_family


async def after_step(
    conn: asyncpg.Connection,
    issuer: Issuer,
    auth: Authorization,
    step: Challenge,
    how: SignIn,
    address: str,
) -> service.Signed | None:
    """The step passed: the browser session (a new one, or the one that was asked again)
    and a code, for a person still a live member of the client's organization."""
    org = auth.client.organization_id
    if step.organization_id != org or await users.membership(conn, org, step.user_id) is None:
        return None
    cookie = None
    if step.browser_family is not None:
        family = step.browser_family
        if not await tokens.step_up_browser_session(conn, family, step.user_id, how.amr):
            return None
    else:
        cookie = await open_session(conn, issuer, org, step.user_id, step.sessions_epoch, how)
        if cookie is None:
            return None
        await auth_event(conn, org, step.user_id, "auth.login", address)
    code = await service.mint(conn, auth, step.user_id, how)
    return service.Signed(code, cookie)


async def open_session(
    conn: asyncpg.Connection,
    issuer: Issuer,
    org: UUID,
    user_id: UUID,
    epoch: int | None,
    how: SignIn,
) -> str | None:
    """A new browser session (its cookie) for a live member of ``org`` who just signed in
    ``how``; None when they are not one, or their sessions ended since ``epoch``."""
    issued = await open_family(conn, issuer, org, user_id, epoch=epoch, signed_in=how)
    if issued is None:
        return None
    cookie = str(issued.refresh_token)
    await tokens.make_browser_session(conn, refresh.digest(cookie), user_id)
    return cookie
