"""``/auth/account/security``: the account's security page (HTML, forms, no JavaScript but
the passkey button's)."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, Router, get, post
from litestar.openapi import ResponseSpec

from service import jsonapi
from service.account import page, views
from service.authorize import browser
from service.config import Settings
from service.routing import Injected, options
from service.tokens.issue import Issuer

PAGES = {
    200: ResponseSpec(
        data_container=str,
        media_type=jsonapi.HTML,
        description="The page.",
        generate_examples=False,
    ),
    401: ResponseSpec(
        data_container=str,
        media_type=jsonapi.HTML,
        description="Not signed in here (no live browser session).",
        generate_examples=False,
    ),
}


@get(
    views.PATH,
    summary="Page: your second factors",
    opt=options(answers=(jsonapi.HTML,)),
    responses=PAGES,
)
async def security(
    request: Request[Any, Any, Any], issuer: Injected[Issuer], settings: Injected[Settings]
) -> Response[str]:
    """For a person signed in here through the hosted sign-in (its browser session): their
    second factors, the recovery codes left, and forms to change them."""
    session = await page.session_of(request, issuer, settings)
    if session is None:
        return views.signed_out(settings)
    return await page.overview(issuer, settings, session)


@post(
    views.PATH,
    summary="Page: change your second factors",
    status_code=200,
    opt=options(accepts=(jsonapi.FORM,), answers=(jsonapi.HTML,)),
    responses={**PAGES, 400: PAGES[200], 403: PAGES[200]},
)
async def change(
    request: Request[Any, Any, Any], issuer: Injected[Issuer], settings: Injected[Settings]
) -> Response[str]:
    """`step`: `add-totp`, `confirm-totp`, `add-passkey`, `confirm-passkey`,
    `remove:<factor id>` or `recovery-codes`, with the form's `csrf`, and `code` when the
    session's second factor is older than five minutes."""
    session = await page.session_of(request, issuer, settings)
    if session is None:
        return views.signed_out(settings)
    form = await request.form()
    if not browser.csrf_holds(request.cookies.get(browser.names(settings).csrf), form.get("csrf")):
        return await page.overview(
            issuer, settings, session, error="This page expired. Please try again.", status=403
        )
    return await page.act(request, issuer, settings, session, form)


ROUTER = Router("/", route_handlers=[security, change], tags=["pages"])
