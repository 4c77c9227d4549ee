"""What the account's security page shows: its forms (each with a fresh CSRF token in its
cookie and its field), the factor list, an authenticator app to scan, a passkey to create,
and new recovery codes."""

from __future__ import annotations

import html
from typing import Any

from litestar import Response

from service.authorize import browser
from service.config import Settings
from service.mfa.repo import Factor
from service.pages import render

PATH = "/auth/account/security"
KINDS = {"totp": "authenticator app", "webauthn": "passkey"}
CODE_FIELD = (
    '<label for="code">Code from your authenticator app, or a recovery code</label>'
    '<input id="code" name="code" type="text" inputmode="numeric"'
    ' autocomplete="one-time-code" maxlength="32" aria-describedby="code-hint">'
    '<p class="hint" id="code-hint">Changing your factors needs your second factor again:'
    " the last one was given more than five minutes ago.</p>"
)


def form(
    settings: Settings,
    name: str,
    *,
    status: int = 200,
    script: bool = False,
    markup: dict[str, str] | None = None,
    **values: Any,
) -> Response[str]:
    """A page of the account whose forms carry a fresh CSRF token (cookie and field)."""
    csrf = browser.new_csrf()
    hidden = f'<input type="hidden" name="csrf" value="{html.escape(csrf, quote=True)}">'
    extra = markup or {}
    extra_hidden = extra.pop("more_hidden", "")
    response = render.page(
        settings,
        name,
        status=status,
        script=script,
        markup={"hidden": hidden + extra_hidden, **extra},
        **values,
    )
    names = browser.names(settings)
    response.cookies.append(browser.cookie(settings, names.csrf, csrf, max_age=3600))
    return response


def factors(found: list[Factor]) -> str:
    if not found:
        return "<p>No second factor yet.</p>"
    items = []
    for factor in found:
        state = "set up" if factor.confirmed_at else "not confirmed"
        items.append(
            f"<li><strong>{html.escape(factor.label)}</strong> ({KINDS.get(factor.kind, '')},"
            f' {state}) <button type="submit" name="step" value="remove:{factor.id}">'
            f"Remove</button></li>"
        )
    return "<ul>" + "".join(items) + "</ul>"


def signed_out(settings: Settings) -> Response[str]:
    return render.page(settings, "security_signed_out", status=401)


def _factor_field(factor_id: str) -> str:
    return f'<input type="hidden" name="factor_id" value="{html.escape(factor_id, quote=True)}">'


def totp(
    settings: Settings, factor_id: str, secret: str, qr_svg: str, *, error: str = ""
) -> Response[str]:
    return form(
        settings,
        "security_totp",
        status=400 if error else 200,
        markup={
            "more_hidden": _factor_field(factor_id),
            "qr": qr_svg,
            "error": render.alert(error) if error else "",
        },
        secret=secret,
    )


def passkey(settings: Settings, factor_id: str, options: dict[str, Any]) -> Response[str]:
    csrf = browser.new_csrf()
    hidden = f'<input type="hidden" name="csrf" value="{html.escape(csrf, quote=True)}">'
    block = render.fragment(
        "passkey",
        markup={"hidden": hidden + _factor_field(factor_id)},
        step="confirm-passkey",
        label="Create the passkey",
        mode="create",
        options=render.compact_json(options),
        base=settings.public_base_url,
        path=PATH,
    )
    response = render.page(
        settings, "security_passkey", script=True, markup={"passkey": block, "error": ""}
    )
    names = browser.names(settings)
    response.cookies.append(browser.cookie(settings, names.csrf, csrf, max_age=3600))
    return response


def codes(settings: Settings, codes: list[str]) -> Response[str]:
    items = "".join(f"<li><code>{html.escape(c)}</code></li>" for c in codes)
    return render.page(settings, "security_codes", markup={"codes": items})
