"""``GET`` pages for links in mail. Reading a link never changes anything (scanners open
links); each page posts a form to do the work."""

from __future__ import annotations

from typing import Any

import asyncpg
from litestar import Response, get
from litestar.params import FromQuery

from service import jsonapi
from service.accounts import repo as users
from service.config import Settings
from service.db.tx import set_tenant, transaction
from service.errors import ApiError
from service.links import repo as links
from service.organizations import repo as organizations
from service.pages import render
from service.pages.assets import passkeys_script
from service.routing import Injected, options

PAGE = options(answers=(jsonapi.HTML,))


async def _organization_name(conn: Any, redeemed: links.Redeemed, fallback: Any) -> str:
    org_id = redeemed.organization_id or fallback
    if org_id is None:
        return ""
    await set_tenant(conn, org_id=org_id, user_id=redeemed.user_id)
    return await organizations.name_of(conn, org_id) or ""


@get(
    "/auth/verify-email",
    opt=PAGE,
    media_type=jsonapi.HTML,
    tags=["pages"],
    summary="Page: confirm an e-mail address",
)
async def verify_email_page(
    settings: Injected[Settings], pool: Injected[asyncpg.Pool], token: FromQuery[str] = ""
) -> Response[str]:
    try:
        async with transaction(pool, anonymous=True) as conn:
            redeemed = await links.peek(conn, token, (links.VERIFY_EMAIL,)) if token else None
            if redeemed is None:
                return render.link_invalid(settings, "verify_email")
            name = await _organization_name(conn, redeemed, None)
    except ApiError as error:
        return render.error_page(settings, error, link="verify_email")
    return verify_form(settings, token=token, email=redeemed.email, organization_name=name)


def verify_form(
    settings: Settings,
    *,
    token: str,
    email: str,
    organization_name: str,
    error: str = "",
    status: int = 200,
) -> Response[str]:
    return render.page(
        settings,
        "verify_email",
        status=status,
        markup={"error": render.alert(error) if error else ""},
        token=token,
        email=email,
        organization_name=organization_name,
    )


@get(
    "/auth/reset-password",
    opt=PAGE,
    media_type=jsonapi.HTML,
    tags=["pages"],
    summary="Page: choose a new password",
)
async def reset_password_page(
    settings: Injected[Settings], pool: Injected[asyncpg.Pool], token: FromQuery[str] = ""
) -> Response[str]:
    purposes = (links.PASSWORD_RESET, links.SET_PASSWORD)
    try:
        async with transaction(pool, anonymous=True) as conn:
            redeemed = await links.peek(conn, token, purposes) if token else None
            if redeemed is None:
                return render.link_invalid(settings, "reset_password")
            user = await users.by_id(conn, redeemed.user_id)
            name = await _organization_name(
                conn, redeemed, user.last_organization_id if user else None
            )
    except ApiError as error:
        return render.error_page(settings, error, link="reset_password")
    return reset_form(settings, token=token, organization_name=name)


def reset_form(
    settings: Settings, *, token: str, organization_name: str, error: str = "", status: int = 200
) -> Response[str]:
    return render.page(
        settings,
        "reset_password",
        status=status,
        markup={"error": render.alert(error) if error else ""},
        token=token,
        organization_name=organization_name,
        min_length=settings.password_min_length,
    )


@get(
    "/auth/password-reset",
    opt=PAGE,
    media_type=jsonapi.HTML,
    tags=["pages"],
    summary='Page: ask for a password link (the sign-in page\'s "Forgot your password?")',
)
async def forgot_password_page(settings: Injected[Settings]) -> Response[str]:
    form = render.new_link_form(settings, "reset_password")
    return render.page(settings, "forgot_password", markup={"form": form})


# Plain handlers, not a Router: ``GET /auth/verify-email`` shares its path with the
# registration Router's ``POST``, and Litestar 2 refuses one path in two Routers (each adds
# its own OPTIONS handler).
ROUTES = [verify_email_page, reset_password_page, forgot_password_page, passkeys_script]
