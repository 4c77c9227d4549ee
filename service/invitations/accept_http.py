"""The invitation link: ``GET /auth/invitations/accept`` (a page) and the ``POST`` that
accepts (JSON answers with tokens; the page's form post answers with a page)."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.datastructures import State
from litestar.params import FromQuery

from service import bodies, jsonapi
from service.db.tx import transaction
from service.errors import ApiError
from service.invitations import accept
from service.invitations.schemas import AcceptBody
from service.pages import render
from service.pages.render import DONE_OR_PAGE
from service.throttle.gate import address_of, guarded, invalid_token
from service.tokens.errors import NO_STORE
from service.tokens.schemas import TokenResponse

PAGE = {"response_types": (jsonapi.HTML,), "security": []}


def _form_page(
    state: State, token: str, found: accept.Found, *, error: str = "", status: int = 200
) -> Response[str]:
    invitation = found.invitation
    fields = render.fragment("invitation_new_person", min_length=state.settings.password_min_length)
    return render.page(
        state.settings,
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


@get("/auth/invitations/accept", opt=PAGE, tags=["pages"], summary="Page: accept an invitation")
async def accept_page(state: State, token: FromQuery[str] = "") -> Response[str]:
    try:
        async with transaction(state.pool) as conn:
            found = await accept.find(conn, token)
    except ApiError as error:
        return render.error_page(state.settings, error)
    return _form_page(state, token, found)


@post(
    "/auth/invitations/accept",
    tags=["invitations"],
    summary="Accept an invitation with the token from the mail",
    status_code=200,
    responses=DONE_OR_PAGE,
    opt={
        "request_types": (jsonapi.JSON, jsonapi.JSONAPI, jsonapi.FORM),
        "response_types": (jsonapi.JSON, jsonapi.HTML),
        "request_body": {jsonapi.JSON: AcceptBody, jsonapi.FORM: AcceptBody},
        "security": [],
    },
)
async def accept_invitation(request: Request[Any, Any, Any], state: State) -> Response[Any]:
    """`{token, firstName, lastName, password}` for a new person, `{token}` for someone with an
    account. Creates the membership with the invited role and answers with tokens for the
    organization (RFC 6749 body). Single use, seven days, bound to the invited address."""
    from_page = bodies.kind_of(request) == jsonapi.FORM
    body = await bodies.read_any(request, AcceptBody)
    settings = state.settings
    found: accept.Found | None = None

    async def attempt() -> TokenResponse:
        nonlocal found
        async with transaction(state.pool) as conn:
            found = await accept.find(conn, body.token, email=body.email)
        person, password_hash = None, None
        if found.needs_password:
            person = accept.NewPerson(
                body.first_name or "", body.last_name or "", body.password or ""
            )
            accept.check_new_person(found, person, min_length=settings.password_min_length)
            password_hash = await state.hasher.hash(person.password)
        async with transaction(state.pool) as conn:
            return await accept.accept(
                conn,
                body.token,
                found,
                state.issuer,
                person=person,
                password_hash=password_hash,
                address=address_of(request, settings),
            )

    try:
        issued = await guarded(
            state.throttle,
            state.throttle.policy.invitation_accept(address_of(request, settings)),
            attempt,
            refusal=accept.invalid,
            counts=invalid_token,
        )
    except ApiError as error:
        if not from_page:
            raise
        if found is not None and error.items[0].code == "validation_error":
            message = " ".join(item.detail for item in error.items)
            return _form_page(state, body.token, found, error=message, status=400)
        return render.error_page(state.settings, error)
    if from_page:
        assert found is not None
        name = found.invitation.organization_name
        return render.page(settings, "invitation_accepted", organization_name=name)
    return Response(issued, media_type=jsonapi.JSON, headers=NO_STORE)


ROUTES = [accept_page, accept_invitation]
