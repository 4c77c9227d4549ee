"""Signing in with a passkey alone, on the hosted sign-in page: the browser offers any passkey
of this service (a discoverable credential), the person unlocks it (user verification is
required, so the passkey is two factors in one), and the service finds whose it is from the
credential's id. Then as after a password and a second factor: a browser session and a code,
for a live member of the client's organization, with ``amr`` ``[hwk|swk, user, mfa]``.

A failure of any kind (an expired or used challenge, an unknown passkey, a signature that
does not hold, a counter that went back, no membership) is one answer: the sign-in page."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from litestar import Response

from service.authorize import answer, browser, service
from service.authorize.opened import open_session
from service.authorize.request import Authorization
from service.config import Settings
from service.db.tx import transaction
from service.mfa.passkeys import sign_in_options, signed_in_with
from service.security.sign_in import SignIn
from service.tokens import repo as tokens
from service.tokens.issue import Issuer, auth_event

STEP = "passkey-sign-in"
MOST = 20_000  # characters of an assertion's JSON
REFUSED = "That passkey could not sign you in here. Try again, or use your password."


async def sign_in(
    issuer: Issuer,
    settings: Settings,
    auth: Authorization,
    name: str,
    credential: str,
    address: str,
) -> Response[Any]:
    """The assertion the page's script posted (its CSRF token already checked)."""
    who = await signed_in_with(issuer.mfa, credential)
    signed = None
    if who is not None:
        how = SignIn((who.method, "user", "mfa"), datetime.now(UTC))
        org = auth.client.organization_id
        async with transaction(issuer.pool, org_id=org, user_id=who.user_id) as conn:
            epoch = await tokens.sessions_epoch(conn, who.user_id)
            cookie = await open_session(conn, issuer, org, who.user_id, epoch, how)
            if cookie is not None:
                await auth_event(conn, org, who.user_id, "auth.login", address)
                signed = service.Signed(await service.mint(conn, auth, who.user_id, how), cookie)
    if signed is None or signed.session_cookie is None:
        return answer.sign_in_page(
            settings,
            auth,
            organization_name=name,
            error=REFUSED,
            status=401,
            passkey=sign_in_options(issuer.mfa),
        )
    names = browser.names(settings)
    cookies = [
        browser.cookie(
            settings, names.session, signed.session_cookie, max_age=settings.refresh_token_ttl
        ),
        browser.cookie(settings, names.csrf, "", max_age=0),
    ]
    return answer.back(settings, auth, {"code": signed.code}, cookies)
