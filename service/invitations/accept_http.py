"""The invitation link: ``GET /auth/invitations/accept`` (a page) and the ``POST`` that
accepts (JSON answers with tokens; the page's form post answers with a page)."""

from __future__ import annotations

from typing import Any

import asyncpg
from litestar import Request, Response, Router, get, post
from litestar.openapi import ResponseSpec
from litestar.params import FromQuery

from service import bodies, jsonapi
from service.config import Settings
from service.db.tx import transaction
from service.errors import ApiError
from service.invitations import accept
from service.invitations.schemas import AcceptBody, Joined
from service.pages import answer, render
from service.pages.render import DONE_OR_PAGE
from service.routing import Injected, options
from service.security.clients import address_of
from service.session import bearer_token
from service.tokens.errors import NO_STORE
from service.tokens.schemas import TokenResponse
from service.tokens.service import Issuer

JOINED = "You have joined the organization. Sign in to continue."


def _form_page(
    settings: Settings,
    token: str,
    found: accept.Found,
    *,
    error: str = "",
    status: int = 200,
    typed: AcceptBody | None = None,
) -> Response[str]:
    """The invitation's form; after a refusal, with the names that were typed (never the
    password)."""
    invitation = found.invitation
    fields = render.fragment(
        "invitation_new_person",
        min_length=settings.password_min_length,
        first_name=(typed.first_name if typed else None) or "",
        last_name=(typed.last_name if typed else None) or "",
    )
    return render.page(
        settings,
        "accept_invitation",
        status=status,
        markup={
            "error": render.alert(error) if error else "",
            "fields": fields if found.needs_password else "",
        },
        token=token,
        email=invitation.email,
        role_name=invitation.role_name,
        organization_name=invitation.organization_name,
        button="Create my account and join" if found.needs_password else "Join",
    )


@get(
    "/",
    media_type=jsonapi.HTML,
    opt=options(answers=(jsonapi.HTML,)),
    tags=["pages"],
    summary="Page: accept an invitation",
)
async def accept_page(
    settings: Injected[Settings], pool: Injected[asyncpg.Pool], token: FromQuery[str] = ""
) -> Response[str]:
    try:
        async with transaction(pool) as conn:
            found = await accept.find(conn, token)
    except ApiError as error:
        return render.error_page(settings, error, link="invitation")
    return _form_page(settings, token, found)


@post(
    "/",
    tags=["invitations"],
    summary="Accept an invitation with the token from the mail",
    status_code=200,
    responses={
        **DONE_OR_PAGE,
        202: ResponseSpec(
            data_container=Joined,
            description="Joined; no tokens without the account's password or session.",
            generate_examples=False,
        ),
    },
    opt=options(
        accepts=(jsonapi.JSON, jsonapi.JSONAPI, jsonapi.FORM),
        answers=(jsonapi.JSON, jsonapi.HTML),
        bodies={jsonapi.JSON: AcceptBody, jsonapi.FORM: AcceptBody},
    ),
)
async def accept_invitation(
    request: Request[Any, Any, Any], settings: Injected[Settings], issuer: Injected[Issuer]
) -> Response[Any]:
    """`{token, firstName, lastName, password}` for a new person (or an account whose address
    was never proven), `{token}` or `{token, password}` for someone with an account. Records the
    membership with the invited role. Tokens for the organization (RFC 6749 body) come only to
    someone who proved who they are: the password chosen or typed here, or a bearer token of
    that account, and only when the sign-in needs no second factor (the person has none and
    the organization requires none); otherwise 202 and the person signs in as usual. Single
    use, seven days, bound to the invited address."""
    from_page = bodies.kind_of(request) == jsonapi.FORM
    body = await bodies.read_any(request, AcceptBody)
    address = address_of(request, settings)
    found: list[accept.Found] = []
    return await answer.link_post(
        from_page,
        lambda: accept.accept_link(
            issuer, body, bearer=_bearer(request), address=address, found_out=found
        ),
        page=lambda _: _joined_page(settings, found[0]),
        json=_tokens_or_joined,
        refused_page=lambda error: _refused(settings, body, found, error),
    )


def _joined_page(settings: Settings, found: accept.Found) -> Response[str]:
    organization_name = found.invitation.organization_name
    return render.page(
        settings,
        "invitation_accepted",
        markup={"sign_in": render.sign_in(settings)},
        organization_name=organization_name,
    )


def _tokens_or_joined(issued: TokenResponse | None) -> Response[Any]:
    if issued is None:
        return Response(Joined(JOINED), status_code=202, media_type=jsonapi.JSON)
    return Response(issued, media_type=jsonapi.JSON, headers=NO_STORE)


def _bearer(request: Request[Any, Any, Any]) -> str | None:
    """The bearer token the request carries, if it carries one."""
    if "authorization" not in request.headers:
        return None
    try:
        return bearer_token(request)
    except ApiError:
        return None


def _refused(
    settings: Settings, body: AcceptBody, found: list[accept.Found], error: ApiError
) -> Response[Any]:
    if found and error.items[0].code == "validation_error":
        message = " ".join(item.detail for item in error.items)
        return _form_page(settings, body.token, found[0], error=message, status=400, typed=body)
    return render.error_page(settings, error, link="invitation")


ROUTER = Router("/auth/invitations/accept", route_handlers=[accept_page, accept_invitation])
