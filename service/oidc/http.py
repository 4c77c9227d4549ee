"""``/auth/userinfo`` (OpenID Connect Core 5.3) and ``/auth/logout`` (RP-Initiated Logout)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from litestar import Request, Response, Router, get
from litestar.di import Provide
from litestar.openapi import ResponseSpec

from service import jsonapi
from service.app_clients import repo as clients
from service.authorize import browser
from service.config import Settings
from service.db.tx import transaction
from service.oidc.hint import read_hint
from service.pages import render
from service.routing import Injected, options
from service.security.id_token import Person, person_claims
from service.security.keys import KeyRing
from service.session import BEARER_SECURITY, Caller, provide_caller
from service.tokens import refresh
from service.tokens import repo as tokens
from service.tokens.issue import Issuer

ALL_SCOPES = frozenset({"openid", "profile", "email", "fhirUser"})


@get(
    "/userinfo",
    summary="Claims about the signed-in person (OpenID Connect)",
    media_type=jsonapi.JSON,
    dependencies={"caller": Provide(provide_caller)},
    security=BEARER_SECURITY,
    opt=options(answers=(jsonapi.JSON,)),
)
async def userinfo(caller: Injected[Caller]) -> Response[dict[str, Any]]:
    """The claims the access token's scope releases (`email`, `profile`, `fhirUser`); a token
    without a scope (the first-party password grant) gets them all. Live: a removed or
    deactivated member's token is refused as everywhere."""
    principal, member = caller.principal, caller.member
    scopes = frozenset(principal.scope.split()) if principal.scope is not None else ALL_SCOPES
    person = Person(
        principal.user_id,
        member.email,
        member.email_verified,
        member.name,
        principal.org_id,
        principal.practitioner_id,
    )
    return Response(person_claims(person, scopes), headers={"Cache-Control": "no-store"})


@get(
    "/logout",
    responses={
        303: ResponseSpec(data_container=None, description="To the registered logout URI."),
        200: ResponseSpec(
            data_container=str,
            media_type=jsonapi.HTML,
            description="The page saying the person is signed out.",
            generate_examples=False,
        ),
    },
    summary="Sign out of the hosted sign-in (RP-initiated logout)",
    opt=options(answers=(jsonapi.HTML,)),
)
async def logout(
    request: Request[Any, Any, Any],
    issuer: Injected[Issuer],
    settings: Injected[Settings],
    keyring: Injected[KeyRing],
) -> Response[Any]:
    """Ends the browser's session here (its cookie) as a sign-out ends any session. With
    `post_logout_redirect_uri` registered for the client named by `client_id` or
    `id_token_hint`, 303 there with `state`; otherwise a page saying so."""
    query = request.query_params
    names = browser.names(settings)
    await _end_session(issuer, request.cookies.get(names.session))
    target = await _registered_target(issuer, settings, keyring, query)
    cleared = [browser.cookie(settings, names.session, "", max_age=0)]
    if target is None:
        response = render.page(settings, "signed_out")
        response.cookies.extend(cleared)
        return response
    state = query.get("state")
    location = target + (
        ("&" if "?" in target else "?") + urlencode({"state": state}) if state else ""
    )
    return Response(b"", status_code=303, headers={"Location": location}, cookies=cleared)


async def _end_session(issuer: Issuer, raw: str | None) -> None:
    user_id = refresh.user_of(raw) if raw else None
    if raw is None or user_id is None:
        return
    async with transaction(issuer.pool, user_id=user_id) as conn:
        session = await tokens.browser_session(conn, refresh.digest(raw), user_id)
        if session is not None:
            await tokens.revoke_family(conn, session.family_id, user_id, "logout")


async def _registered_target(
    issuer: Issuer, settings: Settings, keyring: KeyRing, query: Any
) -> str | None:
    wanted = query.get("post_logout_redirect_uri")
    if not wanted:
        return None
    client_id = query.get("client_id")
    hint = query.get("id_token_hint")
    if hint:
        read = await read_hint(keyring, settings, hint)
        if read is None or (client_id and client_id != read.client_id):
            return None
        client_id = read.client_id
    if not client_id or len(client_id) > 64:
        return None
    async with transaction(issuer.pool, anonymous=True) as conn:
        client = await clients.by_client_id(conn, client_id)
    if client is None or wanted not in client.post_logout_redirect_uris:
        return None
    return str(wanted)


ROUTER = Router("/auth", route_handlers=[userinfo, logout], tags=["sign-in"])
