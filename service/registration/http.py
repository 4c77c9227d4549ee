"""``POST /auth/register``, ``POST /auth/verify-email`` and ``.../resend``."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, Router, post

from service import bodies, jsonapi
from service.config import Settings
from service.errors import ApiError
from service.pages import answer, render
from service.pages.http import verify_form
from service.pages.render import DONE_OR_PAGE, LINK_SENT_PAGE
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
from service.routing import Injected, form_or_json, options
from service.visitor import VISITOR, Visitor

PLAIN_OR_DOCUMENT = (jsonapi.JSON, jsonapi.JSONAPI)


MESSAGE = {jsonapi.JSON: Message, jsonapi.JSONAPI: MetaDocument}
"""The success answer: the seed's plain message, or a meta-only JSON:API document."""


def _message(request: Request[Any, Any, Any], text: str, status: int) -> Response[Any]:
    """The seed's plain body for JSON clients; a meta-only document for JSON:API clients."""
    if bodies.kind_of(request) == jsonapi.JSONAPI:
        return Response(MetaDocument(Message(text)), status_code=status, media_type=jsonapi.JSONAPI)
    return Response(Message(text), status_code=status, media_type=jsonapi.JSON)


@post(
    "/register",
    summary="Register an organization and its owner",
    status_code=202,
    opt=options(
        accepts=PLAIN_OR_DOCUMENT,
        bodies={jsonapi.JSON: RegistrationAttributes, jsonapi.JSONAPI: RegistrationDocument},
        replies=MESSAGE,
    ),
    responses={},
)
async def register(
    request: Request[Any, Any, Any], visitor: Injected[Visitor]
) -> Response[Message]:
    """Creates the organization, its managed roles, the owner (unverified) and a verification
    mail in one transaction. An address that is already registered gets the same answer and a
    notice by mail instead; nothing else changes. With `REGISTRATION=closed` every request
    is refused with 403 `forbidden`: only invitations and operators create accounts."""
    service.check_open(visitor.settings)
    kind = bodies.kind_of(request)
    attrs = await _attributes(request, kind)
    await service.sign_up(visitor, attrs, prefix=bodies.prefix_for(kind))
    return _message(request, REGISTERED, 202)


async def _attributes(request: Request[Any, Any, Any], kind: str) -> RegistrationAttributes:
    """The plain body, or the attributes of a JSON:API document."""
    if kind == jsonapi.JSONAPI:
        return (await bodies.read_json(request, RegistrationDocument)).data.attributes
    return await bodies.read_json(request, RegistrationAttributes)


@post(
    "/verify-email",
    summary="Verify an e-mail address with the token from the mail",
    status_code=200,
    responses=DONE_OR_PAGE,
    opt=form_or_json(VerifyBody, page=True),
)
async def verify_email(
    request: Request[Any, Any, Any], visitor: Injected[Visitor]
) -> Response[Any]:
    """`{token, password}`: the password chosen at registration, so that only someone who
    holds both the mail and the password activates the account. Single use; a wrong password
    leaves the link usable. A form post (from the page the mail links to) gets a page."""
    from_page = bodies.kind_of(request) == jsonapi.FORM
    body, settings = await bodies.read_any(request, VerifyBody), visitor.settings
    return await answer.link_post(
        from_page,
        lambda: service.confirm_address(visitor, body),
        page=lambda name: _verified_page(settings, name),
        json=lambda _: Response(None, status_code=204),
        refused_page=lambda error: _refused(settings, body.token, error),
    )


def _verified_page(settings: Settings, organization_name: str) -> Response[str]:
    return render.page(
        settings,
        "email_verified",
        markup={"sign_in": render.sign_in(settings)},
        organization_name=organization_name,
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
    return render.error_page(settings, error, link="verify_email")


@post(
    "/verify-email/resend",
    summary="Send a new verification link",
    status_code=202,
    responses=LINK_SENT_PAGE,
    opt=form_or_json(EmailBody, page=True, replies=MESSAGE),
)
async def resend_verification(
    request: Request[Any, Any, Any], visitor: Injected[Visitor]
) -> Response[Any]:
    """Always 202, whether or not the address has an account that needs a link. A form post
    (from the page of a dead link) gets a page saying the same, 200."""
    from_page = bodies.kind_of(request) == jsonapi.FORM
    email = (await bodies.read_any(request, EmailBody)).email
    return await answer.new_link_post(
        from_page,
        visitor.settings,
        "verify_email",
        email,
        ask=lambda: service.ask_for_link(visitor, email),
        json=lambda: _message(request, ACCEPTED, 202),
    )


ROUTER = Router(
    "/auth",
    route_handlers=[register, verify_email, resend_verification],
    tags=["accounts"],
    dependencies=VISITOR,
)
