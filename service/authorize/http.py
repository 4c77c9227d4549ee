"""``/auth/authorize``: the authorization endpoint (authorization code with PKCE) and its
hosted sign-in page. No JavaScript; the page's only style is allowed by its hash."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, Router, get, post
from litestar.openapi import ResponseSpec

from service import jsonapi
from service.authorize import flow
from service.authorize.schemas import SignInForm
from service.config import Settings
from service.routing import Injected, options
from service.tokens.issue import Issuer

PAGE = options(accepts=(jsonapi.FORM,), answers=(jsonapi.HTML,), bodies={jsonapi.FORM: SignInForm})
REDIRECT = ResponseSpec(
    data_container=None,
    description="To the client's redirect URI with `code`, `state` and `iss`, or `error`.",
)


def _page(description: str) -> ResponseSpec:
    return ResponseSpec(
        data_container=str,
        media_type=jsonapi.HTML,
        description=description,
        generate_examples=False,
    )


ANSWERS = {
    303: REDIRECT,
    200: _page("The sign-in page, or the account chooser (`prompt=select_account`)."),
    400: _page("A request whose client or redirect URI is not registered: never redirected."),
}
FORM_ANSWERS = {
    303: REDIRECT,
    200: _page(
        "The sign-in page: after `choice=another`, or after `choice=continue` when the"
        " browser's session ended or its person is no longer a live member (no code)."
    ),
    400: _page("A request whose client or redirect URI is not registered."),
    401: _page("The sign-in page again: the address or password is wrong (one answer)."),
    403: _page(
        "The page again (the account chooser, or the sign-in page): the form's CSRF cookie"
        " is missing or differs."
    ),
    429: _page("The sign-in page again: too many attempts."),
    503: _page("The sign-in page again: too busy to check a password now."),
}


@get(
    "/authorize",
    summary="Authorization request (code + PKCE): sign-in page, account chooser or redirect",
    responses=ANSWERS,
    opt=options(answers=(jsonapi.HTML,)),
)
async def authorize(
    request: Request[Any, Any, Any], issuer: Injected[Issuer], settings: Injected[Settings]
) -> Response[Any]:
    """OpenID Connect / OAuth 2.1 authorization request: `response_type=code`, `client_id`,
    `redirect_uri` (exactly as registered), `code_challenge` with
    `code_challenge_method=S256` (required), `state`, `scope` (`openid profile email
    offline_access fhirUser`), `nonce`, `prompt` (`none`, `login`, `select_account`),
    `max_age`, `login_hint`, `organization_id`. Answers with the sign-in page; with
    `prompt=select_account` and a browser signed in here as a live member of the client's
    organization (within `max_age`), the account chooser ("Continue as <e-mail>" / "Use
    another account"); or 303 to the redirect URI with `code`, `state` and `iss` (or
    `error`). A request whose client or redirect URI is not registered is answered with a
    page, never redirected."""
    return await flow.start(request, issuer, settings)


@post(
    "/authorize",
    summary="The sign-in form, or the account chooser's choice",
    status_code=303,
    opt=PAGE,
    responses=FORM_ANSWERS,
)
async def sign_in(
    request: Request[Any, Any, Any], issuer: Injected[Issuer], settings: Injected[Settings]
) -> Response[Any]:
    """The sign-in page and the account chooser post here: the request's parameters again
    and the form's CSRF token, then either `email` and `password`, or `choice`.
    `choice=continue`: 303 with a code for the browser's session as it stands (still live,
    its person still a live member, within `max_age`), carrying that session's `auth_time`;
    otherwise the sign-in page and no code. `choice=another`: the sign-in page, empty. A
    right password: 303 to the client with a code, and the browser session cookie. Anything
    else: the page again, with one answer for every failure."""
    return await flow.finish(request, issuer, settings)


ROUTER = Router("/auth", route_handlers=[authorize, sign_in], tags=["sign-in"])
