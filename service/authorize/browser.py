"""The hosted sign-in page's browser session and its CSRF token, as cookies.

The session cookie holds the refresh token of the family the sign-in opened, marked as a
browser session (it never refreshes tokens itself): it is revoked exactly as a person's
sessions are, by logout, a password reset, deactivation or removal. HttpOnly, SameSite=Lax,
path ``/auth``; ``Secure`` with the ``__Host-`` name prefix whenever the service is served
over https (on a plain-http loopback address in development, neither, since browsers refuse
them there). The CSRF token is a second random cookie that the form must repeat.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass

import asyncpg
from litestar.datastructures import Cookie

from service.config import Settings
from service.db.tx import transaction
from service.tokens import refresh
from service.tokens import repo as tokens

SESSION = "auth_session"
CSRF = "auth_csrf"


@dataclass(frozen=True, slots=True)
class Names:
    session: str
    csrf: str
    secure: bool


def names(settings: Settings) -> Names:
    secure = settings.public_base_url.startswith("https://")
    prefix = "__Host-" if secure else ""
    return Names(prefix + SESSION, prefix + CSRF, secure)


def cookie(settings: Settings, name: str, value: str, *, max_age: int | None) -> Cookie:
    # __Host- cookies need path "/" and no domain.
    return Cookie(
        key=name,
        value=value,
        path="/",
        max_age=max_age,
        secure=names(settings).secure,
        httponly=True,
        samesite="lax",
    )


def new_csrf() -> str:
    return secrets.token_urlsafe(32)


def csrf_holds(cookie_value: str | None, form_value: str | None) -> bool:
    if not cookie_value or not form_value:
        return False
    return hmac.compare_digest(cookie_value.encode(), form_value.encode())


async def current(pool: asyncpg.Pool, raw: str | None) -> tokens.BrowserSession | None:
    """The live browser session the cookie names, if any."""
    user_id = refresh.user_of(raw) if raw else None
    if raw is None or user_id is None:
        return None
    async with transaction(pool, user_id=user_id) as conn:
        return await tokens.browser_session(conn, refresh.digest(raw), user_id)
