"""What the authorization endpoint answers: the sign-in page, a problem page, or a redirect to
the client (RFC 6749 4.1.2, with ``iss`` as RFC 9207 asks)."""

from __future__ import annotations

import html
from typing import Any
from urllib.parse import urlencode, urlsplit

from litestar import Response
from litestar.datastructures import Cookie

from service.authorize import browser
from service.authorize.request import Authorization
from service.config import Settings
from service.pages import render

NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


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
) -> Response[str]:
    """The form, with a fresh CSRF token in a cookie and in the form."""
    csrf = browser.new_csrf()
    fields = {**auth.hidden(), "csrf": csrf}
    hidden = "\n".join(
        f'<input type="hidden" name="{name}" value="{html.escape(value, quote=True)}">'
        for name, value in fields.items()
    )
    response = render.page(
        settings,
        "sign_in",
        status=status,
        markup={"hidden": hidden, "error": render.alert(error) if error else ""},
        redirects_to=_origin(auth.redirect_uri),
        client_name=auth.client.name,
        email=email or auth.login_hint,
        organization_name=organization_name,
    )
    names = browser.names(settings)
    response.cookies.append(browser.cookie(settings, names.csrf, csrf, max_age=3600))
    return response
