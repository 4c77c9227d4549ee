"""The two steps of the hosted sign-in, as the handlers run them: the authorization request
arriving (GET), and its page's form coming back (POST): the sign-in form, or the account
chooser's ``choice`` (``prompt=select_account``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from litestar import Request, Response
from litestar.datastructures import FormMultiDict

from service.authorize import answer, browser, chooser, passkey_sign_in, second_factor, service
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
from service.mfa.passkeys import sign_in_options
from service.organizations import repo as organizations
from service.security.clients import address_of
from service.tokens.errors import OAuthError
from service.tokens.issue import Issuer
from service.tokens.repo import BrowserSession
from service.tokens.second_step import Pending


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


async def _session(
    request: Request[Any, Any, Any], issuer: Issuer, settings: Settings
) -> BrowserSession | None:
    """The browser's live session here, if its cookie names one."""
    return await browser.current(issuer.pool, request.cookies.get(browser.names(settings).session))


async def start(
    request: Request[Any, Any, Any], issuer: Issuer, settings: Settings
) -> Response[Any]:
    """GET: a code at once for a browser signed in here (unless the request wants a fresh
    sign-in or asks the person first); ``login_required`` for ``prompt=none`` otherwise;
    else the account chooser (``prompt=select_account``) or the sign-in page."""
    params = {key: request.query_params.getall(key) for key in request.query_params}
    auth = await _request(issuer, settings, params)
    if isinstance(auth, Response):
        return auth
    session = await _session(request, issuer, settings)
    if session is not None and service.fresh_enough(auth, session.auth_time):
        code = await service.code_for_session(issuer, auth, session)
        if isinstance(code, str):
            return answer.back(settings, auth, {"code": code})
        if isinstance(code, service.StepUp):
            return await _step_up(issuer, settings, auth, session, code)
    if auth.prompt == "none":
        return answer.back(settings, auth, {"error": "login_required"})
    name = await _organization_name(issuer, auth)
    if auth.prompt == "select_account":
        return await chooser.page(issuer, settings, auth, session, name)
    return answer.sign_in_page(settings, auth, organization_name=name, passkey=_passkey(issuer))


def _passkey(issuer: Issuer) -> dict[str, Any]:
    """The sign-in page's passkey button: any passkey of this service may sign in alone."""
    return sign_in_options(issuer.mfa)


async def _step_up(
    issuer: Issuer,
    settings: Settings,
    auth: Authorization,
    session: BrowserSession,
    due: service.StepUp,
) -> Response[Any]:
    """A browser session whose second factor is due: ``interaction_required`` for
    ``prompt=none``; else the second step's page, for that session."""
    if auth.prompt == "none":
        return answer.back(settings, auth, {"error": "interaction_required"})
    name = await _organization_name(issuer, auth)
    org = auth.client.organization_id
    pending = Pending(session.user_id, org, session.sessions_epoch, due.enrol)
    return await second_factor.begin(issuer, settings, auth, name, pending, session)


async def finish(
    request: Request[Any, Any, Any], issuer: Issuer, settings: Settings
) -> Response[Any]:
    """POST: the form, checked against its CSRF cookie; then the account chooser's
    ``choice``, or the password: a right one sets the browser session and returns a code, a
    wrong one shows the form again."""
    form = await request.form()
    params = {key: form.getall(key) for key in form}
    auth = await _request(issuer, settings, params)
    if isinstance(auth, Response):
        return auth
    names = browser.names(settings)
    name = await _organization_name(issuer, auth)
    choice = chooser.choice(params.get("choice", []))
    email = str(form.get("email", ""))[:254]
    if not browser.csrf_holds(request.cookies.get(names.csrf), form.get("csrf")):
        if choice:
            session = await _session(request, issuer, settings)
            return await chooser.page(issuer, settings, auth, session, name, expired=True)
        expired = answer.FORM_EXPIRED
        return answer.sign_in_page(
            settings, auth, organization_name=name, email=email, error=expired, status=403
        )
    steps = params.get("step", [])
    step = str(steps[0]) if len(steps) == 1 else ""
    if step in second_factor.STEPS:
        return await second_factor.handle(request, issuer, settings, auth, name, form, step)
    if choice == "continue":
        session = await _session(request, issuer, settings)
        due = await chooser.go_on(issuer, settings, auth, session, name)
        if isinstance(due, service.StepUp) and session is not None:
            return await _step_up(issuer, settings, auth, session, due)
        assert not isinstance(due, service.StepUp)
        return due
    if choice == "another":
        return answer.sign_in_page(settings, auth, organization_name=name, passkey=_passkey(issuer))
    if step == passkey_sign_in.STEP:
        passkey = str(form.get("passkey", ""))[: passkey_sign_in.MOST]
        address = address_of(request, settings)
        return await passkey_sign_in.sign_in(issuer, settings, auth, name, passkey, address)
    return await _sign_in(request, issuer, settings, auth, name, email, form)


async def _sign_in(
    request: Request[Any, Any, Any],
    issuer: Issuer,
    settings: Settings,
    auth: Authorization,
    name: str,
    email: str,
    form: FormMultiDict,
) -> Response[Any]:
    """The password: a right one sets the browser session and returns a code, a wrong one
    shows the form again with one answer for every failure."""
    try:
        signed = await service.sign_in(
            issuer,
            auth,
            email=email,
            password=str(form.get("password", "")),
            address=address_of(request, settings),
        )
        if isinstance(signed, Pending):
            return await second_factor.begin(issuer, settings, auth, name, signed)
    except (OAuthError, ApiError) as refused:
        message = (
            refused.description if isinstance(refused, OAuthError) else refused.items[0].detail
        )
        status = 401 if isinstance(refused, OAuthError) else refused.status
        return answer.sign_in_page(
            settings,
            auth,
            organization_name=name,
            email=email,
            error=message,
            status=status,
            passkey=_passkey(issuer),
        )
    names = browser.names(settings)
    lifetime = settings.refresh_token_ttl
    assert signed.session_cookie is not None  # a password sign-in always opens one
    cookies = [
        browser.cookie(settings, names.session, signed.session_cookie, max_age=lifetime),
        browser.cookie(settings, names.csrf, "", max_age=0),
    ]
    return answer.back(settings, auth, {"code": signed.code}, cookies)
