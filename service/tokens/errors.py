"""RFC 6749 section 5.2 errors, rendered as their own plain JSON body (not JSON:API)."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response

from service.tokens.schemas import OAuthErrorBody

NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
LOGIN_FAILED = "The e-mail address or password is incorrect."


class OAuthError(Exception):
    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(description)
        self.error = error
        self.description = description
        self.status = status


def login_failed() -> OAuthError:
    """One answer for every failed password grant: unknown, wrong, unverified, disabled,
    throttled, no organization. RFC 6749 would say 400; like most servers we say 401."""
    return OAuthError("invalid_grant", LOGIN_FAILED, 401)


def handle_oauth_error(_: Request[Any, Any, Any], exc: OAuthError) -> Response[OAuthErrorBody]:
    headers = dict(NO_STORE)
    if exc.status == 401:
        headers["WWW-Authenticate"] = 'Bearer error="invalid_grant"'
    return Response(
        OAuthErrorBody(exc.error, exc.description),
        status_code=exc.status,
        media_type="application/json",
        headers=headers,
    )
