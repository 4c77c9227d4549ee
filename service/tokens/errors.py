"""RFC 6749 section 5.2 errors, rendered as their own plain JSON body (not JSON:API)."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response
from litestar.exceptions import HTTPException

from service.errors import ApiError
from service.http import unexpected
from service.tokens.schemas import OAuthErrorBody

NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
LOGIN_FAILED = "The e-mail address or password is incorrect."


class OAuthError(Exception):
    def __init__(
        self,
        error: str,
        description: str,
        status: int = 400,
        headers: dict[str, str] | None = None,
        *,
        mfa_token: str | None = None,
        enrol: bool = False,
    ) -> None:
        super().__init__(description)
        self.error = error
        self.description = description
        self.status = status
        self.headers = headers
        self.mfa_token = mfa_token
        self.enrol = enrol


def login_failed() -> OAuthError:
    """One answer for every failed password grant: unknown, wrong, unverified, disabled,
    throttled, no organization. RFC 6749 would say 400; like most servers we say 401."""
    return OAuthError("invalid_grant", LOGIN_FAILED, 401)


def handle_oauth_error(_: Request[Any, Any, Any], exc: OAuthError) -> Response[OAuthErrorBody]:
    return _oauth_response(exc, exc.headers)


# What an error of the HTTP layer (a body of the wrong type, too large, throttled, the
# database away) is called in RFC 6749's vocabulary; anything else is a bad request.
_BY_STATUS = {500: "server_error", 503: "temporarily_unavailable"}


def handle_api_error_as_oauth(_: Request[Any, Any, Any], exc: ApiError) -> Response[OAuthErrorBody]:
    """The token and revocation endpoints answer every error in RFC 6749's shape, those of
    the HTTP layer (415, 406, 413, 429, 503) included, keeping their status and headers."""
    item = exc.items[0]
    error = OAuthError(_BY_STATUS.get(item.status, "invalid_request"), item.detail, item.status)
    return _oauth_response(error, exc.headers)


def handle_http_exception_as_oauth(
    _: Request[Any, Any, Any], exc: HTTPException
) -> Response[OAuthErrorBody]:
    status = exc.status_code
    error = OAuthError(_BY_STATUS.get(status, "invalid_request"), str(exc.detail), status)
    return _oauth_response(error, exc.headers)


def handle_unexpected_as_oauth(
    request: Request[Any, Any, Any], exc: Exception
) -> Response[OAuthErrorBody]:
    """The database away (``temporarily_unavailable``, 503) or a fault (``server_error``)."""
    return handle_api_error_as_oauth(request, unexpected(exc))


OAUTH_EXCEPTION_HANDLERS: dict[Any, Any] = {
    OAuthError: handle_oauth_error,
    ApiError: handle_api_error_as_oauth,
    HTTPException: handle_http_exception_as_oauth,
    Exception: handle_unexpected_as_oauth,
}


def _oauth_response(
    exc: OAuthError, extra: dict[str, str] | None = None
) -> Response[OAuthErrorBody]:
    headers = {**(extra or {}), **NO_STORE}
    if exc.status == 401 and exc.error == "invalid_grant":
        headers["WWW-Authenticate"] = 'Bearer error="invalid_grant"'
    body = OAuthErrorBody(exc.error, exc.description, mfa_token=exc.mfa_token)
    if exc.enrol:
        body.mfa_enrollment_required = True
    return Response(
        body,
        status_code=exc.status,
        media_type="application/json",
        headers=headers,
    )
