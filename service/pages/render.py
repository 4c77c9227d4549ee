"""Rendering the link pages, with the headers that keep them private.

Every value is HTML-escaped. The pages load nothing from anywhere: the only style is inline
and allowed by its hash in the Content-Security-Policy; forms post back to this service.
"""

from __future__ import annotations

import base64
import hashlib
import html
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

TITLES = {
    "verify_email": "Confirm your e-mail address",
    "email_verified": "E-mail address confirmed",
    "reset_password": "Choose a new password",
    "password_changed": "Password changed",
    "link_invalid": "This link cannot be used",
    "try_later": "Please try again in a moment",
    "accept_invitation": "Join the organization",
    "invitation_accepted": "You have joined",
}


@cache
def _template(name: str) -> string.Template:
    return string.Template((TEMPLATES / f"{name}.html").read_text(encoding="utf-8"))


def headers(settings: Settings) -> dict[str, str]:
    return {
        "Content-Security-Policy": (
            f"default-src 'none'; style-src 'sha256-{_STYLE_HASH}'; "
            f"form-action 'self' {settings.public_base_url}; frame-ancestors 'none'; "
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
    **values: Any,
) -> Response[str]:
    """Render ``templates/<name>.html`` inside the layout; ``values`` are escaped, ``markup``
    holds fragments this module built itself."""
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
        headers=headers(settings),
    )


def fragment(name: str, **values: Any) -> str:
    """A piece of a page from ``templates/<name>.html``, values escaped."""
    escaped = {key: html.escape(str(value), quote=True) for key, value in values.items()}
    return _template(name).substitute(escaped)


def alert(message: str) -> str:
    return f'<p class="error" role="alert" id="error">{html.escape(message)}</p>'


def error_page(settings: Settings, error: ApiError, **values: Any) -> Response[str]:
    if error.items[0].code == "service_unavailable":
        return page(settings, "try_later", status=503, **values)
    return page(settings, "link_invalid", status=error.status, **values)
