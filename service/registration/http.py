"""``POST /auth/register``, ``POST /auth/verify-email`` and ``.../resend``."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, post
from litestar.datastructures import State

from service import bodies, jsonapi
from service.config import Settings
from service.db.tx import transaction
from service.errors import ApiError
from service.pages import answer, render
from service.pages.http import verify_form
from service.pages.render import DONE_OR_PAGE
from service.registration import service
from service.registration.schemas import (
    ACCEPTED,
    REGISTERED,
    EmailBody,
    Message,
    MetaDocument,
    RegistrationAttributes,
    RegistrationDocument,
    VerifyBody,
)
from service.security.clients import address_of
from service.throttle.gate import guarded, invalid_token, limited

PLAIN_OR_DOCUMENT = (jsonapi.JSON, jsonapi.JSONAPI)
ANY_BODY = (jsonapi.JSON, jsonapi.JSONAPI, jsonapi.FORM)
CLOSED = "Sign-up is closed here; ask an organization for an invitation."


def _message(request: Request[Any, Any, Any], text: str, status: int) -> Response[Any]:
    """The seed's plain body for JSON clients; a meta-only document for JSON:API clients."""
    if bodies.kind_of(request) == jsonapi.JSONAPI:
        return Response(MetaDocument(Message(text)), status_code=status, media_type=jsonapi.JSONAPI)
    return Response(Message(text), status_code=status, media_type=jsonapi.JSON)


@post(
    "/auth/register",
    tags=["accounts"],
    summary="Register an organization and its owner",
    status_code=202,
    opt={
        "request_types": PLAIN_OR_DOCUMENT,
        "request_body": {
            jsonapi.JSON: RegistrationAttributes,
            jsonapi.JSONAPI: RegistrationDocument,
        },
        "security": [],
    },
    responses={},
)
async def register(request: Request[Any, Any, Any], state: State) -> Response[Message]:
    """Creates the organization, its managed roles, the owner (unverified) and a verification
    mail in one transaction. An address that is already registered gets the same answer and a
    notice by mail instead; nothing else changes. With `REGISTRATION=closed` every request
    is refused with 403 `forbidden`: only invitations and operators create accounts."""
    if not state.settings.registration_open:
        raise ApiError("forbidden", CLOSED)
    kind = bodies.kind_of(request)
    if kind == jsonapi.JSONAPI:
        attrs = (await bodies.read_json(request, RegistrationDocument)).data.attributes
    else:
        attrs = await bodies.read_json(request, RegistrationAttributes)
    settings = state.settings
    form = service.validate(
        attrs, prefix=bodies.prefix_for(kind), min_length=settings.password_min_length
    )
    await limited(state.throttle, state.throttle.policy.register(address_of(request, settings)))
    password_hash = await state.hasher.hash(form.password)
    async with transaction(state.pool, anonymous=True) as conn:
        await service.register(conn, form, password_hash=password_hash, mailer=state.mailer)
    return _message(request, REGISTERED, 202)


@post(
    "/auth/verify-email",
    tags=["accounts"],
    summary="Verify an e-mail address with the token from the mail",
    status_code=200,
    responses=DONE_OR_PAGE,
    opt={
        "request_types": ANY_BODY,
        "response_types": (jsonapi.JSON, jsonapi.JSONAPI, jsonapi.HTML),
        "request_body": {jsonapi.JSON: VerifyBody, jsonapi.FORM: VerifyBody},
        "security": [],
    },
)
async def verify_email(request: Request[Any, Any, Any], state: State) -> Response[Any]:
    """`{token, password}`: the password chosen at registration, so that only someone who
    holds both the mail and the password activates the account. Single use; a wrong password
    leaves the link usable. A form post (from the page the mail links to) gets a page."""
    from_page = bodies.kind_of(request) == jsonapi.FORM
    body = await bodies.read_any(request, VerifyBody)
    settings = state.settings
    return await answer.link_post(
        from_page,
        lambda: guarded(
            state.throttle,
            state.throttle.policy.verify(address_of(request, settings)),
            lambda: service.confirm_address(state.pool, state.hasher, body.token, body.password),
            refusal=lambda: ApiError("invalid_token", service.INVALID, pointer="/token"),
            counts=invalid_token,
        ),
        page=lambda name: render.page(settings, "email_verified", organization_name=name),
        json=lambda _: Response(None, status_code=204),
        refused_page=lambda error: _refused(settings, body.token, error),
    )


def _refused(settings: Settings, token: str, error: ApiError) -> Response[str]:
    """The form again after a mistyped password, or the page for a dead link."""
    if isinstance(error, service.PasswordMismatch):
        return verify_form(
            settings,
            token=token,
            email=error.email,
            organization_name=error.organization_name,
            error=error.items[0].detail,
            status=400,
        )
    return render.error_page(settings, error)


@post(
    "/auth/verify-email/resend",
    tags=["accounts"],
    summary="Send a new verification link",
    status_code=202,
    opt={
        "request_types": ANY_BODY,
        "request_body": {jsonapi.JSON: EmailBody, jsonapi.FORM: EmailBody},
        "security": [],
    },
)
async def resend_verification(request: Request[Any, Any, Any], state: State) -> Response[Any]:
    """Always 202, whether or not the address has an account that needs a link."""
    email = (await bodies.read_any(request, EmailBody)).email
    await limited(state.throttle, state.throttle.policy.resend(address_of(request, state.settings)))
    async with transaction(state.pool, anonymous=True) as conn:
        await service.resend(conn, email, mailer=state.mailer)
    return _message(request, ACCEPTED, 202)


ROUTES = [register, verify_email, resend_verification]
