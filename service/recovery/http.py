"""``POST /auth/password-reset`` and ``POST /auth/password-reset/confirm``."""

from __future__ import annotations

import html
from typing import Any

from litestar import Request, Response, post
from litestar.datastructures import State

from service import bodies, jsonapi
from service.db.tx import transaction
from service.errors import ApiError
from service.pages import render
from service.pages.http import reset_form
from service.pages.render import DONE_OR_PAGE
from service.recovery import service
from service.recovery.schemas import ResetConfirm, ResetRequest
from service.registration.schemas import ACCEPTED, Message
from service.throttle.gate import address_of, guarded, invalid_token, limited

ANY_BODY = (jsonapi.JSON, jsonapi.JSONAPI, jsonapi.FORM)


@post(
    "/auth/password-reset",
    tags=["accounts"],
    summary="Mail a password-reset link",
    status_code=202,
    opt={
        "request_types": ANY_BODY,
        "request_body": {jsonapi.JSON: ResetRequest, jsonapi.FORM: ResetRequest},
        "security": [],
    },
)
async def request_reset(request: Request[Any, Any, Any], state: State) -> Response[Message]:
    """Always 202. A link goes only to the stored address of a matching account."""
    body: ResetRequest = await bodies.read_any(request, ResetRequest)
    rules = state.throttle.policy.reset_request(address_of(request, state.settings))
    await limited(state.throttle, rules)
    async with transaction(state.pool, anonymous=True) as conn:
        await service.request_reset(conn, body.email, mailer=state.mailer)
    return Response(Message(ACCEPTED), status_code=202, media_type=jsonapi.JSON)


@post(
    "/auth/password-reset/confirm",
    tags=["accounts"],
    summary="Set a new password with the token from the mail",
    status_code=200,
    responses=DONE_OR_PAGE,
    opt={
        "request_types": ANY_BODY,
        "response_types": (jsonapi.JSON, jsonapi.JSONAPI, jsonapi.HTML),
        "request_body": {jsonapi.JSON: ResetConfirm, jsonapi.FORM: ResetConfirm},
        "security": [],
    },
)
async def confirm_reset(request: Request[Any, Any, Any], state: State) -> Response[Any]:
    """Single use, within an hour. Ends every session of the account and sends a notice. A
    form post (from the page the mail links to) is answered with a page."""
    from_page = bodies.kind_of(request) == jsonapi.FORM
    body: ResetConfirm = await bodies.read_any(request, ResetConfirm)
    settings = state.settings
    target: service.ResetTarget | None = None

    async def attempt() -> service.ResetTarget:
        async with transaction(state.pool, anonymous=True) as conn:
            found = await service.target_of(conn, body.token)
        nonlocal target
        target = found
        service.password_problems(
            found, body.password, pointer="/password", min_length=settings.password_min_length
        )
        password_hash = await state.hasher.hash(body.password)
        async with transaction(state.pool, anonymous=True) as conn:
            await service.confirm(conn, body.token, found, password_hash, mailer=state.mailer)
        return found

    try:
        target = await guarded(
            state.throttle,
            state.throttle.policy.reset_confirm(address_of(request, state.settings)),
            attempt,
            refusal=lambda: ApiError("invalid_token", service.INVALID, pointer="/token"),
            counts=invalid_token,
        )
    except ApiError as error:
        if not from_page:
            raise
        if target is not None and error.items[0].code == "validation_error":
            message = " ".join(item.detail for item in error.items)
            return reset_form(
                settings,
                token=body.token,
                organization_name=target.organization_name,
                error=message,
                status=400,
            )
        return render.error_page(settings, error)
    if from_page:
        redirect = settings.redirect_for(target.client_id)
        onward = (
            f'<p><a href="{html.escape(redirect, quote=True)}">Continue</a></p>' if redirect else ""
        )
        return render.page(
            settings,
            "password_changed",
            markup={"onward": onward},
            organization_name=target.organization_name,
        )
    return Response(None, status_code=204)


ROUTES = [request_reset, confirm_reset]
