"""The token endpoint's choice of grant (RFC 6749 sections 4.3 and 6): each grant type reads
its own fields of the form and goes to its own decision in :mod:`service.tokens.service`."""

from __future__ import annotations

from uuid import UUID

from service import wire
from service.app_clients.repo import Client
from service.errors import ApiError
from service.ids import parse_uuid
from service.throttle.gate import guarded
from service.tokens import client_grant, service
from service.tokens.errors import OAuthError
from service.tokens.schemas import (
    ClientCredentialsGrant,
    PasswordGrant,
    RefreshGrant,
    TokenRequest,
    TokenResponse,
)
from service.tokens.service import Issuer

GRANTS: dict[str, type[TokenRequest]] = {
    "password": PasswordGrant,
    "refresh_token": RefreshGrant,
    "client_credentials": ClientCredentialsGrant,
}
SUPPORTED = "Use password, refresh_token or client_credentials."


def read(form: dict[str, str]) -> TokenRequest:
    """The grant a form asks for, with its own fields; RFC 6749's ``invalid_request`` or
    ``unsupported_grant_type`` (section 5.2) when it cannot be read."""
    kind = form.get("grant_type", "")
    if not kind:
        raise OAuthError("invalid_request", "grant_type is required.")
    shape = GRANTS.get(kind)
    if shape is None:
        raise OAuthError("unsupported_grant_type", SUPPORTED)
    try:
        return wire.convert(form, shape)
    except ApiError as error:
        raise OAuthError("invalid_request", described(error)) from None


def described(error: ApiError) -> str:
    """An error's first problem in one line, naming the field (OAuth errors have no pointer)."""
    item = error.items[0]
    field = (item.pointer or "/").lstrip("/")
    return f"{field}: {item.detail}" if field else item.detail


async def grant(
    issuer: Issuer, form: TokenRequest, *, client: Client | None, address: str
) -> TokenResponse:
    """Tokens for a valid grant; an :class:`OAuthError` (RFC 6749 section 5.2) otherwise.
    ``client`` is the authenticated app client, None for the first-party client."""
    if isinstance(form, ClientCredentialsGrant):
        return await client_grant.client_credentials(issuer, client, form.scope)
    if client is not None:
        raise OAuthError(
            "unauthorized_client",
            "App clients use client_credentials; sign-in for people through them is not "
            "offered yet.",
        )
    org_id = _organization(form.organization_id)
    if isinstance(form, PasswordGrant):
        return await service.password_grant(
            issuer,
            username=form.username,
            password=form.password,
            organization_id=org_id,
            address=address,
        )
    return await _refresh(issuer, form.refresh_token, org_id, address)


async def _refresh(issuer: Issuer, raw: str, org_id: UUID | None, address: str) -> TokenResponse:
    """A refresh grant, throttled per client address: only refused grants count."""
    return await guarded(
        issuer.throttle,
        issuer.throttle.policy.refresh(address),
        lambda: service.refresh_grant(issuer, raw=raw, organization_id=org_id),
        refusal=lambda: OAuthError("invalid_grant", service.INVALID_REFRESH),
        counts=lambda error: isinstance(error, OAuthError),
    )


def _organization(value: str) -> UUID | None:
    """The optional ``organization_id`` field: empty is absent, anything else must be an id."""
    if value == "":
        return None
    parsed = parse_uuid(value)
    if parsed is None:
        raise OAuthError("invalid_request", "organization_id is not a valid id.")
    return parsed
