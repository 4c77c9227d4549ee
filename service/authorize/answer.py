"""What the authorization endpoint answers: the sign-in page, the account chooser, a problem
page, or a redirect to the client (RFC 6749 4.1.2, with ``iss`` as RFC 9207 asks)."""

from __future__ import annotations

import html
import json
from typing import Any
from urllib.parse import urlencode, urlsplit

from litestar import Response
from litestar.datastructures import Cookie

from service.authorize import browser
from service.authorize.request import Authorization
from service.config import Settings
from service.pages import render

NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
FORM_EXPIRED = "The sign-in form expired. Please sign in again."
CHOICE_EXPIRED = "This page expired. Please choose again."


def back(
    settings: Settings,
    auth: Authorization,
    values: dict[str, str],
    cookies: list[Cookie] | None = None,
) -> Response[Any]:
    """303 to the client's redirect URI with ``values``, ``state`` and ``iss``."""
    query = {**values, "iss": settings.public_base_url}
    if auth.state is not None:
        query["state"] = auth.state
    glue = "&" if "?" in auth.redirect_uri else "?"
    return Response(
        b"",
        status_code=303,
        headers={"Location": auth.redirect_uri + glue + urlencode(query), **NO_STORE},
        cookies=cookies or [],
    )


def problem(settings: Settings, message: str, status: int = 400) -> Response[str]:
    return render.page(settings, "sign_in_problem", status=status, message=message)


def _origin(uri: str) -> str:
    parts = urlsplit(uri)
    if parts.scheme in ("http", "https"):
        return f"{parts.scheme}://{parts.netloc}"
    return f"{parts.scheme}:"


def sign_in_page(
    settings: Settings,
    auth: Authorization,
    *,
    organization_name: str,
    email: str = "",
    error: str = "",
    status: int = 200,
    passkey: dict[str, Any] | None = None,
) -> Response[str]:
    """The form, with a fresh CSRF token in a cookie and in the form; with ``passkey`` (the
    request options), a "Sign in with a passkey" button too."""
    return _form_page(
        settings,
        auth,
        "sign_in",
        error=error,
        status=status,
        email=email or auth.login_hint,
        organization_name=organization_name,
        passkey=("passkey-sign-in", "Sign in with a passkey", passkey) if passkey else None,
    )


def choose_account_page(
    settings: Settings,
    auth: Authorization,
    *,
    organization_name: str,
    email: str,
    error: str = "",
    status: int = 200,
) -> Response[str]:
    """The account chooser (``prompt=select_account``): continue as ``email``, the person
    the browser is signed in as, or use another account. The same hidden fields and CSRF
    token as the sign-in form; the answer is the form's ``choice``."""
    return _form_page(
        settings,
        auth,
        "choose_account",
        error=error,
        status=status,
        email=email,
        organization_name=organization_name,
    )


def second_factor_page(
    settings: Settings,
    auth: Authorization,
    *,
    organization_name: str,
    mfa_token: str,
    error: str = "",
    status: int = 200,
    passkey: dict[str, Any] | None = None,
) -> Response[str]:
    """The second step: a code from the authenticator app, or a recovery code; with
    ``passkey`` (the request options for the person's passkeys), a passkey button too."""
    return _form_page(
        settings,
        auth,
        "second_factor",
        error=error,
        status=status,
        email="",
        organization_name=organization_name,
        more={"mfa_token": mfa_token},
        passkey=("passkey", "Use a passkey", passkey) if passkey else None,
    )


def enrol_page(
    settings: Settings,
    auth: Authorization,
    *,
    organization_name: str,
    mfa_token: str,
    factor_id: str,
    secret: str,
    qr_svg: str,
    error: str = "",
    status: int = 200,
) -> Response[str]:
    """The organization requires a second factor and the person has none: scan the QR code
    (drawn here as SVG), or type the key, then confirm with a code."""
    return _form_page(
        settings,
        auth,
        "enrol_factor",
        error=error,
        status=status,
        email="",
        organization_name=organization_name,
        more={"mfa_token": mfa_token, "factor_id": factor_id},
        markup={"qr": qr_svg},
        secret=secret,
    )


def recovery_codes_page(
    settings: Settings,
    auth: Authorization,
    *,
    organization_name: str,
    mfa_token: str,
    codes: list[str],
) -> Response[str]:
    """The recovery codes of a first factor, shown once, and the way on."""
    items = "".join(f"<li><code>{html.escape(code)}</code></li>" for code in codes)
    return _form_page(
        settings,
        auth,
        "recovery_codes",
        error="",
        status=200,
        email="",
        organization_name=organization_name,
        more={"mfa_token": mfa_token},
        markup={"codes": items},
    )


def _form_page(
    settings: Settings,
    auth: Authorization,
    name: str,
    *,
    email: str,
    organization_name: str,
    error: str,
    status: int,
    more: dict[str, str] | None = None,
    markup: dict[str, str] | None = None,
    secret: str = "",
    passkey: tuple[str, str, dict[str, Any]] | None = None,
) -> Response[str]:
    """A page whose form posts the request back: its parameters (and ``more``) as hidden
    fields, and a fresh CSRF token in the form and in a cookie."""
    csrf = browser.new_csrf()
    fields = {**auth.hidden(), **(more or {}), "csrf": csrf}
    hidden = "\n".join(
        f'<input type="hidden" name="{field}" value="{html.escape(value, quote=True)}">'
        for field, value in fields.items()
    )
    block = ""
    if passkey is not None:
        step, label, options = passkey
        block = render.fragment(
            "passkey",
            markup={"hidden": hidden},
            step=step,
            label=label,
            options=json.dumps(options, separators=(",", ":")),
            base=settings.public_base_url,
            path="/auth/authorize",
            mode="get",
        )
    shown = {"hidden": hidden, "error": render.alert(error) if error else "", "passkey": block}
    response = render.page(
        settings,
        name,
        status=status,
        script=passkey is not None,
        markup={**shown, **(markup or {})},
        redirects_to=_origin(auth.redirect_uri),
        client_name=auth.client.name,
        email=email,
        organization_name=organization_name,
        secret=secret,
    )
    names = browser.names(settings)
    response.cookies.append(browser.cookie(settings, names.csrf, csrf, max_age=3600))
    return response
