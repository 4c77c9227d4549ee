"""The token endpoint's choice of grant (RFC 6749 4.1, 4.3, 4.4 and 6): each grant type reads
its own fields of the form and goes to its own decision (:mod:`service.tokens.service`,
:mod:`.code_grant`, :mod:`.client_grant`). ``client`` is the app client the request
authenticated as, None for the first-party client of the seed's flows."""

from __future__ import annotations

from uuid import UUID

from service import wire
from service.app_clients.repo import Client
from service.errors import ApiError
from service.ids import parse_uuid
from service.throttle.gate import guarded
from service.tokens import client_grant, code_grant, forms, mfa_grant, service
from service.tokens.errors import OAuthError
from service.tokens.issue import signed
from service.tokens.schemas import (
    MFA_GRANT,
    AuthorizationCodeGrant,
    ClientCredentialsGrant,
    MfaGrant,
    PasswordGrant,
    RefreshGrant,
    TokenRequest,
    TokenResponse,
)
from service.tokens.second_step import Pending
from service.tokens.service import Issuer

GRANTS: dict[str, type[TokenRequest]] = {
    "password": PasswordGrant,
    "refresh_token": RefreshGrant,
    "client_credentials": ClientCredentialsGrant,
    "authorization_code": AuthorizationCodeGrant,
    MFA_GRANT: MfaGrant,
}
SUPPORTED = (
    "Use authorization_code, refresh_token, client_credentials, password or " + MFA_GRANT + "."
)


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
        raise OAuthError("invalid_request", forms.described(error)) from None


def prefetch(issuer: Issuer, fields: dict[str, str]) -> client_grant.Prefetch | None:
    """How client authentication may read ahead for the grant a form asks for."""
    if fields.get("grant_type") == "client_credentials":
        return client_grant.Prefetch(issuer)
    return None


async def grant(
    issuer: Issuer,
    form: TokenRequest,
    *,
    client: Client | None,
    address: str,
    prefetched: client_grant.Prefetch | None = None,
) -> TokenResponse:
    """Tokens for a valid grant; an :class:`OAuthError` (RFC 6749 section 5.2) otherwise.
    ``client`` is the authenticated app client, None for the first-party client;
    ``prefetched`` is what :func:`prefetch` gave its authentication."""
    if isinstance(form, ClientCredentialsGrant):
        ahead = prefetched.grant if prefetched is not None else None
        return await client_grant.client_credentials(issuer, client, form.scope, ahead)
    if isinstance(form, AuthorizationCodeGrant):
        return await code_grant.authorization_code(issuer, client, form)
    if isinstance(form, MfaGrant):
        return await mfa_grant.second_factor(issuer, client, form, address)
    org_id = _organization(form.organization_id)
    if isinstance(form, PasswordGrant) and client is not None:
        return await _client_password(issuer, client, form, org_id, address)
    if isinstance(form, PasswordGrant):
        return await service.password_grant(
            issuer,
            username=form.username,
            password=form.password,
            organization_id=org_id,
            address=address,
        )
    return await _refresh(issuer, form.refresh_token, org_id, address, client)


async def _client_password(
    issuer: Issuer, client: Client, form: PasswordGrant, org_id: UUID | None, address: str
) -> TokenResponse:
    """The password grant through an app client: only when the client allows it (never a
    machine_to_machine one), and only into the client's organization."""
    if not client.password_grant or client.type == "machine_to_machine":
        raise OAuthError("unauthorized_client", "This client may not use the password grant.")
    if org_id not in (None, client.organization_id):
        raise OAuthError("invalid_request", "This client signs in to its own organization.")
    done = await service.password_login(
        issuer,
        username=form.username,
        password=form.password,
        organization_id=client.organization_id,
        address=address,
    )
    if isinstance(done, Pending):
        raise await service.second_step_needed(issuer, done, client)
    await service.bind_to_client(issuer, done, client)
    return signed(
        issuer,
        done.user,
        done.grant,
        refresh_token=done.refresh_token,
        client=client,
        signed_in=done.signed_in,
    )


async def _refresh(
    issuer: Issuer, raw: str, org_id: UUID | None, address: str, client: Client | None
) -> TokenResponse:
    """A refresh grant, throttled per client address: only refused grants count."""
    return await guarded(
        issuer.throttle,
        issuer.throttle.policy.refresh(address),
        lambda: service.refresh_grant(issuer, raw=raw, organization_id=org_id, client=client),
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
