"""``grant_type=urn:health-auth:params:oauth:grant-type:mfa``: the second step of a password
grant that answered ``mfa_required``. The same client that asked first (or the first-party
client, when none did) sends the ``mfa_token`` with ``otp`` or ``recovery_code``; a right
code spends the token and opens the refresh family, saying ``amr: [pwd, otp, mfa]``. After
enrolling a first factor with the token (``mfa_enrollment_required``), the token alone
completes it: confirming the factor was the code."""

from __future__ import annotations

import asyncpg

from service.app_clients.repo import Client
from service.mfa.check import Given
from service.mfa.repo import Challenge
from service.security.sign_in import SignIn
from service.tokens.errors import OAuthError
from service.tokens.issue import Issuer, auth_event, open_family
from service.tokens.schemas import MfaGrant, TokenResponse
from service.tokens.second_step import pass_step

INVALID = "The mfa_token is invalid, expired or used, or the code is wrong."


def _invalid() -> OAuthError:
    return OAuthError("invalid_grant", INVALID)


async def second_factor(
    issuer: Issuer, client: Client | None, form: MfaGrant, address: str
) -> TokenResponse:
    if form.otp and form.recovery_code:
        raise OAuthError("invalid_request", "Send one of otp and recovery_code, not both.")
    given = Given(otp=form.otp[:64], recovery_code=form.recovery_code[:64])

    async def then(conn: asyncpg.Connection, step: Challenge, how: SignIn) -> TokenResponse | None:
        return await _issue(conn, issuer, client, step, how, address)

    issued = await pass_step(
        issuer,
        form.mfa_token,
        given,
        purpose="grant",
        client_id=client.id if client else None,
        address=address,
        then=then,
        invalid=_invalid,
    )
    if issued is None:
        raise _invalid()
    return issued


async def _issue(
    conn: asyncpg.Connection,
    issuer: Issuer,
    client: Client | None,
    step: Challenge,
    how: SignIn,
    address: str,
) -> TokenResponse | None:
    """The family the sign-in opens, for the organization the first step chose, while the
    person is still a live member and their sessions have not ended since."""
    issued = await open_family(
        conn,
        issuer,
        step.organization_id,
        step.user_id,
        epoch=step.sessions_epoch,
        signed_in=how,
        client=client,
    )
    if issued is not None:
        await auth_event(conn, step.organization_id, step.user_id, "auth.login", address)
    return issued
