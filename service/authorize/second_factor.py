"""The hosted sign-in's second step, after a right password (or for a browser session whose
second factor is due again): a code from the authenticator app or a recovery code; or, when
the organization requires a factor and the person has none, enrolling one on the spot (a QR
code, a code back, the recovery codes shown once) and then going on.

The step's token travels in the form (never in a URL), bound to the client the request is
for; each post also carries the form's CSRF token. A wrong code shows the page again until
the step is spent (five failures, or five minutes); then the person signs in again."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import asyncpg
from litestar import Request, Response
from litestar.datastructures import FormMultiDict

from service.authorize import answer, browser, opened, service
from service.authorize.request import Authorization
from service.config import Settings
from service.db.tx import transaction
from service.errors import ApiError
from service.ids import parse_uuid
from service.mfa import authenticator
from service.mfa import service as factors
from service.mfa.check import Given
from service.mfa.passkeys import second_factor_options
from service.mfa.repo import Challenge
from service.security import scoped, totp
from service.security.clients import address_of
from service.security.sign_in import SignIn
from service.tokens.issue import Issuer
from service.tokens.repo import BrowserSession
from service.tokens.second_step import Pending, open_step, pass_step, peek, satisfy, user_of

PURPOSE = "page"
STEPS = ("second-factor", "confirm-factor", "passkey")
MOST_PASSKEY = 20_000  # characters of an assertion's JSON
GONE = "This sign-in took too long or had too many wrong codes. Please sign in again."
LABEL = "Authenticator app"
FIRST = "Set up the authenticator app first, then enter the code it shows."


async def begin(
    issuer: Issuer,
    settings: Settings,
    auth: Authorization,
    name: str,
    pending: Pending,
    session: BrowserSession | None = None,
) -> Response[Any]:
    """Open the step and show its page: the code, or enrolling a first factor."""
    raw = await open_step(
        issuer,
        pending,
        purpose=PURPOSE,
        client_id=auth.client.id,
        browser_family=session.family_id if session else None,
        signed_in=session.signed_in if session else None,
    )
    if pending.enrol:
        return await _enrol(issuer, settings, auth, name, raw, pending.user_id, pending)
    return await _code_page(issuer, settings, auth, name, raw)


async def _code_page(
    issuer: Issuer,
    settings: Settings,
    auth: Authorization,
    name: str,
    raw: str,
    *,
    error: str = "",
    status: int = 200,
) -> Response[Any]:
    """The code's page; with a button for the person's passkeys, whose challenge is kept on
    the step (a new one each time the page is shown)."""
    user_id = user_of(raw)
    options = None
    if user_id is not None:
        async with transaction(issuer.pool, user_id=user_id) as conn:
            options = await second_factor_options(conn, issuer.mfa, user_id, scoped.digest(raw))
    return answer.second_factor_page(
        settings,
        auth,
        organization_name=name,
        mfa_token=raw,
        error=error,
        status=status,
        passkey=options,
    )


async def _enrol(
    issuer: Issuer,
    settings: Settings,
    auth: Authorization,
    name: str,
    raw: str,
    user_id: UUID,
    pending: Pending | Challenge,
    *,
    error: str = "",
) -> Response[Any]:
    """A new authenticator app for the person, and its page."""
    enrolment = await authenticator.enrol_totp(
        issuer.mfa,
        user_id=user_id,
        org_id=pending.organization_id,
        email=await factors.email_of(issuer.mfa, user_id),
        label=LABEL,
        fresh=False,
        address=None,
    )
    return answer.enrol_page(
        settings,
        auth,
        organization_name=name,
        mfa_token=raw,
        factor_id=str(enrolment.factor.id),
        secret=enrolment.secret,
        qr_svg=enrolment.qr_svg,
        error=error,
        status=400 if error else 200,
    )


async def handle(
    request: Request[Any, Any, Any],
    issuer: Issuer,
    settings: Settings,
    auth: Authorization,
    name: str,
    form: FormMultiDict,
    step: str,
) -> Response[Any]:
    """A post of the second step's page (its CSRF token already checked)."""
    raw = str(form.get("mfa_token", ""))[:200]
    live = await peek(issuer, raw, purpose=PURPOSE)
    if live is None or live.app_client_id != auth.client.id:
        return answer.sign_in_page(settings, auth, organization_name=name, error=GONE, status=401)
    code = str(form.get("code", "")).strip()[:64]
    address = address_of(request, settings)
    if step == "confirm-factor":
        factor_id = parse_uuid(str(form.get("factor_id", "")))
        return await _confirm(issuer, settings, auth, name, raw, live, factor_id, code, address)
    if live.enrol and not live.satisfied:  # going on before the factor is set up
        return await _enrol(issuer, settings, auth, name, raw, live.user_id, live, error=FIRST)
    if step == "passkey":
        given = Given(passkey=str(form.get("passkey", ""))[:MOST_PASSKEY])
    else:
        given = Given(otp=code) if totp.is_code(code) else Given(recovery_code=code)
    return await _pass(issuer, settings, auth, name, raw, given, address)


