"""The token endpoint's choice of grant (RFC 6749 sections 4.3 and 6): each grant type reads
its own fields of the form and goes to its own decision in :mod:`service.tokens.service`."""

from __future__ import annotations

from uuid import UUID

from service.ids import parse_uuid
from service.throttle.gate import guarded
from service.tokens import service
from service.tokens.errors import OAuthError
from service.tokens.schemas import TokenRequest, TokenResponse
from service.tokens.service import Issuer

SUPPORTED = "Use password or refresh_token."


async def grant(issuer: Issuer, form: TokenRequest, *, address: str) -> TokenResponse:
    """Tokens for a valid grant; an :class:`OAuthError` (RFC 6749 section 5.2) otherwise."""
    org_id = _organization(form.organization_id)
    if form.grant_type == "password":
        if not form.username or form.password is None:
            raise OAuthError("invalid_request", "username and password are required.")
        return await service.password_grant(
            issuer,
            username=form.username,
            password=form.password,
            organization_id=org_id,
            address=address,
        )
    if form.grant_type == "refresh_token":
        return await _refresh(issuer, form.refresh_token, org_id, address)
    if not form.grant_type:
        raise OAuthError("invalid_request", "grant_type is required.")
    raise OAuthError("unsupported_grant_type", SUPPORTED)


async def _refresh(
    issuer: Issuer, raw: str | None, org_id: UUID | None, address: str
) -> TokenResponse:
    """A refresh grant, throttled per client address: only refused grants count."""
    if not raw:
        raise OAuthError("invalid_request", "refresh_token is required.")
    return await guarded(
        issuer.throttle,
        issuer.throttle.policy.refresh(address),
        lambda: service.refresh_grant(issuer, raw=raw, organization_id=org_id),
        refusal=lambda: OAuthError("invalid_grant", service.INVALID_REFRESH),
        counts=lambda error: isinstance(error, OAuthError),
    )


def _organization(value: str | None) -> UUID | None:
    """The optional ``organization_id`` field: empty is absent, anything else must be an id."""
    if value is None or value == "":
        return None
    parsed = parse_uuid(value)
    if parsed is None:
        raise OAuthError("invalid_request", "organization_id is not a valid id.")
    return parsed
