"""The account's security page (``/auth/account/security``): a person signed in here (the
hosted sign-in's browser session) sees their second factors and recovery codes, adds an
authenticator app or a passkey, removes a factor, and gets new recovery codes.

What a stolen browser session must not do alone (add a factor beside a confirmed one, remove
a confirmed one, new recovery codes) needs a second factor given within five minutes: the
session's own, or a code typed into the page's form, which is then checked and throttled as
any second step is, and counts for the next five minutes. Every form carries the CSRF token
of its cookie."""

from __future__ import annotations

import html
from datetime import UTC, datetime
from typing import Any

from litestar import Request, Response
from litestar.datastructures import FormMultiDict

from service.account import views
from service.authorize import browser
from service.config import Settings
from service.db.tx import transaction
from service.errors import ApiError
from service.ids import parse_uuid
from service.mfa import authenticator, passkeys, service
from service.mfa.check import proves_presence
from service.pages import render
from service.security.clients import address_of
from service.security.sign_in import with_factor
from service.tokens import repo as tokens
from service.tokens.issue import Issuer
from service.tokens.repo import BrowserSession

GUARDED = ("remove:", "recovery-codes", "add-totp", "add-passkey")  # a code here is a step-up


def _fresh(session: BrowserSession) -> bool:
    moment = session.mfa_at
    return moment is not None and (
        (datetime.now(UTC) - moment).total_seconds() <= service.STEP_UP_SECONDS
    )


async def overview(
    issuer: Issuer,
    settings: Settings,
    session: BrowserSession,
    *,
    error: str = "",
    notice: str = "",
    status: int = 200,
) -> Response[str]:
    listed = await service.listing(issuer.mfa, session.user_id)
    confirmed = any(f.confirmed_at for f in listed.factors)
    return views.form(
        settings,
        "security",
        status=status,
        markup={
            "factors": views.factors(listed.factors),
            "code_field": views.CODE_FIELD if confirmed and not _fresh(session) else "",
            "error": render.alert(error) if error else "",
            "notice": f'<p class="hint" role="status">{html.escape(notice)}</p>' if notice else "",
        },
        email=await service.email_of(issuer.mfa, session.user_id),
        left=listed.recovery_codes_left,
        issued=listed.recovery_codes_issued,
    )


async def session_of(
    request: Request[Any, Any, Any], issuer: Issuer, settings: Settings
) -> BrowserSession | None:
    names = browser.names(settings)
    return await browser.current(issuer.pool, request.cookies.get(names.session))


async def act(
    request: Request[Any, Any, Any],
    issuer: Issuer,
    settings: Settings,
    session: BrowserSession,
    form: FormMultiDict,
) -> Response[str]:
    """One of the page's forms (its CSRF token already checked)."""
    step = str(form.get("step", ""))
    code = str(form.get("code", "")).strip()[:64]
    address = address_of(request, settings)
    fresh = _fresh(session)
    if code and not fresh and step.startswith(GUARDED):
        fresh = await proves_presence(
            issuer.mfa,
            user_id=session.user_id,
            org_id=session.organization_id,
            code=code,
            address=address,
        )
        if not fresh:
            return await overview(issuer, settings, session, error=service.WRONG_CODE, status=400)
        async with transaction(issuer.pool, user_id=session.user_id) as conn:
            amr = with_factor(session.amr, "otp")
            await tokens.step_up_browser_session(conn, session.family_id, session.user_id, amr)
    try:
        return await _do(issuer, settings, session, form, step, fresh=fresh, address=address)
    except ApiError as refused:
        detail = refused.items[0].detail
        return await overview(issuer, settings, session, error=detail, status=refused.status)


async def _do(
    issuer: Issuer,
    settings: Settings,
    session: BrowserSession,
    form: FormMultiDict,
    step: str,
    *,
    fresh: bool,
    address: str,
) -> Response[str]:
    who = {"user_id": session.user_id, "org_id": session.organization_id}
    kit = issuer.mfa
    if step.startswith("remove:"):
        factor_id = parse_uuid(step.removeprefix("remove:"))
        if factor_id is None:
            raise ApiError("mfa_factor_not_found", "There is no such factor of yours.")
        await service.remove(kit, **who, factor_id=factor_id, fresh=fresh, address=address)
        return await overview(issuer, settings, session, notice="The factor was removed.")
    if step == "recovery-codes":
        codes = await service.regenerate(kit, **who, fresh=fresh, address=address)
        return views.codes(settings, codes)
    if step == "add-totp":
        email = await service.email_of(issuer.mfa, session.user_id)
        made = await authenticator.enrol_totp(
            kit, **who, email=email, label="Authenticator app", fresh=fresh, address=address
        )
        return views.totp(settings, str(made.factor.id), made.secret, made.qr_svg)
    if step == "confirm-totp":
        return await _confirm_totp(issuer, settings, session, form, address)
    if step == "add-passkey":
        email = await service.email_of(issuer.mfa, session.user_id)
        enrolled = await passkeys.enrol(
            kit, **who, email=email, label="Passkey", fresh=fresh, address=address
        )
        return views.passkey(settings, str(enrolled.factor.id), enrolled.options)
    if step == "confirm-passkey":
        factor_id = parse_uuid(str(form.get("factor_id", "")))
        credential = str(form.get("passkey", ""))[:20_000]
        if factor_id is None:
            raise ApiError("mfa_factor_not_found", "There is no such factor of yours.")
        _, first = await passkeys.confirm(
            kit, **who, factor_id=factor_id, credential=credential, address=address
        )
        if first:
            return views.codes(settings, first)
        return await overview(issuer, settings, session, notice="The passkey was added.")
    return await overview(issuer, settings, session)


async def _confirm_totp(
    issuer: Issuer,
    settings: Settings,
    session: BrowserSession,
    form: FormMultiDict,
    address: str,
) -> Response[str]:
    factor_id = parse_uuid(str(form.get("factor_id", "")))
    code = str(form.get("code", "")).strip()[:64]
    if factor_id is None:
        raise ApiError("mfa_factor_not_found", "There is no such factor of yours.")
    done = await authenticator.confirm_on_page(
        issuer.mfa,
        user_id=session.user_id,
        org_id=session.organization_id,
        factor_id=factor_id,
        code=code,
        email=await service.email_of(issuer.mfa, session.user_id),
        address=address,
    )
    if isinstance(done, authenticator.Again):
        if done.enrolment is None:
            raise ApiError("mfa_factor_not_found", done.detail)
        shown = done.enrolment
        return views.totp(settings, str(factor_id), shown.secret, shown.qr_svg, error=done.detail)
    _, codes = done
    if codes:
        return views.codes(settings, codes)
    return await overview(issuer, settings, session, notice="The authenticator app was added.")