async def _confirm(
    issuer: Issuer,
    settings: Settings,
    auth: Authorization,
    name: str,
    raw: str,
    live: Challenge,
    factor_id: UUID | None,
    code: str,
    address: str,
) -> Response[Any]:
    """Enrolling: the factor confirmed by a code from it, which also passes the step; the
    recovery codes, shown once, and a button to go on."""
    if not live.enrol or factor_id is None:
        return answer.sign_in_page(settings, auth, organization_name=name, error=GONE, status=401)
    done = await authenticator.confirm_on_page(
        issuer.mfa,
        user_id=live.user_id,
        org_id=live.organization_id,
        factor_id=factor_id,
        code=code,
        email=await factors.email_of(issuer.mfa, live.user_id),
        address=address,
    )
    if isinstance(done, authenticator.Again):
        if done.enrolment is None:
            return await _enrol(
                issuer, settings, auth, name, raw, live.user_id, live, error=done.detail
            )
        shown = done.enrolment
        return answer.enrol_page(
            settings,
            auth,
            organization_name=name,
            mfa_token=raw,
            factor_id=str(factor_id),
            secret=shown.secret,
            qr_svg=shown.qr_svg,
            error=done.detail,
            status=400,
        )
    _, codes = done
    await satisfy(issuer, raw, ["otp"])
    return answer.recovery_codes_page(
        settings, auth, organization_name=name, mfa_token=raw, codes=codes or []
    )


async def _pass(
    issuer: Issuer,
    settings: Settings,
    auth: Authorization,
    name: str,
    raw: str,
    given: Given,
    address: str,
) -> Response[Any]:
    async def then(conn: asyncpg.Connection, step: Challenge, how: SignIn) -> service.Signed | None:
        return await opened.after_step(conn, issuer, auth, step, how, address)

    try:
        signed = await pass_step(
            issuer,
            raw,
            given,
            purpose=PURPOSE,
            client_id=auth.client.id,
            address=address,
            then=then,
            invalid=factors.wrong_code,
        )
    except ApiError as refused:
        if refused.items[0].code != "invalid_code":
            raise
        if await peek(issuer, raw, purpose=PURPOSE) is None:
            return answer.sign_in_page(
                settings, auth, organization_name=name, error=GONE, status=401
            )
        detail = refused.items[0].detail
        return await _code_page(issuer, settings, auth, name, raw, error=detail, status=401)
    if signed is None:
        return answer.sign_in_page(settings, auth, organization_name=name, error=GONE, status=401)
    names = browser.names(settings)
    cookies = [browser.cookie(settings, names.csrf, "", max_age=0)]
    if signed.session_cookie is not None:
        lifetime = settings.refresh_token_ttl
        cookies.append(
            browser.cookie(settings, names.session, signed.session_cookie, max_age=lifetime)
        )
    return answer.back(settings, auth, {"code": signed.code}, cookies)
