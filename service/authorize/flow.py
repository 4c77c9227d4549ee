"""The two steps of the hosted sign-in, as the handlers run them: the authorization request
arriving (GET), and the sign-in form coming back (POST)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from litestar import Request, Response

from service.authorize import answer, browser, service
from service.authorize.request import (
    Authorization,
    PageProblem,
    RedirectProblem,
    read,
    single,
)
from service.config import Settings
from service.db.tx import transaction
from service.errors import ApiError
from service.organizations import repo as organizations
from service.security.clients import address_of
from service.tokens.errors import OAuthError
from service.tokens.issue import Issuer

FORM_EXPIRED = "The sign-in form expired. Please sign in again."


async def _organization_name(issuer: Issuer, auth: Authorization) -> str:
    org = auth.client.organization_id
    async with transaction(issuer.pool, org_id=org) as conn:
        return await organizations.name_of(conn, org) or ""


async def _request(
    issuer: Issuer, settings: Settings, params: Mapping[str, Sequence[str]]
) -> Authorization | Response[Any]:
    try:
        return await read(issuer.pool, single(params))
    except PageProblem as problem:
        return answer.problem(settings, str(problem))
    except RedirectProblem as problem:
        error = {"error": problem.error, "error_description": problem.description}
        return answer.back(settings, problem.request, error)


async def start(
    request: Request[Any, Any, Any], issuer: Issuer, settings: Settings
) -> Response[Any]:
    """GET: a code at once for a browser signed in here (unless the request wants a fresh
    sign-in); ``login_required`` for ``prompt=none`` otherwise; else the sign-in page."""
    params = {key: request.query_params.getall(key) for key in request.query_params}
    auth = await _request(issuer, settings, params)
    if isinstance(auth, Response):
        return auth
    names = browser.names(settings)
    session = await browser.current(issuer.pool, request.cookies.get(names.session))
    if session is not None and service.fresh_enough(auth, session.auth_time):
        code = await service.code_for_session(issuer, auth, session)
        if code is not None:
            return answer.back(settings, auth, {"code": code})
    if auth.prompt == "none":
        return answer.back(settings, auth, {"error": "login_required"})
    name = await _organization_name(issuer, auth)
    return answer.sign_in_page(settings, auth, organization_name=name)


async def finish(
    request: Request[Any, Any, Any], issuer: Issuer, settings: Settings
) -> Response[Any]:
    """POST: the form, checked against its CSRF cookie, then the password; a right one sets
    the browser session and returns a code, a wrong one shows the form again."""
    form = await request.form()
    params = {key: form.getall(key) for key in form}
    auth = await _request(issuer, settings, params)
    if isinstance(auth, Response):
        return auth
    names = browser.names(settings)
    name = await _organization_name(issuer, auth)
    email = str(form.get("email", ""))[:254]
    if not browser.csrf_holds(request.cookies.get(names.csrf), form.get("csrf")):
        return answer.sign_in_page(
            settings, auth, organization_name=name, email=email, error=FORM_EXPIRED, status=403
        )
    try:
        signed = await service.sign_in(
            issuer,
            auth,
            email=email,
            password=str(form.get("password", "")),
            address=address_of(request, settings),
        )
    except (OAuthError, ApiError) as refused:
        message = (
            refused.description if isinstance(refused, OAuthError) else refused.items[0].detail
        )
        status = 401 if isinstance(refused, OAuthError) else refused.status
        return answer.sign_in_page(
            settings, auth, organization_name=name, email=email, error=message, status=status
        )
    lifetime = settings.refresh_token_ttl
    cookies = [
        browser.cookie(settings, names.session, signed.session_cookie, max_age=lifetime),
        browser.cookie(settings, names.csrf, "", max_age=0),
    ]
    return answer.back(settings, auth, {"code": signed.code}, cookies)
