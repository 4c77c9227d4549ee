"""Rendering the link pages, with the headers that keep them private.

Every value is HTML-escaped. The pages load nothing from anywhere: the only style is inline
and allowed by its hash in the Content-Security-Policy; forms post back to this service.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import string
from functools import cache
from pathlib import Path
from typing import Any

from litestar import Response
from litestar.openapi import ResponseSpec

from service.config import Settings
from service.errors import ApiError

TEMPLATES = Path(__file__).with_name("templates")
STYLE = (TEMPLATES / "style.css").read_text(encoding="utf-8")
_STYLE_HASH = base64.b64encode(hashlib.sha256(STYLE.encode()).digest()).decode()

# What a dead link's page offers, by the kind of link: the endpoint that mails a new one (both
# answer the same whether or not an account exists) and its button. An invitation has none:
# only the organization can invite again.
NEW_LINK = {
    "verify_email": ("/auth/verify-email/resend", "Send a new confirmation link"),
    "reset_password": ("/auth/password-reset", "Send a new password link"),
}

# Endpoints that JSON clients and link pages both post to: 204 for the former, a page for
# the latter.
DONE_OR_PAGE = {
    204: ResponseSpec(data_container=None, description="Done (JSON clients)."),
    200: ResponseSpec(
        data_container=str,
        media_type="text/html",
        description="The result page (form posts).",
        generate_examples=False,
    ),
}

# Endpoints that mail a new link, which a dead link's page posts its form to: 202 for JSON
# clients, a page for the form.
LINK_SENT_PAGE = {
    200: ResponseSpec(
        data_container=str,
        media_type="text/html",
        description="The page saying a link is on its way if the address can use one (form posts).",
        generate_examples=False,
    ),
}

TITLES = {
    "verify_email": "Confirm your e-mail address",
    "email_verified": "E-mail address confirmed",
    "reset_password": "Choose a new password",
    "password_changed": "Password changed",
    "link_invalid": "This link cannot be used",
    "send_link": "Send a new link",
    "link_sent": "Check your e-mail",
    "try_later": "Please try again in a moment",
    "accept_invitation": "Join the organization",
    "invitation_accepted": "You have joined",
    "sign_in": "Sign in",
    "choose_account": "Choose an account",
    "second_factor": "Enter your code",
    "enrol_factor": "Set up a second factor",
    "recovery_codes": "Save your recovery codes",
    "security": "Sign-in security",
    "security_totp": "Add an authenticator app",
    "security_passkey": "Add a passkey",
    "security_codes": "Your new recovery codes",
    "security_signed_out": "Sign-in security",
    "forgot_password": "Reset your password",
    "signed_out": "You are signed out",
    "sign_in_problem": "This sign-in cannot continue",
}


@cache
def _template(name: str) -> string.Template:
    return string.Template((TEMPLATES / f"{name}.html").read_text(encoding="utf-8"))


SCRIPT_PATH = "/auth/assets/passkeys.js"


def headers(settings: Settings, *, redirects_to: str = "", script: bool = False) -> dict[str, str]:
    """The privacy headers of a page. ``redirects_to``: a further source the page's form may
    end at (a sign-in form's answer redirects to the client, which ``form-action`` covers).
    ``script``: the page loads the passkey button's script, which is then allowed by its
    full address (no other script, no inline script)."""
    targets = f"'self' {settings.public_base_url} {redirects_to}".strip()
    scripts = f"script-src {settings.public_base_url}{SCRIPT_PATH}; " if script else ""
    return {
        "Content-Security-Policy": (
            f"default-src 'none'; {scripts}style-src 'sha256-{_STYLE_HASH}'; "
            f"form-action {targets}; frame-ancestors 'none'; "
            "base-uri 'none'"
        ),
        "Referrer-Policy": "no-referrer",
        "X-Frame-Options": "DENY",
        "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff",
    }


def page(
    settings: Settings,
    name: str,
    *,
    status: int = 200,
    markup: dict[str, str] | None = None,
    more_headers: dict[str, str] | None = None,
    redirects_to: str = "",
    script: bool = False,
    **values: Any,
) -> Response[str]:
    """Render ``templates/<name>.html`` inside the layout; ``values`` are escaped, ``markup``
    holds fragments this module built itself; ``more_headers`` go with the privacy ones."""
    escaped = {key: html.escape(str(value), quote=True) for key, value in values.items()}
    escaped.update(markup or {})
    escaped.setdefault("organization_name", "")
    escaped["base"] = html.escape(settings.public_base_url, quote=True)
    body = _template(name).substitute(escaped)
    organization = escaped["organization_name"]
    document = _template("layout").substitute(
        title=html.escape(TITLES[name]),
        style=STYLE,
        organization=f'<p class="org">{organization}</p>' if organization else "",
        body=body,
    )
    return Response(
        document,
        status_code=status,
        media_type="text/html",  # Litestar adds the one "; charset=utf-8"
        headers={
            **headers(settings, redirects_to=redirects_to, script=script),
            **(more_headers or {}),
        },
    )


def fragment(name: str, *, markup: dict[str, str] | None = None, **values: Any) -> str:
    """A piece of a page from ``templates/<name>.html``, values escaped (``markup`` holds
    fragments this module's callers built themselves)."""
    escaped = {key: html.escape(str(value), quote=True) for key, value in values.items()}
    return _template(name).substitute({**escaped, **(markup or {})})


def compact_json(value: Any) -> str:
    """JSON for a data attribute (escaped where it is written)."""
    return json.dumps(value, separators=(",", ":"))


def alert(message: str) -> str:
    return f'<p class="error" role="alert" id="error">{html.escape(message)}</p>'


def error_page(
    settings: Settings, error: ApiError, *, link: str | None = None, **values: Any
) -> Response[str]:
    """The page for a link that cannot be used now; ``link`` is its kind (a key of
    :data:`NEW_LINK`), for the form that asks for a new one."""
    if error.items[0].code == "service_unavailable":
        return page(settings, "try_later", status=503, **values)
    return link_invalid(settings, link, status=error.status, **values)


def link_invalid(
    settings: Settings, link: str | None, *, status: int = 400, **values: Any
) -> Response[str]:
    """A used, expired or unknown link, with a form that mails a new one when its kind has
    an endpoint for that, and otherwise who to ask."""
    if link in NEW_LINK:
        offer = "<p>We can send a new link to your address.</p>" + new_link_form(settings, link)
    elif link == "invitation":
        offer = "<p>Ask the person who invited you to send a new invitation.</p>"
    else:
        offer = "<p>Ask for a new one from the place where you started.</p>"
    return page(settings, "link_invalid", status=status, markup={"offer": offer}, **values)


def new_link_form(settings: Settings, link: str, *, email: str = "") -> str:
    """The form that posts an address to the endpoint mailing a new link of this kind."""
    path, button = NEW_LINK[link]
    action = settings.public_base_url + path
    return fragment("new_link", action=action, button=button, email=email)


def link_sent(settings: Settings, email: str) -> Response[str]:
    """The answer to that form: the same whether or not an account exists."""
    return page(settings, "link_sent", email=email)


def send_link_again(settings: Settings, link: str, email: str, error: ApiError) -> Response[str]:
    """That form again after a refusal (too many requests, the database away), with the
    address that was typed and what went wrong."""
    form = new_link_form(settings, link, email=email)
    message = " ".join(item.detail for item in error.items)
    return page(
        settings,
        "send_link",
        status=error.status,
        markup={"error": alert(message), "form": form},
        more_headers=error.headers,
    )


def sign_in(settings: Settings, client_id: str | None = None, *, home: str | None = None) -> str:
    """Where to sign in now: the client's app when the link names a clientId with a configured
    redirect (``CLIENT_REDIRECTS``) or an app client (``home``, where its app starts sign-in);
    otherwise plain words."""
    target = settings.redirect_for(client_id) or home
    if target:
        href = html.escape(target, quote=True)
        return f'<p><a href="{href}">Continue to sign in</a></p>'
    return (
        "<p>Open the app you use with this account and sign in there with your e-mail "
        "address and password.</p>"
    )
