"""RFC 6749 and RFC 7009 wire types: form requests, JSON answers, error bodies."""

from __future__ import annotations

from typing import Annotated

import msgspec
from msgspec import UNSET, UnsetType

from service.wire import RequestShape, ResponseShape

# Documented as a UUID; the handler checks it and answers RFC 6749's invalid_request. A form
# field is text, never null: empty is the same as absent.
OrganizationId = Annotated[str, msgspec.Meta(extra_json_schema={"format": "uuid"})]


FormText = Annotated[
    str,
    msgspec.Meta(min_length=1, pattern="^[^\\u0000]+$", description="Not empty, no NUL."),
]
"""A form field that must be sent: not empty (and, as every form field, without NUL)."""


class PasswordGrant(
    RequestShape, forbid_unknown_fields=False, tag_field="grant_type", tag="password"
):
    """``grant_type=password``: a member's address and password, optionally the organization
    to sign in to. Unknown parameters are ignored, as RFC 6749 says."""

    username: FormText
    password: FormText
    organization_id: OrganizationId = ""
    scope: str = ""
    client_id: str = ""


class RefreshGrant(
    RequestShape, forbid_unknown_fields=False, tag_field="grant_type", tag="refresh_token"
):
    """``grant_type=refresh_token``: the refresh token, optionally another organization of the
    same person to switch to."""

    refresh_token: FormText
    organization_id: OrganizationId = ""
    scope: str = ""
    client_id: str = ""
    client_secret: str = ""
    client_assertion_type: str = ""
    client_assertion: str = ""


class ClientCredentialsGrant(
    RequestShape, forbid_unknown_fields=False, tag_field="grant_type", tag="client_credentials"
):
    """``grant_type=client_credentials``: a machine_to_machine app client acting as itself,
    authenticated with HTTP Basic, ``client_id`` and ``client_secret`` in the form, or a
    ``client_assertion`` (private_key_jwt); ``scope`` (permissions, space-separated) narrows
    its role's."""

    scope: str = ""
    client_id: str = ""
    client_secret: str = ""
    client_assertion_type: str = ""
    client_assertion: str = ""


Verifier = Annotated[
    str,
    msgspec.Meta(
        min_length=43,
        max_length=128,
        pattern="^[A-Za-z0-9._~-]+$",
        description="The PKCE code verifier (RFC 7636 4.1).",
    ),
]


class AuthorizationCodeGrant(
    RequestShape, forbid_unknown_fields=False, tag_field="grant_type", tag="authorization_code"
):
    """``grant_type=authorization_code``: the code from the redirect, the redirect URI it was
    sent to, and the PKCE verifier; the client authenticates as registered (a public client
    sends its ``client_id``)."""

    code: FormText
    redirect_uri: FormText
    code_verifier: Verifier
    client_id: str = ""
    client_secret: str = ""
    client_assertion_type: str = ""
    client_assertion: str = ""


MFA_GRANT = "urn:health-auth:params:oauth:grant-type:mfa"
"""The service's own grant type for the second step of a password grant."""


class MfaGrant(RequestShape, forbid_unknown_fields=False, tag_field="grant_type", tag=MFA_GRANT):
    """The second step of a password grant answered ``mfa_required``: its ``mfa_token`` and
    exactly one of ``otp`` (six digits from the authenticator app) or ``recovery_code``; an
    app client authenticates as it did for the first step."""

    mfa_token: FormText
    otp: str = ""
    recovery_code: str = ""
    client_id: str = ""
    client_secret: str = ""
    client_assertion_type: str = ""
    client_assertion: str = ""


TokenRequest = (
    PasswordGrant | RefreshGrant | ClientCredentialsGrant | AuthorizationCodeGrant | MfaGrant
)
"""The form of ``POST /auth/token``, one shape per grant type (``grant_type`` tells which)."""


class TokenResponse(ResponseShape):
    access_token: str
    token_type: str
    expires_in: int
    refresh_token: str | UnsetType = UNSET  # none for a client acting as itself
    scope: str | UnsetType = UNSET  # when a client asked for less than its role holds
    id_token: str | UnsetType = UNSET  # OpenID Connect, when the scope held openid


class RevokeRequest(RequestShape, forbid_unknown_fields=False):
    """RFC 7009: the token, and (for an app client) the same client authentication as at the
    token endpoint."""

    token: FormText
    token_type_hint: str = ""
    client_id: str = ""
    client_secret: str = ""
    client_assertion_type: str = ""
    client_assertion: str = ""


class OAuthErrorBody(ResponseShape, omit_defaults=True):
    error: str
    error_description: str | None = None
    mfa_token: str | None = None  # with ``mfa_required``: the second step's token
    mfa_enrollment_required: bool | None = None  # with it: no factor yet, enrol one first
