"""``POST /auth/password-reset`` and ``POST /auth/password-reset/confirm``."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, Router, post

from service import bodies, jsonapi
from service.config import Settings
from service.errors import ApiError
from service.pages import answer, render
from service.pages.http import reset_form
from service.pages.render import DONE_OR_PAGE, LINK_SENT_PAGE
from service.recovery import service
from service.recovery.schemas import ResetConfirm, ResetRequest
from service.registration.schemas import ACCEPTED, Message
from service.routing import Injected, form_or_json
from service.visitor import VISITOR, Visitor


@post(
    "/",
    summary="Mail a password-reset link",
    status_code=202,
    responses=LINK_SENT_PAGE,
    opt=form_or_json(ResetRequest, page=True, replies={jsonapi.JSON: Message}),
)
async def request_reset(
    request: Request[Any, Any, Any], visitor: Injected[Visitor]
) -> Response[Any]:
    """Always 202. A link goes only to the stored address of a matching account. A form post
    (from the page of a dead link) gets a page saying the same, 200."""
    from_page = bodies.kind_of(request) == jsonapi.FORM
    email = (await bodies.read_any(request, ResetRequest)).email
    return await answer.new_link_post(
        from_page,
        visitor.settings,
        "reset_password",
        email,
        ask=lambda: service.ask_for_link(visitor, email),
        json=lambda: Response(Message(ACCEPTED), status_code=202, media_type=jsonapi.JSON),
    )


@post(
    "/confirm",
    summary="Set a new password with the token from the mail",
    status_code=200,
    responses=DONE_OR_PAGE,
    opt=form_or_json(ResetConfirm, page=True),
)
async def confirm_reset(
    request: Request[Any, Any, Any], visitor: Injected[Visitor]
) -> Response[Any]:
    """Single use, within an hour. Ends every session of the account and sends a notice. A
    form post (from the page the mail links to) is answered with a page."""
    from_page = bodies.kind_of(request) == jsonapi.FORM
    body: ResetConfirm = await bodies.read_any(request, ResetConfirm)
    settings, found = visitor.settings, list[service.ResetTarget]()
    return await answer.link_post(
        from_page,
        lambda: service.confirm_link(visitor, body, found_out=found),
        page=lambda target: _changed_page(settings, target),
        json=lambda _: Response(None, status_code=204),
        refused_page=lambda error: _refused(settings, body.token, found, error),
    )


def _refused(
    settings: Settings, token: str, found: list[service.ResetTarget], error: ApiError
) -> Response[str]:
    """The form again with what was wrong with the password, or the page for a dead link."""
    if found and error.items[0].code == "validation_error":
        message = " ".join(item.detail for item in error.items)
        return reset_form(
            settings,
            token=token,
            organization_name=found[0].organization_name,
            error=message,
            status=400,
        )
    return render.error_page(settings, error, link="reset_password")


def _changed_page(settings: Settings, target: service.ResetTarget) -> Response[str]:
    return render.page(
        settings,
        "password_changed",
        markup={"sign_in": render.sign_in(settings, target.client_id, home=target.sign_in_url)},
        organization_name=target.organization_name,
    )


ROUTER = Router(
    "/auth/password-reset",
    route_handlers=[request_reset, confirm_reset],
    tags=["accounts"],
    dependencies=VISITOR,
)
